/**
 * What a client accepts from the gateway. Every frame is checked here before a requester acts on
 * it: a decision that is not exactly one of the three, an allow without the context it is bound
 * to, or a frame of no known shape is a protocol error, so a client never runs a command on a
 * message it misread.
 */
import { PAIRING_KINDS, type PairingView } from './calls.js';
import { parseCapabilities, parseConfinement } from './capabilities.js';
import { DECISIONS, MAX_ID_LENGTH, parseSandboxOutcome, type ExecBinding, type GatewayMessage, type PendingApproval } from './messages.js';
import { ALLOW_RULE_KINDS, RISK_LEVELS, VERDICTS, type Risk } from './policy.js';
import { fail, ok, type Result } from './result.js';
import { ESCALATION_KINDS, TOOL_GATES, TRUST_STAGES, type PendingTool, type ToolResult, type ToolRunOutput } from './tools.js';

type Fields = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isTexts = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every(isText);
const orNull = (v: unknown, is: (x: unknown) => boolean): boolean => v === null || is(v);
const optional = (v: unknown, is: (x: unknown) => boolean): boolean => v === undefined || is(v);
const oneOf = (list: readonly string[], v: unknown): boolean => (list as readonly unknown[]).includes(v);

const isRisk = (v: unknown): v is Risk =>
  isObject(v) &&
  oneOf(RISK_LEVELS, v.level) &&
  isCount(v.score) &&
  Array.isArray(v.reasons) &&
  v.reasons.every((r) => isObject(r) && isText(r.code) && isText(r.message));

const isBinding = (v: unknown): v is ExecBinding =>
  isObject(v) &&
  isObject(v.executables) &&
  Object.values(v.executables).every((p) => orNull(p, isText)) &&
  isObject(v.scripts) &&
  Object.values(v.scripts).every(isText);

const isRule = (v: unknown): boolean => isObject(v) && oneOf(ALLOW_RULE_KINDS, v.kind) && isText(v.pattern);

const isSegment = (v: unknown): boolean =>
  isObject(v) &&
  isText(v.text) &&
  orNull(v.name, isText) &&
  Array.isArray(v.argv) &&
  v.argv.every((a) => orNull(a, isText)) &&
  oneOf(VERDICTS, v.verdict) &&
  isTexts(v.reasons) &&
  isTexts(v.via) &&
  optional(v.rules, isTexts);

const isRequest = (v: unknown): boolean =>
  isObject(v) && isText(v.command) && isText(v.cwd) && isText(v.agent_id) && isText(v.session_key) && optional(v.path, isText);

const isPendingTool = (v: unknown): v is PendingTool =>
  isObject(v) &&
  isText(v.name) &&
  oneOf(TRUST_STAGES, v.stage) &&
  oneOf(TOOL_GATES, v.gate) &&
  isText(v.reason) &&
  isText(v.contract_hash) &&
  orNull(v.changed_from, isText) &&
  isObject(v.program) &&
  isText(v.program.path) &&
  isText(v.program.hash) &&
  parseCapabilities(v.capabilities).ok &&
  orNull(v.parameters, isTexts) &&
  Array.isArray(v.escalations) &&
  v.escalations.every((e) => isObject(e) && oneOf(ESCALATION_KINDS, e.kind) && isText(e.subject) && isText(e.message)) &&
  optional(v.directories, (d) => isObject(d) && isText(d.WORKSPACE) && isText(d.PROJECT_ROOT));

const isApproval = (v: unknown): v is PendingApproval =>
  isObject(v) &&
  isId(v.id) &&
  isRequest(v.request) &&
  oneOf(VERDICTS, v.verdict) &&
  isRisk(v.risk) &&
  Array.isArray(v.segments) &&
  v.segments.every(isSegment) &&
  orNull(v.suggested_rule, isRule) &&
  isText(v.created_at) &&
  isText(v.expires_at) &&
  optional(v.tool, isPendingTool);

const isPairing = (v: unknown): v is PairingView =>
  isObject(v) &&
  isText(v.code) &&
  oneOf(PAIRING_KINDS, v.kind) &&
  isText(v.name) &&
  isText(v.type) &&
  orNull(v.fingerprint, isText) &&
  isText(v.peer) &&
  isText(v.created_at) &&
  isText(v.expires_at) &&
  isCount(v.expires_in_ms) &&
  typeof v.approved === 'boolean';

const isRunOutput = (v: unknown): v is ToolRunOutput =>
  isObject(v) &&
  orNull(v.exit_code, Number.isInteger) &&
  optional(v.signal, isText) &&
  isCount(v.duration_ms) &&
  isText(v.stdout) &&
  isText(v.stderr) &&
  typeof v.truncated === 'boolean' &&
  v.sandbox !== undefined &&
  parseSandboxOutcome(v.sandbox).ok &&
  optional(v.error, isText);

const isToolResult = (v: Fields): v is Fields & ToolResult =>
  isId(v.id) &&
  oneOf(DECISIONS, v.decision) &&
  isText(v.reason) &&
  isText(v.resolved_by) &&
  oneOf(VERDICTS, v.verdict) &&
  isRisk(v.risk) &&
  oneOf(TRUST_STAGES, v.stage) &&
  isText(v.contract_hash) &&
  optional(v.run, isRunOutput);

/** Whether a frame of this type has the fields its type promises. */
const SHAPES: Readonly<Record<GatewayMessage['type'], (v: Fields) => boolean>> = {
  challenge: (v) => isText(v.nonce) && Number.isInteger(v.version),
  auth_ok: (v) => isText(v.hmac),
  // An allow carries the context it is bound to; a client must not run a command without it.
  approval_decision: (v) =>
    isId(v.id) &&
    oneOf(DECISIONS, v.decision) &&
    isText(v.reason) &&
    oneOf(VERDICTS, v.verdict) &&
    isRisk(v.risk) &&
    isText(v.resolved_by) &&
    (v.decision === 'deny' ? optional(v.binding, isBinding) : isBinding(v.binding)) &&
    optional(v.run_ticket, isId),
  // A redeemed ticket carries the binding and confinement the run must honour.
  ticket_redeemed: (v) => isId(v.id) && isRequest(v.request) && isBinding(v.binding) && parseConfinement(v.confinement).ok,
  approval_preview: (v) =>
    isId(v.id) &&
    v.dry_run === true &&
    oneOf(['allow', 'deny', 'ask'], v.decision) &&
    isText(v.reason) &&
    oneOf(VERDICTS, v.verdict) &&
    isRisk(v.risk) &&
    isText(v.mode) &&
    optional(v.rule_id, isText) &&
    optional(v.fallback, (f) => isObject(f) && oneOf(DECISIONS, f.decision) && isCount(f.after_ms)),
  pending: (v) => Array.isArray(v.approvals) && v.approvals.every(isApproval),
  approval_pending: (v) => isApproval(v.approval),
  approval_resolved: (v) => isId(v.id) && oneOf(DECISIONS, v.decision) && isText(v.resolved_by),
  pairing_pending: (v) => isPairing(v.pairing),
  pairing_resolved: (v) => isText(v.code) && oneOf(['approved', 'rejected', 'paired'], v.outcome),
  config_invalid: (v) => isText(v.file) && isText(v.code) && isText(v.message),
  config_recovered: (v) => isText(v.file),
  resolved: (v) => isId(v.id),
  result: (v) => isId(v.id) && 'result' in v,
  result_recorded: (v) => isId(v.id),
  tool_result: isToolResult,
  pong: (v) => optional(v.id, isId),
  error: (v) => isText(v.code) && isText(v.message) && optional(v.id, isId),
};

/** Checks one frame from the gateway; anything else is `protocol`, with what was wrong. */
export function parseGatewayMessage(value: Fields): Result<GatewayMessage> {
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) return fail('protocol', `The gateway sent a message of unknown type ${JSON.stringify(type)}.`);
  if (!SHAPES[type as GatewayMessage['type']](value)) return fail('protocol', `The gateway sent a malformed "${type}" message.`);
  // Checked field by field above against the type of its kind.
  return ok(value as unknown as GatewayMessage);
}
