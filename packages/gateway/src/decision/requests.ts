/**
 * The request flow: a command, or a tool run, admitted, judged by the command policy with the
 * agent's mode and rules, and then answered at once or asked of a person.
 */
import { homedir } from 'node:os';
import type { CommandPolicy, Evaluation, RepositoryContext } from '@aleph/policy';
import type { ExecRequest, ToolRunRequest } from '@aleph/protocol';
import type { Admission } from '../admission/admission.js';
import { modeOf, own, sandboxOf, type StoredRule } from '../config/config.js';
import type { LiveConfig } from '../config/live-config.js';
import type { Approvals } from '../queue/approvals.js';
import { repositoryContext } from '../repo-context/index.js';
import { planToolRun } from '../run/tool-run.js';
import type { ToolRuns } from '../run/tool-runs.js';
import { liveRules, withRulesUsed } from './agent-rules.js';
import { automaticReason, previewOf, searchPath } from './automatic.js';
import { bindingOf, ExecutableCache } from './binding.js';
import { ruleConfinement, settingsConfinement, wider } from './confinement.js';
import type { Asker, Ticket } from './ticket.js';
import type { Verdicts } from './verdicts.js';

/** The steps a request goes on to: admission first, then an answer, a person, or a tool run. */
export interface RequestSteps {
  readonly admission: Admission;
  readonly approvals: Approvals;
  readonly verdicts: Verdicts;
  readonly tools: ToolRuns;
}

export class Requests {
  private readonly executables = new ExecutableCache();

  constructor(
    private readonly config: LiveConfig,
    private readonly policy: CommandPolicy,
    /** The gateway's own directory (`$ALEPH_HOME`). */
    private readonly home: string,
    private readonly steps: RequestSteps,
  ) {}

  /** The command policy's judgement of a request, with the agent's mode and rules (noted as used unless only `previewing`). */
  private evaluate(
    request: ExecRequest,
    now: number,
    previewing = false,
  ): { evaluation: Evaluation; mode: string; pathVariable: string; resolveExecutable: (name: string) => string | null; repositories: RepositoryContext } {
    const config = this.config.value;
    const rules = liveRules(config, request.agent_id, request.session_key, now);
    const pathVariable = searchPath(request);
    const resolveExecutable = this.executables.resolver(request.cwd, pathVariable);
    const mode = modeOf(config, request.agent_id);
    // What the repositories its git invocations will use make git run (their own configuration), and their remotes.
    const { repositories } = repositoryContext(this.policy, request.command, request.cwd, process.env.HOME ?? homedir());
    const evaluation = this.policy.evaluate(request.command, {
      mode,
      denylist: rules.filter((r) => r.action === 'deny'),
      asklist: rules.filter((r) => r.action === 'ask'),
      allowlist: rules.filter((r) => r.action === 'allow'),
      cwd: request.cwd,
      home: process.env.HOME ?? homedir(),
      // The gateway's own directory, wherever it is: reading it unasked is never SAFE.
      alephHome: this.home,
      resolveExecutable,
      patterns: config.policy,
      repositories,
    });
    const used = [evaluation.denied_by, evaluation.asked_by, ...evaluation.allowed_by].filter((r): r is StoredRule => r !== null);
    if (used.length > 0 && !previewing) this.config.note(withRulesUsed(config, request.agent_id, used, new Date(now).toISOString()));
    return { evaluation, mode, pathVariable, resolveExecutable, repositories };
  }

  /** A command: judged by the policy with the agent's mode and rules; answered, or asked of a person (a dry run: only told). */
  request(ticket: Ticket): void {
    this.config.refresh();
    if (!this.steps.admission.admit(ticket, 'exec')) return;
    const { request, dryRun = false } = ticket;
    const { evaluation, mode, pathVariable, resolveExecutable, repositories } = this.evaluate(request, ticket.receivedAt, dryRun);
    if (dryRun) return ticket.reply(previewOf(ticket.id, evaluation, mode, this.steps.approvals.fallback(ticket, false)));
    const binding =
      evaluation.action === 'reject' ? { executables: {}, scripts: {} } : bindingOf(evaluation.segments, request.cwd, pathVariable, resolveExecutable);
    if (evaluation.action !== 'prompt') {
      const ruling = {
        evaluation,
        decision: evaluation.action === 'reject' ? ('deny' as const) : ('allow-once' as const),
        reason: automaticReason(evaluation, mode),
        by: 'policy',
        // Network, or no sandbox, needs a person, a rule, or the owner's sandbox settings for the agent.
        confinement: wider(ruleConfinement(evaluation.allowed_by), settingsConfinement(sandboxOf(this.config.value, request.agent_id))),
      };
      this.steps.verdicts.answer(ticket, ruling, binding);
      return;
    }
    const suggestion = this.policy.suggestConfinement(request.command, { cwd: request.cwd, home: process.env.HOME ?? homedir(), repositories });
    this.steps.approvals.ask({ ticket, evaluation, binding, suggestion });
  }

  /**
   * A tool run: the command policy still blocks what it blocks; otherwise the tool's trust decides
   * whether a person is asked (Draft, Trial, an escalation) or it runs at once (Verified).
   */
  toolRun(asked: Asker, run: ToolRunRequest): void {
    this.config.refresh();
    if (!this.steps.admission.admit(asked, run.tool)) return;
    const plan = planToolRun(run, own(this.config.value.tools, run.tool) ?? null, process.env.HOME ?? homedir(), this.home);
    if (!plan.ok) {
      asked.reply({ type: 'error', code: plan.error.code, message: plan.error.message, id: asked.id });
      return;
    }
    // Judged, and recorded, as the command its plan runs.
    const ticket = { ...asked, request: plan.value.request };
    const { evaluation } = this.evaluate(ticket.request, ticket.receivedAt);
    if (evaluation.action === 'reject')
      this.steps.tools.answer(ticket, plan.value, { evaluation, decision: 'deny', reason: automaticReason(evaluation, ''), by: 'policy' });
    else if (plan.value.gate.action === 'run')
      this.steps.tools.answer(ticket, plan.value, { evaluation, decision: 'allow-once', reason: `${run.tool} is verified`, by: 'trust' });
    // Bound to its program: changed while a person decides, it is refused (context_changed).
    else this.steps.approvals.ask({ ticket, evaluation, binding: plan.value.binding, tool: plan.value });
  }
}
