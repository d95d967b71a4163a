/**
 * Tool runs through the gateway: what a run needs before it may start (the tool's trust stage,
 * escalations beyond its approved contract), running it in the sandbox with its output kept
 * (bounded), and the capability ledger's events.
 */
import { Writable } from 'node:stream';
import {
  fail,
  MAX_TOOL_OUTPUT_BYTES,
  ok,
  type Decision,
  type Capabilities,
  type ExecBinding,
  type ExecRequest,
  type PathDirectories,
  type PendingTool,
  type Result,
  type ToolProgram,
  type ToolRunOutput,
  type ToolRunRequest,
} from '@aleph/protocol';
import {
  contractChange,
  contractHash,
  detectEscalations,
  LINUX_SYSTEM_PATHS,
  MACOS_SYSTEM_PATHS,
  notRun,
  resolveProfile,
  runSandboxed,
  sandboxOutcome,
  trustFor,
  trustGate,
  type Escalation,
  type RefusedConnection,
  type SandboxAuditLog,
  type TrustGate,
  type TrustRecord,
} from '@aleph/sandbox';
import { shellQuote } from '@aleph/policy';
import { bindingDrift, currentBinding, fileHash, resolveExecutable } from '../decision/binding.js';

/** What the gateway knows about one tool run before anyone decides. */
export interface ToolPlan {
  readonly run: ToolRunRequest;
  /** The argv as one shell-quoted line (what the policy judges and people read), as a request. */
  readonly request: ExecRequest;
  readonly contractHash: string;
  /** The program the run starts: part of the contract, and what the sandbox is told to run. */
  readonly program: ToolProgram;
  /**
   * The program as a binding: its name resolved, its content hashed. Checked again when a person
   * allows the run and just before it starts; any difference refuses it.
   */
  readonly binding: ExecBinding;
  /**
   * The contract's capabilities with `${WORKSPACE}` and `${PROJECT_ROOT}` as the run's directories,
   * each path the real path it led to when it was judged: the run gets exactly these, or none.
   */
  readonly capabilities: Capabilities;
  /** The tool's record under this contract (a fresh Draft when it is new or changed). */
  readonly record: TrustRecord;
  readonly gate: TrustGate;
  readonly escalations: readonly Escalation[];
}

/**
 * Substitutes the contract's paths and resolves them to real paths, once: what the run asks beyond
 * the contract is judged on those, the approver is shown them, and the sandbox binds them (or
 * refuses, should one lead elsewhere by then). `gatewayHome` is the gateway's own directory, which
 * no run reaches into unless a person allows it.
 */
export function planToolRun(run: ToolRunRequest, stored: TrustRecord | null, home: string, gatewayHome: string): Result<ToolPlan> {
  const vars = directoriesOf(run);
  const real = resolveProfile(run.capabilities, vars);
  if (!real.ok) return real.error.code === 'invalid_capabilities' ? fail('invalid_capabilities', `"capabilities": ${real.error.message}`) : real;
  const program = programOf(run.argv[0]!, run.cwd, programPath());
  if (!program.ok) return program;
  const hash = contractHash(run.capabilities, run.parameters, program.value);
  const record = trustFor(run.tool, hash, program.value, stored);
  const change = record.changed_from !== null && stored !== null ? contractChange(stored, run.capabilities, run.parameters, program.value) : undefined;
  const escalations = detectEscalations(
    { tool: run.tool, declared: run.capabilities, capabilities: real.value, ...(run.parameters === undefined ? {} : { parameters: run.parameters }) },
    { argv: run.argv, cwd: run.cwd, home, systemPaths: process.platform === 'darwin' ? MACOS_SYSTEM_PATHS : LINUX_SYSTEM_PATHS, vars, gatewayHome },
  );
  const request = { command: run.argv.map(shellQuote).join(' '), cwd: run.cwd, agent_id: run.agent_id, session_key: run.session_key };
  const binding = { executables: { [run.argv[0]!]: program.value.path }, scripts: { [program.value.path]: program.value.hash } };
  return ok({
    run,
    request,
    contractHash: hash,
    program: program.value,
    binding,
    capabilities: real.value,
    record,
    gate: trustGate(record, escalations, change),
    escalations,
  });
}

/** What `${WORKSPACE}` (the run's cwd) and `${PROJECT_ROOT}` (its project root, or the cwd) stand for. */
const directoriesOf = (run: ToolRunRequest): PathDirectories => ({ WORKSPACE: run.cwd, PROJECT_ROOT: run.project_root ?? run.cwd });

/** The PATH a tool's argv[0] resolves through: the gateway's, which the sandbox's environment passes on. */
const programPath = (): string => process.env.PATH ?? '';

/**
 * The program argv[0] names: where it resolves (from `cwd` when it holds a slash, else through
 * PATH), and the content of that file. A name that resolves to nothing, or to a file that cannot
 * be read, cannot be bound to a contract, and is refused.
 */
export function programOf(name: string, cwd: string, pathVariable: string): Result<ToolProgram> {
  const path = resolveExecutable(name, cwd, pathVariable);
  if (path === null)
    return fail(
      'program_not_found',
      `"argv"[0] is ${JSON.stringify(name)}, which is no executable file ${name.includes('/') ? `from ${cwd}` : "in the gateway's PATH"}.`,
    );
  const hash = fileHash(path);
  if (hash === null) return fail('program_unreadable', `${path} cannot be read, so a contract cannot be bound to its content.`);
  return ok({ path, hash });
}

/** What approvers are shown of a tool run waiting for them. */
export function pendingTool(plan: ToolPlan): PendingTool {
  const { run, record, gate } = plan;
  return {
    name: run.tool,
    stage: record.stage,
    gate: gate.action === 'approve_contract' ? 'approve_contract' : 'confirm_run',
    reason: gate.action === 'run' ? '' : gate.reason,
    contract_hash: plan.contractHash,
    changed_from: record.changed_from,
    program: plan.program,
    capabilities: run.capabilities,
    parameters: run.parameters ?? null,
    escalations: plan.escalations,
    directories: directoriesOf(run),
  };
}

/** Keeps the first MAX_TOOL_OUTPUT_BYTES of a stream and counts the rest. */
class BoundedSink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const room = MAX_TOOL_OUTPUT_BYTES - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    done();
  }

  base64(): string {
    return Buffer.concat(this.chunks).toString('base64');
  }
}

export interface ToolRunOptions {
  /** The gateway's environment, which the contract's environment grant filters. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Paths hidden even when granted (the gateway's own directory), unless a person allowed the run an escalation into one. */
  readonly hide: readonly string[];
  readonly signal: AbortSignal;
  readonly helper?: string;
  /** Each connection the domain proxy refuses (a profile with `allow_domains`), as it is refused. */
  readonly onRefused?: (refused: RefusedConnection) => void;
}

/**
 * Runs an allowed tool in the sandbox; its input is empty, its output kept up to the bound. The
 * sandbox runs the program file that was judged, by its path, and only if it is still the same.
 */
export async function runTool(plan: ToolPlan, options: ToolRunOptions): Promise<{ log: SandboxAuditLog; output: ToolRunOutput }> {
  const stdout = new BoundedSink();
  const stderr = new BoundedSink();
  const command = [plan.program.path, ...plan.run.argv.slice(1)];
  const drift = bindingDrift(plan.binding, currentBinding(plan.binding, plan.run.cwd, programPath()));
  const log =
    drift !== null
      ? notRun({ command, cwd: plan.run.cwd, capabilities: plan.capabilities }, { code: 'program_changed', message: `Not run: ${drift}.` })
      : await runSandboxed(
          // Bound as planned: a path that leads elsewhere by now is refused, never followed.
          { capabilities: plan.capabilities, command, cwd: plan.run.cwd, env: options.env },
          {
            stdin: 'ignore',
            stdout,
            stderr,
            signal: options.signal,
            hide: options.hide,
            allowed: plan.escalations.map((e) => e.subject),
            ...(options.helper === undefined ? {} : { helper: options.helper }),
            ...(options.onRefused === undefined ? {} : { network: { onRefused: options.onRefused } }),
          },
        );
  return {
    log,
    output: {
      exit_code: log.exit_code,
      ...(log.signal === null ? {} : { signal: log.signal }),
      duration_ms: Math.round(log.duration_ms * 1000) / 1000,
      stdout: stdout.base64(),
      stderr: stderr.base64(),
      truncated: stdout.truncated || stderr.truncated,
      sandbox: sandboxOutcome(log),
      ...(log.error === undefined ? {} : { error: log.error.message }),
    },
  };
}

/** A connection the domain proxy refused a tool's run, as the audit log keeps it. */
export function refusedEvent(plan: ToolPlan, requestId: string, r: RefusedConnection): Record<string, unknown> {
  return {
    event: 'network_refused',
    host: r.host,
    port: r.port,
    protocol: r.protocol,
    reason: r.reason,
    tool_id: plan.run.tool,
    request_id: requestId,
    command: plan.request.command,
    session: plan.run.session_key,
    actor: plan.run.agent_id,
  };
}

/** Who asked, for the ledger's rows. */
interface Asker {
  readonly session: string;
  readonly actor: string;
}

/** A change of the tool's trust: the contract approved, a Trial run confirmed, the tool verified. */
export function approvalEvent(plan: ToolPlan, next: TrustRecord, decision: Decision, by: string, who: Asker): Record<string, unknown> {
  return {
    event: 'capability_approval',
    tool_id: plan.run.tool,
    capabilities_hash: plan.contractHash,
    stage: next.stage,
    stage_before: plan.record.stage,
    confirmed_runs: next.confirmed_runs,
    decision,
    resolved_by: by,
    program: plan.program,
    capabilities: plan.run.capabilities,
    ...(plan.run.parameters === undefined ? {} : { parameters: plan.run.parameters }),
    ...(plan.record.changed_from === null ? {} : { changed_from: plan.record.changed_from }),
    session: who.session,
    actor: by,
  };
}

/** Each way the run went beyond its contract, with what was decided about it. */
export function escalationEvents(plan: ToolPlan, decision: Decision, by: string, who: Asker): Record<string, unknown>[] {
  return plan.escalations.map((e) => ({
    event: 'capability_escalation',
    tool_id: plan.run.tool,
    kind: e.kind,
    reason: e.message,
    path: e.subject,
    decision,
    resolved_by: by,
    capabilities_hash: plan.contractHash,
    session: who.session,
    actor: who.actor,
  }));
}

/** The run itself, as `sandbox_exec`. */
export function runEvent(plan: ToolPlan, requestId: string, log: SandboxAuditLog): Record<string, unknown> {
  return {
    event: 'sandbox_exec',
    tool_id: plan.run.tool,
    request_id: requestId,
    command: plan.request.command,
    status: log.status,
    platform: log.platform ?? process.platform,
    capability_hash: log.capability_hash,
    capabilities_hash: plan.contractHash,
    violations: sandboxOutcome(log).violations,
    ...(log.limits_unenforced.length === 0 ? {} : { limits_unenforced: sandboxOutcome(log).limits_unenforced }),
    duration_ms: log.duration_ms,
    ...(log.exit_code === null ? {} : { exit_code: log.exit_code }),
    ...(log.error === undefined ? {} : { error: log.error.message }),
    session: plan.run.session_key,
    actor: plan.run.agent_id,
  };
}
