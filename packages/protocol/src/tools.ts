/**
 * Tool runs: an agent asks the gateway to run a tool in the sandbox under the capability contract
 * the tool declares. The owner approves the contract once (Draft), confirms its first runs (Trial),
 * and then it runs without asking (Verified) until it asks for more than it declared.
 */
import { parseCapabilities, type Capabilities, type PathDirectories } from './capabilities.js';
import type { Decision, SandboxOutcome } from './messages.js';
import type { Risk, Verdict } from './policy.js';
import { fail, ok, type Result } from './result.js';

export const TRUST_STAGES = ['draft', 'trial', 'verified'] as const;
export type TrustStage = (typeof TRUST_STAGES)[number];

/** A tool's name: what its trust is kept under. */
export const TOOL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_TOOL_ARGS = 4096;
export const MAX_TOOL_PARAMETERS = 256;
/** Each of a run's outputs is returned up to this many bytes; the rest is cut (and said so). */
export const MAX_TOOL_OUTPUT_BYTES = 256 * 1024;

export interface ToolRunRequest {
  readonly tool: string;
  /** As declared: paths may use `${WORKSPACE}` (the cwd) and `${PROJECT_ROOT}` (`project_root`, or the cwd). */
  readonly capabilities: Capabilities;
  /** The options the tool may be given; absent: any. */
  readonly parameters?: readonly string[];
  /** The executable and its arguments; no shell runs them. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** What `${PROJECT_ROOT}` stands for (an absolute path); the cwd when absent. */
  readonly project_root?: string;
  readonly agent_id: string;
  readonly session_key: string;
}

/**
 * The program a tool's contract runs: the file its argv[0] resolves to (through the gateway's PATH,
 * or from `cwd` when it names a path; symlinks kept, so that a multi-call program still sees its
 * name), and that file's content.
 */
export interface ToolProgram {
  readonly path: string;
  /** SHA-256 hex of the content; for a file over 8 MiB, `stat:<size>:<ctime ns>:<device>:<inode>`. */
  readonly hash: string;
}

/** Why a run asks for more than its approved contract. */
export const ESCALATION_KINDS = ['outside_scope', 'sensitive_location', 'undeclared_parameter'] as const;
export type EscalationKind = (typeof ESCALATION_KINDS)[number];

export interface Escalation {
  readonly kind: EscalationKind;
  /** The real path, or the parameter, that caused it. */
  readonly subject: string;
  readonly message: string;
}

/** `approve_contract`: the tool's capabilities themselves (Draft); `confirm_run`: this one run. */
export const TOOL_GATES = ['approve_contract', 'confirm_run'] as const;

/** What a pending tool approval decides, beside the command it shows. */
export interface PendingTool {
  readonly name: string;
  readonly stage: TrustStage;
  readonly gate: (typeof TOOL_GATES)[number];
  readonly reason: string;
  readonly contract_hash: string;
  /** The contract approved before, when the tool changed its program or what it declares. */
  readonly changed_from: string | null;
  /** The program the contract runs. */
  readonly program: ToolProgram;
  readonly capabilities: Capabilities;
  readonly parameters: readonly string[] | null;
  readonly escalations: readonly Escalation[];
  /** The directories `${WORKSPACE}` and `${PROJECT_ROOT}` stand for in this run. */
  readonly directories?: PathDirectories;
}

/** How an allowed tool run ended, with its output (base64, each cut at MAX_TOOL_OUTPUT_BYTES). */
export interface ToolRunOutput {
  readonly exit_code: number | null;
  readonly signal?: string;
  readonly duration_ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Some output was cut. */
  readonly truncated: boolean;
  readonly sandbox: SandboxOutcome;
  /** Why the sandbox could not run it, when it could not. */
  readonly error?: string;
}

/** The answer to a tool_run: the decision, the tool's trust stage after it, and the run when allowed. */
export interface ToolResult {
  readonly id: string;
  readonly decision: Decision;
  readonly reason: string;
  readonly resolved_by: string;
  readonly verdict: Verdict;
  readonly risk: Risk;
  readonly stage: TrustStage;
  readonly contract_hash: string;
  readonly run?: ToolRunOutput;
}

const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Validates a tool_run's `run` object. */
export function parseToolRunRequest(value: unknown, maxText: number): Result<ToolRunRequest> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_message', '"run" must be an object.');
  const v = value as Record<string, unknown>;
  if (typeof v.tool !== 'string' || !TOOL_NAME.test(v.tool))
    return fail('invalid_message', '"tool" must be a name of lower-case letters, digits, ".", "_" and "-", at most 64 characters.');
  const capabilities = parseCapabilities(v.capabilities);
  if (!capabilities.ok) return fail('invalid_capabilities', `"capabilities": ${capabilities.error.message}`);
  let parameters: string[] | undefined;
  if (v.parameters !== undefined) {
    if (
      !Array.isArray(v.parameters) ||
      v.parameters.length > MAX_TOOL_PARAMETERS ||
      !v.parameters.every((p) => typeof p === 'string' && /^-{1,2}[^\s=-][^\s=]{0,127}$/.test(p))
    ) {
      return fail('invalid_message', `"parameters" must list at most ${MAX_TOOL_PARAMETERS} option names such as "-v" or "--output".`);
    }
    parameters = [...new Set(v.parameters as string[])];
  }
  const argv = v.argv;
  if (
    !Array.isArray(argv) ||
    argv.length === 0 ||
    argv.length > MAX_TOOL_ARGS ||
    !argv.every((a) => typeof a === 'string' && !a.includes('\0')) ||
    typeof argv[0] !== 'string' ||
    argv[0] === '' ||
    argv.reduce((n: number, a: string) => n + a.length, 0) > maxText
  ) {
    return fail(
      'invalid_message',
      `"argv" must list the executable and its arguments: 1 to ${MAX_TOOL_ARGS} strings without NUL, ${maxText} characters in all.`,
    );
  }
  if (!text(v.cwd, 4096) || !v.cwd.startsWith('/')) return fail('invalid_message', '"cwd" must be an absolute path.');
  if (v.project_root !== undefined && (!text(v.project_root, 4096) || !v.project_root.startsWith('/')))
    return fail('invalid_message', '"project_root" must be an absolute path.');
  if (!text(v.agent_id, 128)) return fail('invalid_message', '"agent_id" must be a non-empty string of at most 128 characters.');
  if (!text(v.session_key, 128)) return fail('invalid_message', '"session_key" must be a non-empty string of at most 128 characters.');
  return ok({
    tool: v.tool,
    capabilities: capabilities.value,
    ...(parameters === undefined ? {} : { parameters }),
    argv: argv as string[],
    cwd: v.cwd,
    ...(v.project_root === undefined ? {} : { project_root: v.project_root }),
    agent_id: v.agent_id,
    session_key: v.session_key,
  });
}
