import { describe, expect, it } from 'vitest';
import { parseGatewayMessage } from './gateway-messages.js';

const risk = { level: 'medium', score: 40, reasons: [{ code: 'writes_files', message: 'Writes files.' }] };
const binding = { executables: { make: '/usr/bin/make', nothere: null }, scripts: { '/w/x.sh': 'ab'.repeat(32) } };
const decision = { type: 'approval_decision', id: 'r1', reason: 'approved by the owner', verdict: 'confirm', risk, resolved_by: 'owner' };
const approval = {
  id: 'a1b2c3d4',
  request: { command: 'make', cwd: '/w', agent_id: 'claude-code', session_key: 's' },
  verdict: 'confirm',
  risk,
  segments: [{ text: 'make', name: 'make', argv: ['make', null], verdict: 'confirm', reasons: ['writes_files'], via: [] }],
  suggested_rule: { kind: 'prefix', pattern: 'make *' },
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-01-01T00:02:00.000Z',
};
const tool = {
  name: 'wc',
  stage: 'verified',
  gate: 'confirm_run',
  reason: 'wc reads outside its contract.',
  contract_hash: 'ab'.repeat(32),
  changed_from: null,
  program: { path: '/usr/bin/wc', hash: 'cd'.repeat(32) },
  capabilities: {
    filesystem: [{ kind: 'read_only', path: '/w' }],
    network: { kind: 'deny' },
    process: { max_execution_time_s: 10, max_memory_mb: 256, no_fork: true },
    environment: 'none',
  },
  parameters: ['-l'],
  escalations: [{ kind: 'outside_scope', subject: '/etc/passwd', message: 'wc reads /etc/passwd, outside its contract.' }],
};

function refusal(value: Record<string, unknown>): string {
  const r = parseGatewayMessage(value);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(value)}`);
  expect(r.error.code).toBe('protocol');
  return r.error.message;
}

describe('what a client accepts from the gateway', () => {
  it.each([
    { ...decision, decision: 'allow-once', binding },
    { ...decision, decision: 'allow-always', binding },
    { ...decision, decision: 'deny' },
    { type: 'challenge', nonce: 'bm9uY2U=', version: 1 },
    { type: 'pending', approvals: [approval, { ...approval, suggested_rule: null }] },
    { type: 'approval_pending', approval },
    { type: 'approval_pending', approval: { ...approval, suggested_rule: null, tool } },
    { type: 'approval_resolved', id: 'a1b2c3d4', decision: 'deny', resolved_by: 'fallback' },
    { type: 'result', id: 'call-1', result: null },
    { type: 'error', code: 'too_many_pending', message: 'At most 64 requests may wait per connection.', id: 'r9' },
    { type: 'pong' },
    {
      type: 'config_invalid',
      file: '/h/exec-approvals.json',
      code: 'config_invalid',
      message: '/h/exec-approvals.json is not valid JSON (...); it was left untouched.',
    },
    { type: 'config_recovered', file: '/h/exec-approvals.json' },
  ])('accepts a well-formed $type', (value) => {
    expect(parseGatewayMessage(value)).toEqual({ ok: true, value });
  });

  it('never lets a decision it cannot read pass for an allow', () => {
    // Not exactly one of the three decisions.
    expect(refusal({ ...decision, decision: 'allow', binding })).toBe('The gateway sent a malformed "approval_decision" message.');
    expect(refusal({ ...decision, decision: 'ALLOW-ONCE', binding })).toContain('malformed');
    expect(refusal({ ...decision, binding })).toContain('malformed');
    // An allow must say what it is bound to, so that the runner can check for drift.
    expect(refusal({ ...decision, decision: 'allow-once' })).toContain('malformed');
    expect(refusal({ ...decision, decision: 'allow-once', binding: { executables: { make: 7 }, scripts: {} } })).toContain('malformed');
    expect(refusal({ ...decision, decision: 'allow-once', binding: { executables: {} } })).toContain('malformed');
    // A risk it cannot show.
    expect(refusal({ ...decision, decision: 'deny', risk: { level: 'severe', score: 1, reasons: [] } })).toContain('malformed');
    expect(refusal({ ...decision, decision: 'deny', reason: undefined })).toContain('malformed');
  });

  it('refuses pending approvals an approver could misread', () => {
    expect(refusal({ type: 'approval_pending', approval: { ...approval, request: { ...approval.request, command: 5 } } })).toContain('"approval_pending"');
    expect(refusal({ type: 'approval_pending', approval: { ...approval, segments: [{ text: 'make' }] } })).toContain('malformed');
    expect(refusal({ type: 'pending', approvals: [approval, null] })).toContain('"pending"');
    expect(refusal({ type: 'approval_pending', approval: { ...approval, tool: { name: 'wc' } } })).toContain('malformed');
    expect(refusal({ type: 'approval_pending', approval: { ...approval, tool: { ...tool, escalations: [{ kind: 'outside_scope' }] } } })).toContain(
      'malformed',
    );
    // Approving a contract means approving the program it runs: one that does not say is not read.
    expect(refusal({ type: 'approval_pending', approval: { ...approval, tool: { ...tool, program: undefined } } })).toContain('malformed');
  });

  it('takes a redeemed ticket only with its request, binding and confinement, and an allow only with a readable ticket', () => {
    const redeemed = { type: 'ticket_redeemed', id: 'x', request: approval.request, binding, confinement: { kind: 'sandbox', network: { kind: 'deny' } } };
    expect(parseGatewayMessage(redeemed)).toEqual({ ok: true, value: redeemed });
    expect(parseGatewayMessage({ ...redeemed, confinement: { kind: 'unconfined' } }).ok).toBe(true);
    expect(refusal({ ...redeemed, confinement: { kind: 'sandbox' } })).toContain('malformed "ticket_redeemed"');
    expect(refusal({ ...redeemed, binding: undefined })).toContain('malformed "ticket_redeemed"');
    expect(parseGatewayMessage({ ...decision, decision: 'allow-once', binding, run_ticket: 'AAAAAAAAAAAAAAAAAAAAAA' }).ok).toBe(true);
    expect(refusal({ ...decision, decision: 'allow-once', binding, run_ticket: 7 })).toContain('malformed "approval_decision"');
  });

  it('refuses unknown types and inherited names', () => {
    expect(refusal({ type: 'allow_everything' })).toBe('The gateway sent a message of unknown type "allow_everything".');
    expect(refusal({ type: 'toString' })).toContain('unknown type');
    expect(refusal({})).toContain('unknown type undefined');
    expect(refusal({ type: 'error', code: 'x' })).toContain('malformed "error"');
  });
});
