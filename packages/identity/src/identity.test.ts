import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newPairingCode, normalizeCode, PAIRING_ALPHABET } from './codes.js';
import { identityContext, type IdentityContext } from './context.js';
import { fingerprint, newDeviceKeyPair, sign, verifyWithNacl, verifyWithNode } from './keys.js';
import { DEFAULT_PAIRING_LIMITS, PairingBook } from './pairing.js';
import { authorize } from './policy-engine.js';
import { pairingMessage } from '@aleph/protocol';
import { issueToken, verifyToken, type SubjectState, type TokenClaims } from './tokens.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const random = (n: number) => new Uint8Array(randomBytes(n));

describe('pairing codes', () => {
  it('are 8 characters from 32 without look-alikes', () => {
    expect(PAIRING_ALPHABET).toHaveLength(32);
    expect(new Set(PAIRING_ALPHABET).size).toBe(32);
    for (const c of '01OI') expect(PAIRING_ALPHABET).not.toContain(c);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newPairingCode(random);
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      for (const c of code) seen.add(c);
    }
    expect(seen.size).toBe(32);
  });

  it('are read as typed, whatever the case, spaces and dashes', () => {
    expect(normalizeCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(normalizeCode(' AbCd EfGh ')).toBe('ABCDEFGH');
    expect(normalizeCode('ABCDEFG0')).toBeNull();
    expect(normalizeCode('ABCDEFG')).toBeNull();
  });
});

describe('bearer tokens', () => {
  const secret = new Uint8Array(randomBytes(32));
  const claims: TokenClaims = { sub: 'dev-1', role: 'owner', scopes: ['*'], iat: T0, exp: T0 + 3_600_000, gen: 1 };
  const live = (): SubjectState => ({ revoked: false, generation: 1 });

  it('verify when issued by this secret, for a known, current subject', () => {
    expect(verifyToken(secret, issueToken(secret, claims), T0, live)).toEqual({ ok: true, value: claims });
  });

  it('fail on any flipped bit, anywhere, under many secrets (so every last-character spelling is tried)', () => {
    for (let s = 0; s < 64; s++) {
      const key = new Uint8Array(randomBytes(32));
      const token = issueToken(key, claims);
      for (let i = 0; i < token.length; i++) {
        for (const bit of [1, 2, 4, 8, 16, 32]) {
          const bytes = Buffer.from(token);
          bytes[i] = bytes[i]! ^ bit;
          const r = verifyToken(key, bytes.toString('latin1'), T0, live);
          expect(r.ok, `bit ${bit} flipped at ${i} of ${token}`).toBe(false);
        }
      }
    }
  });

  it('fail under another secret, when expired (from the expiry on), revoked, rotated, or unknown', () => {
    const token = issueToken(secret, claims);
    const code = (r: ReturnType<typeof verifyToken>) => (r.ok ? 'ok' : r.error.code);
    expect(code(verifyToken(new Uint8Array(32), token, T0, live))).toBe('bad_signature');
    expect(code(verifyToken(secret, token, claims.exp - 1, live))).toBe('ok');
    expect(code(verifyToken(secret, token, claims.exp, live))).toBe('expired');
    expect(code(verifyToken(secret, token, T0, () => ({ revoked: true, generation: 1 })))).toBe('revoked');
    expect(code(verifyToken(secret, token, T0, () => ({ revoked: false, generation: 2 })))).toBe('revoked');
    expect(code(verifyToken(secret, token, T0, () => null))).toBe('unknown_subject');
    expect(code(verifyToken(secret, 'Bearer nonsense', T0, live))).toBe('malformed');
    expect(code(verifyToken(secret, `aleph1.${'A'.repeat(5000)}.x`, T0, live))).toBe('malformed');
  });
});

describe('device keys', () => {
  it('a signature verifies with both implementations, and fails for another key or message', () => {
    const device = newDeviceKeyPair();
    const other = newDeviceKeyPair();
    const message = new Uint8Array(randomBytes(32));
    const signature = sign(device.secretKey, message);
    for (const verify of [verifyWithNacl, verifyWithNode]) {
      expect(verify(device.publicKey, message, signature)).toBe(true);
      expect(verify(other.publicKey, message, signature)).toBe(false);
      expect(verify(device.publicKey, new Uint8Array(32), signature)).toBe(false);
      expect(verify(device.publicKey, message, sign(other.secretKey, message))).toBe(false);
      expect(verify(device.publicKey.subarray(1), message, signature)).toBe(false);
      expect(verify(device.publicKey, message, signature.subarray(1))).toBe(false);
    }
  });

  it('a fingerprint is the first 16 hex digits of SHA-256 of the public key', () => {
    expect(fingerprint(new Uint8Array(32))).toBe('66687aadf862bd77');
  });
});

describe('the PolicyEngine', () => {
  const ctx = (fields: Partial<IdentityContext>): IdentityContext =>
    identityContext({
      request_id: 'r',
      session_key: 's',
      role: 'guest',
      identity_id: 'g-1',
      created_at: T0,
      source_channel: 'websocket',
      scope: { allowed_tools: ['exec', 'read_file'], expires_at: T0 + 1000, display_name: 'Ana' },
      ...fields,
    });

  it('allows the owner always, and a guest inside its scope until it expires', () => {
    expect(authorize(ctx({ role: 'owner', scope: null }), 'anything', { now: T0 })).toEqual({ allowed: true });
    expect(authorize(ctx({}), 'exec', { now: T0 + 999 })).toEqual({ allowed: true });
    expect(authorize(ctx({ scope: { allowed_tools: ['*'], expires_at: null, display_name: null } }), 'exec', { now: T0 })).toEqual({ allowed: true });
  });

  it('denies with a reason: expired scope (from its expiry on), tool outside it, no scope, anonymous', () => {
    expect(authorize(ctx({}), 'exec', { now: T0 + 1000 })).toMatchObject({ allowed: false, code: 'scope_expired' });
    expect(authorize(ctx({}), 'write_file', { now: T0 })).toMatchObject({
      allowed: false,
      code: 'tool_not_allowed',
      reason: 'This guest may use exec, read_file, not write_file.',
    });
    expect(authorize(ctx({ scope: null }), 'exec', { now: T0 })).toMatchObject({ allowed: false, code: 'no_scope' });
    expect(authorize(ctx({ role: 'anonymous', scope: null }), 'exec', { now: T0 })).toMatchObject({ allowed: false, code: 'anonymous' });
    expect(authorize(ctx({ role: 'anonymous', scope: null }), 'exec', { now: T0, authenticationRequired: false })).toEqual({ allowed: true });
  });

  it('works on a frozen context that nothing can change', () => {
    const c = ctx({});
    expect(Object.isFrozen(c) && Object.isFrozen(c.scope) && Object.isFrozen(c.scope!.allowed_tools)).toBe(true);
    expect(() => {
      (c as { role: string }).role = 'owner';
    }).toThrow(TypeError);
  });
});

describe('pairing', () => {
  const device = () => ({ kind: 'device' as const, name: 'Laptop', type: 'cli', publicKey: newDeviceKeyPair().publicKey });
  /** One session from one address. */
  const at = (peer: string) => ({ peer, session: peer });

  it('goes request -> approve -> proof, and the code works once', () => {
    const book = new PairingBook(random);
    const keys = newDeviceKeyPair();
    const asked = book.request({ kind: 'device', name: 'Laptop', type: 'cli', publicKey: keys.publicKey }, at('p'), T0);
    if (!asked.ok) throw new Error(asked.error.message);
    expect(asked.value.fingerprint).toBe(fingerprint(keys.publicKey));
    expect(book.complete(asked.value.code, new Uint8Array(64), at('p'), T0, verifyWithNode)).toMatchObject({ ok: false, error: { code: 'not_approved' } });
    const approved = book.approve(asked.value.code.toLowerCase(), T0 + 1);
    if (!approved.ok) throw new Error(approved.error.message);
    const proof = sign(keys.secretKey, pairingMessage(approved.value.challenge!));
    // The bare challenge, signed without its context, is no proof.
    expect(book.complete(asked.value.code, sign(keys.secretKey, approved.value.challenge!), at('p'), T0 + 2, verifyWithNode)).toMatchObject({
      ok: false,
      error: { code: 'bad_signature' },
    });
    expect(book.complete(asked.value.code, proof, at('p'), T0 + 2, verifyWithNode)).toMatchObject({ ok: true });
    expect(book.complete(asked.value.code, proof, at('p'), T0 + 3, verifyWithNode)).toMatchObject({ ok: false, error: { code: 'unknown_code' } });
  });

  it('refuses a proof signed by another key', () => {
    const book = new PairingBook(random);
    const asked = book.request(device(), at('p'), T0);
    const approved = book.approve(asked.ok ? asked.value.code : '', T0);
    const forged = sign(newDeviceKeyPair().secretKey, pairingMessage(approved.ok ? approved.value.challenge! : new Uint8Array()));
    expect(book.complete(asked.ok ? asked.value.code : '', forged, at('p'), T0, verifyWithNacl)).toMatchObject({ ok: false, error: { code: 'bad_signature' } });
  });

  it('expires a code after five minutes', () => {
    const book = new PairingBook(random);
    const asked = book.request(device(), at('p'), T0);
    const code = asked.ok ? asked.value.code : '';
    expect(book.approve(code, T0 + DEFAULT_PAIRING_LIMITS.ttlMs - 1).ok).toBe(true);
    expect(book.status(code, at('p'), T0 + DEFAULT_PAIRING_LIMITS.ttlMs)).toMatchObject({ ok: false, error: { code: 'unknown_code' } });
    expect(book.list(T0 + DEFAULT_PAIRING_LIMITS.ttlMs)).toEqual([]);
  });

  it('keeps at most ten pending, two per peer, chat senders apart; rate-limits each peer; keeps codes unique', () => {
    let n = 0;
    // A generator that repeats itself: the book must still hand out distinct codes.
    const repetitive = (size: number) => new Uint8Array(size).fill(Math.floor(n++ / 2));
    const book = new PairingBook(repetitive);
    for (let i = 0; i < 10; i++) expect(book.request(device(), at(`peer-${Math.floor(i / 2)}`), T0 + i * 20_000).ok).toBe(true);
    expect(new Set(book.list(T0 + 200_000).map((p) => p.code)).size).toBe(10);
    expect(book.request(device(), at('peer-9'), T0 + 200_000)).toMatchObject({
      ok: false,
      error: { code: 'too_many_pending', message: '10 pairing requests are already waiting for the owner; try again later.' },
    });
    // Devices filling the table do not keep chat senders out, nor the other way round.
    expect(book.request({ kind: 'chat', channel: 'telegram', sender: '4711', name: 'Ana' }, at('chat:telegram:4711'), T0 + 200_000).ok).toBe(true);

    const one = new PairingBook(random);
    expect(one.request(device(), at('p'), T0).ok).toBe(true);
    expect(one.request(device(), at('p'), T0 + 1).ok).toBe(true);
    expect(one.request(device(), at('p'), T0 + 2)).toMatchObject({
      ok: false,
      error: { code: 'too_many_pending', message: expect.stringContaining('from p are already waiting') },
    });
    expect(one.request(device(), at('q'), T0 + 2).ok).toBe(true);

    // Rate: five asks a minute, even when each is answered at once.
    const limited = new PairingBook(random);
    for (let i = 0; i < 5; i++) {
      const asked = limited.request(device(), at('p'), T0 + i);
      expect(asked.ok && limited.reject(asked.value.code, T0 + i).ok).toBe(true);
    }
    expect(limited.request(device(), at('p'), T0 + 10)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(limited.request(device(), at('q'), T0 + 10).ok).toBe(true);
    expect(limited.request(device(), at('p'), T0 + 60_001).ok).toBe(true);
  });

  it('never locks a device out of its own request, however many wrong codes others present from its address', () => {
    const book = new PairingBook(random);
    const keys = newDeviceKeyPair();
    // Every process on this machine comes from 127.0.0.1; only the session tells them apart.
    const device = { peer: '127.0.0.1', session: 'device' };
    const guesser = { peer: '127.0.0.1', session: 'guesser' };
    const asked = book.request({ kind: 'device', name: 'Laptop', type: 'cli', publicKey: keys.publicKey }, device, T0);
    if (!asked.ok) throw new Error(asked.error.message);
    const budget = DEFAULT_PAIRING_LIMITS.codeAttemptsPerMinute;
    const guesses = Array.from({ length: budget + 20 }, (_, i) =>
      book.status(`ZZZZZZ${PAIRING_ALPHABET[i % 32]}${PAIRING_ALPHABET[Math.floor(i / 32)]}`, guesser, T0 + 1),
    );
    expect(guesses.slice(0, budget).every((g) => !g.ok && g.error.code === 'unknown_code')).toBe(true);
    expect(guesses.slice(budget).every((g) => !g.ok && g.error.code === 'rate_limited')).toBe(true);
    // Once the budget is spent, a guesser learns nothing: the right code is refused as the wrong ones are.
    expect(book.status(asked.value.code, guesser, T0 + 1)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // The session that asked is not slowed at all, and pairs.
    expect(book.status(asked.value.code, device, T0 + 2)).toMatchObject({ ok: true, value: { code: asked.value.code } });
    const approved = book.approve(asked.value.code, T0 + 3);
    if (!approved.ok) throw new Error(approved.error.message);
    expect(book.complete(asked.value.code, sign(keys.secretKey, pairingMessage(approved.value.challenge!)), device, T0 + 4, verifyWithNode).ok).toBe(true);
    // Nobody is locked out for long: the budget refills over the minute, for everyone.
    expect(book.status('ZZZZZZZZ', guesser, T0 + 5)).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringMatching(/try again in 2 s/) },
    });
    expect(book.status('ZZZZZZZZ', guesser, T0 + 5 + 60_000 / budget)).toMatchObject({ ok: false, error: { code: 'unknown_code' } });
  });

  it('pairs a chat sender on approval, and gives a sender that asks again its pending code', () => {
    const book = new PairingBook(random);
    const sender = { kind: 'chat' as const, channel: 'telegram', sender: '4711', name: 'Ana' };
    const first = book.request(sender, at('telegram:4711'), T0);
    const again = book.request(sender, at('telegram:4711'), T0 + 1);
    expect(first.ok && again.ok && first.value.code === again.value.code).toBe(true);
    expect(first.ok && first.value.fingerprint).toBeNull();
    const approved = book.approve(first.ok ? first.value.code : '', T0 + 2);
    expect(approved).toMatchObject({ ok: true, value: { challenge: null, subject: sender } });
    expect(book.list(T0 + 2)).toEqual([]);
  });

  it('rejects by code, and refuses malformed devices', () => {
    const book = new PairingBook(random);
    const asked = book.request(device(), at('p'), T0);
    expect(book.reject(asked.ok ? asked.value.code : '', T0).ok).toBe(true);
    expect(book.list(T0)).toEqual([]);
    expect(book.request({ kind: 'device', name: ' ', type: 'cli', publicKey: new Uint8Array(32) }, at('p'), T0)).toMatchObject({
      ok: false,
      error: { code: 'invalid_device' },
    });
    expect(book.request({ kind: 'device', name: 'x', type: 'cli', publicKey: new Uint8Array(31) }, at('p'), T0)).toMatchObject({
      ok: false,
      error: { code: 'invalid_key' },
    });
  });
});
