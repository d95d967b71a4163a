/**
 * The escape suite: real bubblewrap, real processes. Each attempt to get out is stopped, and the
 * legitimate action next to it still works.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCapabilities, type Capabilities } from './capabilities.js';
import { realCapabilities } from './grants.js';
import { MAX_WALKED_DIRECTORIES, pathsToHide } from './hidden.js';
import { PRESETS, withOverrides, type Overrides, type Preset } from './presets.js';
import { sandboxAvailability } from './availability.js';
import { exitCodeOf, type SandboxAuditLog } from './run-record.js';
import { resolveAndRun, runSandboxed } from './runner.js';
import type { RunOptions } from './sandbox-run.js';
import { skipLoudly } from '../../../scripts/skip-notice.js';

/** bubblewrap is Linux's; the same attempts against Seatbelt are in macos.test.ts. */
const linux = process.platform === 'linux';
if (!linux)
  skipLoudly(
    'bubblewrap',
    `runner.test.ts needs Linux and bubblewrap; this is ${process.platform}.`,
    'On a Mac, macos.test.ts runs the same attempts against sandbox-exec.',
  );

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

async function run(script: string, capabilities: Capabilities = caps(), cwd = workspace, options: RunOptions = {}): Promise<Ran> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const log = await runSandboxed({ capabilities, command: ['/bin/sh', '-c', script], cwd, env }, { stdin: 'ignore', stdout: out, stderr: err, ...options });
  return { log, stdout, stderr };
}

describe.runIf(linux)('the sandbox runner (real bubblewrap)', () => {
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
    const atHome = value(
      resolveCapabilities({ ...caps(), filesystem: [{ kind: 'read_write', path: home }, { kind: 'temp_workspace' }] }, { WORKSPACE: home, PROJECT_ROOT: home }),
    );
    const { stdout } = await run('cat .ssh/id_ed25519; cat .env; echo x > .ssh/authorized_keys; cat notes.txt', atHome, home);
    expect(stdout).toBe('mine\n');
    expect(existsSync(join(home, '.ssh', 'authorized_keys'))).toBe(false);
    const named = value(
      resolveCapabilities(
        {
          ...caps(),
          filesystem: [
            { kind: 'read_only', path: join(home, '.ssh') },
            { kind: 'read_write', path: workspace },
          ],
        },
        { WORKSPACE: workspace, PROJECT_ROOT: workspace },
      ),
    );
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
    const { stdout } = await run(
      `echo x > /proc/self/root${outside}/via-proc; echo x > /proc/1/root${outside}/via-init; ls /proc/1/root${home}/.ssh; cat /proc/1/root${home}/.ssh/id_ed25519; echo end`,
    );
    expect(readdirSync(outside)).toEqual([]);
    expect(stdout).not.toContain('PRIVATE KEY');
    expect(stdout).toContain('end');
  });

  it('keeps its own /proc even when the profile reads all of /', async () => {
    const everything = value(
      resolveCapabilities(
        {
          ...caps(),
          filesystem: [
            { kind: 'read_only', path: '/' },
            { kind: 'read_write', path: workspace },
          ],
        },
        { WORKSPACE: workspace, PROJECT_ROOT: workspace },
      ),
    );
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
    const alone = await runSandboxed(
      { capabilities: single, command: ['/bin/cat', 'input.txt'], cwd: workspace, env },
      { stdin: 'ignore', stdout: out, stderr: new PassThrough() },
    );
    expect(alone).toMatchObject({ status: 'success', exit_code: 0 });
    expect(text).toBe('hello\n');
  });

  it('kills a sleeper that outlives its time, with every child it started, even one in its own session', async () => {
    const marker = 7000 + Math.floor(Math.random() * 999);
    const { log } = await run(
      `sleep ${marker} & setsid sleep ${marker} & (sleep ${marker} &) ; sleep ${marker}`,
      caps({ process: { max_execution_time_s: 1 } }),
    );
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

describe.runIf(linux)('holes a review found, closed (real bubblewrap)', () => {
  /** The profile over these grants (made real paths, as a planned run has them), with a private /tmp. */
  const granting = (filesystem: Capabilities['filesystem'], over: Partial<Capabilities> = {}) =>
    value(realCapabilities({ ...caps(), ...over, filesystem: [...filesystem, { kind: 'temp_workspace' }] }));

  it('keeps a credential location hidden around a grant inside it, and grants exactly that', async () => {
    const sockets = join(home, '.ssh', 'sockets');
    mkdirSync(sockets, { recursive: true });
    try {
      const profile = granting([
        { kind: 'read_only', path: home },
        { kind: 'read_write', path: sockets },
      ]);
      const { stdout } = await run('ls -a ..; cat ../id_ed25519; echo ok > mine; cat mine', profile, sockets);
      expect(stdout).toBe('.\n..\nsockets\nok\n');
      expect(readFileSync(join(sockets, 'mine'), 'utf8')).toBe('ok\n');
    } finally {
      rmSync(sockets, { recursive: true });
    }
  });

  it("refuses a grant inside a path it must hide (the gateway's own directory) unless a person allowed it, and then shows only that", async () => {
    const gatewayHome = join(root, 'gateway-home');
    const inner = join(gatewayHome, 'sub');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(gatewayHome, 'exec-approvals.json'), '{"secret": "planted"}');
    const profile = granting([{ kind: 'read_write', path: inner }]);
    const refused = await run('echo ran', profile, inner, { hide: [gatewayHome] });
    expect(refused.log).toMatchObject({ status: 'error', error: { code: 'protected_path', message: expect.stringContaining(`inside ${gatewayHome}`) } });
    expect(refused.stdout).toBe('');
    const allowed = await run('cat ../exec-approvals.json; ls -a ..', profile, inner, { hide: [gatewayHome], allowed: [inner] });
    expect(allowed.stdout).toBe('.\n..\nsub\n');
  });

  it('refuses to run when a granted path leads elsewhere than when it was checked, and binds nothing', async () => {
    const data = join(root, 'swapped');
    mkdirSync(data);
    const profile = granting([{ kind: 'read_write', path: data }]);
    // After the check, the directory is swapped for a symlink to somewhere else.
    renameSync(data, `${data}.was`);
    symlinkSync(outside, data);
    try {
      const { log } = await run('echo x > escaped', profile, workspace);
      expect(log).toMatchObject({
        status: 'error',
        error: {
          code: 'path_changed',
          message: `The profile grants ${data}, which now leads to ${outside}: it changed after the run was checked, so nothing was run.`,
        },
      });
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(data);
      rmSync(`${data}.was`, { recursive: true });
    }
  });

  it("leaves the host's kernel settings read-only, and hides what only root may read when run by root", async () => {
    const { stdout, stderr } = await run(
      'read v < /proc/sys/kernel/printk_ratelimit; echo "$v" > /proc/sys/kernel/printk_ratelimit && echo changed; cat /etc/shadow',
    );
    expect(stdout).not.toContain('changed');
    expect(stderr).toContain('Read-only file system');
    if (process.getuid?.() === 0 && existsSync('/etc/shadow')) expect(stdout).toBe('');
  });

  it("knows the sandbox's own setup messages from the tool's: a tool cannot pose as a sandbox that failed to start", async () => {
    const posing = await run('for i in 1 2 3; do echo "bwrap: Can\'t mount proc" >&2; done; exit 1');
    expect(posing.log).toMatchObject({ status: 'success', exit_code: 1 });
    expect(posing.stderr).toBe("bwrap: Can't mount proc\n".repeat(3));
    // A helper that fails before it starts the tool: the run could not be set up, and says why.
    const broken = join(root, 'broken-helper');
    writeFileSync(broken, '#!/bin/sh\necho "aleph-sandbox-helper: cannot limit memory" >&2\nexit 125\n');
    chmodSync(broken, 0o755);
    const failed = await runSandboxed(
      { capabilities: caps(), command: ['true'], cwd: workspace, env },
      { stdin: 'ignore', stderr: new PassThrough(), helper: broken },
    );
    expect(failed).toMatchObject({ status: 'error', error: { code: 'sandbox_setup_failed', message: 'aleph-sandbox-helper: cannot limit memory' } });
  });

  it('without network, reaches no Unix socket in a granted path; a socket pair of its own still works', async () => {
    const path = join(workspace, 'agent.sock');
    const heard: string[] = [];
    const server: Server = createServer((s) => s.on('data', (d) => heard.push(d.toString())).end('from outside\n'));
    await new Promise<void>((r) => server.listen(path, r));
    const client = `perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => "${path}") or die "connect: $!\\n"; print $s "from inside\\n"; print <$s>'`;
    try {
      const denied = await run(client);
      expect(denied.stdout).toBe('');
      expect(denied.stderr).toContain('Address family not supported');
      expect(denied.log.violations.map((v) => v.kind)).toContain('network');
      expect(heard).toEqual([]);
      const granted = await run(client, caps({ network: { kind: 'allow_all' }, filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }] }, null));
      expect(granted.stdout).toBe('from outside\n');
      const pair = await run(
        `perl -MSocket -e 'socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0) or die "$!"; syswrite $a, "paired\\n"; sysread $b, my $x, 7; print $x'`,
      );
      expect(pair.stdout).toBe('paired\n');
    } finally {
      server.close();
    }
  });

  it('holds its own writable space (/tmp, /dev/shm) to its memory, and keeps its root, /dev and /run read-only', async () => {
    const small = caps({ process: { max_memory_mb: 16 } });
    const { stdout } = await run(
      'head -c 33554432 /dev/zero > /tmp/fill; head -c 33554432 /dev/zero > /dev/shm/fill; wc -c < /tmp/fill; wc -c < /dev/shm/fill; for d in / /dev /run; do echo x > $d/fill || echo "no $d"; done',
      small,
    );
    expect(stdout).toBe(`${16 << 20}\n${16 << 20}\nno /\nno /dev\nno /run\n`);
  });

  it('hides .env files anywhere below a granted directory, and says when its search stopped short', async () => {
    mkdirSync(join(workspace, 'app', 'deep'), { recursive: true });
    writeFileSync(join(workspace, 'app', 'deep', '.env'), 'DB_PASS=planted');
    writeFileSync(join(workspace, '.envrc'), 'export TOKEN=planted');
    writeFileSync(join(workspace, 'app', 'config.txt'), 'visible=yes\n');
    try {
      const { stdout, log } = await run('cat app/deep/.env .envrc app/config.txt');
      expect(stdout).toBe('visible=yes\n');
      expect(log.limits_unenforced).toEqual([]);
    } finally {
      rmSync(join(workspace, 'app'), { recursive: true });
      rmSync(join(workspace, '.envrc'));
    }
    const wide = join(root, 'wide');
    for (let i = 0; i <= MAX_WALKED_DIRECTORIES; i++) mkdirSync(join(wide, `d${i}`), { recursive: true });
    const hidden = pathsToHide(granting([{ kind: 'read_only', path: wide }]), { home, extra: [], agentSocket: undefined, walk: true, rootOnlyIn: null });
    expect(hidden.unenforced).toEqual([
      `files: only the first ${MAX_WALKED_DIRECTORIES} directories of the granted paths were searched for .env files; any further down stay readable`,
    ]);
  });

  it('hides the SSH agent socket its environment names when a granted path holds it', () => {
    const agent = join(workspace, 'ssh-agent.sock');
    writeFileSync(agent, '');
    try {
      const hidden = pathsToHide(caps(), { home, extra: [], agentSocket: agent, walk: false, rootOnlyIn: null });
      expect(hidden.paths).toEqual([{ path: agent, directory: false }]);
      expect(statSync(agent).isFile()).toBe(true);
    } finally {
      rmSync(agent);
    }
  });
});

/** Processes on the host whose command line contains `needle` (the pid namespace is gone, so none). */
function leftover(needle: string): number {
  const ps = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo')).length;
}

describe.runIf(linux)('one way to resolve and run (real bubblewrap)', () => {
  const declared = (extra: Capabilities['filesystem'] = []): Capabilities => {
    const merged = withOverrides(PRESETS.file_processor, {});
    if (!merged.ok) throw new Error(merged.error.message);
    return { ...merged.value, filesystem: [...merged.value.filesystem, ...extra] };
  };

  it('substitutes the paths, binds their real paths, and runs', async () => {
    const log = await resolveAndRun(
      {
        capabilities: declared(),
        vars: { WORKSPACE: workspace, PROJECT_ROOT: workspace },
        command: ['/bin/sh', '-c', 'cat input.txt > /dev/null'],
        cwd: workspace,
        env,
      },
      { stdin: 'ignore', stdout: new PassThrough(), stderr: new PassThrough() },
    );
    expect([log.status, log.exit_code]).toEqual(['success', 0]);
  });

  it('stops before running when a granted path is missing, or a variable is unknown', async () => {
    const marker = join(workspace, 'ran-anyway');
    const command = ['/bin/sh', '-c', `touch ${marker}`];
    const missing = await resolveAndRun({
      capabilities: declared([{ kind: 'read_only', path: join(root, 'no-such-dir') }]),
      vars: { WORKSPACE: workspace, PROJECT_ROOT: workspace },
      command,
      cwd: workspace,
      env,
    });
    expect(missing).toMatchObject({ status: 'error', exit_code: null, error: { code: 'path_missing' } });
    const unknown = await resolveAndRun({
      capabilities: declared([{ kind: 'read_only', path: '${NOWHERE}/x' }]),
      vars: { WORKSPACE: workspace, PROJECT_ROOT: workspace },
      command,
      cwd: workspace,
      env,
    });
    expect(unknown).toMatchObject({ status: 'error', exit_code: null, error: { code: 'invalid_capabilities' } });
    expect(existsSync(marker)).toBe(false);
  });
});
