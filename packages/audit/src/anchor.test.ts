import { readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from './store.js';
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

describe('the anchor left by pruning', () => {
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
