/**
 * Run tickets: what an allow hands a requester that does not run the command itself (an agent's
 * hook, whose agent runs `aleph run --ticket T -- CMD` instead). A ticket is random (128 bits),
 * lives a few seconds, is redeemed once, and only for the command text and directory that were
 * judged; redeeming it gives back the request (agent, session), the binding and the confinement
 * the run must honour. Any other use refuses, and a refused ticket is spent: whoever holds it
 * cannot try again with another command.
 */
import { randomBytes } from 'node:crypto';
import { fail, ok, type ClientMessage, type Confinement, type ExecBinding, type ExecRequest, type Result } from '@aleph/protocol';
import type { Peer, Reply } from '../transport/peer.js';

/** How long a ticket may wait for its run: the agent starts it at once, after the hook answers. */
export const RUN_TICKET_TTL_MS = 30_000;

/** Tickets held at most; the oldest goes first beyond that. */
const MAX_TICKETS = 4096;

/** What a ticket stands for. */
export interface RunGrant {
  /** The request's id at the gateway (its `terminal_cmd` event's `request_id`). */
  readonly requestId: string;
  readonly request: ExecRequest;
  readonly binding: ExecBinding;
  readonly confinement: Confinement;
}

interface Held extends RunGrant {
  readonly expiresAt: number;
  spent: boolean;
}

export class RunTickets {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly ttlMs = RUN_TICKET_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new ticket for an allowed command. */
  issue(grant: RunGrant): string {
    this.sweep();
    const ticket = randomBytes(16).toString('base64url');
    this.held.set(ticket, { ...grant, expiresAt: this.now() + this.ttlMs, spent: false });
    if (this.held.size > MAX_TICKETS) this.held.delete(this.held.keys().next().value!);
    return ticket;
  }

  /** The grant, when the ticket is live, unspent, and for exactly this command in this directory; spent either way. */
  redeem(ticket: string, command: string, cwd: string): Result<RunGrant> {
    const held = this.held.get(ticket);
    if (held === undefined) return fail('ticket_unknown', 'No such run ticket: it was never issued, or it expired long ago. Nothing was run.');
    if (held.spent) return fail('ticket_used', 'This run ticket was used already; a ticket runs its command once. Nothing was run.');
    held.spent = true;
    if (this.now() > held.expiresAt)
      return fail('ticket_expired', `This run ticket expired (a ticket lasts ${Math.round(this.ttlMs / 1000)} s after the allow). Nothing was run.`);
    if (command !== held.request.command) return fail('ticket_mismatch', 'This run ticket was issued for another command than the one given. Nothing was run.');
    if (cwd !== held.request.cwd)
      return fail('ticket_mismatch', `This run ticket was issued for a command in ${held.request.cwd}, not in ${cwd}. Nothing was run.`);
    const { expiresAt: _expires, spent: _spent, ...grant } = held;
    return ok(grant);
  }

  /** Forgets tickets long past their time (a spent one is kept until then, to say it was used). */
  private sweep(): void {
    const at = this.now();
    for (const [ticket, held] of this.held) if (at > held.expiresAt + this.ttlMs) this.held.delete(ticket);
  }
}

/**
 * A `redeem_ticket` message: the grant as `ticket_redeemed`, and the run may report how it ended
 * on this connection (exec_result with the redeem's id, audited under the judged request); or
 * `refuse` with the refusal's code (the gateway audits and answers it), and nothing may run.
 */
export function redeemTicket(
  tickets: RunTickets,
  peer: Peer,
  m: Extract<ClientMessage, { type: 'redeem_ticket' }>,
  reply: Reply,
  refuse: (refusal: { readonly code: string; readonly reason: string }) => void,
): void {
  const grant = tickets.redeem(m.ticket, m.command, m.cwd);
  if (!grant.ok) {
    refuse({ code: grant.error.code, reason: grant.error.message });
    return;
  }
  const { request, binding, confinement } = grant.value;
  peer.running.set(m.id, { ...request, confinement });
  reply({ type: 'ticket_redeemed', id: m.id, request, binding, confinement });
}
