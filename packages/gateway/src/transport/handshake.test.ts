import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NonceLedger, newNonce, nonceBytes, prove, verifyProof } from './handshake.js';

const secret = randomBytes(32);

describe('the challenge-response handshake', () => {
  it('accepts the proof of a side that knows the secret', () => {
    const nonce = newNonce();
    expect(verifyProof(secret, nonce, 'client', prove(secret, nonce, 'client'))).toBe(true);
    expect(verifyProof(secret, nonce, 'server', prove(secret, nonce, 'server'))).toBe(true);
  });

  it('rejects a wrong secret, another nonce, a reflected proof, and garbage', () => {
    const nonce = newNonce();
    const good = prove(secret, nonce, 'client');
    expect(verifyProof(randomBytes(32), nonce, 'client', good)).toBe(false);
    expect(verifyProof(secret, newNonce(), 'client', good)).toBe(false);
    expect(verifyProof(secret, nonce, 'server', good)).toBe(false);
    for (const bad of [undefined, 42, '', 'AAAA', good.slice(0, -4), `${good}AAAA`]) expect(verifyProof(secret, nonce, 'client', bad)).toBe(false);
  });

  it('only takes nonces of exactly 32 random bytes', () => {
    expect(nonceBytes(newNonce())?.length).toBe(32);
    expect(nonceBytes('short')).toBeNull();
    expect(nonceBytes(Buffer.alloc(16).toString('base64'))).toBeNull();
    expect(nonceBytes(42)).toBeNull();
  });

  it('accepts each client nonce once, and stays bounded', () => {
    const ledger = new NonceLedger(3);
    const [a, b, c, d] = [newNonce(), newNonce(), newNonce(), newNonce()];
    expect([ledger.use(a), ledger.use(a)]).toEqual([true, false]);
    expect([ledger.use(b), ledger.use(c), ledger.use(d)]).toEqual([true, true, true]);
    expect(ledger.use(a)).toBe(true);
  });
});
