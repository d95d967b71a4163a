/**
 * Bearer tokens: `aleph1.<claims>.<mac>`, the claims base64url JSON, the MAC HMAC-SHA256 under the
 * gateway's token secret over `aleph1.<claims>`. Verification compares the MAC in constant time
 * before reading anything else, then checks expiry, then revocation (the device's state).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Result } from '@aleph/protocol';
import { isExpiredAt, ROLES, type Role } from './roles.js';

const PREFIX = 'aleph1.';
/** Longer than any token Aleph issues; anything longer is refused before any work. */
const MAX_TOKEN_LENGTH = 4096;

export interface TokenClaims {
  /** The device (or guest) the token was issued to. */
  readonly sub: string;
  readonly role: Exclude<Role, 'anonymous'>;
  /** Tools it may use; `*` for all. */
  readonly scopes: readonly string[];
  /** Issue and expiry times, epoch milliseconds. */
  readonly iat: number;
  readonly exp: number;
  /** The subject's token generation: rotating or revoking moves it on, and older tokens die. */
  readonly gen: number;
}

/** What verification needs to know about a token's subject now. */
export interface SubjectState {
  readonly revoked: boolean;
  readonly generation: number;
}

function mac(secret: Uint8Array, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function issueToken(secret: Uint8Array, claims: TokenClaims): string {
  const body = PREFIX + Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/**
 * Verifies a token: signature (constant time), shape, expiry, then the subject's state from
 * `subject` (null: no such subject). Failure codes: `malformed`, `bad_signature`, `expired`,
 * `unknown_subject`, `revoked`; each with a sentence.
 */
export function verifyToken(secret: Uint8Array, token: string, now: number, subject: (id: string) => SubjectState | null): Result<TokenClaims> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) return fail('malformed', 'That is not an Aleph token.');
  const dot = token.lastIndexOf('.');
  if (dot <= PREFIX.length) return fail('malformed', 'That is not an Aleph token.');
  const body = token.slice(0, dot);
  // The MAC is compared as text: base64 decoders ignore stray characters and the last character's
  // spare bits, so comparing decoded bytes would accept altered spellings of a valid token.
  const given = Buffer.from(token.slice(dot + 1), 'latin1');
  const expected = Buffer.from(mac(secret, body).toString('base64url'), 'latin1');
  // Same length first (a MAC's length is no secret), then a constant-time comparison.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return fail('bad_signature', "The token's signature does not match: it was not issued by this gateway, or it was altered.");
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body.slice(PREFIX.length), 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return fail('malformed', "The token's claims are not readable.");
  }
  if (!isClaims(claims)) return fail('malformed', "The token's claims are incomplete.");
  if (isExpiredAt(claims.exp, now)) return fail('expired', `The token expired at ${new Date(claims.exp).toISOString()}.`);
  const state = subject(claims.sub);
  if (state === null) return fail('unknown_subject', "The token's device or guest is not known to this gateway.");
  if (state.revoked || claims.gen !== state.generation) return fail('revoked', 'The token was revoked or replaced by a newer one.');
  return ok(claims);
}

function isClaims(c: unknown): c is TokenClaims {
  if (typeof c !== 'object' || c === null) return false;
  const v = c as Record<string, unknown>;
  return (
    typeof v.sub === 'string' &&
    v.sub !== '' &&
    (ROLES as readonly unknown[]).includes(v.role) &&
    v.role !== 'anonymous' &&
    Array.isArray(v.scopes) &&
    v.scopes.every((s) => typeof s === 'string') &&
    Number.isInteger(v.iat) &&
    Number.isInteger(v.exp) &&
    Number.isInteger(v.gen)
  );
}
