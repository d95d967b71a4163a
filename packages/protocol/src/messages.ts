/**
 * The exec-approvals protocol's messages: what clients (agents, approvers) send and what the
 * gateway answers. Every incoming message is validated here before anything acts on it.
 */
import { ALLOW_RULE_KINDS, type AllowRule, type Risk, type SegmentReport, type Verdict } from './policy.js';
import { parseOwnerCall, type OwnerCall, type PairingView } from './calls.js';
import { formatDuration } from './duration.js';
import { fail, ok, type Result } from './result.js';
import { parseConfinement, type Confinement } from './capabilities.js';
import { parseToolRunRequest, type PendingTool, type ToolResult, type ToolRunRequest } from './tools.js';

export const DECISIONS = ['allow-once', 'allow-always', 'deny'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What an agent asks to run. */
export interface ExecRequest {
  readonly command: string;
  readonly cwd: string;
  readonly agent_id: string;
  readonly session_key: string;
  /** The requester's PATH, so that command names resolve as its shell will resolve them. */
  readonly path?: string;
}

/**
 * What an allowed command is bound to besides its text, cwd, agent and session: the executable
 * each command name resolves to, and the content hash of each local script it runs. The runner
 * checks it again just before running; any drift refuses the run.
 */
export interface ExecBinding {
  /** Command name (as written) -> absolute path, or null when nothing on PATH has that name. */
  readonly executables: Readonly<Record<string, string | null>>;
  /** Script path (absolute) -> SHA-256 of its content, hex. */
  readonly scripts: Readonly<Record<string, string>>;
}

/** How far an "Allow Always" grant reaches: the agent from now on, or only the request's session. */
export const GRANT_SCOPES = ['agent', 'session'] as const;
export type GrantScope = (typeof GRANT_SCOPES)[number];

/** How far an "Allow Always" answer reaches, in words: `always`, `for 15 min`, `for this session`. */
export function describeGrant(scope: GrantScope | undefined, durationMs: number | undefined): string {
  if (scope === 'session') return 'for this session';
  return durationMs === undefined ? 'always' : `for ${formatDuration(durationMs)}`;
}

/** An approval waiting for a human. */
export interface PendingApproval {
  readonly id: string;
  readonly request: ExecRequest;
  readonly verdict: Verdict;
  readonly risk: Risk;
  readonly segments: readonly SegmentReport[];
  readonly suggested_rule: AllowRule | null;
  /** ISO 8601 times. */
  readonly created_at: string;
  readonly expires_at: string;
  /** A tool run's approval: its contract or this run (`request.command` is its argv, quoted). */
  readonly tool?: PendingTool;
  /** A shell command's approval: the narrowest confinement it needs, offered first to the person. */
  readonly suggested_confinement?: Confinement;
  /** What the person should know about the suggestion: a host left out of it, an ssh remote without the agent. */
  readonly confinement_notes?: readonly string[];
}

export type ClientMessage =
  | { readonly type: 'challenge_response'; readonly hmac: string; readonly nonce: string }
  | {
      readonly type: 'approval_request';
      readonly id: string;
      readonly request: ExecRequest;
      readonly timeout_ms?: number;
      /** The requester will not run the command itself: an allow carries a run ticket for `aleph run`. */
      readonly run_ticket?: boolean;
      /** Only judge it: answered by approval_preview at once; nobody is asked and nothing is recorded. */
      readonly dry_run?: true;
    }
  /** Redeem a run ticket: the command and cwd about to run, which must be the ones judged. Answered by ticket_redeemed. */
  | { readonly type: 'redeem_ticket'; readonly id: string; readonly ticket: string; readonly command: string; readonly cwd: string }
  | { readonly type: 'subscribe' }
  | { readonly type: 'get_pending' }
  | {
      readonly type: 'resolve';
      readonly id: string;
      readonly decision: Decision;
      readonly rule?: AllowRule;
      readonly reason?: string;
      /** With `allow-always`: the grant expires after this long. */
      readonly duration_ms?: number;
      /** With `allow-always`: `session` grants only the request's session (and expires within a day). */
      readonly scope?: GrantScope;
      /** With an allow: how the command runs (default: the approval's suggested confinement). */
      readonly confinement?: Confinement;
    }
  | {
      readonly type: 'exec_result';
      readonly id: string;
      readonly exit_code: number | null;
      readonly signal?: string;
      readonly duration_ms: number;
      /** How the sandbox saw the run, when it ran in one. */
      readonly sandbox?: SandboxOutcome;
    }
  /** A tool call an agent's hook decided by itself (a file, web or MCP tool), for the audit log; answered by result_recorded. */
  | { readonly type: 'hook_decision'; readonly id: string; readonly decision: HookDecision }
  /** One of the owner's identity calls (calls.ts): pairing codes, devices, guests. */
  | { readonly type: 'call'; readonly id: string; readonly call: OwnerCall }
  /** Run a tool in the sandbox under the contract it declares; answered by tool_result. */
  | { readonly type: 'tool_run'; readonly id: string; readonly run: ToolRunRequest; readonly timeout_ms?: number }
  | { readonly type: 'ping'; readonly id?: string };

/**
 * What an agent's hook decided on the spot about a tool call that is no shell command: a file it
 * reads or writes, a URL it fetches, an MCP tool it calls. `target` is that path, URL or
 * `server/tool`, as the agent named it.
 */
export interface HookDecision {
  readonly agent_id: string;
  readonly session_key: string;
  readonly cwd: string;
  readonly tool: string;
  readonly target: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
}

/** How a sandboxed run ended, as the sandbox saw it. */
export const SANDBOX_RUN_STATUSES = ['success', 'timeout', 'sandbox_violation', 'error'] as const;
export type SandboxRunStatus = (typeof SANDBOX_RUN_STATUSES)[number];

export interface SandboxOutcome {
  readonly status: SandboxRunStatus;
  readonly platform: string;
  readonly capability_hash: string;
  /** "kind: evidence", at most MAX_REPORTED_VIOLATIONS of them. */
  readonly violations: readonly string[];
  /** Limits of the profile this platform could not enforce ("memory: ..."), when there were any. */
  readonly limits_unenforced?: readonly string[];
}

export const MAX_REPORTED_VIOLATIONS = 32;

/** What subscribers hear about as it happens. */
export type GatewayEvent =
  | { readonly type: 'approval_pending'; readonly approval: PendingApproval }
  | { readonly type: 'approval_resolved'; readonly id: string; readonly decision: Decision; readonly resolved_by: string }
  | { readonly type: 'pairing_pending'; readonly pairing: PairingView }
  /** `approved`: a device may now prove its key; `paired`: done; `rejected`: the owner said no. */
  | { readonly type: 'pairing_resolved'; readonly code: string; readonly outcome: 'approved' | 'rejected' | 'paired' }
  /**
   * The configuration file cannot be used (it does not parse, or cannot be read): the gateway runs
   * on the last configuration that parsed and refuses every change (`code`) until it can. Sent when
   * it happens, and to each new subscriber while it lasts.
   */
  | { readonly type: 'config_invalid'; readonly file: string; readonly code: string; readonly message: string }
  /** The configuration file parses again: the gateway runs on it, and accepts changes. */
  | { readonly type: 'config_recovered'; readonly file: string };

/** The gateway's answer to an approval_request. An allow always says what the run is bound to. */
export type DecisionAnswer = { readonly id: string; readonly reason: string; readonly verdict: Verdict; readonly risk: Risk; readonly resolved_by: string } & (
  | { readonly decision: 'deny' }
  | {
      readonly decision: Exclude<Decision, 'deny'>;
      readonly binding: ExecBinding;
      /** How the command runs. */
      readonly confinement?: Confinement;
      /** When the request asked for one: the single-use ticket `aleph run` redeems to run exactly this command. */
      readonly run_ticket?: string;
    }
);

/** A redeemed run ticket: what was judged, what the run is bound to, and how it runs. */
export interface RedeemedTicket {
  readonly id: string;
  readonly request: ExecRequest;
  readonly binding: ExecBinding;
  readonly confinement: Confinement;
}

/**
 * The gateway's answer to a dry run (an approval_request with `dry_run`): what it would decide now,
 * without asking anyone. `ask`: a person would be asked, and `fallback` answers if nobody does.
 */
export interface ApprovalPreview {
  readonly id: string;
  readonly dry_run: true;
  readonly decision: 'allow' | 'deny' | 'ask';
  /** Why: the policy's words for an allow or a deny (`allowlisted`, `auto_approved_dev`, `denied by ...`), or why a person is asked. */
  readonly reason: string;
  readonly verdict: Verdict;
  readonly risk: Risk;
  /** The agent's security mode the command was judged under. */
  readonly mode: string;
  /** The agent's rule that decided (deny, ask or allow), when one did. */
  readonly rule_id?: string;
  /** With `ask`: what happens when nobody answers within `after_ms`. */
  readonly fallback?: { readonly decision: Decision; readonly after_ms: number };
}

export type GatewayMessage =
  | { readonly type: 'challenge'; readonly nonce: string; readonly version: number }
  | { readonly type: 'auth_ok'; readonly hmac: string }
  | ({ readonly type: 'approval_decision' } & DecisionAnswer)
  | ({ readonly type: 'approval_preview' } & ApprovalPreview)
  | { readonly type: 'pending'; readonly approvals: readonly PendingApproval[] }
  | GatewayEvent
  | { readonly type: 'resolved'; readonly id: string }
  | { readonly type: 'result'; readonly id: string; readonly result: unknown }
  | { readonly type: 'result_recorded'; readonly id: string }
  | ({ readonly type: 'ticket_redeemed' } & RedeemedTicket)
  | ({ readonly type: 'tool_result' } & ToolResult)
  | { readonly type: 'pong'; readonly id?: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly id?: string };

/** Limits on what one message may carry (the line limit bounds the whole). */
export const MAX_ID_LENGTH = 128;
export const MAX_COMMAND_LENGTH = 256 * 1024;
export const MAX_TIMEOUT_MS = 86_400_000;
/** Directories in a request's PATH: each is searched for every program the command names. */
export const MAX_PATH_ENTRIES = 256;
/** The longest timed grant: a year. A session grant lasts at most SESSION_GRANT_MS. */
export const MAX_GRANT_MS = 365 * 86_400_000;
export const SESSION_GRANT_MS = 86_400_000;

function str(v: Record<string, unknown>, key: string, max: number, required = true): Result<string | undefined> {
  const value = v[key];
  if (value === undefined && !required) return ok(undefined);
  if (typeof value !== 'string' || value.length === 0) return fail('invalid_message', `"${key}" must be a non-empty string.`);
  if (value.length > max) return fail('invalid_message', `"${key}" is longer than ${max} characters.`);
  return ok(value);
}

/** Validates a run's `sandbox` report (absent is fine). */
export function parseSandboxOutcome(value: unknown): Result<SandboxOutcome | undefined> {
  if (value === undefined) return ok(undefined);
  const v = value as Record<string, unknown>;
  const problem = fail(
    'invalid_message',
    `"sandbox" must be {"status": ${SANDBOX_RUN_STATUSES.map((s) => `"${s}"`).join('|')}, "platform", "capability_hash", "violations": [at most ${MAX_REPORTED_VIOLATIONS} strings], "limits_unenforced"?: [at most ${MAX_REPORTED_VIOLATIONS} strings]}.`,
  );
  if (typeof v !== 'object' || v === null || !(SANDBOX_RUN_STATUSES as readonly unknown[]).includes(v.status)) return problem;
  const platform = str(v, 'platform', 32);
  const hash = str(v, 'capability_hash', 64);
  if (!platform.ok || !hash.ok) return problem;
  const violations = v.violations;
  if (!Array.isArray(violations) || violations.length > MAX_REPORTED_VIOLATIONS || !violations.every((x) => typeof x === 'string' && x.length <= 512))
    return problem;
  const unenforced = v.limits_unenforced;
  if (
    unenforced !== undefined &&
    (!Array.isArray(unenforced) || unenforced.length > MAX_REPORTED_VIOLATIONS || !unenforced.every((x) => typeof x === 'string' && x.length <= 512))
  )
    return problem;
  return ok({
    status: v.status as SandboxRunStatus,
    platform: platform.value!,
    capability_hash: hash.value!,
    violations: violations as string[],
    ...(unenforced === undefined ? {} : { limits_unenforced: unenforced as string[] }),
  });
}

function parseHookDecision(value: unknown): Result<HookDecision> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_message', '"decision" must be an object.');
  const v = value as Record<string, unknown>;
  const agent = str(v, 'agent_id', MAX_ID_LENGTH);
  if (!agent.ok) return agent;
  const session = str(v, 'session_key', MAX_ID_LENGTH);
  if (!session.ok) return session;
  const cwd = str(v, 'cwd', 4096);
  if (!cwd.ok) return cwd;
  if (!cwd.value!.startsWith('/')) return fail('invalid_message', '"cwd" must be an absolute path.');
  const tool = str(v, 'tool', MAX_ID_LENGTH);
  if (!tool.ok) return tool;
  const target = str(v, 'target', MAX_COMMAND_LENGTH);
  if (!target.ok) return target;
  if (v.decision !== 'allow' && v.decision !== 'deny') return fail('invalid_message', '"decision.decision" must be allow or deny.');
  const reason = str(v, 'reason', 4096);
  if (!reason.ok) return reason;
  return ok({
    agent_id: agent.value!,
    session_key: session.value!,
    cwd: cwd.value!,
    tool: tool.value!,
    target: target.value!,
    decision: v.decision,
    reason: reason.value!,
  });
}

function parseRule(value: unknown): Result<AllowRule | undefined> {
  if (value === undefined) return ok(undefined);
  const v = value as Record<string, unknown>;
  if (
    typeof v !== 'object' ||
    v === null ||
    !(ALLOW_RULE_KINDS as readonly unknown[]).includes(v.kind) ||
    typeof v.pattern !== 'string' ||
    v.pattern.trim() === ''
  ) {
    return fail('invalid_message', '"rule" must be {"kind": "exact"|"prefix"|"path", "pattern": "..."}.');
  }
  return ok({ kind: v.kind as AllowRule['kind'], pattern: v.pattern.trim() });
}

/** Validates one incoming message. */
export function parseClientMessage(value: Readonly<Record<string, unknown>>): Result<ClientMessage> {
  switch (value.type) {
    case 'challenge_response': {
      const hmac = str(value, 'hmac', 128);
      if (!hmac.ok) return hmac;
      const nonce = str(value, 'nonce', 128);
      if (!nonce.ok) return nonce;
      return ok({ type: 'challenge_response', hmac: hmac.value!, nonce: nonce.value! });
    }
    case 'approval_request': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      const r = value.request;
      if (typeof r !== 'object' || r === null || Array.isArray(r)) return fail('invalid_message', '"request" must be an object.');
      const req = r as Record<string, unknown>;
      const command = str(req, 'command', MAX_COMMAND_LENGTH);
      if (!command.ok) return command;
      const cwd = str(req, 'cwd', 4096);
      if (!cwd.ok) return cwd;
      if (!cwd.value!.startsWith('/')) return fail('invalid_message', '"cwd" must be an absolute path.');
      const agent = str(req, 'agent_id', MAX_ID_LENGTH);
      if (!agent.ok) return agent;
      const session = str(req, 'session_key', MAX_ID_LENGTH);
      if (!session.ok) return session;
      const timeout = value.timeout_ms;
      if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > MAX_TIMEOUT_MS)) {
        return fail('invalid_message', `"timeout_ms" must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
      }
      const path = str(req, 'path', 64 * 1024, false);
      if (!path.ok) return path;
      if (path.value !== undefined && path.value.split(':').length > MAX_PATH_ENTRIES)
        return fail('invalid_message', `"path" has more than ${MAX_PATH_ENTRIES} directories.`);
      const request: ExecRequest = {
        command: command.value!,
        cwd: cwd.value!,
        agent_id: agent.value!,
        session_key: session.value!,
        ...(path.value === undefined ? {} : { path: path.value }),
      };
      if (value.run_ticket !== undefined && typeof value.run_ticket !== 'boolean') return fail('invalid_message', '"run_ticket" must be true or false.');
      const dryRun = value.dry_run;
      if (dryRun !== undefined && typeof dryRun !== 'boolean') return fail('invalid_message', '"dry_run" must be true or false.');
      return ok({
        type: 'approval_request',
        id: id.value!,
        request,
        ...(timeout === undefined ? {} : { timeout_ms: timeout as number }),
        ...(value.run_ticket === true ? { run_ticket: true } : {}),
        ...(dryRun === true ? { dry_run: true as const } : {}),
      });
    }
    case 'redeem_ticket': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      const ticket = str(value, 'ticket', MAX_ID_LENGTH);
      if (!ticket.ok) return ticket;
      const command = str(value, 'command', MAX_COMMAND_LENGTH);
      if (!command.ok) return command;
      const cwd = str(value, 'cwd', 4096);
      if (!cwd.ok) return cwd;
      if (!cwd.value!.startsWith('/')) return fail('invalid_message', '"cwd" must be an absolute path.');
      return ok({ type: 'redeem_ticket', id: id.value!, ticket: ticket.value!, command: command.value!, cwd: cwd.value! });
    }
    case 'tool_run': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      const run = parseToolRunRequest(value.run, MAX_COMMAND_LENGTH);
      if (!run.ok) return run;
      const timeout = value.timeout_ms;
      if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > MAX_TIMEOUT_MS)) {
        return fail('invalid_message', `"timeout_ms" must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}.`);
      }
      return ok({ type: 'tool_run', id: id.value!, run: run.value, ...(timeout === undefined ? {} : { timeout_ms: timeout as number }) });
    }
    case 'subscribe':
      return ok({ type: 'subscribe' });
    case 'get_pending':
      return ok({ type: 'get_pending' });
    case 'resolve': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      if (!(DECISIONS as readonly unknown[]).includes(value.decision)) return fail('invalid_message', `"decision" must be one of ${DECISIONS.join(', ')}.`);
      const rule = parseRule(value.rule);
      if (!rule.ok) return rule;
      const reason = str(value, 'reason', 4096, false);
      if (!reason.ok) return reason;
      const duration = value.duration_ms;
      if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) < 1000 || (duration as number) > MAX_GRANT_MS)) {
        return fail('invalid_message', `"duration_ms" must be a whole number of milliseconds from 1000 to ${MAX_GRANT_MS}.`);
      }
      const scope = value.scope;
      if (scope !== undefined && !(GRANT_SCOPES as readonly unknown[]).includes(scope))
        return fail('invalid_message', `"scope" must be one of ${GRANT_SCOPES.join(', ')}.`);
      if ((duration !== undefined || scope !== undefined) && value.decision !== 'allow-always') {
        return fail('invalid_message', '"duration_ms" and "scope" go with the decision "allow-always".');
      }
      const confinement = value.confinement === undefined ? undefined : parseConfinement(value.confinement);
      if (confinement !== undefined && !confinement.ok) return confinement;
      if (confinement !== undefined && value.decision === 'deny') return fail('invalid_message', '"confinement" goes with an allow, not with "deny".');
      return ok({
        type: 'resolve',
        id: id.value!,
        decision: value.decision as Decision,
        ...(rule.value === undefined ? {} : { rule: rule.value }),
        ...(reason.value === undefined ? {} : { reason: reason.value }),
        ...(duration === undefined ? {} : { duration_ms: duration as number }),
        ...(scope === undefined ? {} : { scope: scope as GrantScope }),
        ...(confinement === undefined ? {} : { confinement: confinement.value }),
      });
    }
    case 'exec_result': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      const code = value.exit_code;
      if (code !== null && (!Number.isInteger(code) || (code as number) < 0 || (code as number) > 255))
        return fail('invalid_message', '"exit_code" must be a whole number from 0 to 255, or null.');
      const signal = str(value, 'signal', 32, false);
      if (!signal.ok) return signal;
      const duration = value.duration_ms;
      if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)
        return fail('invalid_message', '"duration_ms" must be a number of milliseconds.');
      const sandbox = parseSandboxOutcome(value.sandbox);
      if (!sandbox.ok) return sandbox;
      return ok({
        type: 'exec_result',
        id: id.value!,
        exit_code: code as number | null,
        duration_ms: duration,
        ...(signal.value === undefined ? {} : { signal: signal.value }),
        ...(sandbox.value === undefined ? {} : { sandbox: sandbox.value }),
      });
    }
    case 'hook_decision': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      const decision = parseHookDecision(value.decision);
      if (!decision.ok) return decision;
      return ok({ type: 'hook_decision', id: id.value!, decision: decision.value });
    }
    case 'call': {
      const id = str(value, 'id', MAX_ID_LENGTH);
      if (!id.ok) return id;
      if (typeof value.method !== 'string') return fail('invalid_message', '"method" must be the name of an owner call.');
      const params = value.params ?? {};
      if (typeof params !== 'object' || params === null || Array.isArray(params)) return fail('invalid_message', '"params" must be an object.');
      const call = parseOwnerCall(value.method, params as Record<string, unknown>);
      if (!call.ok) return fail('invalid_message', call.error.message);
      return ok({ type: 'call', id: id.value!, call: call.value });
    }
    case 'ping': {
      const id = str(value, 'id', MAX_ID_LENGTH, false);
      if (!id.ok) return id;
      return ok(id.value === undefined ? { type: 'ping' } : { type: 'ping', id: id.value });
    }
    default:
      return fail('unknown_type', `Unknown message type ${JSON.stringify(value.type)}.`);
  }
}
