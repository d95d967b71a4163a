import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditStore, HEAD_DELAY_MS } from './store.js';
import { cmd, fill, tempLog } from './test-log.js';

let dir: string;
let file: string;
let head: string;

beforeEach(() => {
  ({ dir, file, head } = tempLog());
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the head kept outside the log', () => {
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
