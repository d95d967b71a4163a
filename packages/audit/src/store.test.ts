import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { search } from './search.js';
import { AuditError } from './audit-error.js';
import { AuditStore, HEAD_DELAY_MS } from './store.js';
import { toJsonLine } from '@aleph/protocol';
import { importJsonLines, toCsvLine } from './transfer.js';

const APPEND_LOOP = fileURLToPath(new URL('../test-fixtures/append-loop.mjs', import.meta.url));
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-audit-'));
  file = join(dir, 'home', 'data', 'aleph.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cmd = (command: string, extra: Record<string, unknown> = {}) => ({ event: 'terminal_cmd', command, decision: 'allow-once', risk_level: 'low', ...extra });

function fill(store: AuditStore, n: number): void {
  store.appendBatch(Array.from({ length: n }, (_, i) => cmd(`echo ${i}`)));
}

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

describe('the anchor left by pruning', () => {
  let head: string;
  beforeEach(() => {
    head = join(dir, 'home', 'audit-head.json');
  });
  /** A log of `n` events with its head recorded, open. */
  function log(n: number): AuditStore {
    const store = AuditStore.open(file, { head });
    fill(store, n);
    store.syncHead();
    return store;
  }
  const hashOf = (store: AuditStore, id: number): Buffer => (store.connection.prepare('SELECT hash FROM events WHERE id = ?').get(id) as { hash: Buffer }).hash;
  const forgeAnchor = (store: AuditStore, beforeId: unknown, hash: unknown): void => {
    store.connection
      .prepare(
        'INSERT INTO chain_anchor (id, before_id, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET before_id = excluded.before_id, hash = excluded.hash',
      )
      .run(beforeId, hash);
  };
  const reasons = (store: AuditStore): string[] => store.verify().problems.map((p) => `${p.id ?? '-'}: ${p.reason}`);

  it('does not let a forged anchor hide rows edited before it', () => {
    const store = log(10);
    store.connection.prepare("UPDATE events SET summary = 'nothing to see' WHERE id = 3").run();
    forgeAnchor(store, 5, hashOf(store, 5));
    const check = store.verify();
    expect(check).toMatchObject({ ok: false, rows: 10, problem_count: 6 });
    // Rows 1 to 5, and the anchor that the head does not record.
    expect(check.problems.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(check.problems[0]!.reason).toMatch(/^it lies at or before the chain's anchor \(row 5\), so it should have been pruned/);
    store.close();
  });

  it('does not let an anchor beyond the newest row, or past the head, vouch for anything', () => {
    const store = log(10);
    store.connection.prepare("UPDATE events SET summary = 'nothing to see' WHERE id = 10").run();
    forgeAnchor(store, 100, Buffer.alloc(32, 7));
    const check = store.verify();
    expect(check.ok).toBe(false);
    expect(check.problem_count).toBe(13);
    expect(reasons(store)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^100: the chain's anchor \(row 100\) is not recorded in its head/),
        expect.stringMatching(/^-: the chain's anchor \(row 100\) lies at or past the newest row \(10\)/),
        expect.stringMatching(/^10: the chain's anchor \(row 100\) lies past the head recorded outside the log \(row 10\)/),
      ]),
    );
    store.close();
  });

  it('tells an anchor edited after pruning, whether rows follow it or not', () => {
    const store = log(6);
    store.prune({ maxRows: 2 });
    expect(store.verify()).toMatchObject({ ok: true, rows: 2, anchored_after: 4 });
    const { hash } = store.connection.prepare('SELECT hash FROM chain_anchor').get() as { hash: Buffer };
    const notRecorded = (id: number, row: number): RegExp =>
      new RegExp(`^${id}: the chain's anchor \\(row ${id}\\) is not the one its head \\(kept in .*\\) records \\(row ${row}\\)`);
    forgeAnchor(store, 4, Buffer.alloc(32, 1));
    expect(reasons(store)).toEqual([expect.stringMatching(/^5: it does not follow from the chain's anchor/), expect.stringMatching(notRecorded(4, 4))]);
    forgeAnchor(store, 3, hash);
    expect(reasons(store)).toEqual([expect.stringMatching(/^5: row 4 is missing before it/), expect.stringMatching(notRecorded(3, 4))]);
    forgeAnchor(store, 4, hash);
    expect(store.verify().ok).toBe(true);
    // Every row pruned: the anchor is the chain's tip, held to the head.
    store.prune({ maxRows: 0 });
    expect(store.verify()).toMatchObject({ ok: true, rows: 0, anchored_after: 6 });
    const tip = (store.connection.prepare('SELECT hash FROM chain_anchor').get() as { hash: Buffer }).hash;
    forgeAnchor(store, 6, Buffer.alloc(32, 1));
    expect(reasons(store)).toEqual([expect.stringMatching(/^6: row 6 is not the row its head/), expect.stringMatching(notRecorded(6, 6))]);
    forgeAnchor(store, 9, tip);
    expect(reasons(store)).toEqual([
      expect.stringMatching(/^6: the chain's anchor \(row 9\) lies past the head recorded outside the log \(row 6\)/),
      expect.stringMatching(notRecorded(9, 6)),
    ]);
    store.close();
  });

  it('records the head when it prunes, so that the anchor never lies past it', () => {
    const store = AuditStore.open(file, { head });
    fill(store, 5);
    // The head trails: it was never recorded for these rows.
    store.prune({ maxRows: 1 });
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ id: 5 });
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({ ok: true, rows: 1, anchored_after: 4 });
    store.close();
  });

  it('does not let the oldest rows, removed with an anchor put in their place, pass for pruning', () => {
    const store = log(6);
    const third = hashOf(store, 3);
    store.connection.prepare('DELETE FROM events WHERE id <= 3').run();
    forgeAnchor(store, 3, third);
    expect(reasons(store)).toEqual([
      expect.stringMatching(
        /^3: the chain's anchor \(row 3\) is not recorded in its head \(kept in .*\), as pruning records it: rows up to 3 were removed without pruning/,
      ),
    ]);
    store.close();
  });

  it('records its anchor in the head, and tells an anchor that is not the one recorded there', () => {
    const store = log(6);
    store.prune({ maxRows: 3 });
    const recorded = JSON.parse(readFileSync(head, 'utf8')) as { id: number; hash: string; anchor: { id: number; hash: string } };
    expect(recorded).toEqual({ id: 6, hash: expect.stringMatching(/^[0-9a-f]{64}$/), anchor: { id: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // A later writer keeps it there.
    store.append(cmd('after pruning'));
    store.syncHead();
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ id: 7, anchor: recorded.anchor });
    expect(store.verify()).toMatchObject({ ok: true, rows: 4, anchored_after: 3, head: { id: 7, hash: expect.any(String) } });
    // Rows 4 and 5 removed as well, with an anchor at 5 in place of the one pruning left.
    const fifth = hashOf(store, 5);
    store.connection.prepare('DELETE FROM events WHERE id <= 5').run();
    forgeAnchor(store, 5, fifth);
    expect(reasons(store)).toEqual([expect.stringMatching(/^5: the chain's anchor \(row 5\) is not the one its head \(kept in .*\) records \(row 3\)/)]);
    // No anchor at all where the head records one.
    store.connection.prepare('DELETE FROM chain_anchor').run();
    expect(reasons(store)).toEqual([
      '6: rows 1 to 5 are missing before it',
      expect.stringMatching(/^3: its head \(kept in .*\) records rows up to 3 as pruned, but the log holds no anchor/),
    ]);
    store.close();
  });

  it("records the log's anchor in a new head, where the old one was moved aside", () => {
    const pruner = log(6);
    pruner.prune({ maxRows: 3 });
    pruner.close();
    rmSync(head);
    const store = AuditStore.open(file, { head });
    store.append(cmd('after the head was moved aside'));
    store.syncHead();
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ id: 7, anchor: { id: 3 } });
    expect(store.verify()).toMatchObject({ ok: true, rows: 4, anchored_after: 3 });
    store.close();
  });

  it('tells a second anchor, and an anchor that is not an id and a hash, without failing', () => {
    const store = log(4);
    store.prune({ maxRows: 2 });
    const db = store.connection;
    db.exec(
      'ALTER TABLE chain_anchor RENAME TO old_anchor; CREATE TABLE chain_anchor (id INTEGER PRIMARY KEY, before_id, hash); INSERT INTO chain_anchor SELECT * FROM old_anchor; DROP TABLE old_anchor;',
    );
    db.prepare('INSERT INTO chain_anchor (id, before_id, hash) VALUES (2, 3, ?)').run(hashOf(store, 3));
    expect(reasons(store)).toEqual([expect.stringMatching(/^-: the log holds 2 anchors/)]);
    db.exec('DELETE FROM chain_anchor WHERE id = 2');
    forgeAnchor(store, 2, 'not a hash');
    const noAnchor = expect.stringMatching(/^2: its head \(kept in .*\) records rows up to 2 as pruned, but the log holds no anchor/);
    expect(reasons(store)).toEqual([
      expect.stringMatching(/^-: the chain's anchor is not a row id and a 32-byte hash/),
      '3: rows 1 to 2 are missing before it',
      noAnchor,
    ]);
    forgeAnchor(store, 'two', hashOf(store, 3));
    expect(store.verify()).toMatchObject({
      ok: false,
      problems: [{ id: null, reason: expect.stringMatching(/^the chain's anchor is not a row id/) }, { id: 3 }, { id: 2 }],
    });
    store.close();
  });

  it('refuses to prune a log that does not reach its head', () => {
    const store = log(5);
    store.connection.prepare('DELETE FROM events WHERE id = 5').run();
    expect(() => store.prune({ maxRows: 0 })).toThrow(expect.objectContaining({ code: 'behind_head' }));
    expect(store.connection.prepare('SELECT count(*) AS n FROM chain_anchor').get()).toEqual({ n: 0 });
    store.close();
  });
});

describe('the head kept outside the log', () => {
  let head: string;
  beforeEach(() => {
    head = join(dir, 'home', 'audit-head.json');
  });
  const withHead = (): AuditStore => AuditStore.open(file, { head });
  const recorded = (): unknown => JSON.parse(readFileSync(head, 'utf8'));

  /** A log of `n` events, closed, with its head recorded. */
  function written(n: number): { id: number; hash: string } {
    const store = withHead();
    fill(store, n);
    const last = store.latest(1)[0]!;
    store.close();
    return { id: last.id, hash: last.hash };
  }

  it('records the newest row in a private file once a burst of commits is over, and on close', () => {
    vi.useFakeTimers();
    try {
      const store = withHead();
      fill(store, 3);
      store.append(cmd('one more'));
      expect(existsSync(head)).toBe(false);
      vi.advanceTimersByTime(HEAD_DELAY_MS);
      expect(recorded()).toEqual({ id: 4, hash: store.latest(1)[0]!.hash });
      expect(statSync(head).mode & 0o777).toBe(0o600);
      store.append(cmd('last'));
      store.close();
      expect(recorded()).toEqual({ id: 5, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } finally {
      vi.useRealTimers();
    }
  });

  it('verifies a log that reaches its head, even when retention pruned every row', () => {
    const last = written(5);
    expect(AuditStore.verifyFile(file, { head })).toEqual({ ok: true, rows: 5, anchored_after: null, head: last, problem_count: 0, problems: [] });
    const store = withHead();
    store.prune({ maxRows: 0 });
    store.close();
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({ ok: true, rows: 0, anchored_after: 5 });
  });

  it('tells a log whose newest rows were removed, or that was emptied', () => {
    written(5);
    spawnSync('sqlite3', [file, 'DELETE FROM events WHERE id > 3']);
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      rows: 3,
      problems: [
        {
          id: 5,
          reason: expect.stringMatching(/^the log ends at row 3, but its head \(kept in .*audit-head\.json\) records row 5: rows were removed from its end/),
        },
      ],
    });
    spawnSync('sqlite3', [file, 'DELETE FROM events']);
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      rows: 0,
      problems: [{ id: 5, reason: expect.stringContaining('the log holds no rows, but its head') }],
    });
  });

  it('tells a log replaced by another, longer one', () => {
    written(5);
    const other = join(dir, 'other.db');
    const replacement = AuditStore.open(other);
    fill(replacement, 8);
    replacement.close();
    renameSync(other, file);
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      rows: 8,
      problems: [{ id: 5, reason: expect.stringContaining('row 5 is not the row its head') }],
    });
  });

  it('tells a log truncated to nothing, or cut short, and a missing one, and creates nothing', () => {
    written(500);
    const size = statSync(file).size;
    // Cut short, the file is no whole database any more: an error that names it.
    truncateSync(file, Math.floor(size / 2));
    expect(() => AuditStore.verifyFile(file, { head })).toThrow(expect.objectContaining({ code: 'corrupt', message: expect.stringContaining(file) }));
    truncateSync(file, 0);
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      rows: 0,
      problems: [
        { id: null, reason: `the audit log ${file} is an empty file, but its head (kept in ${head}) records events up to row 500: the log was emptied` },
      ],
    });
    rmSync(join(dir, 'home', 'data'), { recursive: true });
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      problems: [{ id: null, reason: expect.stringContaining(`there is no audit log at ${file}, but its head`) }],
    });
    expect(AuditStore.verifyFile(join(dir, 'nowhere', 'aleph.db'))).toMatchObject({
      ok: false,
      problems: [{ id: null, reason: `there is no audit log at ${join(dir, 'nowhere', 'aleph.db')}` }],
    });
    expect(existsSync(join(dir, 'home', 'data'))).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('refuses to start a new log where its head says one was, and to append to a log behind its head', () => {
    written(5);
    rmSync(file);
    expect(withHead).toThrow(
      expect.objectContaining({
        code: 'behind_head',
        message: expect.stringContaining('records events up to row 5: the log was deleted or moved. Nothing was created.'),
      }),
    );
    expect(existsSync(file)).toBe(false);
    // Moved aside on purpose, the head no longer stands in the way.
    renameSync(head, `${head}.old`);
    written(2);
    spawnSync('sqlite3', [file, 'DELETE FROM events WHERE id = 2']);
    const store = withHead();
    expect(() => store.append(cmd('on top'))).toThrow(expect.objectContaining({ code: 'behind_head' }));
    expect(() => store.checkHead()).toThrow(/the log ends at row 1, but its head .* records row 2/);
    expect(store.latest(5).map((r) => r.id)).toEqual([1]);
    store.close();
    expect(recorded()).toMatchObject({ id: 2 });
  });

  it('does not start a new log in an emptied file where its head says one was', () => {
    written(3);
    truncateSync(file, 0);
    expect(withHead).toThrow(
      expect.objectContaining({
        code: 'behind_head',
        message: expect.stringContaining(
          `The audit log ${file} is empty, but its head (kept in ${head}) records events up to row 3: it was emptied or replaced. Nothing was written.`,
        ),
      }),
    );
    expect(statSync(file).size).toBe(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a head file that is not one, rather than trusting or replacing it', () => {
    written(2);
    writeFileSync(head, 'not a head');
    const store = withHead();
    expect(() => store.append(cmd('x'))).toThrow(expect.objectContaining({ code: 'head_unreadable' }));
    store.close();
    expect(readFileSync(head, 'utf8')).toBe('not a head');
    expect(AuditStore.verifyFile(file, { head })).toMatchObject({
      ok: false,
      problems: [{ id: null, reason: expect.stringContaining('cannot be read (it is not JSON)') }],
    });
  });

  it('refuses to append once rows it appended are gone, head or not', () => {
    const store = AuditStore.open(file);
    fill(store, 3);
    spawnSync('sqlite3', [file, 'DELETE FROM events WHERE id = 3']);
    expect(() => store.append(cmd('on top'))).toThrow(
      expect.objectContaining({ code: 'behind_head', message: expect.stringContaining('it ends at row 2; they went up to row 3') }),
    );
    store.close();
  });

  it.each(['-wal', '-shm'])('refuses to append once the %s file it writes through was deleted or replaced while open', (suffix) => {
    const store = AuditStore.open(file);
    fill(store, 2);
    expect(() => store.checkFile()).not.toThrow();
    rmSync(`${file}${suffix}`);
    const gone = `the audit log's ${suffix === '-wal' ? 'write-ahead log' : 'shared-memory index'} ${file}${suffix} was deleted while the log was open`;
    expect(() => store.checkFile()).toThrow(expect.objectContaining({ code: 'replaced', message: expect.stringContaining(gone) }));
    expect(() => store.append(cmd('after'))).toThrow(expect.objectContaining({ code: 'replaced', message: expect.stringContaining(gone) }));
    expect(() => store.prune({ maxRows: 0 })).toThrow(expect.objectContaining({ code: 'replaced' }));
    expect(store.latest(5).map((r) => r.id)).toEqual([1, 2]);
    store.close();
    // Replaced by another file of that name: refused too, and for good, even once the file looks right again.
    const again = AuditStore.open(file);
    again.append(cmd('one'));
    const saved = readFileSync(`${file}${suffix}`);
    rmSync(`${file}${suffix}`);
    writeFileSync(`${file}${suffix}`, saved);
    expect(() => again.append(cmd('two'))).toThrow(
      expect.objectContaining({ code: 'replaced', message: expect.stringContaining('was replaced by another file while the log was open') }),
    );
    expect(() => again.checkFile()).toThrow(/was replaced by another file while the log was open/);
    again.close();
  });

  it('still tells a deleted write-ahead log once the directory has stood still, even with its times set back', async () => {
    const store = AuditStore.open(file);
    fill(store, 2);
    const data = dirname(file);
    const before = statSync(data, { bigint: true });
    // Full checks see the directory unchanged for longer than its timestamps are coarse; from then
    // on one stat of it stands for the files, until it changes.
    expect(() => store.checkFile()).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, before.mtimeNs % 1_000_000_000n === 0n ? 3_100 : 150));
    expect(() => store.checkFile()).not.toThrow();
    expect(store.append(cmd('while it stands still'))).toBe(3);
    rmSync(`${file}-wal`);
    // Its modification time set back to the nanosecond: its change time still moved.
    const mtime = `@${before.mtimeNs / 1_000_000_000n}.${String(before.mtimeNs % 1_000_000_000n).padStart(9, '0')}`;
    expect(spawnSync('touch', ['-m', '-d', mtime, data]).status).toBe(0);
    expect(statSync(data, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
    expect(() => store.append(cmd('after'))).toThrow(expect.objectContaining({ code: 'replaced', message: expect.stringContaining('write-ahead log') }));
    store.close();
  });

  it('goes on appending while other processes open and close the log', () => {
    const store = AuditStore.open(file);
    fill(store, 2);
    for (const sql of [
      'SELECT count(*) FROM events',
      'INSERT INTO events (id, ts, event, summary, payload, hash) SELECT 3, ts, event, summary, payload, hash FROM events WHERE id = 2; DELETE FROM events WHERE id = 3',
    ]) {
      const r = spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(() => store.checkFile()).not.toThrow();
    }
    expect(AuditStore.verifyFile(file)).toMatchObject({ ok: true, rows: 2 });
    expect(store.append(cmd('still here'))).toBe(3);
    store.close();
  });

  it('tells when its file was deleted or replaced while open', () => {
    const store = AuditStore.open(file);
    fill(store, 2);
    expect(() => store.checkFile()).not.toThrow();
    renameSync(file, `${file}.moved`);
    expect(() => store.checkFile()).toThrow(expect.objectContaining({ code: 'replaced', message: expect.stringContaining('was deleted while it was open') }));
    expect(store.verify()).toMatchObject({ ok: false, problems: [{ id: null, reason: `the audit log ${file} was deleted while it was open` }] });
    writeFileSync(file, '');
    expect(() => store.checkFile()).toThrow(/was replaced by another file while it was open/);
    store.close();
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
