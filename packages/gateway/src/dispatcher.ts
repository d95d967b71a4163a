/**
 * Message dispatch: an authenticated peer's message routed to the step of the data path that
 * handles it. Asking is anyone's who may use the tool; approving and administering are the owner's.
 */
import type { ClientMessage } from '@aleph/protocol';
import type { Admission } from './admission/admission.js';
import { recordHookDecision } from './decision/hook-decisions.js';
import type { Requests } from './decision/requests.js';
import type { Verdicts } from './decision/verdicts.js';
import { agentOf } from './decision/automatic.js';
import { ownerCall, type OwnerCallSteps } from './owner/owner-calls.js';
import type { Approvals } from './queue/approvals.js';
import { redeemTicket } from './run/run-tickets.js';
import { recordResult } from './run/tool-runs.js';
import type { Peer, Reply } from './transport/peer.js';

/** The steps messages go to; the owner's calls' among them. */
export interface DispatchSteps extends OwnerCallSteps {
  readonly admission: Admission;
  readonly requests: Requests;
  readonly approvals: Approvals;
  readonly verdicts: Verdicts;
}

export class Dispatcher {
  constructor(private readonly steps: DispatchSteps) {}

  /** An authenticated peer's message. Approving and administering are the owner's alone. */
  route(peer: Peer, m: Exclude<ClientMessage, { type: 'challenge_response' }>, reply: Reply): void {
    switch (m.type) {
      case 'ping':
        reply(m.id === undefined ? { type: 'pong' } : { type: 'pong', id: m.id });
        return;
      case 'exec_result':
        recordResult(this.steps.outbox, peer, m, reply);
        return;
      case 'hook_decision':
        recordHookDecision(this.steps.outbox, peer, m, reply);
        return;
      case 'redeem_ticket':
        // A refused ticket is audited (policy_denied, its code as reason_code) and runs nothing.
        redeemTicket(this.steps.verdicts.tickets, peer, m, reply, (refusal) => this.steps.admission.refuse({ peer, reply, id: m.id }, 'run_ticket', refusal));
        return;
      case 'approval_request':
        this.steps.requests.request({
          peer,
          reply,
          id: m.id,
          request: { ...m.request, agent_id: agentOf(peer, m.request.agent_id) },
          receivedAt: Date.now(),
          ...(m.timeout_ms === undefined ? {} : { timeoutMs: m.timeout_ms }),
          ...(m.run_ticket === true ? { runTicket: true } : {}),
          ...(m.dry_run === true ? { dryRun: true } : {}),
        });
        return;
      case 'tool_run':
        this.steps.requests.toolRun(
          { peer, reply, id: m.id, receivedAt: Date.now(), ...(m.timeout_ms === undefined ? {} : { timeoutMs: m.timeout_ms }) },
          { ...m.run, agent_id: agentOf(peer, m.run.agent_id) },
        );
        return;
    }
    if (peer.identity.role !== 'owner') {
      const tool = m.type === 'call' ? m.call.method : m.type;
      const reason = `Only the owner may ${m.type === 'resolve' ? 'answer approvals' : m.type === 'call' ? `call ${tool}` : 'watch approvals'}.`;
      this.steps.admission.refuse({ peer, reply, ...('id' in m && m.id !== undefined ? { id: m.id } : {}) }, tool, { code: 'owner_only', reason });
      return;
    }
    switch (m.type) {
      case 'subscribe':
        peer.subscribed = true;
        reply({ type: 'pending', approvals: this.steps.approvals.pending() });
        // A problem that began before this approver came is told to it too.
        if (this.steps.config.problem !== null) peer.notify(this.steps.config.invalidEvent(this.steps.config.problem));
        return;
      case 'get_pending':
        reply({ type: 'pending', approvals: this.steps.approvals.pending() });
        return;
      case 'resolve':
        this.steps.approvals.resolve(peer, m, reply);
        return;
      case 'call':
        ownerCall(peer, m, reply, this.steps);
        return;
    }
  }
}
