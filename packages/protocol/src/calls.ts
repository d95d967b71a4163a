/**
 * Identity calls: what the owner asks of the gateway (pairing codes, devices, guests) and what a
 * device or guest asks (pair, prove its key, accept an invitation, connect). The owner's calls
 * travel over the Unix socket as `call` messages and over the network endpoint as JSON-RPC; both
 * validate them here. Keys, signatures and challenges are base64url without padding.
 */
import { AUDIT_EVENT_TYPES, type AuditEventType, type AuditRow } from './audit.js';
import { fromBase64url, withContext } from './base64url.js';
import {
  parseAllowRule,
  parseRuleRationale,
  parseSecurityMode,
  RISK_LEVELS,
  RULE_ACTIONS,
  type AllowRule,
  type RiskLevel,
  type RuleAction,
  type RuleRationale,
  type SecurityMode,
} from './policy.js';
import { fail, ok, type Result } from './result.js';
import { UNPRINTABLE } from './visible.js';
import { parseOverviewQuery, type OverviewRange } from './console-api.js';

export const OWNER_METHODS = [
  'pairing.list',
  'pairing.approve',
  'pairing.reject',
  'devices.list',
  'devices.revoke',
  'devices.rotate',
  'guests.invite',
  'guests.list',
  'guests.revoke',
  'audit.search',
  'audit.verify',
  'audit.overview',
  'policy.get',
  'policy.set_mode',
  'rules.add',
  'rules.remove',
  'rules.import',
  'console.link',
] as const;

export type OwnerCall =
  | { readonly method: 'pairing.list' | 'devices.list' | 'guests.list' }
  | { readonly method: 'pairing.approve' | 'pairing.reject'; readonly code: string }
  | { readonly method: 'devices.revoke' | 'devices.rotate' | 'guests.revoke'; readonly id: string }
  | { readonly method: 'guests.invite'; readonly name: string; readonly tools: readonly string[]; readonly expires_in_ms?: number }
  | ({ readonly method: 'audit.search' } & TimelineQuery)
  | { readonly method: 'audit.verify' }
  | { readonly method: 'audit.overview'; readonly range: OverviewRange }
  /** A new one-time sign-in link to the web console the gateway serves. */
  | { readonly method: 'console.link' }
  | PolicyCall;

/** The owner's calls on modes and rules: the console's Policies screen, as `aleph mode` and `aleph rules` do. */
export type PolicyCall =
  | { readonly method: 'policy.get' }
  /** No agent: the default mode. */
  | { readonly method: 'policy.set_mode'; readonly mode: SecurityMode; readonly agent?: string }
  | ({ readonly method: 'rules.add' } & RuleDraft)
  | { readonly method: 'rules.remove'; readonly id: string }
  /** All or nothing: every rule is checked before any is stored. */
  | { readonly method: 'rules.import'; readonly rules: readonly RuleDraft[] };

/** A rule to add: for one agent, what it matches, what it does, and how long it lasts. */
export interface RuleDraft extends AllowRule, RuleRationale {
  readonly agent: string;
  readonly action: RuleAction;
  /** A deny rule's message to the agent. */
  readonly message?: string;
  /** ISO 8601; absent: until removed. */
  readonly expires_at?: string;
}

/** One of an agent's rules as the owner sees it. */
export interface RuleView extends AllowRule, RuleRationale {
  readonly id: string;
  readonly agent: string;
  readonly action: RuleAction;
  readonly message: string | null;
  /** A grant for one session of the agent only. */
  readonly session: string | null;
  /** Where it came from: `manual`, `approval`, `import`, ... */
  readonly source: string;
  /** ISO 8601; null when never (used, expiring). */
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly expires_at: string | null;
}

/** Modes and rules: the default mode, each known agent's, and every rule in force. */
export interface PolicyView {
  readonly default_mode: SecurityMode;
  /** `mode` null: the agent follows the default. */
  readonly agents: readonly { readonly agent: string; readonly mode: SecurityMode | null }[];
  readonly rules: readonly RuleView[];
}

/** What a rules export file holds, and what an import takes. */
export interface RulesFile {
  readonly version: 1;
  readonly rules: readonly RuleDraft[];
}

/** The most rules one import may bring. */
export const MAX_IMPORT_RULES = 1000;

/** A search of the audit timeline: full text, filters, newest first, a page at a time. */
export interface TimelineQuery {
  /** Free text; every word must occur (as a word prefix) in the command, paths or summary. */
  readonly text?: string;
  readonly events?: readonly AuditEventType[];
  readonly decisions?: readonly string[];
  readonly risks?: readonly RiskLevel[];
  readonly session?: string;
  /** Epoch milliseconds: from (inclusive), to (exclusive). */
  readonly since?: number;
  readonly until?: number;
  /** 1 to 1000, default 50. */
  readonly limit?: number;
  /** The previous page's `next_cursor`. */
  readonly cursor?: string | null;
}

/** One page of the timeline. */
export interface TimelinePage {
  readonly rows: readonly AuditRow[];
  readonly next_cursor: string | null;
  readonly count: number;
  readonly count_exact: boolean;
}

/** The newest row of the audit chain as a writer recorded it outside the log: its id and hash (hex). */
export interface ChainHead {
  readonly id: number;
  readonly hash: string;
}

/** Something verify found: a row that does not match (`id`), or about the log as a whole (`id` null). */
export interface ChainProblem {
  readonly id: number | null;
  readonly reason: string;
}

/** How many problems a check lists; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * The audit chain checked from the first row to the last, and against its head. Every problem is
 * counted, so that one break cannot hide another; the first MAX_LISTED_PROBLEMS are listed.
 */
export interface ChainCheck {
  readonly ok: boolean;
  /** Rows walked, good or bad. */
  readonly rows: number;
  /** The id of the last pruned row, whose hash the chain continues from; null when nothing was pruned. */
  readonly anchored_after: number | null;
  /** The head recorded outside the log, or null when none is. */
  readonly head: ChainHead | null;
  readonly problem_count: number;
  /** In the order found: the log as a whole first, then rows by id, then the head. */
  readonly problems: readonly ChainProblem[];
}

export const DEVICE_METHODS = ['pairing.request', 'pairing.status', 'pairing.complete', 'guests.accept', 'connect', 'chat.authorize'] as const;

export type DeviceCall =
  | { readonly method: 'pairing.request'; readonly name: string; readonly type: string; readonly public_key: Uint8Array }
  | { readonly method: 'pairing.status'; readonly code: string }
  | { readonly method: 'pairing.complete'; readonly code: string; readonly signature: Uint8Array }
  | { readonly method: 'guests.accept'; readonly invitation: string; readonly public_key: Uint8Array }
  | { readonly method: 'connect'; readonly token: string; readonly signature: Uint8Array }
  | { readonly method: 'chat.authorize'; readonly channel: string; readonly sender: string; readonly name?: string };

/** A pairing request as the owner sees it. */
/** `device`: a device with a key; `chat`: a chat sender on a channel. */
export const PAIRING_KINDS = ['device', 'chat'] as const;

export interface PairingView {
  readonly code: string;
  readonly kind: (typeof PAIRING_KINDS)[number];
  readonly name: string;
  /** The device type (`cli`, `phone`, ...) or the chat channel. */
  readonly type: string;
  /** A device key's fingerprint; null for a chat sender. */
  readonly fingerprint: string | null;
  readonly peer: string;
  /** ISO 8601. */
  readonly created_at: string;
  readonly expires_at: string;
  readonly expires_in_ms: number;
  /** Approved by the owner; a device has yet to prove its key. */
  readonly approved: boolean;
}

export interface DeviceView {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly fingerprint: string;
  readonly role: 'owner' | 'guest';
  /** ISO 8601; null when never (seen, revoked). */
  readonly created_at: string;
  readonly last_seen_at: string | null;
  readonly revoked_at: string | null;
}

export interface GuestView {
  readonly id: string;
  readonly name: string;
  readonly allowed_tools: readonly string[];
  readonly expires_at: string | null;
  readonly created_at: string;
  readonly revoked_at: string | null;
  /** The fingerprint of the key the guest accepted its invitation with; null until accepted. */
  readonly fingerprint: string | null;
}

/** Who a connected session is. */
export interface SessionView {
  readonly identity_id: string;
  readonly role: 'owner' | 'guest';
  readonly name: string;
  readonly allowed_tools: readonly string[];
  readonly expires_at: string | null;
}

/** DM policies of a chat channel (OpenClaw's): who may talk to the agent through it. */
export const DM_POLICIES = ['open', 'allowlist', 'pairing', 'disabled'] as const;
export type DmPolicy = (typeof DM_POLICIES)[number];

const MAX_NAME = 64;
const MAX_ID = 128;

function text(v: Readonly<Record<string, unknown>>, key: string, max: number): Result<string> {
  const value = v[key];
  if (typeof value !== 'string' || value.trim() === '') return fail('invalid_params', `"${key}" must be a non-empty string.`);
  if (value.length > max) return fail('invalid_params', `"${key}" is longer than ${max} characters.`);
  // In a name a person reads before approving, they could hide or fake what is shown (a fingerprint, another name).
  if (UNPRINTABLE.test(value)) return fail('invalid_params', `"${key}" must not hold control or invisible characters.`);
  return ok(value.trim());
}

/** Base64url (unpadded) of exactly `size` bytes. */
function bytes(v: Readonly<Record<string, unknown>>, key: string, size: number): Result<Uint8Array> {
  const value = v[key];
  const decoded = typeof value === 'string' ? fromBase64url(value) : null;
  if (decoded === null || decoded.length !== size) return fail('invalid_params', `"${key}" must be ${size} bytes, base64url without padding.`);
  return ok(decoded);
}

/** The longest guest access an invitation may grant: a year. */
export const MAX_GUEST_MS = 365 * 86_400_000;

/** Validates an owner call's parameters. */
export function parseOwnerCall(method: string, params: Readonly<Record<string, unknown>>): Result<OwnerCall> {
  switch (method) {
    case 'pairing.list':
    case 'devices.list':
    case 'guests.list':
      return ok({ method });
    case 'pairing.approve':
    case 'pairing.reject': {
      const code = text(params, 'code', 32);
      return code.ok ? ok({ method, code: code.value }) : code;
    }
    case 'devices.revoke':
    case 'devices.rotate':
    case 'guests.revoke': {
      const id = text(params, 'id', MAX_ID);
      return id.ok ? ok({ method, id: id.value }) : id;
    }
    case 'guests.invite': {
      const name = text(params, 'name', MAX_NAME);
      if (!name.ok) return name;
      const tools = params.tools;
      if (!Array.isArray(tools) || tools.length === 0 || tools.length > 64 || !tools.every((t) => typeof t === 'string' && /^[A-Za-z0-9_.*-]{1,64}$/.test(t))) {
        return fail('invalid_params', '"tools" must list from 1 to 64 tool names (letters, digits, _ . - or * for every tool).');
      }
      const expires = params.expires_in_ms;
      if (expires !== undefined && (!Number.isInteger(expires) || (expires as number) < 1000 || (expires as number) > MAX_GUEST_MS)) {
        return fail('invalid_params', `"expires_in_ms" must be a whole number of milliseconds from 1000 to ${MAX_GUEST_MS}.`);
      }
      return ok({ method, name: name.value, tools: [...new Set(tools as string[])], ...(expires === undefined ? {} : { expires_in_ms: expires as number }) });
    }
    case 'audit.verify':
    case 'console.link':
      return ok({ method });
    case 'audit.search':
      return parseTimelineQuery(params);
    case 'audit.overview':
      return parseOverviewQuery(params);
    case 'policy.get':
      return ok({ method });
    case 'policy.set_mode': {
      const mode = parseSecurityMode(params.mode);
      if (!mode.ok) return fail('invalid_params', mode.error.message);
      if (params.agent === undefined || params.agent === null) return ok({ method, mode: mode.value });
      const agent = agentId(params.agent);
      return agent.ok ? ok({ method, mode: mode.value, agent: agent.value }) : agent;
    }
    case 'rules.add': {
      const draft = parseRuleDraft(params);
      return draft.ok ? ok({ method, ...draft.value }) : draft;
    }
    case 'rules.remove': {
      const id = text(params, 'id', MAX_ID);
      return id.ok ? ok({ method, id: id.value }) : id;
    }
    case 'rules.import': {
      const rules = parseRulesFile(params);
      return rules.ok ? ok({ method, rules: rules.value.rules }) : rules;
    }
    default:
      return fail('unknown_method', `Unknown method ${JSON.stringify(method)}.`);
  }
}

function agentId(value: unknown): Result<string> {
  return typeof value === 'string' && /^[A-Za-z0-9_.:@-]{1,64}$/.test(value)
    ? ok(value)
    : fail('invalid_params', '"agent" must be an agent id: 1 to 64 letters, digits or _ . : @ -.');
}

/** Validates one rule to add: an agent, an action, a kind and pattern, and for a deny its message. */
export function parseRuleDraft(value: unknown): Result<RuleDraft> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_params', 'A rule must be an object.');
  const v = value as Readonly<Record<string, unknown>>;
  const agent = agentId(v.agent);
  if (!agent.ok) return agent;
  if (typeof v.action !== 'string' || !(RULE_ACTIONS as readonly string[]).includes(v.action)) {
    return fail('invalid_params', `"action" must be one of ${RULE_ACTIONS.join(', ')}.`);
  }
  const rule = parseAllowRule(v);
  if (!rule.ok) return fail('invalid_params', rule.error.message);
  if (rule.value.pattern.length > 1024) return fail('invalid_params', "A rule's pattern is at most 1024 characters.");
  if (rule.value.confinement !== undefined && v.action !== 'allow') return fail('invalid_params', 'Only an allow rule carries a confinement.');
  const rationale = parseRuleRationale(v);
  if (!rationale.ok) return fail('invalid_params', rationale.error.message);
  const draft: { -readonly [K in keyof RuleDraft]: RuleDraft[K] } = { agent: agent.value, action: v.action as RuleAction, ...rule.value, ...rationale.value };
  if (v.message !== undefined && v.message !== null && v.message !== '') {
    if (v.action !== 'deny') return fail('invalid_params', 'Only a deny rule carries a message.');
    if (typeof v.message !== 'string' || v.message.length > 512) return fail('invalid_params', '"message" must be a string of at most 512 characters.');
    draft.message = v.message;
  }
  if (v.expires_at !== undefined && v.expires_at !== null) {
    if (typeof v.expires_at !== 'string' || Number.isNaN(Date.parse(v.expires_at))) return fail('invalid_params', '"expires_at" must be an ISO 8601 time.');
    draft.expires_at = new Date(Date.parse(v.expires_at)).toISOString();
  }
  return ok(draft);
}

/** Validates a rules file (an export, or an import's parameters); the first bad rule is named. */
export function parseRulesFile(value: unknown): Result<RulesFile> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Readonly<Record<string, unknown>>;
  if (v.version !== undefined && v.version !== 1) return fail('invalid_params', `Unknown rules file version ${JSON.stringify(v.version)}; expected 1.`);
  if (!Array.isArray(v.rules) || v.rules.length > MAX_IMPORT_RULES) return fail('invalid_params', `"rules" must list at most ${MAX_IMPORT_RULES} rules.`);
  const rules: RuleDraft[] = [];
  for (const [i, entry] of v.rules.entries()) {
    const rule = parseRuleDraft(entry);
    if (!rule.ok) return fail('invalid_params', `rules[${i}]: ${rule.error.message}`);
    rules.push(rule.value);
  }
  return ok({ version: 1, rules });
}

function parseTimelineQuery(p: Readonly<Record<string, unknown>>): Result<OwnerCall> {
  const list = <T extends string>(key: string, allowed: readonly T[] | null): Result<T[] | undefined> => {
    const v = p[key];
    if (v === undefined) return ok(undefined);
    if (
      !Array.isArray(v) ||
      v.length > 32 ||
      !v.every((x) => typeof x === 'string' && x.length <= 64 && (allowed === null || (allowed as readonly string[]).includes(x)))
    ) {
      return fail('invalid_params', `"${key}" must list ${allowed === null ? 'strings' : `some of ${allowed.join(', ')}`}.`);
    }
    return ok(v as T[]);
  };
  const events = list('events', AUDIT_EVENT_TYPES);
  if (!events.ok) return events;
  const decisions = list('decisions', null);
  if (!decisions.ok) return decisions;
  const risks = list('risks', RISK_LEVELS);
  if (!risks.ok) return risks;
  const out: { -readonly [K in keyof TimelineQuery]: TimelineQuery[K] } = {};
  if (events.value !== undefined) out.events = events.value;
  if (decisions.value !== undefined) out.decisions = decisions.value;
  if (risks.value !== undefined) out.risks = risks.value;
  for (const key of ['text', 'session', 'cursor'] as const) {
    const v = p[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || v.length > 1024) return fail('invalid_params', `"${key}" must be a string of at most 1024 characters.`);
    out[key] = v;
  }
  for (const key of ['since', 'until'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 0) return fail('invalid_params', `"${key}" must be epoch milliseconds.`);
    out[key] = v as number;
  }
  if (p.limit !== undefined) {
    if (!Number.isInteger(p.limit) || (p.limit as number) < 1 || (p.limit as number) > 1000)
      return fail('invalid_params', '"limit" must be a whole number from 1 to 1000.');
    out.limit = p.limit as number;
  }
  return ok({ method: 'audit.search', ...out });
}

/** Validates a device's (or guest's, or chat bridge's) call. */
export function parseDeviceCall(method: string, params: Readonly<Record<string, unknown>>): Result<DeviceCall> {
  switch (method) {
    case 'pairing.request': {
      const name = text(params, 'name', MAX_NAME);
      if (!name.ok) return name;
      const type = text(params, 'type', 32);
      if (!type.ok) return type;
      const key = bytes(params, 'public_key', 32);
      return key.ok ? ok({ method, name: name.value, type: type.value, public_key: key.value }) : key;
    }
    case 'pairing.status': {
      const code = text(params, 'code', 32);
      return code.ok ? ok({ method, code: code.value }) : code;
    }
    case 'pairing.complete': {
      const code = text(params, 'code', 32);
      if (!code.ok) return code;
      const signature = bytes(params, 'signature', 64);
      return signature.ok ? ok({ method, code: code.value, signature: signature.value }) : signature;
    }
    case 'guests.accept': {
      const invitation = text(params, 'invitation', 128);
      if (!invitation.ok) return invitation;
      const key = bytes(params, 'public_key', 32);
      return key.ok ? ok({ method, invitation: invitation.value, public_key: key.value }) : key;
    }
    case 'connect': {
      const token = text(params, 'token', 4096);
      if (!token.ok) return token;
      const signature = bytes(params, 'signature', 64);
      return signature.ok ? ok({ method, token: token.value, signature: signature.value }) : signature;
    }
    case 'chat.authorize': {
      const channel = text(params, 'channel', 32);
      if (!channel.ok) return channel;
      const sender = text(params, 'sender', MAX_ID);
      if (!sender.ok) return sender;
      if (params.name === undefined) return ok({ method, channel: channel.value, sender: sender.value });
      const name = text(params, 'name', MAX_NAME);
      return name.ok ? ok({ method, channel: channel.value, sender: sender.value, name: name.value }) : name;
    }
    default:
      return fail('unknown_method', `Unknown method ${JSON.stringify(method)}.`);
  }
}

/**
 * What a device signs to connect: a context string and the nonce the gateway sent on this
 * connection, so that a signature made for one connection (or for pairing) is useless on another.
 */
export function connectMessage(nonce: Uint8Array): Uint8Array {
  return withContext('aleph-connect-v1\n', nonce);
}

/** What a device signs to finish pairing: a context string and the gateway's challenge. */
export function pairingMessage(challenge: Uint8Array): Uint8Array {
  return withContext('aleph-pair-v1\n', challenge);
}
