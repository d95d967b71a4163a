import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore } from '@aleph/audit';
import Database from 'better-sqlite3';
import { type ClientMessage } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { auditFile, auditHeadFile, loadConfig } from './config/config.js';
import { client, home, is, request, start, stop, useGatewayHome } from './test-gateway.js';

useGatewayHome();

describe('the gateway and its audit log', () => {
  it('runs what is safe, refuses what is blocked, and audits both before answering', async () => {
    await start();
    const c = await client();
    c.send({ type: 'approval_request', id: 'r1', request: request('git status') });
    expect(await c.next()).toMatchObject({
      type: 'approval_decision',
      id: 'r1',
      decision: 'allow-once',
      reason: 'safe',
      verdict: 'safe',
      resolved_by: 'policy',
    });
    c.send({ type: 'approval_request', id: 'r2', request: request('rm -rf /') });
    expect(await c.next()).toMatchObject({ type: 'approval_decision', id: 'r2', decision: 'deny', verdict: 'block', resolved_by: 'policy' });
    c.close();
    await stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect([...audit.rows()].map((r) => [r.payload.command, r.decision, r.payload.reason])).toEqual([
      ['git status', 'allow-once', 'safe'],
      ['rm -rf /', 'deny', expect.stringMatching(/^blocked: /)],
    ]);
    expect(audit.latest(1)[0]!.summary).toMatch(/^rm -rf \/ \(deny\): blocked: /);
    audit.close();
  });

  it('brings the search index up to date after a burst, a slice at a time, with nobody searching', async () => {
    await start();
    const c = await client();
    for (let i = 0; i < 100; i++) c.send({ type: 'approval_request', id: `b${i}`, request: request(`git log -n ${i}`) });
    for (let i = 0; i < 100; i++) await c.waitFor(is('approval_decision'));
    c.close();
    const reader = new Database(auditFile(home), { readonly: true });
    const state = reader.prepare('SELECT indexed_up_to AS n FROM index_state');
    await expect.poll(() => (state.get() as { n: number }).n).toBe(100);
    expect(reader.prepare('SELECT count(*) AS n FROM events_fts').get()).toEqual({ n: 100 });
    reader.close();
  });

  it('lives through an audit log it cannot write: refuses what it cannot record, says so, and carries on once it can', async () => {
    const problems: string[] = [];
    await start({ auditBusyTimeoutMs: 50, onProblem: (p) => problems.push(p) });
    const approver = await client();
    approver.send({ type: 'subscribe' });
    await approver.next();
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'waits', request: request('cp a b') });
    const pending = await approver.waitFor(is('approval_pending'));

    // Another process holds the log's write lock longer than the gateway waits.
    const holder = new Database(join(home, 'data', 'aleph.db'));
    holder.exec('BEGIN IMMEDIATE');
    agent.send({ type: 'approval_request', id: 'safe', request: request('git status') });
    expect(await agent.next()).toMatchObject({ type: 'error', id: 'safe', code: 'audit_unavailable', message: expect.stringContaining('nothing is allowed') });
    // What the log cannot hold is not kept: the "Allow Always" rule and the mode change are taken back.
    approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-always' });
    expect(await approver.waitFor(is('error'))).toMatchObject({ id: pending!.approval.id, code: 'audit_unavailable' });
    expect(await agent.next()).toMatchObject({ type: 'error', id: 'waits', code: 'audit_unavailable' });
    expect(await approver.call('policy.set_mode', { mode: 'unrestricted' })).toMatchObject({ ok: false, error: { code: 'audit_unavailable' } });
    expect(await approver.call('policy.get')).toMatchObject({ ok: true, value: { default_mode: 'safe', rules: [] } });
    expect(loadConfig(home, false)).toMatchObject({ ok: true, value: { defaults: { mode: 'safe' }, agents: {} } });
    expect(await approver.call('audit.search')).toMatchObject({
      ok: false,
      error: { code: 'audit_unavailable', message: expect.stringContaining('locked by another process') },
    });
    expect(problems).toEqual([expect.stringMatching(/^the audit log cannot be written \(.*locked.*\); requests are refused until it can\.$/)]);

    // Released: the same connections are answered again, and the log holds only what was answered.
    holder.exec('COMMIT');
    holder.close();
    agent.send({ type: 'approval_request', id: 'again', request: request('git status') });
    expect(await agent.next()).toMatchObject({ type: 'approval_decision', id: 'again', decision: 'allow-once' });
    expect(problems.at(-1)).toBe('the audit log is written again.');
    agent.close();
    approver.close();
    await stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect([...audit.rows()].map((r) => [r.event, r.payload.command])).toEqual([
      ['approval_request', 'cp a b'],
      ['terminal_cmd', 'git status'],
    ]);
    expect(audit.verify()).toMatchObject({ ok: true });
    audit.close();
  });

  it('checks a long chain a chunk at a time, answering others meanwhile, and finds an edited row', async () => {
    const store = AuditStore.open(join(home, 'data', 'aleph.db'));
    store.appendBatch(Array.from({ length: 12_000 }, (_, i) => ({ event: 'terminal_cmd', command: `echo ${i}`, decision: 'allow-once' })));
    store.close();
    await start();
    const owner = await client();
    // A call's wire form (method, params) is not the parsed ClientMessage that send() takes.
    owner.send({ type: 'call', id: 'v1', method: 'audit.verify', params: {} } as unknown as ClientMessage);
    owner.send({ type: 'ping', id: 'meanwhile' });
    expect(await owner.next()).toEqual({ type: 'pong', id: 'meanwhile' });
    expect(await owner.next()).toEqual({
      type: 'result',
      id: 'v1',
      result: { ok: true, rows: 12_000, anchored_after: null, head: null, problem_count: 0, problems: [] },
    });
    const editor = new Database(join(home, 'data', 'aleph.db'));
    editor.prepare("UPDATE events SET summary = 'nothing' WHERE id IN (9001, 11000)").run();
    editor.close();
    const mismatch = 'its hash does not match its contents and the previous row';
    expect(await owner.call('audit.verify')).toEqual({
      ok: true,
      value: {
        ok: false,
        rows: 12_000,
        anchored_after: null,
        head: null,
        problem_count: 2,
        problems: [
          { id: 9001, reason: mismatch },
          { id: 11000, reason: mismatch },
        ],
      },
    });
    owner.close();
  });

  it('audits a request that waits for a person before any approver hears of it, so a killed gateway still shows it', async () => {
    loadConfig(home, true);
    const fixture = fileURLToPath(new URL('../test-fixtures/gateway.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'cp-1', request: request('cp a b') });
    const pending = await approver.waitFor(is('approval_pending'));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect([...audit.rows()].map((r) => r.event)).toEqual(['approval_request']);
    expect(audit.latest(1)[0]).toMatchObject({
      event: 'approval_request',
      actor: 'agent-1',
      session: 'session-1',
      risk_level: pending!.approval.risk.level,
      summary: `agent-1 asks to run cp a b: ${pending!.approval.risk.level} risk, waiting for a person`,
      payload: { request_id: pending!.approval.id, command: 'cp a b', cwd: '/home/user/project', verdict: 'confirm', expires_at: pending!.approval.expires_at },
    });
    audit.close();
    agent.close();
    approver.close();
  });
});

describe('text the audit log could not store as received', () => {
  it("refuses a lone surrogate in a request's command, agent or session, and the chain stays intact", async () => {
    await start();
    for (const field of [{ command: 'ls \ud800' }, { agent_id: 'agent\udfff' }, { session_key: '🚀'.slice(0, 1) }]) {
      const agent = await client();
      agent.send({ type: 'approval_request', id: 'odd', request: { ...request('ls'), ...field } });
      expect(await agent.next(2000)).toMatchObject({ type: 'error', code: 'invalid_unicode' });
      agent.close();
    }
    // Characters UTF-8 can hold, astral ones included, pass as they are.
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'fine', request: request('echo 🚀') });
    expect(await agent.next(2000)).toMatchObject({ type: 'approval_decision', id: 'fine' });
    agent.close();
    await stop();
    const audit = AuditStore.open(auditFile(home));
    expect(audit.latest(5).map((r) => r.payload.command)).toEqual(['echo 🚀']);
    expect(audit.verify()).toMatchObject({ ok: true });
    audit.close();
  });
});

describe('an audit log deleted or replaced under the gateway', () => {
  it('allows nothing once its log is deleted, says why, and does not start again over the loss', async () => {
    const problems: string[] = [];
    await start({ onProblem: (p) => problems.push(p) });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'before', request: request('git status') });
    expect(await agent.next(2000)).toMatchObject({ type: 'approval_decision', id: 'before', decision: 'allow-once' });

    // `rm aleph.db*` while the gateway runs: its open file lives on, unlinked, where nobody can read it.
    for (const name of readdirSync(join(home, 'data')).filter((n) => n.startsWith('aleph.db'))) rmSync(join(home, 'data', name));
    agent.send({ type: 'approval_request', id: 'after', request: request('git status') });
    expect(await agent.next(2000)).toMatchObject({
      type: 'error',
      id: 'after',
      code: 'audit_unavailable',
      message: expect.stringContaining('was deleted while it was open'),
    });
    expect(problems).toEqual([expect.stringContaining(`the audit log ${auditFile(home)} was deleted while it was open`)]);
    const owner = await client();
    expect(await owner.call('audit.verify')).toMatchObject({
      ok: true,
      value: { ok: false, problems: [{ id: null, reason: expect.stringContaining('was deleted while it was open') }] },
    });
    agent.close();
    owner.close();

    await stop();
    await expect(start()).rejects.toMatchObject({
      code: 'behind_head',
      message: expect.stringContaining('the log was deleted or moved. Nothing was created.'),
    });
    expect(existsSync(auditFile(home))).toBe(false);
    expect(AuditStore.verifyFile(auditFile(home), { head: auditHeadFile(home) })).toMatchObject({ ok: false });
  });

  it('allows nothing once its log is replaced by another file', async () => {
    await start();
    const other = AuditStore.open(join(home, 'other.db'));
    other.append({ event: 'terminal_cmd', command: 'nothing happened', decision: 'allow-once' });
    other.close();
    renameSync(join(home, 'other.db'), auditFile(home));
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'r', request: request('git status') });
    expect(await agent.next(2000)).toMatchObject({
      type: 'error',
      id: 'r',
      code: 'audit_unavailable',
      message: expect.stringContaining('was replaced by another file while it was open'),
    });
    agent.close();
  });

  it('does not start on a log whose newest rows were removed while it was stopped', async () => {
    await start();
    const agent = await client();
    for (const id of ['a', 'b']) {
      agent.send({ type: 'approval_request', id, request: request('git status') });
      expect(await agent.next(2000)).toMatchObject({ type: 'approval_decision', id });
    }
    agent.close();
    await stop();
    const editor = new Database(auditFile(home));
    editor.prepare('DELETE FROM events WHERE id = (SELECT max(id) FROM events)').run();
    editor.close();
    await expect(start()).rejects.toMatchObject({
      code: 'behind_head',
      message: expect.stringMatching(/the log ends at row 1, but its head .* records row 2/),
    });
  });
});
