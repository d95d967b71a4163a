/**
 * Pairing requests, from a device asking to the owner's answer to the device proving its key. Pure
 * state: time and randomness are passed in. A code is valid five minutes, unique among pending
 * ones, and works once; at most ten devices and ten chat senders wait at a time, two of them from
 * any one peer; each peer may ask a few times a minute.
 *
 * Guessing codes is slowed for everyone together, and that slowing never touches a request's own
 * session: the session that asked presents its code freely, while codes presented anywhere else
 * share one budget a minute, right and wrong alike (so a guess that meets the limit learns
 * nothing). No source address is ever locked out: on loopback every process shares one, and a
 * lockout by address would let one process lock out every device on the machine.
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
  /**
   * Codes presented (status asked, proofs made) other than by the session that asked for them, per
   * minute, for the whole gateway; up to this many may come at once.
   */
  readonly codeAttemptsPerMinute: number;
}

export const DEFAULT_PAIRING_LIMITS: PairingLimits = {
  ttlMs: 5 * 60_000,
  maxPending: 10,
  maxPendingPerPeer: 2,
  requestsPerMinute: 5,
  codeAttemptsPerMinute: 30,
};

/** Who presents or asks: the address it comes from, and the session (connection) it comes on. */
export interface Presenter {
  readonly peer: string;
  readonly session: string;
}

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
  /** The session that asked: it may present the code without spending anyone's budget. */
  readonly session: string;
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
  /** What is left of the minute's budget of codes presented by others than the session that asked. */
  private attempts: { tokens: number; at: number } | null = null;

  constructor(
    private readonly random: RandomBytes,
    private readonly limits: PairingLimits = DEFAULT_PAIRING_LIMITS,
  ) {}

  /**
   * A device or chat sender asks to pair; the owner will see the code. A chat sender that asks
   * again while its code is pending gets the same code.
   */
  request(subject: PairingSubject, by: Presenter, now: number): Result<Pairing> {
    const { peer } = by;
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
      return fail(
        'too_many_pending',
        `${this.limits.maxPendingPerPeer} pairing requests from ${peer} are already waiting for the owner; wait for an answer, or for them to expire.`,
      );
    }
    if (waiting.filter((p) => p.subject.kind === subject.kind).length >= this.limits.maxPending) {
      return fail('too_many_pending', `${this.limits.maxPending} pairing requests are already waiting for the owner; try again later.`);
    }
    recent.push(now);
    this.requests.set(peer, recent);
    let code = newPairingCode(this.random);
    while (this.pending.has(code)) code = newPairingCode(this.random);
    const pairing: Pairing = {
      code,
      subject: subject.kind === 'device' ? { ...subject, name, type: subject.type.trim() } : { ...subject, name },
      fingerprint: subject.kind === 'device' ? fingerprint(subject.publicKey) : null,
      peer,
      session: by.session,
      createdAt: now,
      expiresAt: now + this.limits.ttlMs,
      challenge: null,
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
   * A device presents its code (to learn its challenge once approved). On the session that asked,
   * always answered. From anywhere else it may be a guess: it spends the shared budget, and once
   * that is spent it is refused whether the code is right or not, until the budget refills.
   */
  status(input: string, by: Presenter, now: number): Result<Pairing> {
    const found = this.find(input, now);
    if (found.ok && found.value.session === by.session) return found;
    const wait = this.spendAttempt(now);
    if (wait !== null) {
      return fail(
        'rate_limited',
        `Too many pairing codes were presented from elsewhere than the sessions that asked for them; try again in ${Math.ceil(wait / 1000)} s, or wait on the session that asked.`,
      );
    }
    return found;
  }

  /**
   * The device proves it holds the key by signing its challenge; on success the pairing is done
   * and its code is spent. A bad proof counts as a wrong attempt.
   */
  complete(input: string, signature: Uint8Array, by: Presenter, now: number, verify: VerifySignature): Result<Pairing> {
    const found = this.status(input, by, now);
    if (!found.ok) return found;
    const pairing = found.value;
    if (pairing.subject.kind !== 'device' || pairing.challenge === null) return fail('not_approved', 'That pairing is still waiting for the owner.');
    // No budget for bad proofs: nobody finds an Ed25519 signature by trying, and a proof from
    // elsewhere than the session that asked has spent the shared budget already.
    if (!verify(pairing.subject.publicKey, pairingMessage(pairing.challenge), signature)) {
      return fail('bad_signature', 'The signature does not match the key this pairing was requested with.');
    }
    this.pending.delete(pairing.code);
    return ok(pairing);
  }

  private find(input: string, now: number): Result<Pairing> {
    this.prune(now);
    const code = normalizeCode(input);
    const pairing = code === null ? undefined : this.pending.get(code);
    if (pairing === undefined) return fail('unknown_code', 'No pairing request has that code (it may have expired, been used or been rejected).');
    return ok(pairing);
  }

  /**
   * Takes one attempt from the shared budget (refilled evenly over each minute); null when there
   * was one, else how many ms until there is.
   */
  private spendAttempt(now: number): number | null {
    const per = this.limits.codeAttemptsPerMinute;
    const last = this.attempts ?? { tokens: per, at: now };
    const tokens = Math.min(per, last.tokens + (Math.max(0, now - last.at) * per) / 60_000);
    if (tokens < 1) {
      this.attempts = { tokens, at: now };
      return Math.ceil(((1 - tokens) * 60_000) / per);
    }
    this.attempts = { tokens: tokens - 1, at: now };
    return null;
  }

  private prune(now: number): void {
    for (const [code, p] of this.pending) if (isExpiredAt(p.expiresAt, now)) this.pending.delete(code);
    for (const [peer, times] of this.requests) if (times.every((t) => now - t >= 60_000)) this.requests.delete(peer);
  }
}
