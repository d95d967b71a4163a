import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoot, runConfined } from './confined-run.js';
import { processIo, type Io } from './io.js';

/** The one way `aleph exec` and `aleph run` run an allowed command, with real bubblewrap and the real domain proxy. */
let home = '';
const project = () => join(home, 'project');
let said: string[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aleph-confined-run-'));
  mkdirSync(join(project(), '.git'), { recursive: true });
  mkdirSync(join(project(), 'src'));
  said = [];
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function io(): Io {
  return { ...processIo(), cwd: project(), env: { ...process.env, HOME: home, ALEPH_HOME: join(home, '.aleph') }, err: (text) => void said.push(text) };
}

describe.runIf(process.platform === 'linux')('a confined run', () => {
  it('with some domains granted, goes through the domain proxy: a refused domain is said on one line and recorded by name', async () => {
    const ran = await runConfined(
      'curl -fsS --max-time 10 -o /dev/null http://not-granted.invalid/',
      project(),
      { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['granted.invalid'] } },
      io(),
    );
    expect(ran.code).not.toBe(0);
    expect(ran.sandbox?.status).toBe('sandbox_violation');
    expect(ran.sandbox?.violations).toContainEqual(expect.stringContaining('the domain proxy refused not-granted.invalid:80 (http, not granted)'));
    expect(said.filter((l) => l.startsWith('aleph:'))).toEqual([
      expect.stringMatching(
        /^aleph: the sandbox refused this command network access \(the domain proxy refused not-granted\.invalid:80 .*\); it ran confined, .*wider grant/,
      ),
    ]);
  });

  it('writes the whole repository from a directory inside it, and nothing of the home', async () => {
    const ran = await runConfined(
      'echo top > ../top.txt; echo home > ~/home.txt',
      join(project(), 'src'),
      { kind: 'sandbox', network: { kind: 'deny' } },
      io(),
    );
    expect(ran.code).not.toBe(0);
    expect(readFileSync(join(project(), 'top.txt'), 'utf8')).toBe('top\n');
    expect(existsSync(join(home, 'home.txt'))).toBe(false);
  });

  it('unconfined, where a person chose it: runs directly, with no sandbox record', async () => {
    const ran = await runConfined('echo home > ~/home.txt', project(), { kind: 'unconfined' }, io());
    expect(ran).toEqual({ code: 0, signal: null });
  });
});

describe('the project of a command', () => {
  it('is the repository around it, never the home, else the directory itself', () => {
    expect(projectRoot(join(project(), 'src'), home)).toBe(project());
    mkdirSync(join(home, '.git'));
    expect(projectRoot(join(home, 'elsewhere', 'deep'), home)).toBe(join(home, 'elsewhere', 'deep'));
    expect(projectRoot('/', home)).toBe('/');
  });
});
