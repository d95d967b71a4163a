/**
 * Hostile repositories, built for real, and a real gateway asked with them as the working
 * directory: a read-only git command there is not SAFE, and the reason names what git would run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayMessage } from '@aleph/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../client/socket-client.js';
import { loadConfig, secretBytes } from '../config/config.js';
import { Gateway } from '../gateway.js';

let root: string;
let gateway: Gateway;
let agent: GatewayClient;
let userHome: string;
let savedHome: string | undefined;
let n = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'alrepo-'));
  userHome = join(root, 'user-home');
  mkdirSync(userHome);
  // The user's own global configuration names a pager: the user's choice, never a reason to ask.
  writeFileSync(join(userHome, '.gitconfig'), '[core]\n\tpager = less -R\n[pager]\n\tlog = less\n');
  savedHome = process.env.HOME;
  process.env.HOME = userHome;
  const home = join(root, 'aleph');
  gateway = await Gateway.start({ home });
  const c = loadConfig(home, false);
  if (!c.ok) throw new Error(c.error.message);
  agent = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(c.value));
});

afterAll(async () => {
  agent.close();
  await gateway.stop();
  if (savedHome === undefined) delete process.env.HOME;
  else process.env.HOME = savedHome;
  rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  for (const f of ['proof']) rmSync(join(root, f), { force: true });
});

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: join(root, 'git-home'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@a',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@a',
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh directory holding a normal repository with one commit. */
function repository(name = 'repo'): string {
  const dir = join(root, `${name}-${++n}`);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a.txt'), 'one\n');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-q', '-m', 'one');
  writeFileSync(join(dir, 'a.txt'), 'two\n');
  return dir;
}

async function ask(command: string, cwd: string): Promise<Extract<GatewayMessage, { type: 'approval_decision' }>> {
  const id = `r${++n}`;
  // A request that needs a person is answered by the fallback once this short wait is over.
  agent.send({ type: 'approval_request', id, request: { command, cwd, agent_id: 'agent-1', session_key: 's' }, timeout_ms: 20 });
  const answer = await agent.waitFor((m): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision' && m.id === id);
  if (answer === null) throw new Error(`no answer to ${command}`);
  return answer;
}

async function expectAsks(command: string, cwd: string, ...named: string[]): Promise<void> {
  const answer = await ask(command, cwd);
  const text = answer.risk.reasons.map((r) => r.message).join('\n');
  expect({ command, verdict: answer.verdict }).toEqual({ command, verdict: 'confirm' });
  expect(['high', 'critical']).toContain(answer.risk.level);
  // git stores section and variable names in lower case: the reason names the key as git does.
  for (const word of named) expect(text.toLowerCase()).toContain(word.toLowerCase());
}

async function expectSafe(command: string, cwd: string): Promise<void> {
  const answer = await ask(command, cwd);
  expect({ command, verdict: answer.verdict, reasons: answer.risk.reasons.map((r) => r.code) }).toEqual({ command, verdict: 'safe', reasons: ['read_only'] });
}

describe('a normal repository', () => {
  it("keeps git status, diff and log SAFE, with a pager in the user's global configuration", async () => {
    const dir = repository();
    for (const command of [
      'git status',
      'git diff',
      'git log -p',
      'git log --oneline -5',
      'git show HEAD',
      'git blame a.txt',
      'git ls-files',
      'git -C . status',
      `cd ${dir} && git diff`,
    ]) {
      await expectSafe(command, dir);
    }
  });

  it('keeps a folder that is no repository SAFE', async () => {
    const dir = join(root, `plain-${++n}`);
    mkdirSync(dir);
    await expectSafe('git status', dir);
  });
});

describe('a repository whose own configuration runs a program', () => {
  // [key, value, a read-only command that would run it]
  const cases: readonly (readonly [string, string, string])[] = [
    ['core.fsmonitor', 'touch ../proof; false', 'git status'],
    ['core.pager', 'touch ../proof; cat', 'git log'],
    ['pager.log', 'touch ../proof; cat', 'git log'],
    ['diff.external', 'touch ../proof; true', 'git diff'],
    ['diff.evil.textconv', 'touch ../proof; cat', 'git log -p'],
    ['diff.evil.command', 'touch ../proof; true', 'git diff'],
    ['merge.evil.driver', 'touch ../proof; true', 'git status'],
    ['filter.evil.clean', 'touch ../proof; cat', 'git status'],
    ['filter.evil.smudge', 'touch ../proof; cat', 'git status'],
    ['filter.evil.process', 'touch ../proof', 'git diff'],
    ['core.sshCommand', 'touch ../proof', 'git status'],
    ['core.editor', 'touch ../proof', 'git status'],
    ['sequence.editor', 'touch ../proof', 'git status'],
    ['gpg.program', 'touch ../proof', 'git log --show-signature'],
    ['gpg.ssh.program', 'touch ../proof', 'git log'],
    ['credential.helper', '!touch ../proof', 'git status'],
    ['core.askPass', 'touch ../proof', 'git status'],
    ['alias.st', '!touch ../proof', 'git st'],
    ['uploadpack.packObjectsHook', 'touch ../proof', 'git status'],
  ];
  it.each(cases)('%s makes `%s` ask, naming it', async (key, value, command) => {
    const dir = repository();
    git(dir, 'config', key, value);
    await expectAsks(command, dir, key, JSON.stringify(value));
    await expectAsks(`git --no-pager ${command.slice(4)}`, dir, key);
  });

  it('core.hooksPath: a hook a read-only command runs, found where it points, asks; hooks that only commits run (Husky) do not', async () => {
    const husky = repository();
    mkdirSync(join(husky, '.husky'));
    writeFileSync(join(husky, '.husky', 'pre-commit'), '#!/bin/sh\nnpm test\n', { mode: 0o755 });
    git(husky, 'config', 'core.hooksPath', '.husky');
    await expectSafe('git status', husky);
    await expectSafe('git -C .husky status', husky);
    writeFileSync(join(husky, '.husky', 'post-index-change'), '#!/bin/sh\ntouch ../proof\n', { mode: 0o755 });
    await expectAsks('git status', husky, 'post-index-change', join(husky, '.husky'));
    // Elsewhere, absolute, and the hook in the repository's own hooks directory no longer counts.
    const elsewhere = repository();
    const hooks = join(root, `hooks-${++n}`);
    mkdirSync(hooks);
    writeFileSync(join(hooks, 'post-index-change'), '#!/bin/sh\ntouch ../proof\n', { mode: 0o755 });
    git(elsewhere, 'config', 'core.hooksPath', hooks);
    await expectAsks('git diff', elsewhere, 'post-index-change', hooks);
  });

  it('the fsmonitor case is real: git status runs it', () => {
    const dir = repository();
    git(dir, 'config', 'core.fsmonitor', `touch ${join(root, 'proof')}; false`);
    try {
      git(dir, 'status');
    } catch {
      // git may complain about the hook's answer; the program ran all the same.
    }
    expect(existsSync(join(root, 'proof'))).toBe(true);
  });

  it('reaches the repository through -C, cd, pushd, --git-dir, GIT_DIR and a nested folder', async () => {
    const project = repository('project');
    const evil = join(project, 'vendor', 'evil');
    mkdirSync(evil, { recursive: true });
    git(evil, 'init', '-q');
    git(evil, 'config', 'core.fsmonitor', 'touch /tmp/proof');
    await expectSafe('git status', project);
    for (const command of [
      'git -C vendor/evil status',
      'git -C vendor -C evil status',
      'cd vendor/evil && git status',
      'cd vendor/evil; git log',
      'pushd vendor/evil && git diff',
      'git --git-dir=vendor/evil/.git show',
      'git --git-dir vendor/evil/.git ls-files',
      'GIT_DIR=vendor/evil/.git git log',
      'export GIT_DIR=vendor/evil/.git; git blame a.txt',
      `git -C ${evil} status`,
      'bash -c "cd vendor/evil && git status"',
      'echo $(git -C vendor/evil rev-parse HEAD)',
    ]) {
      await expectAsks(command, project, 'core.fsmonitor', '"touch /tmp/proof"');
    }
    // Deeper inside the hostile repository, git finds it by walking up.
    mkdirSync(join(evil, 'src', 'deep'), { recursive: true });
    await expectAsks('git status', join(evil, 'src', 'deep'), 'core.fsmonitor');
  });

  it('resolves .. after a symbolic link as git and cd -P do: from where the link leads', async () => {
    const project = repository('project');
    const evil = repository('evil');
    git(evil, 'config', 'core.pager', 'touch /tmp/proof');
    mkdirSync(join(evil, 'inside'));
    symlinkSync(join(evil, 'inside'), join(project, 'link'));
    await expectAsks('git -C link/.. log', project, 'core.pager');
    await expectAsks('cd -P link/.. && git log', project, 'core.pager');
  });

  it('reaches a bare repository', async () => {
    const dir = join(root, `bare-${++n}`);
    mkdirSync(dir);
    git(dir, 'init', '-q', '--bare', 'evil.git');
    git(join(dir, 'evil.git'), 'config', 'core.pager', 'touch /tmp/proof');
    await expectAsks('git --git-dir=evil.git log', dir, 'core.pager', '"touch /tmp/proof"');
    await expectAsks('git -C evil.git log', dir, 'core.pager');
    await expectAsks('git --bare -C evil.git log', dir, 'core.pager');
    await expectAsks('git log', join(dir, 'evil.git'), 'core.pager');
  });

  it("reaches a worktree's shared configuration, and its own", async () => {
    const main = repository('main');
    const wt = join(root, `wt-${++n}`);
    git(main, 'worktree', 'add', '-q', wt);
    await expectSafe('git status', wt);
    git(main, 'config', 'diff.external', 'touch /tmp/proof');
    await expectAsks('git diff', wt, 'diff.external');
    const wt2 = join(root, `wt-${++n}`);
    git(main, 'worktree', 'add', '-q', wt2);
    git(main, 'config', '--unset', 'diff.external');
    git(main, 'config', 'extensions.worktreeConfig', 'true');
    git(wt2, 'config', '--worktree', 'core.pager', 'touch /tmp/proof');
    await expectAsks('git log', wt2, 'core.pager', 'config.worktree');
    await expectSafe('git log', wt);
  });

  it('reaches the repositories of submodules, which git status runs git in', async () => {
    const lib = repository('lib');
    const top = repository('top');
    await expectSafe('git status', top);
    git(top, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib, 'vendor/lib');
    git(top, 'commit', '-q', '-m', 'lib');
    await expectSafe('git status', top);
    git(join(top, 'vendor', 'lib'), 'config', 'core.fsmonitor', 'touch /tmp/proof');
    await expectAsks('git status', top, 'core.fsmonitor', join('modules', 'vendor', 'lib', 'config'));
    await expectAsks('git diff', top, 'core.fsmonitor');
  });

  it('says which paths the attributes give a driver', async () => {
    const dir = repository();
    git(dir, 'config', 'diff.evil.textconv', 'touch /tmp/proof; cat');
    await expectAsks('git log -p', dir, 'diff.evil.textconv');
    writeFileSync(join(dir, '.gitattributes'), '*.txt diff=evil\n');
    writeFileSync(join(dir, '.git', 'info', 'attributes'), '*.md diff=evil\n');
    await expectAsks('git blame a.txt', dir, 'diff.evil.textconv', 'used for *.md in info/attributes, *.txt in .gitattributes');
  });

  it('reaches an embedded repository the index links to, which git status runs git in', async () => {
    const top = repository('top');
    const inner = join(top, 'tools', 'inner');
    mkdirSync(inner, { recursive: true });
    git(inner, 'init', '-q');
    writeFileSync(join(inner, 'x'), 'x');
    git(inner, 'add', 'x');
    git(inner, 'commit', '-q', '-m', 'x');
    git(top, '-c', 'advice.addEmbeddedRepo=false', 'add', 'tools/inner');
    git(top, 'commit', '-q', '-m', 'embedded');
    await expectSafe('git status', top);
    git(inner, 'config', 'core.fsmonitor', `touch ${join(root, 'proof')}; false`);
    await expectAsks('git status', top, 'core.fsmonitor', join('tools', 'inner', '.git', 'config'));
    // It is real: git status in the top repository runs it.
    try {
      git(top, 'status');
    } catch {
      // The hook's answer may make git complain; it ran all the same.
    }
    expect(existsSync(join(root, 'proof'))).toBe(true);
  });

  it('follows a gitfile', async () => {
    const real = repository('real');
    git(real, 'config', 'core.fsmonitor', 'touch /tmp/proof');
    const linked = join(root, `linked-${++n}`);
    mkdirSync(linked);
    writeFileSync(join(linked, '.git'), `gitdir: ${join(real, '.git')}\n`);
    await expectAsks('git status', linked, 'core.fsmonitor');
  });

  it('follows include.path and includeIf, relative and under ~', async () => {
    const dir = repository();
    writeFileSync(join(dir, 'extra.cfg'), '[diff "x"]\n\ttextconv = touch /tmp/proof\n');
    git(dir, 'config', 'include.path', '../extra.cfg');
    await expectAsks('git log -p', dir, 'diff.x.textconv', 'extra.cfg');

    const other = repository();
    writeFileSync(join(userHome, `inc-${n}.cfg`), '[core]\n\tpager = touch /tmp/proof\n');
    git(other, 'config', `includeIf.gitdir:${other}/.path`, `~/inc-${n}.cfg`);
    await expectAsks('git log', other, 'core.pager', `inc-${n}.cfg`);

    // Nested includes, in a file that only exists later.
    const third = repository();
    git(third, 'config', 'include.path', 'one.cfg');
    await expectSafe('git status', third);
    writeFileSync(join(third, '.git', 'one.cfg'), '[include]\n\tpath = two.cfg\n');
    writeFileSync(join(third, '.git', 'two.cfg'), '[alias]\n\tst = !touch /tmp/proof\n');
    await expectAsks('git status', third, 'alias.st');
  });

  it('reads the syntax as git does', async () => {
    const spellings = [
      '[core]fsmonitor=touch /tmp/proof\n',
      '[core] fsmonitor = touch /tmp/proof\n',
      '[CORE]\n\tFSMONITOR = "touch /tmp/proof"\n',
      '[core]\n\tfsmonitor = touch \\\n/tmp/proof ; a comment\n',
      '[core]\r\n\tfsmonitor = touch /tmp/proof\r\n',
      '[core "x"]\n[core]\n# pager = no\n\tfsmonitor = touch /tmp/proof\n',
    ];
    for (const text of spellings) {
      const dir = repository();
      writeFileSync(join(dir, '.git', 'config'), `[core]\n\trepositoryformatversion = 0\n${text}`);
      // git reads it so too.
      expect(git(dir, 'config', '--get', 'core.fsmonitor')).toBe('touch /tmp/proof\n');
      await expectAsks('git status', dir, 'core.fsmonitor');
    }
    const bom = repository();
    writeFileSync(join(bom, '.git', 'config'), '\ufeff[core]\n\trepositoryformatversion = 0\n\tfsmonitor = touch /tmp/proof\n');
    expect(git(bom, 'config', '--get', 'core.fsmonitor')).toBe('touch /tmp/proof\n');
    await expectAsks('git status', bom, 'core.fsmonitor');
    const dotted = repository();
    writeFileSync(join(dotted, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n[diff.Evil]\n\ttextconv = touch /tmp/proof\n');
    await expectAsks('git log -p', dotted, 'diff.evil.textconv');
  });

  it('a hook that git status runs', async () => {
    const dir = repository();
    const hook = join(dir, '.git', 'hooks', 'post-index-change');
    writeFileSync(hook, '#!/bin/sh\ntouch /tmp/proof\n');
    chmodSync(hook, 0o755);
    await expectAsks('git status', dir, 'post-index-change');
  });

  it('a configuration git cannot read is not guessed at', async () => {
    const dir = repository();
    writeFileSync(join(dir, '.git', 'config'), '[core]\n\tpager = "unterminated\n');
    const answer = await ask('git status', dir);
    expect(answer.verdict).toBe('confirm');
    expect(answer.risk.reasons.map((r) => r.code)).toContain('repository_unchecked');
  });

  it('notices a change to a repository it has already looked at', async () => {
    const dir = repository();
    await expectSafe('git status', dir);
    await expectSafe('git status', dir);
    git(dir, 'config', 'core.fsmonitor', 'touch /tmp/proof');
    await expectAsks('git status', dir, 'core.fsmonitor');
    git(dir, 'config', '--unset', 'core.fsmonitor');
    await expectSafe('git status', dir);
    // A .git appearing in a folder below the repository.
    mkdirSync(join(dir, 'sub'));
    await expectSafe('git status', join(dir, 'sub'));
    git(join(dir, 'sub'), 'init', '-q');
    git(join(dir, 'sub'), 'config', 'core.pager', 'touch /tmp/proof');
    await expectAsks('git log', join(dir, 'sub'), 'core.pager');
  });

  it('a location only known at run time asks', async () => {
    const dir = repository();
    const answer = await ask('git -C "$DIR" status', dir);
    expect(answer.verdict).toBe('confirm');
    expect(answer.risk.reasons.map((r) => r.code)).toContain('repository_unchecked');
  });

  // Only root can give a directory to another user here.
  it.skipIf(process.getuid?.() !== 0)('reports a repository git would refuse for its owner', async () => {
    const dir = repository();
    chownSync(dir, 4242, 4242);
    const answer = await ask('git status', dir);
    expect(answer.verdict).toBe('confirm');
    expect(answer.risk.reasons.map((r) => r.message).join('\n')).toContain('dubious ownership');
  });
});
