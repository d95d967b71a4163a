/** What a request is judged against, and why the policy decided without a person. */
import type { Evaluation } from '@aleph/policy';
import type { Decision, ExecRequest, GatewayMessage } from '@aleph/protocol';
import type { StoredRule } from '../config/config.js';
import { describeRule } from './agent-rules.js';
import type { Peer } from '../transport/peer.js';

/** The PATH a request's command names resolve through: the requester's, or else the gateway's. */
export function searchPath(request: ExecRequest): string {
  return request.path ?? process.env.PATH ?? '';
}

/** Why the policy decided by itself, in the words the agent and the audit log get. */
export function automaticReason(e: Evaluation, mode: string): string {
  if (e.denied_by !== null) {
    const message = (e.denied_by as StoredRule).message;
    return `denied by ${describeRule(e.denied_by)}${message ? `: ${message}` : ''}`;
  }
  if (e.action === 'reject') return `blocked: ${e.risk.reasons[0]?.message ?? 'the policy blocks this command'}`;
  if (e.allowed_by.length > 0) return 'allowlisted';
  return e.action === 'auto_approve' ? `auto_approved_${mode}` : 'safe';
}

/**
 * The agent a request speaks for. The owner (the socket, the owner's paired devices) names any
 * agent; anyone else (a guest) only agents of their own, prefixed with their identity: a guest
 * cannot borrow another agent's mode or rules, and every approver sees who asks.
 */
export function agentOf(peer: Peer, claimed: string): string {
  return peer.identity.role === 'owner' ? claimed : `${peer.identity.identity_id}:${claimed}`;
}

/**
 * A dry run's answer: what the gateway would decide about the command now, and, where a person
 * would be asked, what answers when nobody does. It asks nobody and records nothing.
 */
export function previewOf(
  id: string,
  e: Evaluation,
  mode: string,
  fallback: { readonly decision: Decision; readonly after_ms: number },
): Extract<GatewayMessage, { type: 'approval_preview' }> {
  const rule = (e.denied_by ?? e.asked_by ?? e.allowed_by[0] ?? null) as StoredRule | null;
  const asked = e.action === 'prompt';
  const reason = !asked
    ? automaticReason(e, mode)
    : e.asked_by !== null
      ? `asked by ${describeRule(e.asked_by)}`
      : `a person is asked (${e.verdict}${e.risk.reasons.length === 0 ? '' : `: ${e.risk.reasons.map((r) => r.message).join('; ')}`})`;
  return {
    type: 'approval_preview',
    id,
    dry_run: true,
    decision: asked ? 'ask' : e.action === 'reject' ? 'deny' : 'allow',
    reason,
    verdict: e.verdict,
    risk: e.risk,
    mode,
    ...(rule === null ? {} : { rule_id: rule.id }),
    ...(asked ? { fallback: { decision: fallback.decision, after_ms: fallback.after_ms } } : {}),
  };
}
