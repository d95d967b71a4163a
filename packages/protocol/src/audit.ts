/**
 * Audit events: one table, typed payloads. Each event type's fields are declared once, in
 * EVENT_FIELDS; the TypeScript types and the runtime validation both come from that table.
 */
import { RISK_LEVELS, SECURITY_MODES, VERDICTS, type RiskLevel, type SecurityMode, type Verdict } from './policy.js';
import { fail, ok, type Result } from './result.js';
import { illFormedTextAt, illFormedTextMessage } from './text.js';

type FieldKind =
  'string' | 'string?' | 'number' | 'number?' | 'integer?' | 'strings?' | 'object' | 'object?' | 'risk' | 'risk?' | 'verdict?' | 'mode' | 'mode?';

export const EVENT_FIELDS = {
  /** A command the gateway decided on (the seed's ExecAuditEntry), and how its run ended. */
  terminal_cmd: {
    command: 'string',
    decision: 'string',
    risk_level: 'risk?',
    executor: 'string?',
    session_key: 'string?',
    duration_ms: 'number?',
    exit_code: 'integer?',
    verdict: 'verdict?',
    mode: 'mode?',
    agent: 'string?',
    cwd: 'string?',
    reasons: 'strings?',
    request_id: 'string?',
    reason: 'string?',
    rule_id: 'string?',
    approval_id: 'string?',
    tool_id: 'string?',
    /** An allow's: how the command runs (`{"kind": "sandbox", "network"}` or `{"kind": "unconfined"}`). */
    confinement: 'object?',
  },
  /** A request waits for a person (`request_id`: the approval's id, as approval_decision has it). */
  approval_request: {
    request_id: 'string',
    command: 'string',
    agent: 'string',
    cwd: 'string?',
    verdict: 'verdict?',
    risk_level: 'risk',
    reasons: 'strings?',
    expires_at: 'string?',
    tool_id: 'string?',
    rule_id: 'string?',
    /** A shell command's: the confinement offered first to the person. */
    suggested_confinement: 'object?',
  },
  /** A command the gateway allowed has finished: how it ended. */
  command_finished: {
    request_id: 'string',
    command: 'string',
    exit_code: 'integer?',
    signal: 'string?',
    duration_ms: 'number',
    agent: 'string?',
    cwd: 'string?',
    /** A run ticket's run: how it was confined (`confined, no network`, `unconfined`). */
    confinement: 'string?',
  },
  /**
   * A tool call an agent's hook decided by itself (a file, web or MCP tool): `target` is its path,
   * URL or `server/tool`; `request_id` the hook's id. A call put to a person is an approval_request.
   */
  hook_decision: {
    request_id: 'string',
    tool: 'string',
    target: 'string',
    decision: 'string',
    reason: 'string',
    agent: 'string',
    cwd: 'string?',
  },
  /** A person answered a pending approval; `channel`: where (unix-socket, console, websocket, notification, shortcut). */
  approval_decision: {
    request_id: 'string',
    command: 'string',
    decision: 'string',
    resolved_by: 'string',
    reason: 'string?',
    rule: 'object?',
    risk_level: 'risk?',
    channel: 'string?',
    /** An allow's: the confinement the person chose (or took as suggested). */
    confinement: 'object?',
  },
  security_mode_change: { from: 'mode?', to: 'mode', agent: 'string?' },
  /** An agent's rule was added or removed by hand (Allow Always is an approval_decision). */
  rule_change: { change: 'string', agent: 'string', rule: 'object' },
  /** A sandboxed run (the seed's SandboxAuditLog). */
  sandbox_exec: {
    tool_id: 'string',
    capabilities: 'object?',
    capability_hash: 'string?',
    status: 'string',
    platform: 'string',
    violations: 'strings?',
    limits_unenforced: 'strings?',
    duration_ms: 'number?',
    exit_code: 'integer?',
    command: 'string?',
    request_id: 'string?',
    capabilities_hash: 'string?',
    error: 'string?',
  },
  /** The capability ledger: a tool's contract approved, a Trial run confirmed, the tool verified (`capabilities_hash`: the contract's). */
  capability_approval: {
    tool_id: 'string',
    capabilities_hash: 'string',
    stage: 'string',
    decision: 'string',
    capabilities: 'object?',
    stage_before: 'string?',
    confirmed_runs: 'integer?',
    resolved_by: 'string?',
    parameters: 'strings?',
    changed_from: 'string?',
  },
  /** A run that asked for more than its approved contract, and what was decided about it. */
  capability_escalation: {
    tool_id: 'string',
    reason: 'string',
    kind: 'string?',
    path: 'string?',
    decision: 'string?',
    resolved_by: 'string?',
    capabilities_hash: 'string?',
  },
  /** A device or chat sender asked to pair; the code itself is a secret until used, so only its first characters. */
  pairing_request: { code_hint: 'string?', device_name: 'string', device_type: 'string', fingerprint: 'string?', peer: 'string?' },
  /** The owner approved a pairing: a chat sender is paired (device_id `chat:CHANNEL:SENDER`); a device has yet to prove its key. */
  pairing_approved: { device_id: 'string?', device_name: 'string?', fingerprint: 'string?', code_hint: 'string?' },
  pairing_rejected: { device_name: 'string?', reason: 'string?', code_hint: 'string?' },
  /** A device proved its key and received its token. */
  device_paired: { device_id: 'string', device_name: 'string?', fingerprint: 'string' },
  device_revoked: { device_id: 'string', device_name: 'string?' },
  device_rotated: { device_id: 'string', device_name: 'string?' },
  guest_invited: { guest_id: 'string', name: 'string', tools: 'strings?', expires_at: 'string?' },
  guest_accepted: { guest_id: 'string', name: 'string?', fingerprint: 'string?' },
  guest_revoked: { guest_id: 'string', name: 'string?' },
  policy_denied: { tool: 'string', role: 'string', reason_code: 'string', reason: 'string', identity: 'string?', peer: 'string?' },
  /** A connection failed to prove itself: a wrong socket handshake, token, key proof or invitation. */
  auth_failed: { source: 'string', reason_code: 'string', reason: 'string', peer: 'string?', identity: 'string?' },
  filesystem_denied: { path: 'string', operation: 'string?', reason: 'string' },
  /** A sandboxed run's connection the domain proxy refused: to a domain its profile does not grant, or an address it may not reach. */
  network_refused: {
    host: 'string',
    port: 'integer?',
    protocol: 'string?',
    reason: 'string',
    tool_id: 'string?',
    request_id: 'string?',
    command: 'string?',
  },
  /**
   * The configuration file stopped parsing (or could not be read): the gateway runs on the last
   * configuration that did and refuses every change, so as not to write over the file.
   */
  config_invalid: { file: 'string', reason_code: 'string', reason: 'string' },
  /** The configuration file parses again: the gateway runs on it, and changes are accepted again. */
  config_recovered: { file: 'string' },
} as const satisfies Record<string, Record<string, FieldKind>>;

export type AuditEventType = keyof typeof EVENT_FIELDS;
export const AUDIT_EVENT_TYPES = Object.keys(EVENT_FIELDS) as AuditEventType[];

type FieldType<K extends FieldKind> = K extends 'string' | 'string?'
  ? string
  : K extends 'number' | 'number?' | 'integer?'
    ? number
    : K extends 'strings?'
      ? string[]
      : K extends 'object' | 'object?'
        ? Record<string, unknown>
        : K extends 'risk' | 'risk?'
          ? RiskLevel
          : K extends 'verdict?'
            ? Verdict
            : K extends 'mode' | 'mode?'
              ? SecurityMode
              : never;

type Fields<F extends Record<string, FieldKind>> = { -readonly [K in keyof F as F[K] extends `${string}?` ? never : K]: FieldType<F[K]> } & {
  -readonly [K in keyof F as F[K] extends `${string}?` ? K : never]?: FieldType<F[K]> | null;
};

/** Fields every event has besides its payload. */
export interface AuditCommon {
  /** When it happened, ISO 8601 UTC. Defaults to now on append. */
  ts?: string;
  /** The agent or chat session it belongs to. */
  session?: string | null;
  /** Who did it: an agent id, `owner`, a device id, `gateway`. */
  actor?: string | null;
}

export type AuditEventOf<E extends AuditEventType> = AuditCommon & { event: E } & Fields<(typeof EVENT_FIELDS)[E]>;
export type AuditEvent = { [E in AuditEventType]: AuditEventOf<E> }[AuditEventType];

/** A stored event, as search and export return it. */
export interface AuditRow {
  readonly id: number;
  readonly ts: string;
  readonly event: AuditEventType;
  readonly session: string | null;
  readonly actor: string | null;
  readonly risk_level: RiskLevel | null;
  readonly decision: string | null;
  readonly summary: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** SHA-256 of the previous row's hash and this row's canonical encoding, hex. */
  readonly hash: string;
}

/** One row in the agent audit.log line shape (`aleph audit export`, the console's Export); importing it gives the same event back. */
export function toJsonLine(row: AuditRow): string {
  return JSON.stringify({ ts: row.ts, event: row.event, session: row.session, ...(row.actor === null ? {} : { actor: row.actor }), ...row.payload });
}

const RESERVED = new Set(['ts', 'event', 'session', 'actor', 'id', 'hash', 'summary']);

type BaseKind = 'string' | 'number' | 'integer' | 'strings' | 'object' | 'risk' | 'verdict' | 'mode';

/** The field table compiled once: each field's base kind and whether it may be absent. */
const COMPILED: Readonly<Record<string, readonly { name: string; kind: BaseKind; optional: boolean }[]>> = Object.fromEntries(
  Object.entries(EVENT_FIELDS).map(([type, fields]) => [
    type,
    Object.entries(fields as Record<string, FieldKind>).map(([name, kind]) => ({
      name,
      kind: kind.replace('?', '') as BaseKind,
      optional: kind.endsWith('?'),
    })),
  ]),
);

function checkField(kind: BaseKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'risk':
      return (RISK_LEVELS as readonly unknown[]).includes(value);
    case 'verdict':
      return (VERDICTS as readonly unknown[]).includes(value);
    case 'mode':
      return (SECURITY_MODES as readonly unknown[]).includes(value);
    default:
      return false;
  }
}

/**
 * Parses a timestamp: an ISO 8601 string, or epoch milliseconds (or seconds, for values that
 * cannot be milliseconds of this era).
 */
export function parseTimestamp(value: unknown): Result<number> {
  let ms = Number.NaN;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  else if (typeof value === 'string' && value.trim() !== '') ms = Date.parse(value);
  if (Number.isNaN(ms)) return fail('invalid_ts', `"ts" must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(value)}.`);
  // A Date holds 8.64e15 ms either side of 1970; beyond that a time cannot be written down.
  if (Math.abs(ms) > MAX_TIME_MS) return fail('invalid_ts', `"ts" is out of range: ${JSON.stringify(value)} is not a time a date can hold.`);
  return ok(ms);
}

const MAX_TIME_MS = 8.64e15;

/**
 * Validates an untrusted event object into an AuditEvent. Unknown payload fields are kept (an
 * imported log may carry more than we model); known fields must have their declared types. Text
 * must be well-formed (text.ts): the log stores exactly the text it hashes.
 */
export function parseAuditEvent(value: unknown): Result<AuditEvent> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_event', 'An event must be a JSON object.');
  const illFormed = illFormedTextAt(value);
  if (illFormed !== null) return fail('invalid_event', illFormedTextMessage(illFormed));
  const input = value as Record<string, unknown>;
  const type = input.event;
  // Own keys only: "constructor" or "toString" is no event type.
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_FIELDS, type)) {
    return fail('unknown_event', `Unknown event type ${JSON.stringify(type)}; expected one of ${AUDIT_EVENT_TYPES.join(', ')}.`);
  }
  const fields = COMPILED[type]!;
  // Without a prototype, a field named "__proto__" is a field like any other, not lost.
  const out = Object.create(null) as Record<string, unknown>;
  out.event = type;
  if (input.ts !== undefined && input.ts !== null) {
    const ts = parseTimestamp(input.ts);
    if (!ts.ok) return ts;
    out.ts = new Date(ts.value).toISOString();
  }
  for (const key of ['session', 'actor'] as const) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return fail('invalid_event', `"${key}" must be a string.`);
    out[key] = v;
  }
  const declared = EVENT_FIELDS[type as AuditEventType] as Record<string, FieldKind>;
  for (const { name, kind, optional } of fields) {
    const v = input[name];
    if (v === undefined || v === null) {
      if (!optional) return fail('invalid_event', `A ${type} event needs "${name}".`);
      continue;
    }
    if (!checkField(kind, v)) return fail('invalid_event', `"${name}" of a ${type} event must be ${kind}, got ${JSON.stringify(v)}.`);
    out[name] = v;
  }
  for (const name of Object.keys(input)) {
    const v = input[name];
    if (!Object.hasOwn(declared, name) && !RESERVED.has(name) && v !== undefined) out[name] = v;
  }
  return ok(out as unknown as AuditEvent);
}
