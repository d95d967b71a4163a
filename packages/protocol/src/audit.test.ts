import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_FIELDS, toJsonLine, type AuditRow } from './audit.js';

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
    const declared = Object.fromEntries(
      Object.entries(EVENT_FIELDS).map(([event, fields]) => [
        event,
        Object.entries(fields)
          .map(([name, kind]) => (kind.endsWith('?') ? `${name}?` : name))
          .sort(),
      ]),
    );
    const doc = Object.fromEntries(Object.entries(documented()).map(([event, fields]) => [event, [...fields].sort()]));
    expect(doc).toEqual(declared);
  });
});

describe('toJsonLine', () => {
  it('writes a row as a line of the agent audit.log: its event, with actor only when there is one', () => {
    const row: AuditRow = {
      id: 7,
      ts: '2026-03-01T10:00:00.000Z',
      event: 'terminal_cmd',
      session: 's1',
      actor: 'agent',
      risk_level: 'low',
      decision: 'allow-once',
      summary: 'cmd 7 (allow-once): safe',
      payload: { command: 'cmd 7' },
      hash: 'ab',
    };
    expect(JSON.parse(toJsonLine(row))).toEqual({ ts: row.ts, event: 'terminal_cmd', session: 's1', actor: 'agent', command: 'cmd 7' });
    expect(toJsonLine({ ...row, actor: null })).not.toContain('actor');
  });
});
