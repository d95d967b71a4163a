/**
 * Mutual HMAC-SHA256 challenge-response. The gateway challenges the client with a fresh nonce; the
 * client answers with HMAC(secret, nonce ‖ client context) and its own fresh nonce; the gateway
 * answers that with HMAC(secret, client nonce ‖ server context). Each side thereby proves it holds
 * the secret without sending it, a recorded exchange cannot be replayed (the other side's nonce is
 * new every time), and the distinct contexts stop one side's proof being reflected as the other's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = 1;
export const NONCE_BYTES = 32;
const CLIENT_CONTEXT = 'aleph exec-approvals v1 client proof';
const SERVER_CONTEXT = 'aleph exec-approvals v1 server proof';

export type Role = 'client' | 'server';

/** Base64 of exactly 32 bytes, canonical padding. */
const BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64');
}

/** A nonce as bytes, or null when it is not base64 of exactly NONCE_BYTES bytes. */
export function nonceBytes(nonce: unknown): Buffer | null {
  if (typeof nonce !== 'string' || !BASE64_32.test(nonce)) return null;
  const bytes = Buffer.from(nonce, 'base64');
  return bytes.length === NONCE_BYTES ? bytes : null;
}

/** The proof that `role` knows `secret`, for the other side's `nonce`. */
export function prove(secret: Uint8Array, nonce: string, role: Role): string {
  const bytes = nonceBytes(nonce);
  if (bytes === null) throw new Error('not a nonce');
  return createHmac('sha256', secret)
    .update(bytes)
    .update(role === 'client' ? CLIENT_CONTEXT : SERVER_CONTEXT)
    .digest('base64');
}

/** Checks a proof in constant time (the length of a valid proof is public). */
export function verifyProof(secret: Uint8Array, nonce: string, role: Role, proof: unknown): boolean {
  // Exactly the base64 of a 32-byte MAC: Node's decoder would otherwise ignore trailing junk.
  if (typeof proof !== 'string' || !BASE64_32.test(proof)) return false;
  const expected = Buffer.from(prove(secret, nonce, role), 'base64');
  const given = Buffer.from(proof, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Client nonces the gateway has seen recently: a nonce is accepted once. Bounded: the oldest are
 * forgotten first, which is safe because every proof is also bound to the gateway's own fresh nonce.
 */
export class NonceLedger {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /** Records the nonce; false if it was already used. */
  use(nonce: string): boolean {
    if (this.seen.has(nonce)) return false;
    if (this.seen.size >= this.capacity) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(nonce);
    return true;
  }
}
