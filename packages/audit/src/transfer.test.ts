import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toJsonLine } from '@aleph/protocol';
import { AuditStore } from './store.js';
import { importJsonLines, toCsvLine } from './transfer.js';
import { cmd, tempLog } from './test-log.js';

let dir: string;
let file: string;

beforeEach(() => {
  ({ dir, file } = tempLog());
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('import and export', () => {
  it('imports an agent audit.log, reporting bad lines by number and keeping the rest', async () => {
    const store = AuditStore.open(file);
    const lines = [
      JSON.stringify({
        ts: '2026-03-01T10:00:00Z',
        event: 'terminal_cmd',
        session: 'abc',
        command: 'ls',
        verdict: 'safe',
        mode: 'safe',
        decision: 'run',
        agent: 'alpha',
      }),
      '{"ts": "2026-03-01T10:01:00Z", "event": "terminal_cmd", "command": ',
      JSON.stringify({ ts: '2026-03-01T10:02:00Z', event: 'security_mode_change', session: 'abc', to: 'dev', from: 'safe' }),
      JSON.stringify({ ts: '2026-03-01T10:03:00Z', event: 'warp_drive' }),
      '',
      JSON.stringify({ ts: 1772360000, event: 'terminal_cmd', command: 'git status', decision: 'auto_approved_dev_git_readonly' }),
    ];
    const report = await importJsonLines(store, lines);
    expect(report.imported).toBe(3);
    expect(report.skipped).toBe(2);
    expect(report.errors.map((e) => e.line)).toEqual([2, 4]);
    expect(report.errors[1]?.message).toContain('warp_drive');
    const rows = [...store.rows()];
    expect(rows.map((r) => r.event)).toEqual(['terminal_cmd', 'security_mode_change', 'terminal_cmd']);
    expect(rows[0]).toMatchObject({ ts: '2026-03-01T10:00:00.000Z', session: 'abc', payload: { agent: 'alpha', verdict: 'safe' } });
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });

  it('imports a rule whose members are not text, or named like the members of every object', async () => {
    const store = AuditStore.open(file);
    const report = await importJsonLines(store, [
      '{"event":"rule_change","change":"added","agent":"b","rule":{"pattern":{"toString":1},"action":"deny"}}',
      '{"event":"rule_change","change":"removed","agent":"c","rule":{"__proto__":{"pattern":"hidden"},"kind":"constructor"}}',
    ]);
    expect(report).toEqual({ imported: 2, skipped: 0, errors: [] });
    expect(store.latest(2).map((r) => r.summary)).toEqual(['added deny  rule "{"toString":1}" for b', 'removed allow constructor rule "" for c']);
    expect(store.verify()).toMatchObject({ ok: true, rows: 2 });
    store.close();
  });

  it('exports JSON lines that import back to the same events', async () => {
    const a = AuditStore.open(file);
    a.appendBatch([cmd('cp a b', { session: 's', actor: 'agent' }), { event: 'pairing_request', device_name: 'phone', device_type: 'ios' }]);
    const lines = [...a.rows()].map(toJsonLine);
    const b = AuditStore.open(join(dir, 'copy.db'));
    expect((await importJsonLines(b, lines)).imported).toBe(2);
    const strip = (rows: ReturnType<typeof a.latest>) => rows.map(({ id: _id, hash: _hash, ...rest }) => rest);
    expect(strip(b.latest(10))).toEqual(strip(a.latest(10)));
    a.close();
    b.close();
  });

  it('writes CSV that a spreadsheet cannot run as a formula', () => {
    const store = AuditStore.open(file);
    store.append(cmd('=HYPERLINK("http://x","click")'));
    const line = toCsvLine(store.latest(1)[0]!);
    expect(line).toContain(`"'=HYPERLINK(""http://x"",""click"") (allow-once)"`);
    store.close();
  });
});
