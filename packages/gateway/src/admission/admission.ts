/**
 * Admission: whether a peer may ask at all (room for one more pending request, and leave to use
 * the tool), and how a peer is refused: audited as `policy_denied`, answered once durable.
 */
import { authorize, identityContext } from '@aleph/identity';
import type { Asker } from '../decision/ticket.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Limits } from '../transport/limits.js';
import type { Peer, Reply } from '../transport/peer.js';
import { unrecordedNote, type RefusalBudget } from './refusals.js';

export interface AdmissionSettings {
  readonly limits: Limits;
  /** Whether callers without a token may use tools (only when the configuration turns authentication off). */
  readonly authenticationRequired: () => boolean;
  /** Ends a Unix connection that broke a limit (true); a network session is answered instead (false). */
  readonly endIfConnection: (peer: Peer, code: string, message: string, id: string) => boolean;
}

export class Admission {
  constructor(
    private readonly outbox: Outbox,
    private readonly refusals: RefusalBudget,
    private readonly settings: AdmissionSettings,
  ) {}

  /**
   * Whether a peer may ask (room for one more pending request, and leave to use `tool`); when not,
   * it has been told. The command policy runs only for someone who may use the tool at all.
   */
  admit(who: Asker, tool: string): boolean {
    const { peer, id: requestId, reply, receivedAt: now } = who;
    const { limits } = this.settings;
    if (peer.pending.size >= limits.maxPendingPerConnection) {
      const message = `At most ${limits.maxPendingPerConnection} requests may wait per connection.`;
      if (!this.settings.endIfConnection(peer, 'too_many_pending', message, requestId))
        reply({ type: 'error', code: 'too_many_pending', message, id: requestId });
      return false;
    }
    const asker = identityContext({ ...peer.identity, request_id: requestId, created_at: now });
    const allowed = authorize(asker, tool, { now, authenticationRequired: this.settings.authenticationRequired() });
    if (!allowed.allowed) this.refuse(who, tool, allowed);
    return allowed.allowed;
  }

  /** Refuses a peer a tool (or an owner's call): audited as `policy_denied`, answered once durable. */
  refuse(
    asker: { readonly peer: Peer; readonly reply: Reply; readonly id?: string },
    tool: string,
    refusal: { readonly code: string; readonly reason: string },
  ): void {
    const { peer, reply, id } = asker;
    const { code, reason } = refusal;
    const who = peer.identity;
    const deliver = (): void => reply(id === undefined ? { type: 'error', code, message: reason } : { type: 'error', code, message: reason, id });
    const recorded = this.refusals.charge(peer.address, Date.now());
    if (recorded === 'skip') {
      deliver();
      return;
    }
    this.outbox.push({
      event: {
        event: 'policy_denied',
        tool,
        role: who.role,
        reason_code: code,
        reason: `${reason}${unrecordedNote(recorded)}`,
        identity: who.identity_id,
        actor: who.identity_id,
        session: who.session_key,
        peer: peer.address,
      },
      deliver,
    });
  }
}
