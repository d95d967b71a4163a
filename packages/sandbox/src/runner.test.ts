/**
 * The escape suite: real bubblewrap, real processes. Each attempt to get out is stopped, and the
 * legitimate action next to it still works.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCapabilities, type Capabilities } from './capabilities.js';
import { PRESETS, withOverrides, type Overrides, type Preset } from './presets.js';
import { exitCodeOf, runSandboxed, sandboxAvailability, type SandboxAuditLog } from './runner.js';

const root = mkdtempSync(join(tmpdir(), 'alsb-run-'));
const home = join(root, 'home');
const workspace = join(root, 'workspace');
const outside = join(root, 'outside');
const KEY = '-----BEGIN OPENSSH PRIVATE KEY----- planted';
const env = { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'aws-planted-secret', GITHUB_TOKEN: 'ghp_planted' };

beforeAll(() => {
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), KEY, { mode: 0o600 });
  mkdirSync(workspace);
  mkdirSync(outside);
  writeFileSync(join(workspace, 'input.txt'), 'hello\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function caps(overrides: Overrides = {}, preset: Preset | null = PRESETS.file_processor): Capabilities {
  const merged = withOverrides(preset, overrides);
  if (!merged.ok) throw new Error(merged.error.message);
  const r = resolveCapabilities(merged.value, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

interface Ran {
  readonly log: SandboxAuditLog;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(script: string, capabilities: Capabilities = caps(), cwd = workspace): Promise<Ran> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const log = await runSandboxed({ capabilities, command: ['/bin/sh', '-c', script], cwd, env }, { stdin: 'ignore', stdout: out, stderr: err });
  return { log, stdout, stderr };
}

describe('the sandbox runner (real bubblewrap)', () => {
  it('is available on this machine, or the suite could prove nothing', () => {
    expect(sandboxAvailability()).toMatchObject({ ok: true, value: { platform: 'linux' } });
  });

  it('runs a legitimate tool: reads and writes the workspace, uses its /tmp, exits with its code', async () => {
    const { log, stdout } = await run('cat input.txt && echo done > output.txt && echo scratch > /tmp/s && cat /tmp/s && exit 3');
    expect(stdout).toBe('hello\nscratch\n');
    expect(log).toMatchObject({ status: 'success', exit_code: 3, platform: 'linux', violation_count: 0, cwd: workspace });
    expect(exitCodeOf(log)).toBe(3);
    expect(existsSync(join(workspace, 'output.txt'))).toBe(true);
    expect(log.capability_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops writes outside the workspace and into the system, and records the violation', async () => {
    const { log } = await run(`echo x > ${outside}/escaped; echo x > /etc/escaped; echo x > /usr/escaped`);
    expect(existsSync(join(outside, 'escaped'))).toBe(false);
    expect(existsSync('/etc/escaped')).toBe(false);
    expect(log.status).toBe('sandbox_violation');
    expect(log.violations.map((v) => v.kind)).toContain('filesystem');
  });

  it('does not show a planted ~/.ssh key, even though HOME points at it', async () => {
    const { stdout } = await run('cat "$HOME/.ssh/id_ed25519"; ls -a "$HOME"; echo end');
    expect(stdout).not.toContain('PRIVATE KEY');
    expect(stdout).toContain('end');
  });

  it('hides credentials inside a granted directory: ~/.ssh when the workspace is the home, .env files', async () => {
    writeFileSync(join(home, '.env'), 'API_KEY=planted');
    writeFileSync(join(home, 'notes.txt'), 'mine\n');
    const atHome = value(resolveCapabilities({ ...caps(), filesystem: [{ kind: 'read_write', path: home }, { kind: 'temp_workspace' }] }, { WORKSPACE: home, PROJECT_ROOT: home }));
    const { stdout } = await run('cat .ssh/id_ed25519; cat .env; echo x > .ssh/authorized_keys; cat notes.txt', atHome, home);
    expect(stdout).toBe('mine\n');
    expect(existsSync(join(home, '.ssh', 'authorized_keys'))).toBe(false);
    const named = value(resolveCapabilities({ ...caps(), filesystem: [{ kind: 'read_only', path: join(home, '.ssh') }, { kind: 'read_write', path: workspace }] }, { WORKSPACE: workspace, PROJECT_ROOT: workspace }));
    expect((await run(`cat ${home}/.ssh/id_ed25519`, named)).stdout).toBe(KEY);
    rmSync(join(home, '.env'));
  });

  it('does not reach a loopback server started by the test, unless the network is granted', async () => {
    const server: Server = createServer((s) => s.end('reached\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const client = `perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:${port}", Timeout => 3) or die "connect: $!\\n"; print <$s>'`;
    try {
      const denied = await run(client);
      expect(denied.stdout).not.toContain('reached');
      expect(denied.log.status).toBe('sandbox_violation');
      expect(denied.log.violations.map((v) => v.kind)).toContain('network');
      const granted = await run(client, caps({ network: { kind: 'allow_all' }, filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }] }, null));
      expect(granted.stdout).toBe('reached\n');
    } finally {
      server.close();
    }
  });

  it('does not follow a symlink that points out of the workspace', async () => {
    symlinkSync(outside, join(workspace, 'link'));
    try {
      await run('echo x > link/through-symlink; ln -s /etc/passwd mine; echo y >> mine');
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(join(workspace, 'link'));
      rmSync(join(workspace, 'mine'), { force: true });
    }
  });

  it('gives no way out through /proc/self/root or another process root', async () => {
    const { stdout } = await run(`echo x > /proc/self/root${outside}/via-proc; echo x > /proc/1/root${outside}/via-init; ls /proc/1/root${home}/.ssh; cat /proc/1/root${home}/.ssh/id_ed25519; echo end`);
    expect(readdirSync(outside)).toEqual([]);
    expect(stdout).not.toContain('PRIVATE KEY');
    expect(stdout).toContain('end');
  });

  it('keeps its own /proc even when the profile reads all of /', async () => {
    const everything = value(resolveCapabilities({ ...caps(), filesystem: [{ kind: 'read_only', path: '/' }, { kind: 'read_write', path: workspace }] }, { WORKSPACE: workspace, PROJECT_ROOT: workspace }));
    const { stdout } = await run('ls /proc | grep -c "^[0-9]"; echo x > /proc/1/root/etc/escaped; cat /proc/1/cmdline | tr "\\0" " "', everything);
    expect(Number(stdout.split('\n')[0])).toBeLessThan(10);
    expect(stdout).toContain('bwrap');
    expect(existsSync('/etc/escaped')).toBe(false);
  });

  it('stops a memory hog at the declared memory, and lets a modest tool allocate', async () => {
    const small = caps({ process: { max_memory_mb: 128 } });
    const hog = await run(`perl -e '$x = "a" x (1 << 30); print "survived\\n"'`, small);
    expect(hog.stdout).not.toContain('survived');
    expect(hog.log.exit_code).not.toBe(0);
    expect(hog.log.violations.map((v) => v.kind)).toContain('memory');
    const modest = await run(`perl -e '$x = "a" x (16 << 20); print length($x), "\\n"'`, small);
    expect(modest.stdout).toBe(`${16 << 20}\n`);
  });

  it('contains a fork bomb, and still lets a build start its child processes', async () => {
    const bomb = await run('bomb() { bomb | bomb & }; bomb; sleep 2', caps({ process: { max_execution_time_s: 5 } }));
    expect(['sandbox_violation', 'timeout']).toContain(bomb.log.status);
    expect(bomb.log.violations.map((v) => v.kind)).toContain('processes');
    expect(leftover('bomb')).toBe(0);
    const build = await run('for i in 1 2 3 4 5 6 7 8; do (echo $i > /tmp/$i) & done; wait; cat /tmp/* | wc -l');
    expect(build.stdout.trim()).toBe('8');
  });

  it('allows not even one child process when the profile says no_fork, and still runs the tool itself', async () => {
    const single = caps({}, PRESETS.data_transformer);
    const forked = await run('/bin/ls /; echo after', single);
    expect(forked.log.status).toBe('sandbox_violation');
    expect(forked.log.violations.map((v) => v.kind)).toContain('processes');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const alone = await runSandboxed({ capabilities: single, command: ['/bin/cat', 'input.txt'], cwd: workspace, env }, { stdin: 'ignore', stdout: out, stderr: new PassThrough() });
    expect(alone).toMatchObject({ status: 'success', exit_code: 0 });
    expect(text).toBe('hello\n');
  });

  it('kills a sleeper that outlives its time, with every child it started, even one in its own session', async () => {
    const marker = 7000 + Math.floor(Math.random() * 999);
    const { log } = await run(`sleep ${marker} & setsid sleep ${marker} & (sleep ${marker} &) ; sleep ${marker}`, caps({ process: { max_execution_time_s: 1 } }));
    expect(log).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
    expect(exitCodeOf(log)).toBe(124);
    expect(log.duration_ms).toBeGreaterThanOrEqual(1000);
    expect(leftover(`sleep ${marker}`)).toBe(0);
  });

  it('keeps secrets in the environment out, and what programs need in', async () => {
    const { stdout } = await run('env');
    expect(stdout).not.toContain('aws-planted-secret');
    expect(stdout).not.toContain('ghp_planted');
    expect(stdout).toContain('PATH=/usr/bin:/bin');
    const none = await run('env', caps({}, PRESETS.data_transformer));
    expect(none.stdout).not.toContain('HOME=');
  });

  it('reports a run that cannot start as an error that says why, and runs nothing', async () => {
    const { log } = await run('echo ran', caps(), outside);
    expect(log).toMatchObject({ status: 'error', error: { code: 'cwd_outside_profile' } });
    expect(exitCodeOf(log)).toBe(125);
    const missing = await runSandboxed({ capabilities: caps(), command: ['true'], cwd: workspace, env }, { helper: join(root, 'no-helper') });
    expect(missing).toMatchObject({ status: 'error', error: { code: 'helper_missing' } });
    // One argument longer than the kernel takes (E2BIG): an error to report, not a throw.
    const huge = await runSandboxed({ capabilities: caps(), command: ['/bin/echo', 'x'.repeat(200 * 1024)], cwd: workspace, env }, { stdin: 'ignore' });
    expect(huge).toMatchObject({ status: 'error', error: { code: 'spawn_failed', message: expect.stringContaining('E2BIG') } });
  });
});

/** Processes on the host whose command line contains `needle` (the pid namespace is gone, so none). */
function leftover(needle: string): number {
  const ps = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo')).length;
}
