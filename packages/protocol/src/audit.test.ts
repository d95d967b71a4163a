import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS } from './audit.js';

const DOC = readFileSync(new URL('../../../docs/audit.md', import.meta.url), 'utf8');

/** The events table of docs/audit.md: each event's fields as written (`name` or `name?`), explanations in parentheses left out. */
function documented(): Record<string, string[]> {
  const rows = DOC.split('\n').flatMap((line) => {
    const m = /^\| `([a-z_]+)` \| (.*) \|$/.exec(line);
    return m === null ? [] : [[m[1]!, [...m[2]!.replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+\??)`/g)].map((f) => f[1]!)] as const];
  });
  return Object.fromEntries(rows);
}

describe('the event catalogue', () => {
  it('docs/audit.md lists every event with exactly the fields the log validates', () => {
    const declared = Object.fromEntries(Object.entries(EVENT_FIELDS).map(([event, fields]) => [
      event, Object.entries(fields).map(([name, kind]) => (kind.endsWith('?') ? `${name}?` : name)).sort(),
    ]));
    const doc = Object.fromEntries(Object.entries(documented()).map(([event, fields]) => [event, [...fields].sort()]));
    expect(doc).toEqual(declared);
  });
});
