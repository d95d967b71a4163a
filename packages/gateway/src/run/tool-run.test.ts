/**
 * Tool runs through the gateway, end to end: real sockets, the real sandbox (bubblewrap), the
 * trust stages kept in the configuration, and the capability ledger in the audit log.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { MAX_TOOL_OUTPUT_BYTES, type Capabilities, type GatewayMessage, type PendingApproval, type ToolRunRequest } from '@aleph/protocol';
import { TRIAL_RUNS } from '@aleph/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../client/socket-client.js';
import { auditFile, loadConfig, secretBytes } from '../config/config.js';
import { Gateway } from '../gateway.js';
import { planToolRun, programOf, runTool } from './tool-run.js';

let root: string;
let home: string;
let workspace: string;
let gateway: Gateway | undefined;
const clients: GatewayClient[] = [];

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'altool-'));
  home = join(root, 'h');
  workspace = join(root, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'input.txt'), 'hello tool\n');
  gateway = await Gateway.start({ home });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gateway?.stop();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function client(): Promise<GatewayClient> {
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  const c = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(config.value));
  clients.push(c);
  return c;
}

/** An approver that hears of each pending approval. */
async function approver(): Promise<{ c: GatewayClient; next: () => Promise<PendingApproval> }> {
  const c = await client();
  c.send({ type: 'subscribe' });
  await c.waitFor(is('pending'));
  return {
    c,
    next: async () => {
      const m = await c.waitFor(is('approval_pending'), 10_000);
      if (m === null) throw new Error('no approval came');
      return m.approval;
    },
  };
}

const is =
  <T extends GatewayMessage['type']>(type: T) =>
  (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> =>
    m.type === type;

const CAPS: Capabilities = {
  filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }, { kind: 'temp_workspace' }],
  network: { kind: 'deny' },
  process: { max_execution_time_s: 30, max_memory_mb: 512, no_fork: false },
  environment: 'restricted',
};

function toolRun(argv: string[], over: Partial<ToolRunRequest> = {}): ToolRunRequest {
  return { tool: 'wc', capabilities: CAPS, argv, cwd: workspace, agent_id: 'agent-1', session_key: 's1', ...over };
}

let ids = 0;
async function ask(c: GatewayClient, run: ToolRunRequest): Promise<string> {
  const id = `t${++ids}`;
  c.send({ type: 'tool_run', id, run });
  return id;
}

async function result(c: GatewayClient, id: string): Promise<Extract<GatewayMessage, { type: 'tool_result' }>> {
  const m = await c.waitFor((x: GatewayMessage): x is Extract<GatewayMessage, { type: 'tool_result' }> => x.type === 'tool_result' && x.id === id, 30_000);
  if (m === null) throw new Error('no tool_result');
  return m;
}

async function resolve(a: GatewayClient, id: string, decision: 'allow-once' | 'allow-always' | 'deny'): Promise<void> {
  a.send({ type: 'resolve', id, decision });
  await a.waitFor((m: GatewayMessage): m is GatewayMessage => (m.type === 'resolved' && m.id === id) || m.type === 'error');
}

const text = (b64: string) => Buffer.from(b64, 'base64').toString();

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

function ledger(): { event: string; payload: Record<string, unknown> }[] {
  const audit = AuditStore.open(auditFile(home));
  try {
    return [...audit.rows()].map((r) => ({ event: r.event, payload: r.payload as Record<string, unknown> }));
  } finally {
    audit.close();
  }
}

const trust = () => {
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  return config.value.tools;
};

describe('tool runs through the gateway', () => {
  it('ask the owner to approve a new contract, then confirm Trial runs, then run Verified without asking', async () => {
    const a = await approver();
    const agent = await client();

    const first = await ask(agent, toolRun(['wc', '-l', 'input.txt']));
    const pending = await a.next();
    expect(pending.tool).toMatchObject({ name: 'wc', stage: 'draft', gate: 'approve_contract', capabilities: CAPS, changed_from: null, escalations: [] });
    expect(pending.request).toMatchObject({ command: 'wc -l input.txt', cwd: workspace, agent_id: 'agent-1' });
    expect(pending.suggested_rule).toBeNull();
    await resolve(a.c, pending.id, 'allow-once');
    const r1 = await result(agent, first);
    expect(r1).toMatchObject({ decision: 'allow-once', stage: 'trial', run: { exit_code: 0, truncated: false, sandbox: { status: 'success' } } });
    expect(text(r1.run!.stdout)).toBe('1 input.txt\n');
    expect(trust().wc).toMatchObject({ stage: 'trial', confirmed_runs: 1 });

    for (let i = 2; i <= TRIAL_RUNS; i++) {
      const id = await ask(agent, toolRun(['wc', '-l', 'input.txt']));
      const p = await a.next();
      expect(p.tool).toMatchObject({ stage: 'trial', gate: 'confirm_run', reason: expect.stringContaining(`run ${i} of ${TRIAL_RUNS}`) });
      await resolve(a.c, p.id, 'allow-once');
      expect(await result(agent, id)).toMatchObject({ decision: 'allow-once', stage: i === TRIAL_RUNS ? 'verified' : 'trial' });
    }

    const silent = await ask(agent, toolRun(['wc', '-c', 'input.txt']));
    const r = await result(agent, silent);
    expect(r).toMatchObject({ decision: 'allow-once', resolved_by: 'trust', stage: 'verified', run: { exit_code: 0 } });
    expect(text(r.run!.stdout)).toBe('11 input.txt\n');
    expect(a.c.drain().filter((m) => m.type === 'approval_pending')).toEqual([]);

    const events = ledger();
    const approvals = events.filter((e) => e.event === 'capability_approval').map((e) => [e.payload.stage_before, e.payload.stage, e.payload.resolved_by]);
    expect(approvals).toEqual([
      ['draft', 'trial', 'owner'],
      ['trial', 'trial', 'owner'],
      ['trial', 'verified', 'owner'],
    ]);
    expect(events.filter((e) => e.event === 'sandbox_exec').map((e) => [e.payload.tool_id, e.payload.status, e.payload.exit_code])).toEqual(
      Array(TRIAL_RUNS + 1).fill(['wc', 'success', 0]),
    );
  });

  it('verify a tool at once on "Allow Always", and start over at Draft when its capabilities change', async () => {
    const a = await approver();
    const agent = await client();
    const id = await ask(agent, toolRun(['cat', 'input.txt'], { tool: 'cat' }));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    expect(await result(agent, id)).toMatchObject({ decision: 'allow-always', stage: 'verified', reason: expect.stringContaining('cat is verified') });
    const approved = trust().cat!.contract_hash;

    const wider: Capabilities = { ...CAPS, network: { kind: 'allow_all' } };
    const again = await ask(agent, toolRun(['cat', 'input.txt'], { tool: 'cat', capabilities: wider }));
    const p = await a.next();
    expect(p.tool).toMatchObject({
      stage: 'draft',
      gate: 'approve_contract',
      changed_from: approved,
      reason: 'cat changed its capabilities since they were approved.',
    });
    await resolve(a.c, p.id, 'deny');
    const denied = await result(agent, again);
    expect(denied).toMatchObject({ decision: 'deny', stage: 'draft' });
    expect(denied.run).toBeUndefined();
    expect(trust().cat).toMatchObject({ stage: 'verified', contract_hash: approved });

    // Declaring one more parameter is a new contract too.
    await ask(agent, toolRun(['cat', 'input.txt'], { tool: 'cat', parameters: ['-n'] }));
    expect((await a.next()).tool).toMatchObject({ stage: 'draft', changed_from: approved });
  });

  it('bind a contract to its program: another program, or the same file changed, is a new contract the owner approves again', async () => {
    const a = await approver();
    const agent = await client();
    const first = await ask(agent, toolRun(['cat', 'input.txt'], { tool: 'cat' }));
    const asked = await a.next();
    const cat = programOf('cat', workspace, process.env.PATH!);
    expect(asked.tool!.program).toEqual(value(cat));
    await resolve(a.c, asked.id, 'allow-always');
    expect(await result(agent, first)).toMatchObject({ stage: 'verified' });
    expect(trust().cat).toMatchObject({ stage: 'verified', program: value(cat) });

    // Approved for `cat input.txt`, the tool now asks to run a shell: it is not Verified for that.
    const bash = value(programOf('bash', workspace, process.env.PATH!));
    const swapped = await ask(agent, toolRun(['bash', '-c', 'cat input.txt; echo ran > ran.txt'], { tool: 'cat' }));
    const p = await a.next();
    expect(p.tool).toMatchObject({
      stage: 'draft',
      gate: 'approve_contract',
      changed_from: trust().cat!.contract_hash,
      program: bash,
      reason: `cat changed its program since it was approved: it was approved to run ${value(cat).path} and runs ${bash.path} now.`,
    });
    await resolve(a.c, p.id, 'deny');
    expect(await result(agent, swapped)).toMatchObject({ decision: 'deny', stage: 'draft' });
    expect(existsSync(join(workspace, 'ran.txt'))).toBe(false);
    expect(trust().cat).toMatchObject({ stage: 'verified', program: value(cat) });

    // The tool's own script, approved, then edited: its content is part of the contract.
    const script = join(workspace, 'count.sh');
    writeFileSync(script, '#!/bin/sh\nwc -l input.txt\n', { mode: 0o755 });
    const counted = await ask(agent, toolRun(['./count.sh'], { tool: 'count' }));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    expect(text((await result(agent, counted)).run!.stdout)).toBe('1 input.txt\n');
    writeFileSync(script, '#!/bin/sh\necho edited > ran.txt\n');
    const edited = await ask(agent, toolRun(['./count.sh'], { tool: 'count' }));
    const q = await a.next();
    expect(q.tool).toMatchObject({
      stage: 'draft',
      reason: `count changed its program since it was approved: ${script} is not the file it was approved to run: its content changed.`,
    });
    await resolve(a.c, q.id, 'deny');
    expect(await result(agent, edited)).toMatchObject({ decision: 'deny' });
    expect(existsSync(join(workspace, 'ran.txt'))).toBe(false);
  });

  it('run only the program that was judged: one changed while a person decides, or after, is not run', async () => {
    const a = await approver();
    const agent = await client();
    const script = join(workspace, 'tool.sh');
    writeFileSync(script, '#!/bin/sh\necho judged\n', { mode: 0o755 });
    const waiting = await ask(agent, toolRun(['./tool.sh'], { tool: 'mine' }));
    const p = await a.next();
    writeFileSync(script, '#!/bin/sh\necho swapped > ran.txt\n');
    a.c.send({ type: 'resolve', id: p.id, decision: 'allow-once' });
    expect(await a.c.waitFor(is('error'))).toMatchObject({
      id: p.id,
      code: 'context_changed',
      message: expect.stringContaining(`${script} changed since it was approved`),
    });
    expect(await result(agent, waiting)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('context_changed') });

    // Changed in the moment between the decision and the start: the sandbox is never asked to run it.
    writeFileSync(script, '#!/bin/sh\necho judged\n');
    const plan = value(planToolRun(toolRun(['./tool.sh'], { tool: 'mine' }), null, homedir(), home));
    expect(plan.program).toEqual({ path: script, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    writeFileSync(script, '#!/bin/sh\necho swapped > ran.txt\n');
    const { log } = await runTool(plan, { env: process.env, hide: [home], signal: new AbortController().signal });
    expect(log).toMatchObject({ status: 'error', error: { code: 'program_changed', message: `Not run: ${script} changed since it was approved.` } });
    expect(existsSync(join(workspace, 'ran.txt'))).toBe(false);
  });

  it('refuse a run whose program cannot be found or read: there is nothing to bind a contract to', async () => {
    const agent = await client();
    const missing = await ask(agent, toolRun(['no-such-program-here', 'input.txt']));
    expect(await agent.waitFor(is('error'))).toMatchObject({ id: missing, code: 'program_not_found' });
    const locked = join(workspace, 'locked.sh');
    writeFileSync(locked, '#!/bin/sh\n', { mode: 0o311 });
    const unreadable = await ask(agent, toolRun(['./locked.sh']));
    // Root reads any file: then the run waits for the owner as any other would.
    if (process.getuid?.() !== 0) expect(await agent.waitFor(is('error'))).toMatchObject({ id: unreadable, code: 'program_unreadable' });
  });

  it('ask again when a verified tool reaches outside its contract, for credentials, or with an undeclared option', async () => {
    const a = await approver();
    const agent = await client();
    // No private /tmp: a path under the host's /tmp is then outside the contract.
    const declared = { tool: 'grep', parameters: ['-n'], capabilities: { ...CAPS, filesystem: [{ kind: 'read_write' as const, path: '${WORKSPACE}' }] } };
    const first = await ask(agent, toolRun(['grep', '-n', 'hello', 'input.txt'], declared));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    await result(agent, first);

    const outside = join(root, 'elsewhere.txt');
    writeFileSync(outside, 'hello\n');
    const reach = await ask(agent, toolRun(['grep', '-n', 'hello', outside], declared));
    const p = await a.next();
    expect(p.tool).toMatchObject({ stage: 'verified', gate: 'confirm_run', escalations: [{ kind: 'outside_scope', subject: outside }] });
    await resolve(a.c, p.id, 'deny');
    expect(await result(agent, reach)).toMatchObject({ decision: 'deny', stage: 'verified' });

    await ask(agent, toolRun(['grep', '-r', 'key', join(homedir(), '.ssh')], declared));
    const creds = await a.next();
    expect(creds.tool!.escalations.map((e) => e.kind).sort()).toEqual(['sensitive_location', 'undeclared_parameter']);
    await resolve(a.c, creds.id, 'deny');

    // Allowed once, an escalation lets that run through and leaves the contract as it was.
    const once = await ask(agent, toolRun(['grep', '-n', 'hello', outside], declared));
    await resolve(a.c, (await a.next()).id, 'allow-once');
    const r = await result(agent, once);
    expect(r).toMatchObject({ decision: 'allow-once', stage: 'verified' });
    // The sandbox still holds the contract: the file outside it is not there to read.
    expect(r.run!.exit_code).toBe(2);
    expect(text(r.run!.stderr)).toMatch(/No such file/);

    const escalations = ledger()
      .filter((e) => e.event === 'capability_escalation')
      .map((e) => [e.payload.kind, e.payload.decision]);
    expect(escalations).toEqual([
      ['outside_scope', 'deny'],
      ['sensitive_location', 'deny'],
      ['undeclared_parameter', 'deny'],
      ['outside_scope', 'allow-once'],
    ]);
  });

  it('judge where each granted path leads, by its real path, and bind exactly that or nothing', async () => {
    const a = await approver();
    const agent = await client();
    const outside = join(root, 'outside');
    mkdirSync(join(workspace, 'out'));
    mkdirSync(outside);
    const declared = {
      tool: 'copy',
      capabilities: {
        ...CAPS,
        filesystem: [
          { kind: 'read_only' as const, path: '${WORKSPACE}' },
          { kind: 'read_write' as const, path: '${WORKSPACE}/out' },
        ],
      },
    };
    const copy = () => toolRun(['sh', '-c', 'cp input.txt out/copied'], declared);
    const first = await ask(agent, copy());
    await resolve(a.c, (await a.next()).id, 'allow-always');
    expect(await result(agent, first)).toMatchObject({ stage: 'verified', run: { exit_code: 0 } });

    // The agent turns the approved ${WORKSPACE}/out into a symlink elsewhere: the verified tool asks again.
    rmSync(join(workspace, 'out'), { recursive: true });
    symlinkSync(outside, join(workspace, 'out'));
    const redirected = await ask(agent, copy());
    const p = await a.next();
    expect(p.tool).toMatchObject({
      stage: 'verified',
      gate: 'confirm_run',
      escalations: [{ kind: 'outside_scope', subject: outside, message: expect.stringContaining(`\${WORKSPACE}/out is ${outside} here`) }],
    });
    await resolve(a.c, p.id, 'deny');
    expect(await result(agent, redirected)).toMatchObject({ decision: 'deny' });
    expect(existsSync(join(outside, 'copied'))).toBe(false);

    // Approved as it was when asked, then swapped while the request waited: refused at run time.
    rmSync(join(workspace, 'out'));
    mkdirSync(join(workspace, 'out'));
    const swapped = await ask(agent, toolRun(['sh', '-c', 'cp input.txt out/copied'], { ...declared, tool: 'copy2' }));
    const waiting = await a.next();
    expect(waiting.tool!.escalations).toEqual([]);
    renameSync(join(workspace, 'out'), join(root, 'out-was'));
    symlinkSync(outside, join(workspace, 'out'));
    await resolve(a.c, waiting.id, 'allow-once');
    const r = await result(agent, swapped);
    expect(r.run).toMatchObject({
      exit_code: null,
      sandbox: { status: 'error' },
      error: expect.stringContaining(`The profile grants ${join(workspace, 'out')}, which now leads to ${outside}`),
    });
    expect(existsSync(join(outside, 'copied'))).toBe(false);
  });

  it("ask before a run reaches into the gateway's own directory, whatever $ALEPH_HOME says, and give it only what was allowed", async () => {
    const a = await approver();
    const agent = await client();
    const inside = join(home, 'tool-dir');
    mkdirSync(inside);
    const first = await ask(agent, toolRun(['ls']));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    await result(agent, first);
    // The gateway knows its own directory; what the environment names elsewhere changes nothing.
    expect(process.env.ALEPH_HOME).not.toBe(home);
    const id = await ask(agent, toolRun(['ls', '..'], { cwd: inside }));
    const p = await a.next();
    expect(p.tool).toMatchObject({
      stage: 'verified',
      escalations: [
        { kind: 'sensitive_location', subject: inside, message: expect.stringContaining("$ALEPH_HOME, the gateway's own directory, holds its secrets") },
      ],
    });
    await resolve(a.c, p.id, 'allow-once');
    // Allowed by a person, the run gets that directory and nothing else of the gateway's.
    expect(text((await result(agent, id)).run!.stdout)).toBe('tool-dir\n');
  });

  it('enforce the contract while a verified tool runs: writes outside it fail, and output is bounded', async () => {
    const a = await approver();
    const agent = await client();
    const sh = (script: string) => toolRun(['sh', '-c', script], { tool: 'sh' });
    const first = await ask(agent, sh('echo ok > out.txt'));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    expect(await result(agent, first)).toMatchObject({ run: { exit_code: 0 } });
    expect(readFileSync(join(workspace, 'out.txt'), 'utf8')).toBe('ok\n');

    // Beside the workspace is the run's private /tmp, gone when it ends; /usr is read-only. The
    // target hides in a variable, out of the command policy's sight: the sandbox holds regardless.
    const escape = await result(agent, await ask(agent, sh(`echo owned > ${join(root, 'owned.txt')} && d=/usr && echo owned > $d/owned`)));
    expect(escape.run!.exit_code).not.toBe(0);
    expect(text(escape.run!.stderr)).toMatch(/Read-only file system/);
    expect(() => readFileSync(join(root, 'owned.txt'))).toThrow();

    const big = await result(agent, await ask(agent, sh(`head -c ${MAX_TOOL_OUTPUT_BYTES + 1000} /dev/zero`)));
    expect(big.run).toMatchObject({ exit_code: 0, truncated: true });
    expect(Buffer.from(big.run!.stdout, 'base64').length).toBe(MAX_TOOL_OUTPUT_BYTES);
  });

  it('never approve a tool on a timeout, even where the ask fallback allows commands', async () => {
    await gateway?.stop();
    gateway = await Gateway.start({ home, askFallback: 'allow', askTimeoutMs: 50 });
    const agent = await client();
    const id = await ask(agent, toolRun(['wc', 'input.txt']));
    expect(await result(agent, id)).toMatchObject({
      decision: 'deny',
      resolved_by: 'fallback',
      stage: 'draft',
      reason: expect.stringContaining('needs a person'),
    });
    expect(trust().wc).toBeUndefined();
    expect(ledger().filter((e) => e.event === 'capability_approval')).toEqual([]);
    // A plain command still gets the configured fallback.
    agent.send({ type: 'approval_request', id: 'c', request: { command: 'cp a b', cwd: workspace, agent_id: 'agent-1', session_key: 's1' } });
    expect(await agent.waitFor(is('approval_decision'), 5000)).toMatchObject({ decision: 'allow-once', resolved_by: 'fallback' });
  });

  it("let the command policy block what it blocks, whatever the tool's trust", async () => {
    const agent = await client();
    const r = await result(agent, await ask(agent, toolRun(['rm', '-rf', '/'], { tool: 'rm' })));
    expect(r).toMatchObject({ decision: 'deny', resolved_by: 'policy', verdict: 'block' });
    expect(r.run).toBeUndefined();
    expect(trust().rm).toBeUndefined();
  });

  it('run a contract that grants some domains through the domain proxy: any other is refused, and each refusal audited with its domain', async () => {
    const a = await approver();
    const agent = await client();
    const caps: Capabilities = { ...CAPS, network: { kind: 'allow_domains', domains: ['granted.test'] } };
    const id = await ask(agent, toolRun(['curl', '-sS', '-f', '-o', '/dev/null', 'http://elsewhere.test/secret'], { tool: 'curl', capabilities: caps }));
    const pending = await a.next();
    expect(pending.tool?.capabilities.network).toEqual({ kind: 'allow_domains', domains: ['granted.test'] });
    expect(pending.suggested_confinement).toBeUndefined();
    // Its confinement is its profile: an answer that names another is refused, and the approval waits.
    a.c.send({ type: 'resolve', id: pending.id, decision: 'allow-once', confinement: { kind: 'unconfined' } });
    expect(await a.c.waitFor(is('error'))).toMatchObject({ code: 'invalid_message', message: expect.stringContaining('approved profile') });
    await resolve(a.c, pending.id, 'allow-once');
    const r = await result(agent, id);
    // The proxy answers 403 to a domain not granted: curl fails, and never reached the host.
    expect(r).toMatchObject({ decision: 'allow-once', run: { sandbox: { status: 'sandbox_violation' } } });
    expect(r.run!.exit_code).not.toBe(0);
    const refused = ledger().filter((e) => e.event === 'network_refused');
    expect(refused.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        host: 'elsewhere.test',
        port: 80,
        reason: 'not_granted',
        tool_id: 'curl',
        request_id: id,
        command: expect.stringContaining('curl'),
      }),
    ]);
    expect(ledger().find((e) => e.event === 'sandbox_exec')?.payload.violations).toEqual([expect.stringContaining('refused elsewhere.test:80')]);
    const audit = AuditStore.open(auditFile(home));
    const row = [...audit.rows()].find((e) => e.event === 'network_refused');
    audit.close();
    expect(row?.summary).toBe('curl -sS -f -o /dev/null http://elsewhere.test/secret: connection to elsewhere.test:80 refused (not granted)');
  });

  it('refuse a contract it cannot hold, with a clear error and nothing run', async () => {
    const agent = await client();
    const bad = await ask(agent, toolRun(['true'], { capabilities: { ...CAPS, filesystem: [{ kind: 'read_write', path: '${HOME}/x' }] } }));
    expect(await agent.waitFor(is('error'))).toMatchObject({ id: bad, code: 'invalid_capabilities', message: expect.stringContaining('${HOME}') });
    agent.send({ type: 'tool_run', id: 'x', run: { ...toolRun(['true']), capabilities: { filesystem: 'all' } } } as never);
    expect(await agent.waitFor(is('error'))).toMatchObject({ code: 'invalid_capabilities' });
    expect(ledger().filter((e) => e.event === 'sandbox_exec')).toEqual([]);
  });

  it('stop a run whose requester goes away, and audit it', async () => {
    const a = await approver();
    const agent = await client();
    await ask(agent, toolRun(['sleep', '30'], { tool: 'sleep' }));
    await resolve(a.c, (await a.next()).id, 'allow-always');
    await new Promise((r) => setTimeout(r, 300));
    agent.close();
    for (let i = 0; i < 100 && !ledger().some((e) => e.event === 'sandbox_exec'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(ledger().find((e) => e.event === 'sandbox_exec')?.payload).toMatchObject({ tool_id: 'sleep', status: 'error', error: 'The run was cancelled.' });
  });
});
