/**
 * A ticket's ruling on its way out: its `terminal_cmd` event queued in the outbox, the answer sent
 * once that is durable (or a refusal when the log cannot hold it), and a headless report's record
 * of what the requester was told.
 */
import type { Evaluation } from '@aleph/policy';
import { CONFINED, type Decision, type ExecBinding, type ExecRequest } from '@aleph/protocol';
import type { RunTickets } from '../run/run-tickets.js';
import type { StoredRule } from '../config/config.js';
import { whenDurable, type Delivery, type Outbox } from '../outbox/outbox.js';
import type { Ruling, Ticket } from './ticket.js';

/** One outcome, as the audit log and a headless report record it. */
export interface Outcome {
  readonly request: ExecRequest;
  readonly decision: Decision;
  readonly reason: string;
  readonly resolved_by: string;
  readonly verdict: Evaluation['verdict'];
  readonly risk_level: Evaluation['risk']['level'];
  readonly at: string;
}

/** How many allowed requests per connection may still report how their run ended. */
const MAX_UNREPORTED_RUNS = 256;

export class Verdicts {
  private answered = 0;
  private readonly outcomes: Outcome[] | null;

  constructor(
    private readonly outbox: Outbox,
    keepHistory: boolean,
    /** The tickets an allow hands a requester that runs the command through `aleph run`. */
    readonly tickets: RunTickets,
  ) {
    this.outcomes = keepHistory ? [] : null;
  }

  /** How many requests have been answered. */
  get count(): number {
    return this.answered;
  }

  /** Every outcome, in order; empty unless history is kept. */
  history(): readonly Outcome[] {
    return this.outcomes ?? [];
  }

  /**
   * A command's ruling: answered once its event is durable; an allowed one may report its end, and
   * carries a run ticket bound to its request, binding and confinement when the requester asked.
   */
  answer(ticket: Ticket, ruling: Ruling, binding: ExecBinding): void {
    const { decision, reason, by, evaluation: e } = ruling;
    // Every allowed command runs confined unless the ruling says otherwise.
    const confinement = ruling.confinement ?? CONFINED;
    const allowed = {
      binding,
      confinement,
      ...(decision !== 'deny' && ticket.runTicket === true
        ? { run_ticket: this.tickets.issue({ requestId: ticket.id, request: ticket.request, binding, confinement }) }
        : {}),
    };
    this.decided(
      ticket,
      ruling,
      { ...(ruling.approvalId === undefined ? {} : { approval_id: ruling.approvalId }), ...(decision === 'deny' ? {} : { confinement }) },
      whenDurable(
        ticket.reply,
        decision === 'deny'
          ? { type: 'approval_decision', id: ticket.id, decision, reason, verdict: e.verdict, risk: e.risk, resolved_by: by }
          : { type: 'approval_decision', id: ticket.id, decision, reason, verdict: e.verdict, risk: e.risk, resolved_by: by, ...allowed },
      ),
    );
    if (decision !== 'deny') {
      const { running } = ticket.peer;
      running.set(ticket.id, ticket.request);
      if (running.size > MAX_UNREPORTED_RUNS) running.delete(running.keys().next().value!);
    }
  }

  /**
   * A decision on a command (or a tool's run) as the audit log (`terminal_cmd`) and a headless
   * report keep it: why, and by which of the agent's rules when one decided.
   */
  decided(ticket: Ticket, ruling: Ruling, extra: Record<string, unknown>, then: Delivery): void {
    const { request, id } = ticket;
    const { evaluation: e, decision, reason, by } = ruling;
    const rule = (e.denied_by ?? e.asked_by ?? e.allowed_by[0] ?? null) as StoredRule | null;
    this.outbox.push({
      event: {
        event: 'terminal_cmd',
        command: request.command,
        decision,
        reason,
        risk_level: e.risk.level,
        verdict: e.verdict,
        mode: e.mode,
        agent: request.agent_id,
        cwd: request.cwd,
        reasons: e.risk.reasons.map((r) => r.code),
        session: request.session_key,
        actor: request.agent_id,
        executor: by,
        request_id: id,
        ...(rule === null ? {} : { rule_id: rule.id }),
        ...extra,
      },
      // A headless report keeps what the requester was told: a refusal when the log could not hold the decision.
      deliver: () => {
        this.outcome(request, e, decision, reason, by);
        then.deliver();
      },
      refuse: (f) => {
        this.outcome(request, e, 'deny', f.message, 'gateway');
        then.refuse(f);
      },
    });
  }

  private outcome(request: ExecRequest, e: Evaluation, decision: Decision, reason: string, by: string): void {
    this.answered++;
    this.outcomes?.push({ request, decision, reason, resolved_by: by, verdict: e.verdict, risk_level: e.risk.level, at: new Date().toISOString() });
  }
}
