/**
 * `npm start` stopped the way a service manager, an IDE or a terminal stops it: a signal to npm
 * alone, Ctrl-C to npm and everything it started, or npm killed outright. The gateway goes with
 * it, and cleanly: what waits is denied and in the audit log, the socket file is removed.
 *
 * npm runs the `start` script line of package.json as it is; `--ignore-scripts` skips only its
 * `prestart` (the build, already done for these tests).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN } from './test-cli.js';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
let home: string;
let work: string;
let gatewayPid: number | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aleph-stop-'));
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  writeFileSync(join(work, 'a'), 'data\n');
});
afterEach(() => {
  // A gateway this test could not stop is not left behind.
  if (gatewayPid !== undefined && running(gatewayPid)) process.kill(gatewayPid, 'SIGKILL');
  gatewayPid = undefined;
  rmSync(root, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, ALEPH_HOME: home, NO_COLOR: '1' });

/** Whether the process runs; one that has ended and waits only to be reaped does not. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Waits, with a generous deadline, until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `aleph ARGS` to its end. */
function aleph(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [ALEPH_BIN, ...args], { env: env(), cwd: work });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * `npm start` in the repository, in a fresh ALEPH_HOME, on free ports; resolves once the gateway
 * is ready. `group`: npm leads a process group of its own, as it does in a terminal.
 */
async function npmStart(group = false): Promise<{ npm: ChildProcess; pid: number; socket: string; exited: Promise<void> }> {
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent', '--', '--json', '--port', '0', '--console-port', '0'], {
    cwd: REPOSITORY,
    env: env(),
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: group,
  });
  const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
  let out = '';
  const ready = await new Promise<{ pid: number; socket: string }>((resolve, reject) => {
    npm.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line !== undefined) resolve(JSON.parse(line) as { pid: number; socket: string });
    });
    npm.on('exit', (code) => reject(new Error(`npm start ended (${code}) before the gateway was ready: ${out}`)));
  });
  gatewayPid = ready.pid;
  return { npm, ...ready, exited };
}

interface Asked {
  /** How `aleph exec` ended. */
  readonly answer: Promise<{ code: number | null; stderr: string }>;
}

/** A command that waits for a person, asked through the gateway; resolves once it waits. */
async function waitingCommand(): Promise<Asked> {
  const answer = aleph(['exec', '--', 'cp a b']);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const list = JSON.parse((await aleph(['approvals', 'list', '--json'])).stdout) as { pending: unknown[] };
    if (list.pending.length > 0) return { answer };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('gave up waiting: the command to wait for a person');
}

/** The gateway is gone, its socket file removed, the waiting command denied and that denial in the audit log. */
async function stoppedCleanly(pid: number, socket: string, asked: Asked): Promise<void> {
  await until(() => !running(pid), 'the gateway to end');
  await until(() => !existsSync(socket), 'the socket file to go');
  const answer = await asked.answer;
  expect(answer.code).toBe(126);
  expect(answer.stderr).toContain('gateway_shutdown');
  const logged = JSON.parse((await aleph(['audit', 'search', '--event', 'terminal_cmd', '--json'])).stdout) as { rows: { payload: Record<string, unknown> }[] };
  expect(logged.rows.map((r) => [r.payload.command, r.payload.reason])).toEqual([['cp a b', 'gateway_shutdown']]);
}

describe('npm start, stopped', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('by %s to npm alone stops the gateway cleanly', async (signal) => {
    const { npm, pid, socket, exited } = await npmStart();
    const asked = await waitingCommand();
    npm.kill(signal);
    await stoppedCleanly(pid, socket, asked);
    await exited;
  });

  it("by Ctrl-C in its terminal (SIGINT to npm and the gateway both, and npm's copy after) stops the gateway cleanly", async () => {
    const { npm, pid, socket, exited } = await npmStart(true);
    const asked = await waitingCommand();
    process.kill(-npm.pid!, 'SIGINT');
    await stoppedCleanly(pid, socket, asked);
    await exited;
  });

  it('by killing npm outright (SIGKILL, which npm cannot pass on) stops the gateway cleanly: it watches for its parent', async () => {
    const { npm, pid, socket, exited } = await npmStart();
    const asked = await waitingCommand();
    npm.kill('SIGKILL');
    await exited;
    await stoppedCleanly(pid, socket, asked);
  });
});

describe('--exit-with-parent, the parent gone while the gateway starts', () => {
  /** The gateway's output once it has ended. */
  async function endedWith(pid: number, out: string): Promise<string> {
    await until(() => !running(pid), 'the gateway to end');
    return readFileSync(out, 'utf8');
  }

  it('stops once started when the program named by --parent-pid was gone before it began', async () => {
    const out = join(root, 'out');
    const started = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${ALEPH_BIN}" gateway --headless --json --port 0 --exit-with-parent --parent-pid $$ > "${out}" 2>&1 & echo $!`],
      { env: env(), encoding: 'utf8' },
    );
    gatewayPid = Number(started.stdout.trim());
    expect(await endedWith(gatewayPid, out)).toContain('"reason":"parent_exited"');
  });

  it('stops when its parent is killed after the gateway began but before it was ready', async () => {
    // A module hook holds the gateway's start (after its entry point ran) until the parent is dead.
    const reached = join(root, 'reached');
    const gate = join(root, 'gate');
    const hooks = join(root, 'hooks.mjs');
    const register = join(root, 'register.mjs');
    writeFileSync(
      hooks,
      `import { existsSync, writeFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (specifier.endsWith('dist/main.js')) {
    writeFileSync(${JSON.stringify(reached)}, '');
    while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 20));
  }
  return next(specifier, context);
}
`,
    );
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const out = join(root, 'out');
    const parent = spawn(
      'sh',
      [
        '-c',
        `"${process.execPath}" --import "file://${register}" "${ALEPH_BIN}" gateway --headless --json --port 0 --exit-with-parent > "${out}" 2>&1 & echo $!; wait`,
      ],
      { env: env(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => parent.on('exit', () => resolve()));
    gatewayPid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    await until(() => existsSync(reached), 'the gateway to begin');
    parent.kill('SIGKILL');
    await exited;
    writeFileSync(gate, '');
    expect(await endedWith(gatewayPid, out)).toContain('"reason":"parent_exited"');
  });
});
