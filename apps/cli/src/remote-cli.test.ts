import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

/** The gateway's machine is the test's home; the second machine has a home of its own. */
const { home, aleph } = useAlephHome();
let laptop = '';
let work = '';
let gateway: ChildProcess | undefined;

beforeEach(() => {
  laptop = mkdtempSync(join(tmpdir(), 'aleph-laptop-'));
  work = mkdtempSync(join(tmpdir(), 'aleph-work-'));
});
afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
  rmSync(laptop, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Runs `aleph ARGS` as `alephHome`'s machine, to its end. */
function run(alephHome: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [ALEPH_BIN, ...args], { env: { ...process.env, ALEPH_HOME: alephHome, NO_COLOR: '1', ...extraEnv }, cwd: work });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function startGateway(): Promise<string> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], {
    env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => gateway!.stdout!.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)));
  return (JSON.parse(line) as { url: string }).url;
}

/** The one pending thing `list` shows on the gateway's machine, once there is one. */
async function onePending<T>(args: string[], key: string): Promise<T> {
  let found: T | undefined;
  await expect.poll(() => (found = (JSON.parse(aleph(args).stdout) as Record<string, T[]>)[key]?.[0])).toBeDefined();
  return found!;
}

describe('aleph approvals --remote', () => {
  it('a paired second machine lists, allows and denies over the network endpoint with its token', async () => {
    const url = await startGateway();
    const notPaired = await run(laptop, ['approvals', 'list', '--remote', url]);
    expect(notPaired.code).not.toBe(0);
    expect(notPaired.stderr).toContain('This machine is not paired');

    const paired = run(laptop, ['pairing', 'request', '--name', 'laptop', '--gateway', url]);
    const pairing = await onePending<{ code: string }>(['pairing', 'list', '--json'], 'pending');
    expect(aleph(['pairing', 'approve', pairing.code]).code).toBe(0);
    expect((await paired).code).toBe(0);
    expect(statSync(join(laptop, 'device.json')).mode & 0o777).toBe(0o600);

    // A watcher on the second machine hears of each request as it comes.
    const watcher = spawn(process.execPath, [ALEPH_BIN, 'approvals', 'watch', '--json', '--remote', url], {
      env: { ...process.env, ALEPH_HOME: laptop, NO_COLOR: '1' },
    });
    let watched = '';
    watcher.stdout.on('data', (d) => (watched += d));
    await expect.poll(() => watched).toContain('{"type":"pending","approvals":[]}');

    writeFileSync(join(work, 'a'), 'payload\n');
    const copied = run(home(), ['exec', '--', 'cp a b']);
    await expect.poll(() => watched).toContain('"type":"approval_pending"');
    watcher.kill('SIGTERM');
    const listed = await run(laptop, ['approvals', 'list', '--remote', url, '--json']);
    expect(listed.code).toBe(0);
    const [approval] = (JSON.parse(listed.stdout) as { pending: { id: string; request: { command: string } }[] }).pending;
    expect(approval?.request.command).toBe('cp a b');
    expect((await run(laptop, ['approvals', 'allow', approval!.id, '--remote', url])).stdout).toBe(`Allowed ${approval!.id}.\n`);
    expect((await copied).code).toBe(0);

    // ALEPH_REMOTE says the same; a deny's reason reaches the agent.
    const moved = run(home(), ['exec', '--', 'mv a c']);
    const waiting = await onePending<{ id: string }>(['approvals', 'list', '--json'], 'pending');
    const denied = await run(laptop, ['approvals', 'deny', waiting.id, '--reason', 'not now'], { ALEPH_REMOTE: url });
    expect(denied.code).toBe(0);
    const refused = await moved;
    expect(refused.code).toBe(126);
    expect(refused.stderr).toContain('not now');
    const audit = JSON.parse(aleph(['audit', 'search', '--event', 'approval_decision', '--json']).stdout) as { rows: { actor: string }[] };
    expect(audit.rows.map((r) => r.actor)).toEqual([expect.stringMatching(/^dev_/), expect.stringMatching(/^dev_/)]);
  });
});
