/**
 * An agent's everyday work under the default agent profile, for real under bubblewrap: git in a
 * real repository, `npm test` of a small real package, a Python script, node, a formatter, each
 * with its output and exit code; and beside them, the home's secrets unread and the home itself
 * unwritten.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentCapabilities,
  agentHiddenPaths,
  CREATED_TOOL_CACHES,
  DEFAULT_TOOL_CACHES,
  prepareAgentCaches,
  projectAutorun,
  unfitProject,
} from './agent-profile.js';
import { LINUX_SYSTEM_PATHS } from './bubblewrap.js';
import { resolveCapabilities } from './capabilities.js';
import { realCapabilities } from './grants.js';
import type { SandboxAuditLog } from './run-record.js';
import { runSandboxed } from './runner.js';
import { skipLoudly } from '../../../scripts/skip-notice.js';

const linux = process.platform === 'linux';
if (!linux)
  skipLoudly(
    'bubblewrap',
    `agent-profile.test.ts needs Linux and bubblewrap; this is ${process.platform}.`,
    "The agent profile's rules are the same generators as every run's, golden-tested in sandbox.test.ts.",
  );

const root = mkdtempSync(join(tmpdir(), 'alsb-agent-'));
const home = join(root, 'home');
const project = join(root, 'project');
const KEY = '-----BEGIN OPENSSH PRIVATE KEY----- planted';
const SECRETS: Record<string, string> = {
  '.ssh/id_rsa': KEY,
  '.aws/credentials': 'aws_secret_access_key = planted',
  '.config/gh/hosts.yml': 'oauth_token: gho_planted',
  '.netrc': 'machine x password planted',
  '.git-credentials': 'https://u:planted@example.com',
  '.docker/config.json': '{"auths": "planted"}',
  '.kube/config': 'token: planted',
  '.gnupg/private.key': 'planted',
  '.local/share/keyrings/login.keyring': 'planted',
  '.claude/.credentials.json': '{"token": "planted"}',
  '.codex/auth.json': '{"token": "planted"}',
  '.aleph/exec-approvals.json': '{"secret": "planted"}',
};
const prettier = fileURLToPath(new URL('../../../node_modules/prettier', import.meta.url));
const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', GITHUB_TOKEN: 'ghp_planted' };

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: project, env: { ...env, GIT_CONFIG_NOSYSTEM: '1' }, encoding: 'utf8' });
}

beforeAll(() => {
  for (const [rel, content] of Object.entries(SECRETS)) {
    mkdirSync(join(home, rel, '..'), { recursive: true });
    writeFileSync(join(home, rel), content, { mode: 0o600 });
  }
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Agent Smith\n\temail = agent@example.com\n[init]\n\tdefaultBranch = main\n');
  writeFileSync(join(home, '.bashrc'), '# mine\n');
  mkdirSync(join(home, '.npm'));
  mkdirSync(join(home, '.cache'));
  mkdirSync(project);
  writeFileSync(join(project, 'README.md'), 'hello\n');
  writeFileSync(join(project, '.env'), 'DB_PASS=planted\n');
  writeFileSync(join(project, '.gitignore'), '.env\nnode_modules\n');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', private: true, scripts: { test: 'node test.js' } }));
  writeFileSync(join(project, 'sum.js'), 'module.exports = (a, b) => a + b;\n');
  writeFileSync(
    join(project, 'test.js'),
    "const assert = require('node:assert');\nassert.strictEqual(require('./sum')(2, 3), 5);\nconsole.log('1 test passed');\n",
  );
  writeFileSync(join(project, 'ugly.js'), 'const  x = {a:1,\nb:2}\n');
  cpSync(prettier, join(project, 'node_modules', 'prettier'), { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'first');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Ran {
  readonly log: SandboxAuditLog;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(script: string): Promise<Ran> {
  const declared = agentCapabilities(home);
  const resolved = resolveCapabilities(declared, { WORKSPACE: project, PROJECT_ROOT: project });
  if (!resolved.ok) throw new Error(resolved.error.message);
  const real = realCapabilities(resolved.value);
  if (!real.ok) throw new Error(real.error.message);
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const log = await runSandboxed(
    { capabilities: real.value, command: ['/bin/sh', '-c', script], cwd: project, env },
    { stdin: 'ignore', stdout: out, stderr: err, hide: agentHiddenPaths(home, env) },
  );
  return { log, stdout, stderr };
}

describe('the agent profile', () => {
  it('reads the home and the project, writes the project, the caches that exist and a private /tmp, and has no network', () => {
    const caps = agentCapabilities('/home/me', { extraCaches: ['.bundle/cache', '/opt/cache'], exists: (p) => p !== '/home/me/.cargo/git' });
    expect(caps.filesystem).toEqual([
      { kind: 'read_only', path: '/home/me' },
      { kind: 'read_write', path: '${PROJECT_ROOT}' },
      ...DEFAULT_TOOL_CACHES.filter((c) => c !== '.cargo/git').map((c) => ({ kind: 'read_write', path: `/home/me/${c}` })),
      { kind: 'read_write', path: '/home/me/.bundle/cache' },
      { kind: 'read_write', path: '/opt/cache' },
      { kind: 'temp_workspace' },
    ]);
    expect(caps.network).toEqual({ kind: 'deny' });
    expect(agentCapabilities('/home/me', { exists: () => false }).filesystem.map((e) => e.kind)).toEqual(['read_only', 'read_write', 'temp_workspace']);
    expect(agentHiddenPaths('/home/me', {})).toEqual(['/home/me/.aleph']);
  });

  it("makes npm's cache and the XDG cache on a fresh home, private, and leaves existing ones as they are", () => {
    const fresh = mkdtempSync(join(root, 'fresh-'));
    mkdirSync(join(fresh, '.cache'), { mode: 0o755 });
    prepareAgentCaches(fresh);
    expect(CREATED_TOOL_CACHES.map((c) => existsSync(join(fresh, c)))).toEqual([true, true]);
    expect(statSync(join(fresh, '.npm')).mode & 0o777).toBe(0o700);
    expect(statSync(join(fresh, '.cache')).mode & 0o777).toBe(0o755);
    expect(agentCapabilities(fresh).filesystem).toContainEqual({ kind: 'read_write', path: join(fresh, '.npm') });
    expect(existsSync(join(fresh, '.cargo'))).toBe(false);
    expect(agentHiddenPaths('/home/me', { ALEPH_HOME: '/srv/aleph' })).toEqual(['/srv/aleph']);
  });
});

describe.runIf(linux)("an agent's everyday work under the agent profile (real bubblewrap)", () => {
  it('git status, diff, add and commit in a real repository, with the identity from ~/.gitconfig', async () => {
    writeFileSync(join(project, 'README.md'), 'hello\nworld\n');
    const status = await run('git status --short && git diff --stat');
    expect(status.stdout).toBe(' M README.md\n README.md | 1 +\n 1 file changed, 1 insertion(+)\n');
    expect(status.log).toMatchObject({ status: 'success', exit_code: 0 });
    const commit = await run('git add README.md && git commit -qm "second" && git log --format="%an <%ae> %s" && git status --short');
    expect(commit.stdout).toBe('Agent Smith <agent@example.com> second\nAgent Smith <agent@example.com> first\n');
    expect(commit.log).toMatchObject({ status: 'success', exit_code: 0 });
    expect(git('log', '--format=%s').split('\n')[0]).toBe('second');
  });

  it('npm test of a small package passes, and a failing one fails with its exit code', async () => {
    const passed = await run('npm test');
    expect(passed.stdout).toContain('1 test passed');
    expect(passed.log).toMatchObject({ exit_code: 0 });
    writeFileSync(join(project, 'sum.js'), 'module.exports = (a, b) => a - b;\n');
    try {
      const failed = await run('npm test');
      expect(failed.log.exit_code).toBe(1);
      expect(failed.stderr).toContain('AssertionError');
    } finally {
      writeFileSync(join(project, 'sum.js'), 'module.exports = (a, b) => a + b;\n');
    }
  });

  it('runs a Python script that writes in the project, node, and a formatter that rewrites a file', async () => {
    writeFileSync(join(project, 'write.py'), "import pathlib\npathlib.Path('out.txt').write_text('from python\\n')\nprint('wrote')\n");
    const { stdout, log } = await run(
      'python3 write.py && node -e "console.log(1 + 1)" && node node_modules/prettier/bin/prettier.cjs --log-level warn --write ugly.js && cat ugly.js',
    );
    expect(stdout).toBe('wrote\n2\nconst x = { a: 1, b: 2 };\n');
    expect(log).toMatchObject({ status: 'success', exit_code: 0 });
    expect(readFileSync(join(project, 'out.txt'), 'utf8')).toBe('from python\n');
  });

  it('writes the tool caches and its own /tmp, which the host never sees', async () => {
    const { stdout, log } = await run('echo cached > "$HOME/.npm/probe" && echo scratch > /tmp/agent-scratch && cat /tmp/agent-scratch');
    expect([stdout, log.exit_code]).toEqual(['scratch\n', 0]);
    expect(readFileSync(join(home, '.npm', 'probe'), 'utf8')).toBe('cached\n');
    expect(existsSync('/tmp/agent-scratch')).toBe(false);
  });

  it("does not read the home's secret stores, the project's .env or the gateway's directory, nor secrets in the environment", async () => {
    const files = [...Object.keys(SECRETS).map((rel) => `"$HOME/${rel}"`), '.env'];
    const { stdout } = await run(`for f in ${files.join(' ')}; do cat "$f" 2>/dev/null; done; echo "token=$GITHUB_TOKEN"; git config user.name`);
    expect(stdout).toBe('token=\nAgent Smith\n');
  });

  it('cannot write the home: not ~/.bashrc, not ~/.gitconfig, not a file dropped in $HOME', async () => {
    const { stdout, log } = await run(
      'echo evil >> "$HOME/.bashrc"; echo "bashrc $?"; git config --global user.name Evil; echo "gitconfig $?"; echo x > "$HOME/proof"; echo "proof $?"',
    );
    expect(stdout).toMatch(/^bashrc [1-9]\d*\ngitconfig [1-9]\d*\nproof [1-9]\d*\n$/);
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe('# mine\n');
    expect(readFileSync(join(home, '.gitconfig'), 'utf8')).toContain('name = Agent Smith');
    expect(existsSync(join(home, 'proof'))).toBe(false);
    expect(log.violations.map((v) => v.kind)).toContain('filesystem');
  });
});

describe('the directory an agent works in, as its read-write project', () => {
  const at = (path: string) => unfitProject(path, '/home/ada', LINUX_SYSTEM_PATHS);
  it('may be a directory of its own, or the home (whose read-only grant is bound over it)', () => {
    for (const path of ['/home/ada/src/app', '/home/ada', '/srv/app', '/tmp/build-1', '/var/tmp/x/y', '/etc-like']) expect(at(path)).toBeNull();
  });
  it('is never the root, a directory above the home, a system directory or one holding one, nor a shared /tmp', () => {
    expect(at('/')).toBe('the whole file system');
    expect(at('/home')).toBe('a directory that holds the home directory');
    for (const path of ['/etc', '/etc/cron.d', '/usr/local/bin', '/opt']) expect(at(path)).toBe('a system directory');
    expect(at('/run')).toBe('a directory that holds a system directory');
    for (const path of ['/tmp', '/var/tmp']) expect(at(path)).toBe('the temporary directory every program shares');
  });
});

describe("the project's files that make programs outside the sandbox run code", () => {
  it('are read-only where they exist and lead inside the project; a link out of it is granted nothing by that name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsb-autorun-'));
    try {
      const repo = join(dir, 'repo');
      mkdirSync(join(repo, '.git', 'hooks'), { recursive: true });
      writeFileSync(join(repo, '.git', 'config'), '');
      mkdirSync(join(dir, 'keys'));
      symlinkSync(join(dir, 'keys'), join(repo, '.husky'));
      const real = realpathSync(repo);
      // .git itself is bound over itself: a mount point, which cannot be moved aside.
      expect(projectAutorun(repo)).toEqual([
        { kind: 'read_write', path: join(real, '.git') },
        { kind: 'read_only', path: join(real, '.git', 'hooks') },
        { kind: 'read_only', path: join(real, '.git', 'config') },
      ]);
      const caps = agentCapabilities('/nonexistent-home', { project: repo, exists: () => false });
      expect(caps.filesystem).toEqual([
        { kind: 'read_only', path: '/nonexistent-home' },
        { kind: 'read_write', path: '${PROJECT_ROOT}' },
        ...projectAutorun(repo),
        { kind: 'temp_workspace' },
      ]);
      // A submodule's configuration and hooks, nested ones too: git runs in each for the owner's `git status`.
      for (const sub of [join('modules', 'lib', 'a'), join('modules', 'lib', 'a', 'modules', 'b')]) {
        mkdirSync(join(repo, '.git', sub, 'hooks'), { recursive: true });
        writeFileSync(join(repo, '.git', sub, 'config'), '');
      }
      const entries = projectAutorun(repo);
      for (const sub of [join('modules', 'lib', 'a'), join('modules', 'lib', 'a', 'modules', 'b')]) {
        expect(entries).toContainEqual({ kind: 'read_only', path: join(real, '.git', sub, 'config') });
        expect(entries).toContainEqual({ kind: 'read_only', path: join(real, '.git', sub, 'hooks') });
        expect(entries).toContainEqual({ kind: 'read_write', path: join(real, '.git', sub) });
      }
      // The home as the project stays read-only whole: nothing in it is bound read-write over itself.
      const inHome = agentCapabilities(repo, { project: repo, exists: () => false });
      expect(inHome.filesystem).toEqual([{ kind: 'read_only', path: repo }, { kind: 'read_write', path: '${PROJECT_ROOT}' }, { kind: 'temp_workspace' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
