/**
 * A configuration file that stops parsing while the gateway runs: the gateway says so at once
 * (to whoever started it, in the audit log, to every approver), keeps running on the last
 * configuration that parsed, refuses every change rather than write over the person's edit, and
 * takes the file up again as soon as it parses. A rule whose examples fail makes the file as unusable.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import type { Capabilities, ExecRequest, GatewayMessage } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../client/socket-client.js';
import { auditFile, configFile, loadConfig, secretBytes } from './config.js';
import { Gateway } from '../gateway.js';

let root: string;
let home: string;
let gateway: Gateway | undefined;
const clients: GatewayClient[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'alcfg-'));
  home = join(root, 'h');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gateway?.stop();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** The socket secret, read once while the file is good: a broken file holds none. */
let secret: Buffer;

async function start(problems: string[]): Promise<Gateway> {
  gateway = await Gateway.start({ home, onProblem: (p) => problems.push(p) });
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  secret = secretBytes(config.value);
  return gateway;
}

async function client(): Promise<GatewayClient> {
  const c = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secret);
  clients.push(c);
  return c;
}

async function subscriber(): Promise<GatewayClient> {
  const c = await client();
  c.send({ type: 'subscribe' });
  await c.waitFor(is('pending'), 5_000);
  return c;
}

const is =
  <T extends GatewayMessage['type']>(type: T) =>
  (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> =>
    m.type === type;

const request = (command: string): ExecRequest => ({ command, cwd: root, agent_id: 'agent-1', session_key: 'session-1' });

const CAPS: Capabilities = {
  filesystem: [{ kind: 'read_only', path: '${WORKSPACE}' }],
  network: { kind: 'deny' },
  process: { max_execution_time_s: 10, max_memory_mb: 256, no_fork: false },
  environment: 'none',
};

/** Waits, with a generous deadline, until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function events(): { event: string; summary: string; payload: Record<string, unknown> }[] {
  const audit = AuditStore.open(auditFile(home));
  try {
    return [...audit.rows()].map((r) => ({ event: r.event, summary: r.summary, payload: r.payload as Record<string, unknown> }));
  } finally {
    audit.close();
  }
}

/** What a person might have half written: a mode set by hand, and a comma too many. */
const BROKEN = Buffer.from('{\n  "defaults": { "mode": "dev" },\n}\n');

describe('a configuration file that stops parsing while the gateway runs', () => {
  it('is reported at once, left byte for byte as it is, and every change is refused, naming the file and the problem', async () => {
    const problems: string[] = [];
    const g = await start(problems);
    const approver = await subscriber();
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'waits', request: request('cp a b') });
    const pending = await approver.waitFor(is('approval_pending'), 5_000);
    const file = configFile(home);

    writeFileSync(file, BROKEN);
    // Nobody asked anything: the gateway says so by itself.
    const told = await approver.waitFor(is('config_invalid'), 10_000);
    expect(told).toEqual({ type: 'config_invalid', file, code: 'config_invalid', message: expect.stringContaining(`${file} is not valid JSON`) });
    await until(() => problems.length > 0, 'a problem reported');
    expect(problems).toEqual([expect.stringMatching(/is not valid JSON .* every change is refused until the file parses again/i)]);
    expect(problems[0]).toContain(file);
    await until(() => events().some((e) => e.event === 'config_invalid'), 'the config_invalid event');
    expect(events().find((e) => e.event === 'config_invalid')).toMatchObject({
      payload: { file, reason_code: 'config_invalid', reason: expect.stringContaining('not valid JSON') },
      summary: expect.stringContaining('changes are refused'),
    });

    // Every way of changing the configuration is refused with the code, the file and the problem.
    const refused = {
      ok: false,
      error: {
        code: 'config_invalid',
        message: expect.stringMatching(new RegExp(`^Nothing was changed: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`)),
      },
    };
    expect(await approver.call('policy.set_mode', { mode: 'unrestricted' })).toMatchObject(refused);
    expect(await approver.call('policy.set_mode', { mode: 'unrestricted', agent: 'agent-1' })).toMatchObject(refused);
    expect(await approver.call('rules.add', { agent: 'agent-1', action: 'allow', kind: 'prefix', pattern: 'cp *' })).toMatchObject(refused);
    expect(await approver.call('rules.import', { version: 1, rules: [{ agent: 'agent-1', action: 'allow', kind: 'exact', pattern: 'make' }] })).toMatchObject(
      refused,
    );
    expect(await approver.call('rules.remove', { id: 'anything' })).toMatchObject(refused);
    expect(g.setMode('dev')).toMatch(/^Nothing was changed: .* is not valid JSON/);
    // Allow Always would save a rule: refused, and the request still waits for an answer.
    approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-always' });
    expect(await approver.waitFor(is('error'), 5_000)).toMatchObject({
      id: pending!.approval.id,
      code: 'config_invalid',
      message: expect.stringContaining(file),
    });
    expect(g.pendingApprovals().map((a) => a.id)).toEqual([pending!.approval.id]);
    // So would approving a tool's contract (its trust is kept in the file).
    agent.send({
      type: 'tool_run',
      id: 'tool',
      run: { tool: 'wc', capabilities: CAPS, argv: ['wc', '-l', 'x'], cwd: root, agent_id: 'agent-1', session_key: 's' },
    });
    const draft = await approver.waitFor(is('approval_pending'), 5_000);
    approver.send({ type: 'resolve', id: draft!.approval.id, decision: 'allow-once' });
    expect(await approver.waitFor(is('error'), 5_000)).toMatchObject({ id: draft!.approval.id, code: 'config_invalid' });
    // Answering once changes nothing in the file, and goes through.
    approver.send({ type: 'resolve', id: pending!.approval.id, decision: 'allow-once' });
    expect(await agent.waitFor(is('approval_decision'), 5_000)).toMatchObject({ id: 'waits', decision: 'allow-once' });

    // Decisions go on under the last configuration that parsed (safe mode, not the file's "dev").
    expect(g.mode).toBe('safe');
    // An approver who joins now hears of it too.
    const late = await client();
    late.send({ type: 'subscribe' });
    await late.waitFor(is('pending'), 5_000);
    expect(await late.waitFor(is('config_invalid'), 5_000)).toMatchObject({ file, code: 'config_invalid' });

    expect(readFileSync(file)).toEqual(BROKEN);
    expect(events().filter((e) => e.event === 'security_mode_change' || e.event === 'rule_change' || e.event === 'capability_approval')).toEqual([]);
  });

  it('is taken up again as soon as it parses: said once, audited, and changes are accepted again', async () => {
    const problems: string[] = [];
    const g = await start(problems);
    const approver = await subscriber();
    const file = configFile(home);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, BROKEN);
    await approver.waitFor(is('config_invalid'), 10_000);

    // Fixed by hand, with a change of its own: the gateway runs on it.
    const fixed = JSON.parse(good) as { defaults: { mode: string } };
    fixed.defaults.mode = 'dev';
    writeFileSync(file, JSON.stringify(fixed));
    expect(await approver.waitFor(is('config_recovered'), 10_000)).toEqual({ type: 'config_recovered', file });
    expect(g.mode).toBe('dev');
    expect(problems).toEqual([expect.stringContaining('not valid JSON'), `${file} parses again; the gateway runs on it and accepts changes.`]);
    expect(await approver.call('policy.set_mode', { mode: 'safe' })).toMatchObject({ ok: true, value: { from: 'dev', to: 'safe' } });
    expect(loadConfig(home, false)).toMatchObject({ ok: true, value: { defaults: { mode: 'safe' } } });

    // A new subscriber hears of no problem.
    const late = await subscriber();
    late.send({ type: 'ping', id: 'after' });
    expect(await late.next()).toEqual({ type: 'pong', id: 'after' });

    expect(events().map((e) => e.event)).toEqual(['config_invalid', 'config_recovered', 'security_mode_change']);
    expect(events()[1]!.summary).toBe(`the configuration ${file} parses again; changes are accepted`);
  });

  it('is said once while it stays broken, however often it is read', async () => {
    const problems: string[] = [];
    const g = await start(problems);
    const approver = await subscriber();
    writeFileSync(configFile(home), BROKEN);
    await approver.waitFor(is('config_invalid'), 10_000);
    for (let i = 0; i < 3; i++) expect(await approver.call('policy.set_mode', { mode: 'dev' })).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    expect(g.mode).toBe('safe');
    expect(problems).toHaveLength(1);
    expect(events().filter((e) => e.event === 'config_invalid')).toHaveLength(1);
  });

  it('refuses changes while the file cannot be read, and leaves it alone', async () => {
    const problems: string[] = [];
    await start(problems);
    const approver = await subscriber();
    const file = configFile(home);
    // Something in its place that cannot be read as a file, whoever reads it.
    rmSync(file);
    mkdirSync(file);
    expect(await approver.waitFor(is('config_invalid'), 10_000)).toMatchObject({ file, code: 'config_unreadable' });
    expect(await approver.call('policy.set_mode', { mode: 'dev' })).toMatchObject({
      ok: false,
      error: { code: 'config_unreadable', message: expect.stringContaining(`Cannot read ${file}`) },
    });
    expect(statSync(file).isDirectory()).toBe(true);
  });
});

describe("an agent's rule whose example fails", () => {
  /** The file with one allow rule for agent-1, carrying `examples`, and the mode set to dev. */
  function withRule(good: string, examples: { match: string[]; not_match?: string[] }): string {
    const config = JSON.parse(good) as Record<string, unknown>;
    return JSON.stringify({
      ...config,
      defaults: { mode: 'dev' },
      agents: {
        'agent-1': { rules: [{ id: 'r-npm-test', kind: 'prefix', pattern: 'npm run test:*', action: 'allow', justification: 'The unit tests', examples }] },
      },
    });
  }

  it('makes a hand edit unusable, naming the rule and the example; the gateway keeps the last good file, and takes the fixed one up', async () => {
    const problems: string[] = [];
    const g = await start(problems);
    const approver = await subscriber();
    const file = configFile(home);
    const good = readFileSync(file, 'utf8');

    const broken = withRule(good, { match: ['npm run test:unit'], not_match: ['npm run test:e2e'] });
    writeFileSync(file, broken);
    const told = await approver.waitFor(is('config_invalid'), 10_000);
    expect(told).toEqual({
      type: 'config_invalid',
      file,
      code: 'config_invalid',
      message: `${file}: "agents.agent-1" rule r-npm-test: Rule allow prefix rule "npm run test:*" matches "npm run test:e2e", which it must not match; it was left untouched.`,
    });
    expect(g.mode).toBe('safe');
    expect(await approver.call('policy.set_mode', { mode: 'dev' })).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    expect(readFileSync(file, 'utf8')).toBe(broken);

    writeFileSync(file, withRule(good, { match: ['npm run test:unit'], not_match: ['npm run build'] }));
    await approver.waitFor(is('config_recovered'), 10_000);
    expect(g.mode).toBe('dev');
  });

  it('is refused when added, and nothing is saved', async () => {
    await start([]);
    const approver = await subscriber();
    const before = readFileSync(configFile(home), 'utf8');
    const added = await approver.call('rules.add', {
      agent: 'agent-1',
      action: 'deny',
      kind: 'prefix',
      pattern: 'git push *',
      examples: { match: ['git push origin main', 'git pull'] },
    });
    expect(added).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', message: expect.stringContaining('Rule deny prefix rule "git push *" does not match its example "git pull".') },
    });
    expect(readFileSync(configFile(home), 'utf8')).toBe(before);
  });

  it('keeps the gateway from starting, naming the file and the rule', async () => {
    const problems: string[] = [];
    await start(problems);
    await gateway!.stop();
    gateway = undefined;
    const file = configFile(home);
    writeFileSync(file, withRule(readFileSync(file, 'utf8'), { match: ['npm test'] }));
    await expect(Gateway.start({ home })).rejects.toThrow(
      `${file}: "agents.agent-1" rule r-npm-test: Rule allow prefix rule "npm run test:*" does not match its example "npm test"; it was left untouched.`,
    );
  });
});

describe("an edit made within the file time's resolution", () => {
  it('is taken up, every one of 30 rewrites that leave the modification time as it was', async () => {
    const g = await start([]);
    const file = configFile(home);
    const stamp = statSync(file).mtime;
    const base = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const modes = ['safe', 'dev', 'unrestricted'] as const;
    for (let i = 1; i <= 30; i++) {
      const mode = modes[i % modes.length]!;
      // Each rewrite changes the mode, the size now and then, never the modification time.
      writeFileSync(file, `${JSON.stringify({ ...base, defaults: { mode }, ask: { fallback: 'deny', timeout_ms: 1000 + (i % 2) } }, null, 2)}\n`);
      utimesSync(file, stamp, stamp);
      await expect.poll(() => g.mode, { timeout: 10_000 }).toBe(mode);
    }
  });
});

describe('a configuration path that is not a regular file', () => {
  it('is refused as unreadable, without waiting on it, while the gateway runs', async () => {
    const problems: string[] = [];
    const g = await start(problems);
    const file = configFile(home);
    rmSync(file);
    execFileSync('mkfifo', [file]);
    // Were the FIFO opened for reading, this writer would feed it; it must find no reader.
    const writer = spawn('sh', ['-c', `printf '{}' > "${file}"`], { stdio: 'ignore' });
    try {
      const o = await client();
      const answer = await o.call('policy.set_mode', { mode: 'dev' });
      expect(answer).toMatchObject({ ok: false, error: { code: 'config_unreadable', message: expect.stringContaining('not a regular file') } });
      expect(problems.some((p) => p.includes(file) && p.includes('not a regular file'))).toBe(true);
      expect(g.mode).toBe('safe');
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
