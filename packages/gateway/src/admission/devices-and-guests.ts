/**
 * Who may use the gateway besides the owner's own socket, as the gateway runs it: pairing requests
 * and their codes, paired devices and their tokens, guests and their invitations, chat senders and
 * their channels' DM policies, and the sessions that tokens open. Every change and every failed
 * proof goes to the audit log (through `record`); the owner's screens learn of changes through
 * `emit`.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_PAIRING_LIMITS,
  fingerprint,
  identityContext,
  issueToken,
  PairingBook,
  type GuestScope,
  type PairingLimits,
  verifyToken,
  verifyWithNode,
  type IdentityContext,
  type Pairing,
  type Presenter,
} from '@aleph/identity';
import {
  connectMessage,
  fail,
  ok,
  toBase64url,
  type Failure,
  type DeviceView,
  type GuestView,
  type OwnerCall,
  type PairingView,
  type PolicyCall,
  type Result,
  type SessionView,
} from '@aleph/protocol';
import { RefusalBudget, unrecordedNote } from './refusals.js';
import type { ChannelSettings } from '../config/config.js';
import { INVITATION_TTL_MS, type DeviceRecord, type GuestRecord, type IdentityStore } from './devices-and-guests-store.js';

/** The owner's calls that are about who may use the gateway. */
export type IdentityCall = Exclude<OwnerCall, { method: 'audit.search' | 'audit.verify' | 'audit.overview' | 'console.link' } | PolicyCall>;

/** How long a device's token is valid; `aleph devices rotate` issues a fresh one. */
export const DEVICE_TOKEN_TTL_MS = 30 * 86_400_000;

export type IdentityEvent =
  | { readonly type: 'pairing_pending'; readonly pairing: PairingView }
  /** `challenge` (for the requesting device only) comes with a device's approval. */
  | { readonly type: 'pairing_resolved'; readonly code: string; readonly outcome: 'approved' | 'rejected' | 'paired'; readonly challenge?: string }
  /** A device or guest was revoked or rotated: its open sessions end. */
  | { readonly type: 'identity_ended'; readonly id: string; readonly reason: string };

export interface IdentityHooks {
  /** Appends an audit event (durable before the caller's answer goes out). */
  record(event: Record<string, unknown>): void;
  emit(event: IdentityEvent): void;
}

/** A granted token, as a device or guest receives it. */
export interface Grant {
  readonly token: string;
  readonly token_expires_at: string;
}

/** What a chat bridge learns about one sender. */
export interface ChatVerdict {
  readonly allowed: boolean;
  readonly identity_id: string;
  /** Why not: `dm_disabled`, `not_allowlisted`, `pairing_required` (with `code` to send the sender). */
  readonly reason_code?: string;
  readonly reason?: string;
  readonly code?: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export { RECORDED_REFUSALS_PER_MINUTE, RefusalBudget, UNRECORDED } from './refusals.js';

/** The first characters of a pairing code: enough to match it up, too few to use it. */
const hint = (code: string): string => `${code.slice(0, 2)}…`;

export class Identities {
  private readonly book: PairingBook;
  readonly refusals = new RefusalBudget();

  constructor(
    readonly store: IdentityStore,
    private readonly hooks: IdentityHooks,
    limits: PairingLimits = DEFAULT_PAIRING_LIMITS,
  ) {
    this.book = new PairingBook((n) => new Uint8Array(randomBytes(n)), limits);
  }

  /** The pairing requests waiting for the owner (or, once approved, for the device's proof). */
  pendingPairings(now: number): PairingView[] {
    return this.book.list(now).map((p) => pairingView(p, now));
  }

  /** When the last of these pairing requests (a session's own) expires; null when none of them waits any more. */
  pairingExpiry(codes: ReadonlySet<string>, now: number): number | null {
    let last: number | null = null;
    for (const p of this.book.list(now)) if (codes.has(p.code)) last = Math.max(last ?? 0, p.expiresAt);
    return last;
  }

  /** A device asks to pair, on a session that may then present the code freely. */
  requestPairing(
    device: { name: string; type: string; publicKey: Uint8Array },
    by: Presenter,
    now: number,
  ): Result<{ code: string; fingerprint: string; expires_at: string }> {
    const asked = this.book.request({ kind: 'device', ...device }, by, now);
    if (!asked.ok) return asked;
    this.announce(asked.value, now);
    return ok({ code: asked.value.code, fingerprint: asked.value.fingerprint!, expires_at: iso(asked.value.expiresAt)! });
  }

  /** A device asks how its request stands; once approved it learns what to sign. */
  pairingStatus(code: string, by: Presenter, now: number): Result<{ approved: boolean; challenge?: string; expires_at: string }> {
    const found = this.book.status(code, by, now);
    if (!found.ok) return this.failedProof('pairing', found, by.peer, now);
    const p = found.value;
    return ok(
      p.challenge === null
        ? { approved: false, expires_at: iso(p.expiresAt)! }
        : { approved: true, challenge: toBase64url(p.challenge), expires_at: iso(p.expiresAt)! },
    );
  }

  /** The device proves its key; it becomes a paired (owner's) device and receives its token. */
  completePairing(code: string, signature: Uint8Array, by: Presenter, now: number): Result<Grant & { device_id: string; fingerprint: string }> {
    const done = this.book.complete(code, signature, by, now, verifyWithNode);
    if (!done.ok) return this.failedProof('pairing', done, by.peer, now);
    const p = done.value;
    if (p.subject.kind !== 'device') return fail('not_a_device', "That pairing is not a device's.");
    const device = this.store.addDevice({
      name: p.subject.name,
      type: p.subject.type,
      public_key: Buffer.from(p.subject.publicKey),
      fingerprint: p.fingerprint!,
      role: 'owner',
      created_at: now,
    });
    this.hooks.record({ event: 'device_paired', device_id: device.id, device_name: device.name, fingerprint: device.fingerprint, actor: device.id });
    this.hooks.emit({ type: 'pairing_resolved', code: p.code, outcome: 'paired' });
    return ok({ device_id: device.id, fingerprint: device.fingerprint, ...this.deviceToken(device, now) });
  }

  /** A guest accepts its invitation with the key it will connect with, and receives its token. */
  acceptInvitation(invitation: string, publicKey: Uint8Array, peer: string, now: number): Result<Grant & { guest_id: string; session: SessionView }> {
    const accepted = this.store.accept(invitation, { public_key: Buffer.from(publicKey), fingerprint: fingerprint(publicKey) }, now);
    if (!accepted.ok) return this.failedProof('invitation', accepted, peer, now);
    const guest = accepted.value;
    this.hooks.record({ event: 'guest_accepted', guest_id: guest.id, name: guest.name, fingerprint: guest.fingerprint, actor: guest.id });
    return ok({ guest_id: guest.id, session: sessionView(guest.id, 'guest', guest.name, guestScope(guest)), ...this.guestToken(guest, now) });
  }

  /**
   * Opens a session: a valid token, and a signature over this connection's nonce by the key the
   * token's device (or guest) was paired with. The session's IdentityContext is fixed from here on.
   */
  connect(
    token: string,
    signature: Uint8Array,
    nonce: Uint8Array,
    peer: string,
    now: number,
    requestId: string,
  ): Result<{ context: IdentityContext; session: SessionView }> {
    const claims = verifyToken(this.store.tokenSecret, token, now, (id) => this.store.subject(id));
    if (!claims.ok) return this.failedProof('token', claims, peer, now);
    const { sub } = claims.value;
    const record = this.store.subjectRecord(sub);
    if (record === null || record.public_key === null || !verifyWithNode(record.public_key, connectMessage(nonce), signature)) {
      const reason = "The signature over this connection's nonce was not made by the key this token was issued for.";
      return this.failedProof('token', { ok: false, error: { code: 'bad_proof', message: reason } }, peer, now, sub);
    }
    const scope = 'allowed_tools' in record ? guestScope(record) : null;
    if (scope === null) this.store.touchDevice(sub, now);
    const context = identityContext({
      request_id: requestId,
      session_key: `ses_${randomBytes(8).toString('hex')}`,
      role: claims.value.role,
      identity_id: sub,
      scope,
      created_at: now,
      source_channel: 'websocket',
    });
    return ok({ context, session: sessionView(sub, claims.value.role, record.name, scope) });
  }

  /** A chat bridge asks whether a sender on a channel may talk to the agent, under the channel's DM policy. */
  authorizeChat(channel: string, sender: string, name: string, settings: ChannelSettings, now: number): ChatVerdict {
    const identity_id = `chat:${channel}:${sender}`;
    const listed = settings.allow_from.includes(sender);
    switch (settings.dm_policy) {
      case 'disabled':
        return { allowed: false, identity_id, reason_code: 'dm_disabled', reason: `Direct messages on ${channel} are turned off.` };
      case 'open':
        return { allowed: true, identity_id };
      case 'allowlist':
        return listed || this.store.isChatSenderPaired(channel, sender)
          ? { allowed: true, identity_id }
          : { allowed: false, identity_id, reason_code: 'not_allowlisted', reason: `${name} is not on ${channel}'s allowlist.` };
      case 'pairing': {
        if (listed || this.store.isChatSenderPaired(channel, sender)) return { allowed: true, identity_id };
        const known = this.book.list(now).some((p) => p.subject.kind === 'chat' && p.subject.channel === channel && p.subject.sender === sender);
        const asked = this.book.request({ kind: 'chat', channel, sender, name }, { peer: identity_id, session: identity_id }, now);
        if (!asked.ok) return { allowed: false, identity_id, reason_code: asked.error.code, reason: asked.error.message };
        if (!known) this.announce(asked.value, now);
        return {
          allowed: false,
          identity_id,
          reason_code: 'pairing_required',
          code: asked.value.code,
          reason: `Ask the owner to approve pairing code ${asked.value.code} (valid until ${iso(asked.value.expiresAt)}).`,
        };
      }
    }
  }

  /** The owner's calls, made by `actor` (the owner, or one of the owner's paired devices). */
  ownerCall(call: IdentityCall, now: number, actor: string): Result<unknown> {
    switch (call.method) {
      case 'pairing.list':
        return ok({ pending: this.pendingPairings(now) });
      case 'pairing.approve':
        return this.approve(call.code, now, actor);
      case 'pairing.reject': {
        const rejected = this.book.reject(call.code, now);
        if (!rejected.ok) return rejected;
        const p = rejected.value;
        this.hooks.record({ event: 'pairing_rejected', device_name: p.subject.name, reason: 'rejected by the owner', code_hint: hint(p.code), actor });
        this.hooks.emit({ type: 'pairing_resolved', code: p.code, outcome: 'rejected' });
        return ok({ pairing: pairingView(p, now) });
      }
      case 'devices.list':
        return ok({ devices: this.store.devices().map(deviceView) });
      case 'devices.revoke': {
        const revoked = this.store.revokeDevice(call.id, now);
        if (!revoked.ok) return revoked;
        this.hooks.record({ event: 'device_revoked', device_id: call.id, device_name: revoked.value.name, actor });
        this.hooks.emit({ type: 'identity_ended', id: call.id, reason: 'The device was revoked.' });
        return ok({ device: deviceView(revoked.value) });
      }
      case 'devices.rotate': {
        const rotated = this.store.rotateDevice(call.id);
        if (!rotated.ok) return rotated;
        this.hooks.record({ event: 'device_rotated', device_id: call.id, device_name: rotated.value.name, actor });
        this.hooks.emit({ type: 'identity_ended', id: call.id, reason: "The device's token was rotated: connect with the new one." });
        return ok({ device: deviceView(rotated.value), ...this.deviceToken(rotated.value, now) });
      }
      case 'guests.invite': {
        const expiresAt = call.expires_in_ms === undefined ? null : now + call.expires_in_ms;
        const { guest, invitation } = this.store.invite(call.name, call.tools, expiresAt, now);
        this.hooks.record({ event: 'guest_invited', guest_id: guest.id, name: guest.name, tools: [...guest.allowed_tools], expires_at: iso(expiresAt), actor });
        return ok({ guest: guestView(guest), invitation, accept_by: iso(now + INVITATION_TTL_MS) });
      }
      case 'guests.list':
        return ok({ guests: this.store.guests().map(guestView) });
      case 'guests.revoke': {
        const revoked = this.store.revokeGuest(call.id, now);
        if (!revoked.ok) return revoked;
        this.hooks.record({ event: 'guest_revoked', guest_id: call.id, name: revoked.value.name, actor });
        this.hooks.emit({ type: 'identity_ended', id: call.id, reason: 'The guest was revoked.' });
        return ok({ guest: guestView(revoked.value) });
      }
    }
  }

  private approve(code: string, now: number, actor: string): Result<unknown> {
    const approved = this.book.approve(code, now);
    if (!approved.ok) return approved;
    const p = approved.value;
    if (p.subject.kind === 'chat') {
      this.store.addChatSender(p.subject.channel, p.subject.sender, p.subject.name, now);
      this.hooks.record({
        event: 'pairing_approved',
        device_id: `chat:${p.subject.channel}:${p.subject.sender}`,
        device_name: p.subject.name,
        code_hint: hint(p.code),
        actor,
      });
      this.hooks.emit({ type: 'pairing_resolved', code: p.code, outcome: 'paired' });
    } else {
      this.hooks.record({ event: 'pairing_approved', device_name: p.subject.name, fingerprint: p.fingerprint, code_hint: hint(p.code), actor });
      this.hooks.emit({ type: 'pairing_resolved', code: p.code, outcome: 'approved', challenge: toBase64url(p.challenge!) });
    }
    return ok({ pairing: pairingView(p, now) });
  }

  private announce(p: Pairing, now: number): void {
    this.hooks.record({
      event: 'pairing_request',
      code_hint: hint(p.code),
      device_name: p.subject.name,
      device_type: p.subject.kind === 'device' ? p.subject.type : `chat:${p.subject.channel}`,
      fingerprint: p.fingerprint,
      peer: p.peer,
      actor: p.peer,
    });
    this.hooks.emit({ type: 'pairing_pending', pairing: pairingView(p, now) });
  }

  /** A failed proof of any kind is audited (never with the secret presented, and within the peer's budget), then returned. */
  private failedProof(source: string, failure: { readonly ok: false; readonly error: Failure }, peer: string, now: number, identity?: string): Result<never> {
    const recorded = this.refusals.charge(peer, now);
    if (recorded === 'skip') return failure;
    this.hooks.record({
      event: 'auth_failed',
      source,
      reason_code: failure.error.code,
      reason: `${failure.error.message}${unrecordedNote(recorded)}`,
      peer,
      actor: identity ?? peer,
      ...(identity === undefined ? {} : { identity }),
    });
    return failure;
  }

  private deviceToken(device: DeviceRecord, now: number): Grant {
    const exp = now + DEVICE_TOKEN_TTL_MS;
    return {
      token: issueToken(this.store.tokenSecret, { sub: device.id, role: device.role, scopes: ['*'], iat: now, exp, gen: device.generation }),
      token_expires_at: iso(exp)!,
    };
  }

  /** A guest's token lasts as long as its access, and never longer than a device's. */
  private guestToken(guest: GuestRecord, now: number): Grant {
    const exp = Math.min(guest.expires_at ?? Number.MAX_SAFE_INTEGER, now + DEVICE_TOKEN_TTL_MS);
    return {
      token: issueToken(this.store.tokenSecret, { sub: guest.id, role: 'guest', scopes: guest.allowed_tools, iat: now, exp, gen: guest.generation }),
      token_expires_at: iso(exp)!,
    };
  }
}

export function pairingView(p: Pairing, now: number): PairingView {
  return {
    code: p.code,
    kind: p.subject.kind,
    name: p.subject.name,
    type: p.subject.kind === 'device' ? p.subject.type : p.subject.channel,
    fingerprint: p.fingerprint,
    peer: p.peer,
    created_at: iso(p.createdAt)!,
    expires_at: iso(p.expiresAt)!,
    expires_in_ms: Math.max(0, p.expiresAt - now),
    approved: p.challenge !== null,
  };
}

function deviceView(d: DeviceRecord): DeviceView {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    fingerprint: d.fingerprint,
    role: d.role,
    created_at: iso(d.created_at)!,
    last_seen_at: iso(d.last_seen_at),
    revoked_at: iso(d.revoked_at),
  };
}

function guestView(g: GuestRecord): GuestView {
  return {
    id: g.id,
    name: g.name,
    allowed_tools: g.allowed_tools,
    expires_at: iso(g.expires_at),
    created_at: iso(g.created_at)!,
    revoked_at: iso(g.revoked_at),
    fingerprint: g.fingerprint,
  };
}

function guestScope(g: GuestRecord): GuestScope {
  return { allowed_tools: g.allowed_tools, expires_at: g.expires_at, display_name: g.name };
}

/** Who a session is, as the session itself is told. */
function sessionView(id: string, role: SessionView['role'], name: string, scope: GuestScope | null): SessionView {
  return { identity_id: id, role, name, allowed_tools: scope?.allowed_tools ?? ['*'], expires_at: iso(scope?.expires_at ?? null) };
}
