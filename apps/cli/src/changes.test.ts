import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();

/** A configuration someone is in the middle of editing: a mode set by hand, and a comma too many. */
const BROKEN = Buffer.from('{\n  "defaults": { "mode": "dev" },\n}\n');

/** What this Node says about BROKEN: the wording differs between Node versions. */
function parseError(): string {
  try {
    JSON.parse(BROKEN.toString());
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('BROKEN parsed');
}

const CHANGES = [
  ['mode', 'set', 'unrestricted'],
  ['mode', 'set', 'dev', '--agent', 'bot'],
  ['rules', 'add', '--agent', 'bot', '--action', 'allow', 'prefix:make *'],
  ['rules', 'remove', 'r1'],
  ['tools', 'forget', 'wc'],
];

describe('the changes the CLI makes itself, to a configuration file that does not parse', () => {
  it.each(CHANGES)('are refused, naming the file and the problem, and the file is left byte for byte: %s %s', (...args) => {
    const file = join(home(), 'exec-approvals.json');
    writeFileSync(file, BROKEN);
    const r = aleph(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `aleph: Nothing was changed: ${file} is not valid JSON (${parseError()}); it was left untouched. Every change is refused until the file parses again, so that nothing writes over it.\n`,
    );
    const json = aleph([...args, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'config_invalid', message: expect.stringMatching(/^Nothing was changed: .* is not valid JSON/) },
    });
    expect(readFileSync(file)).toEqual(BROKEN);
  });

  it('are refused when the file cannot be read, and whatever is there is left alone', () => {
    const file = join(home(), 'exec-approvals.json');
    mkdirSync(file);
    const r = aleph(['mode', 'set', 'dev', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'config_unreadable', message: expect.stringMatching(/^Nothing was changed: Cannot read /) } });
  });
});

describe('the changes the CLI makes itself, when the audit log cannot record them', () => {
  it.each([
    ['mode', 'set', 'unrestricted'],
    ['rules', 'add', '--agent', 'bot', '--action', 'allow', 'prefix:make *'],
  ])('are taken back, the file as it was before: %s %s', (...args) => {
    expect(aleph(['mode', 'set', 'safe']).code).toBe(0);
    const file = join(home(), 'exec-approvals.json');
    const before = readFileSync(file);
    // Something that is not a log in the log's place: no event can be written.
    writeFileSync(join(home(), 'data', 'aleph.db'), 'not a database');
    const r = aleph([...args, '--json']);
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'audit_unavailable' } });
    expect(readFileSync(file)).toEqual(before);
  });
});
