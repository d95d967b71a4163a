/**
 * Confined tool runs: a tool's ruling moves its trust on (saved before the run, undone if its
 * events cannot be written), the run starts in the sandbox once all that is durable, and
 * `tool_result` goes back once `sandbox_exec` is. Also where an allowed command reports how it
 * ended (`exec_result`).
 */
import { randomBytes } from 'node:crypto';
import { recordApproval, type RefusedConnection } from '@aleph/sandbox';
import { describeConfinement, type ClientMessage, type GatewayMessage } from '@aleph/protocol';
import { withTrust } from '../config/config.js';
import type { LiveConfig } from '../config/live-config.js';
import type { Ruling, Ticket } from '../decision/ticket.js';
import type { Verdicts } from '../decision/verdicts.js';
import { whenDurable, type Outbox } from '../outbox/outbox.js';
import type { Peer, Reply } from '../transport/peer.js';
import { approvalEvent, escalationEvents, refusedEvent, runEvent, runTool, type ToolPlan } from './tool-run.js';

export interface ToolRunSettings {
  /** `$ALEPH_HOME`, hidden from every run. */
  readonly home: string;
  /** The sandbox helper (the packaged app passes its own). */
  readonly helper?: string;
  /** Whether the gateway is stopping: a run not yet started then is not. */
  readonly stopping: () => boolean;
}

export class ToolRuns {
  /** Runs under way, by run id: how to stop each, and when it is over. */
  private readonly runs = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly outbox: Outbox,
    private readonly config: LiveConfig,
    private readonly verdicts: Verdicts,
    private readonly settings: ToolRunSettings,
  ) {}

  /** Stops the run `id` (its requester left); false when there is none. */
  abort(id: string): void {
    this.runs.get(id)?.controller.abort();
  }

  /** Stops every run and waits for each to end (its outcome is still audited). */
  async stopAll(): Promise<void> {
    for (const run of this.runs.values()) run.controller.abort();
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  /**
   * A tool run's ruling. A person's "allow" moves the tool's trust on (saved before the run) and
   * goes to the capability ledger with any escalation; once all that is durable the run starts in
   * the sandbox. A denial answers at once.
   */
  answer(ticket: Ticket, plan: ToolPlan, ruling: Ruling): void {
    const { run } = plan;
    const { decision, by } = ruling;
    const who = { session: run.session_key, actor: run.agent_id };
    let record = plan.record;
    let reason = ruling.reason;
    if (decision !== 'deny' && plan.gate.action !== 'run') {
      const next = recordApproval(record, decision, Date.now());
      if (next !== record) {
        const saved = this.config.update((config) => withTrust(config, next), `the trust in ${run.tool}`);
        if (saved.ok) {
          this.outbox.push({ event: approvalEvent(plan, next, decision, by, who), undo: saved.value });
          record = next;
        } else reason = `${reason}; the tool's trust could not be saved (${saved.error.message})`;
      }
    }
    for (const event of escalationEvents(plan, decision, by, who)) this.outbox.push({ event });
    const e = ruling.evaluation;
    const result = {
      type: 'tool_result' as const,
      id: ticket.id,
      decision,
      reason,
      resolved_by: by,
      verdict: e.verdict,
      risk: e.risk,
      stage: record.stage,
      contract_hash: plan.contractHash,
    };
    const answered = whenDurable(ticket.reply, result);
    const extra = { tool_id: run.tool, ...(ruling.approvalId === undefined ? {} : { approval_id: ruling.approvalId }) };
    this.verdicts.decided(
      ticket,
      { ...ruling, reason },
      extra,
      decision === 'deny' ? answered : { deliver: () => this.start(ticket, plan, result), refuse: answered.refuse },
    );
  }

  /** Runs an allowed tool in the sandbox; its outcome goes back once `sandbox_exec` is durable. */
  private start(ticket: Ticket, plan: ToolPlan, result: Extract<GatewayMessage, { type: 'tool_result' }>): void {
    const { peer, reply } = ticket;
    // The requester left, or the gateway is stopping, while the decision was being written.
    if (peer.closed || this.settings.stopping()) return;
    const runId = `run-${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    peer.pending.add(runId);
    const { home, helper } = this.settings;
    // Each connection the domain proxy refuses is recorded as it happens, with its domain.
    const onRefused = (refused: RefusedConnection): void => {
      this.outbox.push({ event: refusedEvent(plan, result.id, refused) });
      if (!this.settings.stopping()) this.outbox.flush();
    };
    const done = runTool(plan, { env: process.env, hide: [home], signal: controller.signal, onRefused, ...(helper === undefined ? {} : { helper }) }).then(
      ({ log, output }) => {
        this.runs.delete(runId);
        peer.pending.delete(runId);
        this.outbox.push({ event: runEvent(plan, result.id, log), ...whenDurable(reply, { ...result, run: output }) });
        if (!this.settings.stopping()) this.outbox.flush();
        peer.settled();
      },
    );
    this.runs.set(runId, { controller, done });
  }
}

/** An allowed run reports how it ended: recorded as `command_finished`, acknowledged once durable. */
export function recordResult(outbox: Outbox, peer: Peer, m: Extract<ClientMessage, { type: 'exec_result' }>, reply: Reply): void {
  const request = peer.running.get(m.id);
  if (request === undefined) {
    reply({ type: 'error', code: 'unknown_request', message: `No allowed request ${m.id} on this connection is waiting for its result.`, id: m.id });
    return;
  }
  peer.running.delete(m.id);
  outbox.push({
    event: {
      event: 'command_finished',
      request_id: m.id,
      command: request.command,
      exit_code: m.exit_code,
      duration_ms: m.duration_ms,
      agent: request.agent_id,
      cwd: request.cwd,
      session: request.session_key,
      actor: request.agent_id,
      ...(m.signal === undefined ? {} : { signal: m.signal }),
      ...(request.confinement === undefined ? {} : { confinement: describeConfinement(request.confinement) }),
    },
    ...(m.sandbox === undefined ? whenDurable(reply, { type: 'result_recorded', id: m.id }) : {}),
  });
  if (m.sandbox !== undefined) {
    outbox.push({
      event: {
        event: 'sandbox_exec',
        tool_id: `exec:${request.agent_id}`,
        request_id: m.id,
        command: request.command,
        status: m.sandbox.status,
        platform: m.sandbox.platform,
        capability_hash: m.sandbox.capability_hash,
        violations: m.sandbox.violations,
        ...(m.sandbox.limits_unenforced === undefined ? {} : { limits_unenforced: m.sandbox.limits_unenforced }),
        duration_ms: m.duration_ms,
        exit_code: m.exit_code ?? undefined,
        session: request.session_key,
        actor: request.agent_id,
      },
      ...whenDurable(reply, { type: 'result_recorded', id: m.id }),
    });
  }
}
