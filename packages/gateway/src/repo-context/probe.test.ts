/**
 * The probe's cache: answered by `stat` alone while nothing changed, and never stale when
 * something that changes git's answer did.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitLocation, RepositoryReport } from '@aleph/policy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepositoryProbe } from './probe.js';

let root: string;
let probe: RepositoryProbe;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'alprobe-'));
  probe = new RepositoryProbe({ home: root, uid: process.geteuid?.() ?? null });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const at = (cwd: string, gitDir: string | null = null): GitLocation => ({ command: 'git status', cwd, gitDir, workTree: null, unknown: null });

function repository(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir, env: { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1' } });
  return dir;
}

const keys = (r: RepositoryReport): string[] => (r.kind === 'repository' ? r.programs.map((p) => `${p.key}=${p.value}`) : [r.kind]);

/**
 * Asks until the answer comes from the cache: files written in the last moments are not trusted
 * by their times (see checks.ts), so a fresh repository is probed again until they settle.
 */
async function settled(location: GitLocation): Promise<RepositoryReport> {
  for (;;) {
    const report = probe.report(location);
    const hits = probe.hits;
    if (probe.report(location) === report && probe.hits > hits) return report;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The next answer, which must not come from the cache. */
function fresh(location: GitLocation): RepositoryReport {
  const misses = probe.misses;
  const report = probe.report(location);
  expect(probe.misses).toBe(misses + 1);
  return report;
}

describe('the repository probe cache', () => {
  it("answers from the cache with three stat calls at a repository's top, while nothing changed", async () => {
    const repo = repository('r');
    expect(keys(await settled(at(repo)))).toEqual([]);
    const hits = probe.hits;
    for (let i = 0; i < 10; i++) probe.report(at(repo));
    expect(probe.hits).toBe(hits + 10);
    expect(probe.cost(at(repo))).toBe(3);
  });

  it('sees a key appended to the configuration in place, and one written by git config', async () => {
    const repo = repository('r');
    await settled(at(repo));
    appendFileSync(join(repo, '.git', 'config'), '[core]\n\tfsmonitor = touch /tmp/x\n');
    expect(keys(fresh(at(repo)))).toEqual(['core.fsmonitor=touch /tmp/x']);
    await settled(at(repo));
    execFileSync('git', ['config', 'core.pager', 'touch /tmp/y'], { cwd: repo });
    expect(keys(probe.report(at(repo)))).toEqual(['core.fsmonitor=touch /tmp/x', 'core.pager=touch /tmp/y']);
  });

  it('sees an included file that appears later, and a change to it', async () => {
    const repo = repository('r');
    execFileSync('git', ['config', 'include.path', '../../inc.cfg'], { cwd: repo });
    expect(keys(await settled(at(repo)))).toEqual([]);
    writeFileSync(join(root, 'inc.cfg'), '[diff "x"]\n\ttextconv = cat\n');
    expect(keys(fresh(at(repo)))).toEqual(['diff.x.textconv=cat']);
    await settled(at(repo));
    appendFileSync(join(root, 'inc.cfg'), '[alias]\n\tst = !sh\n');
    expect(keys(fresh(at(repo)))).toEqual(['diff.x.textconv=cat', 'alias.st=!sh']);
  });

  it('sees a repository made in a folder between the working directory and the one it found', async () => {
    const repo = repository('r');
    const deep = join(repo, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(keys(await settled(at(deep)))).toEqual([]);
    const inner = repository('r/a');
    execFileSync('git', ['config', 'core.editor', 'vi -c !sh'], { cwd: inner });
    expect(keys(fresh(at(deep)))).toEqual(['core.editor=vi -c !sh']);
  });

  it('sees a folder on the way swapped for a symbolic link to another repository', async () => {
    const repo = repository('r');
    mkdirSync(join(repo, 'a', 'b'), { recursive: true });
    const evil = repository('evil');
    execFileSync('git', ['config', 'core.fsmonitor', 'touch /tmp/x'], { cwd: evil });
    mkdirSync(join(evil, 'b'));
    expect(keys(await settled(at(join(repo, 'a', 'b'))))).toEqual([]);
    renameSync(join(repo, 'a'), join(root, 'a-moved'));
    symlinkSync(evil, join(repo, 'a'));
    expect(keys(probe.report(at(join(repo, 'a', 'b'))))).toEqual(['core.fsmonitor=touch /tmp/x']);
  });

  it('sees a hook made executable', async () => {
    const repo = repository('r');
    const hook = join(repo, '.git', 'hooks', 'post-index-change');
    writeFileSync(hook, '#!/bin/sh\n');
    chmodSync(hook, 0o644);
    expect(keys(await settled(at(repo)))).toEqual([]);
    chmodSync(hook, 0o755);
    expect(keys(fresh(at(repo)))).toEqual([`hook post-index-change=${hook}`]);
  });

  it('sees .git replaced by a gitfile pointing at another repository', async () => {
    const repo = repository('r');
    const evil = repository('evil');
    execFileSync('git', ['config', 'diff.external', 'sh'], { cwd: evil });
    expect(keys(await settled(at(repo)))).toEqual([]);
    rmSync(join(repo, '.git'), { recursive: true });
    writeFileSync(join(repo, '.git'), `gitdir: ${join(evil, '.git')}\n`);
    expect(keys(fresh(at(repo)))).toEqual(['diff.external=sh']);
  });

  it('sees a submodule repository appear, and a key added to it', async () => {
    const repo = repository('r');
    mkdirSync(join(repo, '.git', 'modules'));
    expect(keys(await settled(at(repo)))).toEqual([]);
    execFileSync('git', ['init', '-q', '--bare', join(repo, '.git', 'modules', 'a', 'b')]);
    expect(keys(fresh(at(repo)))).toEqual([]);
    await settled(at(repo));
    execFileSync('git', ['config', '--file', join(repo, '.git', 'modules', 'a', 'b', 'config'), 'core.pager', 'sh']);
    expect(keys(fresh(at(repo)))).toEqual(['core.pager=sh']);
  });

  it('sees an embedded repository added to the index', async () => {
    const repo = repository('r');
    const inner = repository('r/inner');
    execFileSync('git', ['config', 'core.pager', 'sh'], { cwd: inner });
    writeFileSync(join(inner, 'x'), 'x');
    execFileSync('git', ['add', 'x'], { cwd: inner });
    execFileSync('git', ['-c', 'user.name=a', '-c', 'user.email=a@a', 'commit', '-q', '-m', 'x'], { cwd: inner });
    writeFileSync(join(repo, 'a'), 'a');
    execFileSync('git', ['add', 'a'], { cwd: repo });
    expect(keys(await settled(at(repo)))).toEqual([]);
    expect(probe.cost(at(repo))).toBe(3);
    execFileSync('git', ['-c', 'advice.addEmbeddedRepo=false', 'add', 'inner'], { cwd: repo });
    expect(keys(fresh(at(repo)))).toEqual(['core.pager=sh']);
  });

  it('reads a bounded number of files, and says so past it', () => {
    const repo = repository('r');
    writeFileSync(join(repo, '.git', 'inc.cfg'), '[color]\n\tui = auto\n');
    appendFileSync(join(repo, '.git', 'config'), '[include]\n' + '\tpath = inc.cfg\n'.repeat(5000));
    const report = probe.report(at(repo));
    expect(report).toMatchObject({ kind: 'unprobed', reason: expect.stringContaining('files to read') });
  });

  it('keeps answering from the cache after files are written beside the repository', async () => {
    const repo = repository('r');
    await settled(at(repo));
    writeFileSync(join(repo, 'notes.txt'), 'x');
    // The work tree's folder changed: its entries are checked again once, then trusted again.
    expect(keys(probe.report(at(repo)))).toEqual([]);
    expect(keys(await settled(at(repo)))).toEqual([]);
  });
});

describe("the repository's remotes", () => {
  it('reports each remote URL and push URL, its includes too, not a submodule’s', () => {
    const repo = repository('remotes');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, HOME: root, GIT_CONFIG_NOSYSTEM: '1' } });
    git('remote', 'add', 'origin', 'https://github.com/me/project.git');
    git('remote', 'set-url', '--push', 'origin', 'git@github.com:me/project.git');
    writeFileSync(join(root, 'more.config'), '[remote "Mirror"]\n\turl = https://mirror.example.org/project.git\n');
    git('config', 'include.path', join(root, 'more.config'));
    const sub = join(repo, '.git', 'modules', 'lib');
    mkdirSync(sub, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', sub]);
    execFileSync('git', ['--git-dir', sub, 'remote', 'add', 'origin', 'https://elsewhere.example.com/lib.git']);
    const report = probe.report(at(repo));
    expect(report.kind === 'repository' ? report.remotes : report).toEqual([
      ['origin', 'https://github.com/me/project.git'],
      ['origin', 'git@github.com:me/project.git'],
      ['Mirror', 'https://mirror.example.org/project.git'],
    ]);
  });
});
