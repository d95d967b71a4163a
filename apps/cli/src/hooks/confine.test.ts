import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIo } from '../io.js';
import { alephProgram, confinedCommand } from './confine.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-confine-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The words bash reads from a command line. */
function words(line: string): string[] {
  const r = spawnSync('bash', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

describe('the confined run a hook answers with', () => {
  it('reads back in bash as exactly the program, the ticket and the command judged, whatever the command holds', () => {
    const command = `echo 'it'"'"'s' $HOME "$(id)" \`date\` ; a && b\nsecond line \\ * ?`;
    const program = ['/usr/bin/node', '/opt/my tools/aleph.js'];
    expect(words(confinedCommand(program, 'Ab-_9', command))).toEqual([...program, 'run', '--ticket', 'Ab-_9', '--', command]);
    expect(confinedCommand(['/usr/local/bin/aleph'], 'T', 'git status')).toBe("/usr/local/bin/aleph run --ticket T -- 'git status'");
  });

  it('starts the aleph on PATH by its absolute path when it is this program, otherwise node and this entry', () => {
    const entry = join(dir, 'lib', 'aleph.js');
    mkdirSync(join(dir, 'lib'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'other'));
    writeFileSync(entry, '');
    chmodSync(entry, 0o755);
    symlinkSync(entry, join(dir, 'bin', 'aleph'));
    writeFileSync(join(dir, 'other', 'aleph'), '#!/bin/sh\n');
    chmodSync(join(dir, 'other', 'aleph'), 0o755);
    const io = (path: string) => ({ ...processIo(), cwd: dir, env: { PATH: path } });
    expect(alephProgram(io(join(dir, 'bin')), ['node', entry], '/usr/bin/node')).toEqual([join(dir, 'bin', 'aleph')]);
    expect(alephProgram(io(`${join(dir, 'other')}:${join(dir, 'bin')}`), ['node', entry], '/usr/bin/node')).toEqual(['/usr/bin/node', entry]);
    expect(alephProgram(io(''), ['node', entry], '/usr/bin/node')).toEqual(['/usr/bin/node', entry]);
  });
});
