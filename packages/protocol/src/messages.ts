/**
 * The exec-approvals protocol's messages: what clients (agents, approvers) send and what the
 * gateway answers. Every incoming message is validated here before anything acts on it.
 */
import { ALLOW_RULE_KINDS, type AllowRule, type Risk, type SegmentReport, type Verdict } from './policy.js';
import { fail, ok, type Result } from './result.js';

export const DECISIONS = ['allow-once', 'allow-always', 'deny'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What an agent asks to run. */
export interface ExecRequest {
  readonly command: string;
  readonly cwd: string;
  readonly agent_id: string;
  readonly session_key: string;
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
}

export type ClientMessage =
  | { readonly type: 'challenge_response'; readonly hmac: string; readonly nonce: string }
  | { readonly type: 'approval_request'; readonly id: string; readonly request: ExecRequest; readonly timeout_ms?: number }
  | { readonly type: 'subscribe' }
  | { readonly type: 'get_pending' }
  | { readonly type: 'resolve'; readonly id: string; readonly decision: Decision; readonly rule?: AllowRule; readonly reason?: string }
  | { readonly type: 'ping'; readonly id?: string };

export type GatewayMessage =
  | { readonly type: 'challenge'; readonly nonce: string; readonly version: number }
  | { readonly type: 'auth_ok'; readonly hmac: string }
  | { readonly type: 'approval_decision'; readonly id: string; readonly decision: Decision; readonly reason: string; readonly verdict: Verdict; readonly risk: Risk; readonly resolved_by: string }
  | { readonly type: 'pending'; readonly approvals: readonly PendingApproval[] }
  | { readonly type: 'approval_pending'; readonly approval: PendingApproval }
  | { readonly type: 'approval_resolved'; readonly id: string; readonly decision: Decision; readonly resolved_by: string }
  | { readonly type: 'resolved'; readonly id: string }
  | { readonly type: 'pong'; readonly id?: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly id?: string };

/** Limits on what one message may carry (the line limit bounds the whole). */
export const MAX_ID_LENGTH = 128;
export const MAX_COMMAND_LENGTH = 256 * 1024;
export const MAX_TIMEOUT_MS = 86_400_000;

function str(v: Record<string, unknown>, key: string, max: number, required = true): Result<string | undefined> {
  const value = v[key];
  if (value === undefined && !required) return ok(undefined);
  if (typeof value !== 'string' || value.length === 0) return fail('invalid_message', `"${key}" must be a non-empty string.`);
  if (value.length > max) return fail('invalid_message', `"${key}" is longer than ${max} characters.`);
  return ok(value);
}

function parseRule(value: unknown): Result<AllowRule | undefined> {
  if (value === undefined) return ok(undefined);
  const v = value as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || !(ALLOW_RULE_KINDS as readonly unknown[]).includes(v.kind) || typeof v.pattern !== 'string' || v.pattern.trim() === '') {
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
      const request: ExecRequest = { command: command.value!, cwd: cwd.value!, agent_id: agent.value!, session_key: session.value! };
      return ok(timeout === undefined ? { type: 'approval_request', id: id.value!, request } : { type: 'approval_request', id: id.value!, request, timeout_ms: timeout as number });
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
      return ok({
        type: 'resolve', id: id.value!, decision: value.decision as Decision,
        ...(rule.value === undefined ? {} : { rule: rule.value }), ...(reason.value === undefined ? {} : { reason: reason.value }),
      });
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
