/**
 * Pairing requests, from a device asking to the owner's answer to the device proving its key. Pure
 * state: time and randomness are passed in. A code is valid five minutes, unique among pending
 * ones, and works once; at most ten devices and ten chat senders wait at a time, two of them from
 * any one peer; each peer may ask a few times a minute, and a peer that keeps presenting wrong
 * codes is locked out for a while.
 */
import { fail, ok, pairingMessage, type Result } from '@aleph/protocol';
import { newPairingCode, normalizeCode, type RandomBytes } from './codes.js';
import { fingerprint, PUBLIC_KEY_BYTES } from './keys.js';
import { isExpiredAt } from './roles.js';

export interface PairingLimits {
  readonly ttlMs: number;
  /** Requests that may wait at once: this many devices, and as many chat senders. */
  readonly maxPending: number;
  /** Requests of one peer that may wait at once, so that no one peer fills the table. */
  readonly maxPendingPerPeer: number;
  /** Pairing requests one peer may make per minute. */
  readonly requestsPerMinute: number;
  /** Wrong codes (or bad proofs) one peer may present before it is locked out... */
  readonly wrongCodesBeforeLockout: number;
  /** ...for this long. */
  readonly lockoutMs: number;
}

export const DEFAULT_PAIRING_LIMITS: PairingLimits = {
  ttlMs: 5 * 60_000,
  maxPending: 10,
  maxPendingPerPeer: 2,
  requestsPerMinute: 5,
  wrongCodesBeforeLockout: 5,
  lockoutMs: 15 * 60_000,
};

/** Who asks to pair: a device with its key, or a sender on a chat channel. */
export type PairingSubject =
  | {
    readonly kind: 'device';
    readonly name: string;
    readonly type: string;
    /** Ed25519 public key, 32 bytes. */
    readonly publicKey: Uint8Array;
  }
  | { readonly kind: 'chat'; readonly channel: string; readonly sender: string; readonly name: string };

export interface Pairing {
  readonly code: string;
  readonly subject: PairingSubject;
  /** A device key's fingerprint; null for a chat sender. */
  readonly fingerprint: string | null;
  /** Who asked (an address), for rate limits and the owner's eyes. */
  readonly peer: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Set when the owner approves a device: what it must sign (see pairingMessage) to prove its key. */
  readonly challenge: Uint8Array | null;
}

/** Verifies an Ed25519 signature; the gateway passes the faster implementation. */
export type VerifySignature = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

const CHALLENGE_BYTES = 32;

export class PairingBook {
  private readonly pending = new Map<string, Pairing>();
  private readonly requests = new Map<string, number[]>();
  private readonly wrong = new Map<string, { count: number; lockedUntil: number }>();

  constructor(private readonly random: RandomBytes, private readonly limits: PairingLimits = DEFAULT_PAIRING_LIMITS) {}

  /**
   * A device or chat sender asks to pair; the owner will see the code. A chat sender that asks
   * again while its code is pending gets the same code.
   */
  request(subject: PairingSubject, peer: string, now: number): Result<Pairing> {
    this.prune(now);
    const name = subject.name.trim();
    if (name === '' || name.length > 64) return fail('invalid_device', 'A pairing request needs a name of at most 64 characters.');
    if (subject.kind === 'device') {
      if (subject.type.trim() === '' || subject.type.length > 32) return fail('invalid_device', 'A device needs a type of at most 32 characters.');
      if (subject.publicKey.length !== PUBLIC_KEY_BYTES) return fail('invalid_key', `A device key is an Ed25519 public key of ${PUBLIC_KEY_BYTES} bytes.`);
    } else {
      for (const p of this.pending.values()) {
        if (p.subject.kind === 'chat' && p.subject.channel === subject.channel && p.subject.sender === subject.sender) return ok(p);
      }
    }
    const recent = (this.requests.get(peer) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.limits.requestsPerMinute) {
      return fail('rate_limited', `Too many pairing requests from ${peer}; try again in ${Math.ceil((recent[0]! + 60_000 - now) / 1000)} s.`);
    }
    const waiting = [...this.pending.values()];
    if (waiting.filter((p) => p.peer === peer).length >= this.limits.maxPendingPerPeer) {
      return fail('too_many_pending', `${this.limits.maxPendingPerPeer} pairing requests from ${peer} are already waiting for the owner; wait for an answer, or for them to expire.`);
    }
    if (waiting.filter((p) => p.subject.kind === subject.kind).length >= this.limits.maxPending) {
      return fail('too_many_pending', `${this.limits.maxPending} pairing requests are already waiting for the owner; try again later.`);
    }
    recent.push(now);
    this.requests.set(peer, recent);
    let code = newPairingCode(this.random);
    while (this.pending.has(code)) code = newPairingCode(this.random);
    const pairing: Pairing = {
      code, subject: subject.kind === 'device' ? { ...subject, name, type: subject.type.trim() } : { ...subject, name },
      fingerprint: subject.kind === 'device' ? fingerprint(subject.publicKey) : null, peer, createdAt: now, expiresAt: now + this.limits.ttlMs, challenge: null,
    };
    this.pending.set(code, pairing);
    return ok(pairing);
  }

  /** The pairings waiting (approved or not), oldest first. */
  list(now: number): Pairing[] {
    this.prune(now);
    return [...this.pending.values()];
  }

  /**
   * The owner approves. A chat sender is paired there and then (its code is spent); a device may
   * now prove its key.
   */
  approve(input: string, now: number): Result<Pairing> {
    const found = this.find(input, now);
    if (!found.ok) return found;
    if (found.value.subject.kind === 'chat') {
      this.pending.delete(found.value.code);
      return found;
    }
    if (found.value.challenge !== null) return fail('already_approved', 'That pairing is already approved; the device has yet to prove its key.');
    const approved = { ...found.value, challenge: this.random(CHALLENGE_BYTES) };
    this.pending.set(approved.code, approved);
    return ok(approved);
  }

  /** The owner rejects: the code is gone. */
  reject(input: string, now: number): Result<Pairing> {
    const found = this.find(input, now);
    if (found.ok) this.pending.delete(found.value.code);
    return found;
  }

  /**
   * A device presents its code (to learn its challenge once approved). Wrong codes count against
   * the peer; enough of them lock it out.
   */
  status(input: string, peer: string, now: number): Result<Pairing> {
    const locked = this.lockedOut(peer, now);
    if (locked !== null) return locked;
    const found = this.find(input, now);
    if (!found.ok) return this.wrongAttempt(peer, now, found.error.message);
    return found;
  }

  /**
   * The device proves it holds the key by signing its challenge; on success the pairing is done
   * and its code is spent. A bad proof counts as a wrong attempt.
   */
  complete(input: string, signature: Uint8Array, peer: string, now: number, verify: VerifySignature): Result<Pairing> {
    const found = this.status(input, peer, now);
    if (!found.ok) return found;
    const pairing = found.value;
    if (pairing.subject.kind !== 'device' || pairing.challenge === null) return fail('not_approved', 'That pairing is still waiting for the owner.');
    if (!verify(pairing.subject.publicKey, pairingMessage(pairing.challenge), signature)) {
      return this.wrongAttempt(peer, now, 'The signature does not match the key this pairing was requested with.', 'bad_signature');
    }
    this.pending.delete(pairing.code);
    this.wrong.delete(peer);
    return ok(pairing);
  }

  private find(input: string, now: number): Result<Pairing> {
    this.prune(now);
    const code = normalizeCode(input);
    const pairing = code === null ? undefined : this.pending.get(code);
    if (pairing === undefined) return fail('unknown_code', 'No pairing request has that code (it may have expired, been used or been rejected).');
    return ok(pairing);
  }

  private lockedOut(peer: string, now: number): Result<never> | null {
    const w = this.wrong.get(peer);
    if (w === undefined || now >= w.lockedUntil) return null;
    return fail('locked_out', `Too many wrong codes from ${peer}; locked out for ${Math.ceil((w.lockedUntil - now) / 1000)} s.`);
  }

  private wrongAttempt(peer: string, now: number, message: string, code = 'unknown_code'): Result<never> {
    const w = this.wrong.get(peer);
    const count = (w === undefined || (w.lockedUntil !== 0 && now >= w.lockedUntil) ? 0 : w.count) + 1;
    const lockedUntil = count >= this.limits.wrongCodesBeforeLockout ? now + this.limits.lockoutMs : 0;
    this.wrong.set(peer, { count: lockedUntil === 0 ? count : 0, lockedUntil });
    return lockedUntil === 0 ? fail(code, message) : fail('locked_out', `${message} Too many wrong attempts from ${peer}: locked out for ${this.limits.lockoutMs / 1000} s.`);
  }

  private prune(now: number): void {
    for (const [code, p] of this.pending) if (isExpiredAt(p.expiresAt, now)) this.pending.delete(code);
    for (const [peer, times] of this.requests) if (times.every((t) => now - t >= 60_000)) this.requests.delete(peer);
    for (const [peer, w] of this.wrong) if (w.lockedUntil !== 0 && now >= w.lockedUntil) this.wrong.delete(peer);
  }
}
