/**
 * The configuration reader against git itself: for each text, what `git config --file F --list`
 * reads (or that git refuses it) is what parseConfig reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from './config-syntax.js';

const dir = mkdtempSync(join(tmpdir(), 'alcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What git reads from the text: `key=value` lines (a bare key as `key`), or null when git refuses it. */
function gitReads(text: string): string[] | null {
  const file = join(dir, 'config');
  writeFileSync(file, text);
  const r = spawnSync('git', ['config', '--file', file, '--list', '-z', '--no-includes'], {
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
  });
  if (r.status !== 0) return null;
  return r.stdout
    .split('\0')
    .filter((e) => e !== '')
    .map((e) => {
      const nl = e.indexOf('\n');
      return nl < 0 ? e : `${e.slice(0, nl)}=${e.slice(nl + 1)}`;
    });
}

function weRead(text: string): string[] | null {
  const parsed = parseConfig(text);
  if (!parsed.ok) return null;
  return parsed.entries.map((e) => (e.value === null ? e.key : `${e.key}=${e.value}`));
}

const TEXTS = [
  '[core]\n\tpager = less\n',
  '[core]pager=less\n',
  '[core] pager = less # comment\n',
  '[core]\n\tpager = "less ; not a comment"\n',
  '[core]\n\tpager = less ; comment\n',
  '[core]\n\tpager = a\\\n b\n',
  '[core]\n\tpager = "a\\tb\\nc\\\\d\\"e"\n',
  '[core]\n\tpager = a   b\t\tc   \n',
  '[core]\n\tpager = "  a  "  b  \n',
  '[core]\n\tpager\n',
  '[core]\n\tpager =\n',
  '[CORE]\n\tPAGER = x\n',
  '[diff "Evil"]\n\ttextconv = x\n',
  '[diff "a\\"b\\\\c"]\n\ttextconv = x\n',
  '[diff "a.b"]\n\ttextconv = x\n',
  '[Diff.Evil]\n\ttextconv = x\n',
  '[diff "x"] textconv = y\n',
  '[core]\r\n\tpager = x\r\n',
  '# c\n; c\n[core]\n  ; c\n\tpager = x\n',
  '[core]\n\tpager-x = y\n\tp1 = z\n',
  // What git refuses.
  '[core]\n\tpager = "unterminated\n',
  'pager = x\n',
  '[core\n\tpager = x\n',
  '[core]\n\tpager = \\q\n',
  '[core]\n\t1pager = x\n',
  '[core]\n\tpager x\n',
  '[core "x]\n',
  '[core "x" ]\n',
  '[co re]\n',
  '[core]\n\tpager # c\n',
];

describe('reads git configuration as git does', () => {
  it.each(TEXTS.map((t) => [JSON.stringify(t), t]))('%s', (_, text) => {
    expect(weRead(text!)).toEqual(gitReads(text!));
  });
});
