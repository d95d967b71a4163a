import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { search } from './search.js';
import { AuditError } from './audit-error.js';
import { AuditStore } from './store.js';
import { importJsonLines } from './transfer.js';
import { cmd, fill, tempLog } from './test-log.js';

const APPEND_LOOP = fileURLToPath(new URL('../test-fixtures/append-loop.mjs', import.meta.url));
let dir: string;
let file: string;

beforeEach(() => {
  ({ dir, file } = tempLog());
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit store', () => {
  it('creates its directory 0700 and its file 0600', () => {
    AuditStore.open(file).close();
    expect(statSync(join(dir, 'home', 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('appends typed events and reads them back with a summary and a hash', () => {
    const store = AuditStore.open(file);
    const id = store.append(cmd('cp a b', { session: 's1', actor: 'agent-1', exit_code: 0, duration_ms: 12 }), Date.parse('2026-01-02T03:04:05Z'));
    const [row] = store.latest(1);
    expect(row).toMatchObject({
      id,
      ts: '2026-01-02T03:04:05.000Z',
      event: 'terminal_cmd',
      session: 's1',
      actor: 'agent-1',
      risk_level: 'low',
      decision: 'allow-once',
      summary: 'cp a b (allow-once, exit 0)',
    });
    expect(row?.payload).toEqual({ command: 'cp a b', decision: 'allow-once', risk_level: 'low', exit_code: 0, duration_ms: 12 });
    expect(row?.hash).toMatch(/^[0-9a-f]{64}$/);
    store.close();
  });

  it('rejects invalid events with a clear error and writes nothing of their batch', () => {
    const store = AuditStore.open(file);
    expect(() => store.append({ event: 'terminal_cmd' })).toThrow(/needs "command"/);
    expect(() => store.append({ event: 'teleport' })).toThrow(/Unknown event type "teleport"/);
    expect(() => store.append(cmd('x', { risk_level: 'apocalyptic' }))).toThrow(/risk_level/);
    expect(() => store.appendBatch([cmd('a'), { event: 'device_paired' }])).toThrow(/Event 2: .*device_id/);
    expect(store.latest(10)).toEqual([]);
    store.close();
  });

  it('verifies an intact chain, and names the row someone edited with the sqlite3 shell', () => {
    const store = AuditStore.open(file);
    fill(store, 10);
    expect(store.verify()).toEqual({ ok: true, rows: 10, anchored_after: null, head: null, problem_count: 0, problems: [] });
    store.close();
    const edit = spawnSync('sqlite3', [file, "UPDATE events SET summary = 'nothing to see' WHERE id = 7"], { encoding: 'utf8' });
    expect(edit.status, edit.stderr).toBe(0);
    const reopened = AuditStore.open(file);
    expect(reopened.verify()).toMatchObject({
      ok: false,
      rows: 10,
      problem_count: 1,
      problems: [{ id: 7, reason: 'its hash does not match its contents and the previous row' }],
    });
    reopened.close();
  });

  it('reports every row that does not match, so that one break cannot hide another', () => {
    const store = AuditStore.open(file);
    fill(store, 12);
    const db = store.connection;
    db.prepare("UPDATE events SET summary = 'edited' WHERE id IN (3, 8)").run();
    db.prepare('DELETE FROM events WHERE id IN (5, 6)').run();
    // A row whose hash was overwritten fails its own check and the link of the row after it.
    db.prepare('UPDATE events SET hash = zeroblob(32) WHERE id = 11').run();
    expect(store.verify()).toMatchObject({
      ok: false,
      rows: 10,
      problem_count: 5,
      problems: [
        { id: 3, reason: 'its hash does not match its contents and the previous row' },
        { id: 7, reason: 'rows 5 to 6 are missing before it' },
        { id: 8, reason: 'its hash does not match its contents and the previous row' },
        { id: 11, reason: 'its hash does not match its contents and the previous row' },
        { id: 12, reason: 'its hash does not match its contents and the previous row' },
      ],
    });
    store.close();
  });

  it('counts every problem but lists only the first 20', () => {
    const store = AuditStore.open(file);
    fill(store, 30);
    store.connection.prepare("UPDATE events SET summary = 'edited' WHERE id > 5").run();
    const check = store.verify();
    expect(check).toMatchObject({ ok: false, rows: 30, problem_count: 25 });
    expect(check.problems.map((p) => p.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    store.close();
  });

  it('indexes the oldest rows waiting, a slice at a time, when given a limit', () => {
    const store = AuditStore.open(file, { indexOnAppend: false });
    fill(store, 10);
    const reader = new Database(file, { readonly: true });
    const indexed = () => [reader.prepare('SELECT indexed_up_to AS n FROM index_state').get(), reader.prepare('SELECT count(*) AS n FROM events_fts').get()];
    expect(store.index(4)).toBe(4);
    expect(indexed()).toEqual([{ n: 4 }, { n: 4 }]);
    expect([store.index(4), store.index(4), store.index(4)]).toEqual([4, 2, 0]);
    expect(indexed()).toEqual([{ n: 10 }, { n: 10 }]);
    reader.close();
    store.close();
  });

  it('still searches and shows a row whose payload was edited into something unreadable, and names it in verify', () => {
    // Edited before the search index has caught up, so that indexing meets it too.
    const store = AuditStore.open(file, { indexOnAppend: false });
    fill(store, 3);
    const edit = spawnSync('sqlite3', [file, "UPDATE events SET payload = '{oops' WHERE id = 2"], { encoding: 'utf8' });
    expect(edit.status, edit.stderr).toBe(0);
    expect(search(store, {}).rows.map((r) => r.payload.unreadable_payload ?? 'ok')).toEqual(['ok', '{oops', 'ok']);
    expect(store.verify()).toMatchObject({ ok: false, problems: [{ id: 2 }] });
    store.close();
  });

  it('notices a row deleted from the middle of the chain, and the first rows deleted', () => {
    const store = AuditStore.open(file);
    fill(store, 10);
    store.connection.prepare('DELETE FROM events WHERE id = 4').run();
    expect(store.verify()).toMatchObject({ ok: false, problems: [{ id: 5, reason: 'row 4 is missing before it' }] });
    store.connection.prepare('DELETE FROM events WHERE id <= 2').run();
    expect(store.verify()).toMatchObject({ ok: false, problems: [{ id: 3, reason: 'rows 1 to 2 are missing before it' }, { id: 5 }] });
    store.close();
  });

  it('prunes by age and by count, keeping an anchor so the rest still verifies', () => {
    const store = AuditStore.open(file);
    const day = 86_400_000;
    const now = Date.parse('2026-06-01T00:00:00Z');
    store.appendBatch([cmd('old 1'), cmd('old 2')], now - 30 * day);
    store.appendBatch([cmd('new 1'), cmd('new 2'), cmd('new 3')], now);
    expect(store.prune({ maxAgeMs: 7 * day, now })).toBe(2);
    expect(store.verify()).toMatchObject({ ok: true, rows: 3, anchored_after: 2 });
    expect(store.prune({ maxRows: 1 })).toBe(2);
    expect(store.verify()).toMatchObject({ ok: true, rows: 1, anchored_after: 4 });
    store.append(cmd('after pruning'));
    expect(store.verify()).toMatchObject({ ok: true, rows: 2, anchored_after: 4 });
    expect(store.latest(5).map((r) => r.id)).toEqual([5, 6]);
    expect(store.prune({ maxRows: 10 })).toBe(0);
    store.close();
  });

  it('loses no acknowledged event when the writer is killed with SIGKILL mid-stream', async () => {
    AuditStore.open(file).close();
    const child = spawn(process.execPath, [APPEND_LOOP, file, 'crash'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buffered = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acked.push(Number(line));
        if (acked.length >= 200 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));
    const store = AuditStore.open(file);
    const ids = new Set([...store.rows()].map((r) => r.id));
    for (const id of acked) expect(ids.has(id)).toBe(true);
    expect(store.verify()).toMatchObject({ ok: true });
    // The killed writer left rows unindexed; search catches the index up and finds them all.
    const last = acked[acked.length - 1]!;
    expect(search(store, { text: 'crash', limit: 1000, countLimit: 100_000 }).count).toBe(ids.size);
    expect(search(store, { text: `crash ${last - 1}` }).rows.map((r) => r.id)).toContain(last);
    store.close();
  });

  it('lets two processes append at once, both succeeding on one unbroken chain', async () => {
    AuditStore.open(file).close();
    const run = (label: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [APPEND_LOOP, file, label, '300'], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', resolve);
      });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const store = AuditStore.open(file);
    const rows = [...store.rows()];
    expect(rows).toHaveLength(600);
    expect(rows.filter((r) => r.session === 'a')).toHaveLength(300);
    expect(store.verify()).toMatchObject({ ok: true, rows: 600 });
    store.close();
  });

  it('refuses a file that is not SQLite, naming it and leaving it untouched', () => {
    AuditStore.open(file).close();
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(100));
    const before = readFileSync(file);
    expect(() => AuditStore.open(file)).toThrow(AuditError);
    expect(() => AuditStore.open(file)).toThrow(`${file} is not an SQLite database`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("refuses another program's SQLite database", () => {
    AuditStore.open(file).close();
    rmSync(file);
    const other = new Database(file);
    other.exec('CREATE TABLE recipes (name TEXT)');
    other.close();
    expect(() => AuditStore.open(file)).toThrow(/another program's SQLite database/);
  });

  it('refuses a corrupt database with a clear error', () => {
    const store = AuditStore.open(file);
    fill(store, 500);
    store.close();
    const bytes = readFileSync(file);
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = 0xa5;
    writeFileSync(file, bytes);
    const attempt = () => {
      const s = AuditStore.open(file);
      try {
        s.verify();
      } finally {
        s.close();
      }
    };
    expect(attempt).toThrow(AuditError);
    expect(attempt).toThrow(/corrupt|not an SQLite database/);
  });

  it('refuses a database written by a newer schema', () => {
    AuditStore.open(file).close();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => AuditStore.open(file)).toThrow(/newer Aleph/);
  });
});

describe('text in the log', () => {
  /** Any string: any UTF-16 code units, and many with surrogates, paired or alone. */
  const text = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0x7f })).map((c) => String.fromCharCode(c)) }),
    fc.constantFrom('\ud800', 'ls \udfff', '🚀'.slice(0, 1), '\u0000', 'é🚀'),
  );
  const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;

  it('stores exactly what it hashes: any text appends, reads back unchanged and verifies, or is refused and leaves nothing', () => {
    const store = AuditStore.open(file);
    fc.assert(
      fc.property(text, text, text, text, (command, session, actor, reason) => {
        const last = store.latest(1)[0]?.id ?? 0;
        let id: number;
        try {
          id = store.append(cmd(command, { session, actor, reason }));
        } catch (error) {
          expect(error).toMatchObject({ code: 'invalid_event', message: expect.stringContaining('not well-formed Unicode') });
          expect([command, session, actor, reason].every(wellFormed)).toBe(false);
          expect(store.latest(1)[0]?.id ?? 0).toBe(last);
          return;
        }
        const row = [...store.rows(last)][0]!;
        expect(row).toMatchObject({ id, session, actor, payload: { command, reason } });
        expect(store.verify()).toMatchObject({ ok: true });
        expect([command, session, actor, reason].every(wellFormed)).toBe(true);
      }),
      { numRuns: 300 },
    );
    store.close();
  });

  it('refuses a lone surrogate in an imported line, and the log still verifies', async () => {
    const store = AuditStore.open(file);
    const report = await importJsonLines(store, [
      '{"event":"pairing_request","device_name":"\\ud800","device_type":"phone"}',
      '{"event":"pairing_request","device_name":"ok","device_type":"phone"}',
    ]);
    expect(report).toMatchObject({ imported: 1, skipped: 1, errors: [{ line: 1, message: expect.stringContaining('"device_name" is not well-formed') }] });
    expect(store.verify()).toMatchObject({ ok: true, rows: 1 });
    store.close();
  });
});
