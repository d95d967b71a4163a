/**
 * Requests that wait for a person. Each is durable (`approval_request`) before anyone is asked;
 * every approver hears of it; the first answer wins; at its deadline the ask fallback answers (a
 * tool's approval is never the fallback's to give). Allowing re-checks what the command resolved
 * to when it was asked, and "Allow Always" saves its rule with an undo beside its audit event.
 */
import { randomBytes } from 'node:crypto';
import type { ConfinementSuggestion, Evaluation } from '@aleph/policy';
import {
  CONFINED,
  describeGrant,
  SESSION_GRANT_MS,
  type ClientMessage,
  type Confinement,
  type Decision,
  type ExecBinding,
  type GatewayEvent,
  type PendingApproval,
} from '@aleph/protocol';
import { recordApproval } from '@aleph/sandbox';
import type { AskFallback, StoredRule } from '../config/config.js';
import type { LiveConfig } from '../config/live-config.js';
import { withRule } from '../decision/agent-rules.js';
import { searchPath } from '../decision/automatic.js';
import { bindingDrift, currentBinding } from '../decision/binding.js';
import type { Ticket } from '../decision/ticket.js';
import type { Verdicts } from '../decision/verdicts.js';
import { whenDurable, type Outbox } from '../outbox/outbox.js';
import { pendingTool, type ToolPlan } from '../run/tool-run.js';
import type { ToolRuns } from '../run/tool-runs.js';
import type { Peer, Reply } from '../transport/peer.js';
import { ApprovalQueue, type Clock } from './approval-queue.js';

/** What a person is asked about: the ticket, how it was judged, what it resolved to, and a tool's plan. */
export interface Asking {
  readonly ticket: Ticket;
  readonly evaluation: Evaluation;
  /** What the command resolved to when it was asked; checked again when someone allows it. */
  readonly binding: ExecBinding;
  /** A tool run's plan: allowed, it runs in the sandbox here and answers tool_result. */
  readonly tool?: ToolPlan;
  /** A shell command's: the confinement it needs, offered first (absent: confined, no network). */
  readonly suggestion?: ConfinementSuggestion;
}

interface Waiting extends Asking {
  readonly approval: PendingApproval;
}

export interface ApprovalSettings {
  readonly ask: { readonly fallback: AskFallback; readonly timeoutMs: number };
  /** Tells every approver. */
  readonly broadcast: (event: GatewayEvent) => void;
}

export class Approvals {
  private readonly queue: ApprovalQueue<Waiting>;

  constructor(
    private readonly outbox: Outbox,
    private readonly config: LiveConfig,
    private readonly answers: { readonly verdicts: Verdicts; readonly tools: ToolRuns },
    private readonly settings: ApprovalSettings,
    clock?: Clock,
  ) {
    this.queue = new ApprovalQueue<Waiting>(clock);
  }

  /** The approvals waiting for a person, oldest first. */
  pending(): PendingApproval[] {
    return this.queue.values().map((w) => w.approval);
  }

  /** Denies everything that waits, with `reason` (the gateway stops). */
  denyAll(reason: string): void {
    for (const id of this.queue.ids()) this.finish(id, 'deny', reason, 'gateway');
  }

  /** A request waits for a person: every subscriber hears of it once it is durable; the ask fallback answers at its deadline. */
  ask(asking: Asking): void {
    const { ticket, evaluation, tool, suggestion } = asking;
    const { request } = ticket;
    const id = randomBytes(4).toString('hex');
    const fallback = this.fallback(ticket, tool !== undefined);
    const ttl = fallback.after_ms;
    const now = this.queue.now;
    const approval: PendingApproval = {
      id,
      request,
      verdict: evaluation.verdict,
      risk: evaluation.risk,
      segments: evaluation.segments,
      suggested_rule: tool === undefined ? evaluation.suggested_rule : null,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttl).toISOString(),
      ...(tool === undefined ? {} : { tool: pendingTool(tool) }),
      ...(tool !== undefined ? {} : { suggested_confinement: suggestion?.confinement ?? CONFINED }),
      ...(suggestion === undefined || suggestion.notes.length === 0 ? {} : { confinement_notes: suggestion.notes }),
    };
    this.queue.add(id, { ...asking, approval }, ttl, () => {
      this.finish(id, fallback.decision, fallback.reason, 'fallback');
      this.outbox.flush();
    });
    ticket.peer.pending.add(id);
    // Durable before anyone is asked: a gateway killed while a person decides still shows what was asked.
    const asked = evaluation.asked_by as StoredRule | null;
    this.outbox.push({
      event: {
        event: 'approval_request',
        request_id: id,
        command: request.command,
        agent: request.agent_id,
        cwd: request.cwd,
        verdict: evaluation.verdict,
        risk_level: evaluation.risk.level,
        reasons: evaluation.risk.reasons.map((r) => r.code),
        expires_at: approval.expires_at,
        session: request.session_key,
        actor: request.agent_id,
        ...(tool === undefined ? {} : { tool_id: tool.run.tool }),
        ...(asked === null ? {} : { rule_id: asked.id }),
        ...(approval.suggested_confinement === undefined ? {} : { suggested_confinement: approval.suggested_confinement }),
      },
      deliver: () => this.settings.broadcast({ type: 'approval_pending', approval }),
    });
  }

  /**
   * What answers a request nobody answers, and when: the ask fallback. A tool's contract, a Trial
   * run or an escalation is a person's call: the fallback never approves one, so a tool's trust
   * cannot grow while nobody watches.
   */
  fallback(ticket: Ticket, isTool: boolean): { readonly decision: Decision; readonly after_ms: number; readonly reason: string } {
    const { ask } = this.settings;
    const ttl = ticket.timeoutMs ?? ask.timeoutMs;
    if (isTool)
      return { decision: 'deny', after_ms: ttl, reason: `no approver answered within ${ttl} ms; a tool's approval needs a person, whatever the ask fallback` };
    return {
      decision: ask.fallback === 'allow' ? 'allow-once' : 'deny',
      after_ms: ttl,
      reason: `no approver answered within ${ttl} ms; the ask fallback is ${ask.fallback}`,
    };
  }

  /** An approver's answer (the owner's alone; the caller checked). */
  resolve(peer: Peer, m: Extract<ClientMessage, { type: 'resolve' }>, reply: Reply): void {
    const w = this.queue.get(m.id);
    if (w === undefined) {
      reply({ type: 'error', code: 'unknown_approval', message: `No approval ${m.id} is pending (answered, timed out or cancelled).`, id: m.id });
      return;
    }
    const request = w.approval.request;
    const by = peer.identity.identity_id;
    if (m.confinement !== undefined && w.tool !== undefined) {
      reply({
        type: 'error',
        code: 'invalid_message',
        message: 'A tool run\'s confinement is its approved profile; answer it without "confinement".',
        id: m.id,
      });
      return;
    }
    // The person's choice; by default what was suggested to them, in the sandbox: unconfined is never a default.
    const suggested = w.approval.suggested_confinement;
    const confinement: Confinement | undefined =
      w.tool !== undefined || m.decision === 'deny' ? undefined : (m.confinement ?? (suggested?.kind === 'sandbox' ? suggested : CONFINED));
    if (m.decision !== 'deny') {
      // The script may have been edited, or PATH changed, while the request waited for a person.
      const drift = bindingDrift(w.binding, currentBinding(w.binding, request.cwd, searchPath(request)));
      if (drift !== null) {
        reply({ type: 'error', code: 'context_changed', message: `Not allowed: ${drift}. The request was denied; the agent may ask again.`, id: m.id });
        this.finish(m.id, 'deny', `context_changed: ${drift}`, 'gateway');
        return;
      }
    }
    // Allowing a tool moves its trust on, which is kept in the configuration file.
    if (m.decision !== 'deny' && w.tool !== undefined && recordApproval(w.tool.record, m.decision, Date.now()) !== w.tool.record) {
      const refused = this.config.refusal();
      if (refused !== null) {
        reply({ type: 'error', code: refused.code, message: refused.message, id: m.id });
        return;
      }
    }
    let grant = '';
    let undo: (() => void) | undefined;
    let rule = m.rule ?? w.evaluation.suggested_rule;
    if (m.decision === 'allow-always' && w.tool !== undefined) {
      rule = null;
      grant = ` always: ${w.tool.run.tool} is verified`;
    } else if (m.decision === 'allow-always') {
      if (rule === null) {
        reply({ type: 'error', code: 'no_rule', message: 'This command cannot be allowed always; allow it once instead.', id: m.id });
        return;
      }
      const now = Date.now();
      const lifetime = m.scope === 'session' ? Math.min(m.duration_ms ?? SESSION_GRANT_MS, SESSION_GRANT_MS) : m.duration_ms;
      const newRule = {
        ...rule,
        action: 'allow' as const,
        source: 'allow-always',
        session: m.scope === 'session' ? request.session_key : null,
        expires_at: lifetime === undefined ? null : new Date(now + lifetime).toISOString(),
        // A rule without one runs what it allows confined, no network.
        ...(confinement === undefined || isConfined(confinement) ? {} : { confinement }),
      };
      const saved = this.config.update((config) => withRule(config, request.agent_id, newRule, now).config, `an "Allow Always" rule for ${request.agent_id}`);
      if (!saved.ok) {
        reply({ type: 'error', code: saved.error.code, message: saved.error.message, id: m.id });
        return;
      }
      undo = saved.value;
      grant = ` ${describeGrant(m.scope, m.duration_ms)}`;
    } else {
      rule = null;
    }
    this.outbox.push({
      event: {
        event: 'approval_decision',
        request_id: m.id,
        command: request.command,
        decision: m.decision,
        resolved_by: by,
        session: request.session_key,
        actor: by,
        risk_level: w.evaluation.risk.level,
        channel: peer.identity.source_channel,
        ...(m.reason === undefined ? {} : { reason: m.reason }),
        ...(confinement === undefined ? {} : { confinement }),
        ...(rule === null
          ? {}
          : {
              rule: { ...rule, ...(m.scope === undefined ? {} : { scope: m.scope }), ...(m.duration_ms === undefined ? {} : { duration_ms: m.duration_ms }) },
            }),
      },
      ...whenDurable(reply, { type: 'resolved', id: m.id }),
      ...(undo === undefined ? {} : { undo }),
    });
    const who = by === 'owner' ? 'the owner' : by;
    const unconfined = confinement?.kind === 'unconfined' ? ', unconfined' : '';
    this.finish(m.id, m.decision, m.decision === 'deny' ? (m.reason ?? `denied by ${who}`) : `approved by ${who}${grant}${unconfined}`, by, confinement);
  }

  /** Ends a pending approval: first answer wins, later ones find nothing. An allow without `confinement` runs confined. */
  finish(id: string, decision: Decision, reason: string, by: string, confinement?: Confinement): void {
    const w = this.queue.take(id);
    if (w === undefined) return;
    const { ticket } = w;
    ticket.peer.pending.delete(id);
    const ruling = { evaluation: w.evaluation, decision, reason, by, approvalId: id, ...(confinement === undefined ? {} : { confinement }) };
    if (w.tool === undefined) this.answers.verdicts.answer(ticket, ruling, w.binding);
    else this.answers.tools.answer(ticket, w.tool, ruling);
    this.settings.broadcast({ type: 'approval_resolved', id, decision, resolved_by: by });
    ticket.peer.settled();
  }
}

function isConfined(c: Confinement): boolean {
  return c.kind === 'sandbox' && c.network.kind === 'deny';
}
