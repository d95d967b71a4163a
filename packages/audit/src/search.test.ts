import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ftsQuery, search } from './search.js';
import { AuditStore } from './store.js';

let dir: string;
let store: AuditStore;
const T0 = Date.parse('2026-05-01T00:00:00Z');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-search-'));
  store = AuditStore.open(join(dir, 'aleph.db'));
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    events.push({
      event: 'terminal_cmd',
      command: `npm run build --step ${i}`,
      decision: i % 3 === 0 ? 'deny' : 'allow-once',
      risk_level: i % 10 === 0 ? 'high' : 'low',
      session: i < 60 ? 'morning' : 'evening',
      actor: 'agent-7',
      cwd: '/home/me/project',
      ts: new Date(T0 + i * 60_000).toISOString(),
    });
  }
  events.push({
    event: 'filesystem_denied',
    path: '/etc/hosts',
    reason: 'outside the workspace',
    session: 'evening',
    ts: new Date(T0 + 200 * 60_000).toISOString(),
  });
  events.push({ event: 'pairing_request', device_name: "Ana's phone", device_type: 'ios', ts: new Date(T0 + 201 * 60_000).toISOString() });
  store.appendBatch(events);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('search', () => {
  it('returns the newest rows first with a count', () => {
    const r = search(store, { limit: 5 });
    expect(r.rows.map((x) => x.id)).toEqual([122, 121, 120, 119, 118]);
    expect(r).toMatchObject({ count: 122, count_exact: true });
  });

  it('finds words in commands, paths and summaries, as prefixes', () => {
    expect(search(store, { text: 'hosts' }).rows.map((r) => r.event)).toEqual(['filesystem_denied']);
    expect(search(store, { text: 'phone' }).rows.map((r) => r.event)).toEqual(['pairing_request']);
    expect(search(store, { text: 'buil' }).count).toBe(120);
    expect(search(store, { text: 'npm step 42' }).rows.map((r) => r.payload.command)).toEqual(['npm run build --step 42']);
    expect(search(store, { text: 'nothing-like-this' }).rows).toEqual([]);
  });

  it('treats search text as words, never as query syntax', () => {
    for (const text of ['"', 'AND', 'build OR', '*', 'NEAR(', '-x', "Ana's"]) expect(() => search(store, { text })).not.toThrow();
    expect(ftsQuery('rm -rf "/"')).toBe('"rm"* "rf"*');
    expect(search(store, { text: '!!!' }).rows).toEqual([]);
  });

  it('combines text with filters on event, decision, risk, session, actor and time', () => {
    const r = search(store, { text: 'build', decisions: ['deny'], risks: ['high'], session: 'morning' });
    expect(r.rows.map((x) => x.payload.command)).toEqual(['npm run build --step 30', 'npm run build --step 0']);
    expect(search(store, { events: ['filesystem_denied', 'pairing_request'] }).count).toBe(2);
    expect(search(store, { actor: 'agent-7', since: T0 + 100 * 60_000, until: T0 + 110 * 60_000 }).count).toBe(10);
  });

  it('pages with a cursor, never repeating or skipping a row', () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = search(store, { text: 'build', limit: 25, cursor });
      seen.push(...r.rows.map((x) => x.id));
      cursor = r.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
  });

  it('rejects a cursor it did not hand out', () => {
    expect(() => search(store, { cursor: 'bogus' })).toThrow(/not one this store handed out/);
  });

  it('stops counting at the bound and says so', () => {
    expect(search(store, { countLimit: 50 })).toMatchObject({ count: 50, count_exact: false });
  });

  it('prefers the current session and falls back to all rows', () => {
    const mine = search(store, { preferSession: 'evening', limit: 200 });
    expect(mine.scope).toBe('session');
    expect(mine.rows.every((r) => r.session === 'evening')).toBe(true);
    const fallback = search(store, { preferSession: 'never-seen', limit: 200 });
    expect(fallback.scope).toBe('all');
    expect(fallback.count).toBe(122);
  });
});

describe('search order', () => {
  it('puts imported events, which keep their old times, in time order, on every page and with text or without', () => {
    const own = mkdtempSync(join(tmpdir(), 'aleph-order-'));
    const log = AuditStore.open(join(own, 'aleph.db'));
    try {
      const minutes = (rows: readonly { payload: Record<string, unknown> }[]) => rows.map((r) => Number(String(r.payload.command).split(' ')[2]));
      const at = (minute: number, word: string) => ({
        event: 'terminal_cmd',
        command: `echo ${word} ${minute}`,
        decision: 'allow-once',
        ts: new Date(T0 + minute * 60_000).toISOString(),
      });
      // Live events first, then an import of older ones (higher ids, earlier times), many enough for both ways of reading.
      log.appendBatch(Array.from({ length: 2500 }, (_, i) => at(1000 + i, 'live')));
      // Searched while the log is in time order, then again once an import has ended that.
      expect(minutes(search(log, { text: 'live', limit: 3 }).rows)).toEqual([3499, 3498, 3497]);
      log.appendBatch(Array.from({ length: 2500 }, (_, i) => at(i, 'live')));
      log.appendBatch([at(5000, 'rare'), at(10, 'rare'), at(7000, 'rare')]);
      for (const text of [undefined, 'live', 'rare']) {
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const page = search(log, { ...(text === undefined ? {} : { text }), limit: 700, ...(cursor === null ? {} : { cursor }) });
          seen.push(...minutes(page.rows));
          cursor = page.next_cursor;
        } while (cursor !== null);
        const sorted = [...seen].sort((a, b) => b - a);
        expect(seen, text).toEqual(sorted);
        expect(seen.length, text).toBe(text === 'rare' ? 3 : text === 'live' ? 5000 : 5003);
      }
    } finally {
      log.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
