/**
 * The index reader against git itself: the gitlinks it finds are those `git ls-files -s` lists
 * with mode 160000, in every index version and with either object name length.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitlinks } from './gitlinks.js';

const root = mkdtempSync(join(tmpdir(), 'alidx-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = {
  ...process.env,
  HOME: root,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@a',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@a',
};
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let n = 0;
function project(format: 'sha1' | 'sha256'): string {
  const dir = join(root, `p${++n}`);
  mkdirSync(dir);
  git(dir, 'init', '-q', `--object-format=${format}`);
  for (const f of ['a.txt', 'dir/b.txt', 'dir/sub/c.txt', 'é/ü.txt', 'long-'.repeat(20) + 'name.txt']) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  git(dir, 'add', '.');
  const hash = format === 'sha1' ? 'a'.repeat(40) : 'a'.repeat(64);
  for (const link of ['vendor/lib', 'dir/sub/embedded', 'é/linked']) git(dir, 'update-index', '--add', '--cacheinfo', `160000,${hash},${link}`);
  return dir;
}

function expected(dir: string): string[] {
  return git(dir, '-c', 'core.quotePath=false', 'ls-files', '-s')
    .split('\n')
    .filter((l) => l.startsWith('160000 '))
    .map((l) => l.split('\t')[1]!);
}

describe('the gitlinks of an index', () => {
  it.each([
    ['sha1', 2],
    ['sha1', 3],
    ['sha1', 4],
    ['sha256', 2],
    ['sha256', 4],
  ] as const)('%s, index version %i', (format, version) => {
    const dir = project(format);
    // An intent-to-add entry carries extended flags, which need version 3 or later.
    if (version !== 2) {
      writeFileSync(join(dir, 'late.txt'), 'x');
      git(dir, 'add', '-N', 'late.txt');
    }
    git(dir, 'update-index', '--index-version', String(version));
    const index = readFileSync(join(dir, '.git', 'index'));
    expect(index.readUInt32BE(4)).toBe(version);
    expect(gitlinks(index)).toEqual(expected(dir));
    expect(gitlinks(index)).toHaveLength(3);
  });

  it('is null for what is not an index', () => {
    expect(gitlinks(Buffer.from('not an index'))).toBeNull();
    expect(gitlinks(Buffer.concat([Buffer.from('DIRC'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 5])]))).toBeNull();
  });
});
