/**
 * The timeline's search: full text (FTS5) combined with filters, newest first by the events' own
 * time (imported events keep theirs, and take their place among the others), keyset pagination
 * (an opaque cursor, never OFFSET), and a count that stops at a bound so it stays fast on a million
 * rows.
 */
import type Database from 'better-sqlite3';
import type { AuditRow, TimelineQuery } from '@aleph/protocol';
import { AuditError } from './audit-error.js';
import { toAuditRow, type StoredRow } from './rows.js';
import type { AuditStore } from './store.js';
import { tagFilter, type TagColumn } from './tags.js';

/** A timeline query (the console's) and what the command line adds: an actor, a preferred session, a count limit. */
export interface SearchQuery extends TimelineQuery {
  readonly actor?: string;
  /**
   * The seed viewer's behaviour: show this session's rows when there are any, otherwise all rows.
   * Ignored when `session` is given.
   */
  readonly preferSession?: string;
  /** Stop counting past this many matches (default 10,000). */
  readonly countLimit?: number;
}

export interface SearchResult {
  readonly rows: readonly AuditRow[];
  readonly next_cursor: string | null;
  /** Matches in all pages, up to the count limit. */
  readonly count: number;
  /** False when the count stopped at the limit. */
  readonly count_exact: boolean;
  /** With `preferSession`: whether the session's rows were found, or all rows are shown. */
  readonly scope: 'session' | 'all';
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const DEFAULT_COUNT_LIMIT = 10_000;

/** Free text as an FTS5 query: each word quoted (no syntax to get wrong) and matched as a prefix. */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (words === null) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

/** A page's last row, by which the next page goes on: its time, then its id (ties in time, and equal times of imported rows). */
export function encodeCursor(ts: number, id: number): string {
  return Buffer.from(`v2:${ts}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { ts: number; id: number } {
  const m = /^v2:(-?\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (m === null) throw new AuditError('invalid_query', `The cursor ${JSON.stringify(cursor)} is not one this store handed out.`);
  return { ts: Number(m[1]), id: Number(m[2]) };
}

/**
 * Above this many matches, a search reads the time index newest first and keeps the rows that
 * match (they are dense enough to fill a page soon); at or below, it sorts its matches by time.
 */
const DENSE_MATCHES = 2000;

/** Per connection: up to which row the log was found in time order, and whether it all was. */
const timeOrder = new WeakMap<Database.Database, { upTo: number; lastTs: number; inOrder: boolean }>();

/**
 * Whether every row's time is at or after the row before it: then newest first by time is newest
 * first by id, which the full-text index reads with no sorting. Only rows added since the last
 * search are looked at (all of them, once, at the first search); an import of older history ends it.
 */
function inTimeOrder(db: Database.Database): boolean {
  const known = timeOrder.get(db) ?? { upTo: 0, lastTs: -1, inOrder: true };
  if (known.inOrder) {
    // One statement, one snapshot: the rows checked are the rows up to the top it reports.
    const r = db
      .prepare(
        `SELECT
        (SELECT count(*) FROM (SELECT ts < lag(ts, 1, :lastTs) OVER (ORDER BY id) AS back FROM events WHERE id > :upTo) WHERE back) AS breaks,
        (SELECT id FROM events ORDER BY id DESC LIMIT 1) AS top,
        (SELECT ts FROM events ORDER BY id DESC LIMIT 1) AS lastTs`,
      )
      .get({ upTo: known.upTo, lastTs: known.lastTs }) as { breaks: number; top: number | null; lastTs: number | null };
    if (r.top !== null && r.top > known.upTo) timeOrder.set(db, { upTo: r.top, lastTs: r.lastTs!, inOrder: r.breaks === 0 });
    else timeOrder.set(db, known);
  }
  return timeOrder.get(db)!.inOrder;
}

interface Built {
  /** The FTS5 expression, or null when neither text nor a column filter was asked for. */
  readonly match: string | null;
  /** Conditions FTS5 cannot answer: the time range. */
  readonly where: string[];
  readonly params: unknown[];
}

/** The query as an FTS5 expression (words and tag filters) plus SQL conditions; null if it cannot match. */
function build(q: SearchQuery, session: string | undefined): Built | null {
  const terms: string[] = [];
  if (q.text !== undefined && q.text.trim() !== '') {
    const words = ftsQuery(q.text);
    if (words === null) return null;
    terms.push(`text : (${words})`);
  }
  const filter = (column: TagColumn, values: readonly string[] | undefined): void => {
    if (values !== undefined && values.length > 0) terms.push(tagFilter(column, values));
  };
  filter('event', q.events);
  filter('decision', q.decisions);
  filter('risk_level', q.risks);
  filter('session', session === undefined ? undefined : [session]);
  filter('actor', q.actor === undefined ? undefined : [q.actor]);
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.since !== undefined) {
    where.push('e.ts >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    where.push('e.ts < ?');
    params.push(q.until);
  }
  return { match: terms.length === 0 ? null : terms.join(' AND '), where, params };
}

function run(store: AuditStore, q: SearchQuery, session: string | undefined): SearchResult {
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(q.limit ?? DEFAULT_LIMIT)));
  const countLimit = Math.max(1, Math.floor(q.countLimit ?? DEFAULT_COUNT_LIMIT));
  const built = build(q, session);
  const scope = session !== undefined && q.session === undefined ? 'session' : 'all';
  if (built === null) return { rows: [], next_cursor: null, count: 0, count_exact: true, scope };
  const db = store.connection;
  const fts = built.match !== null;
  const sqlWhere = (c: readonly string[]): string => (c.length === 0 ? '' : `WHERE ${c.join(' AND ')}`);
  // Counting needs the events table only for a time range; otherwise the index alone answers.
  const conditions = fts ? ['events_fts MATCH ?', ...built.where] : [...built.where];
  const params = fts ? [built.match, ...built.params] : [...built.params];
  const countSql =
    fts && built.where.length === 0
      ? 'SELECT count(*) AS n FROM (SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ?)'
      : `SELECT count(*) AS n FROM (SELECT 1 FROM ${fts ? 'events_fts f JOIN events e ON e.id = f.rowid' : 'events e'} ${sqlWhere(conditions)} LIMIT ?)`;
  const count = (db.prepare(countSql).get(...params, countLimit + 1) as { n: number }).n;
  // Newest first by the events' own time (imported events keep theirs), then by id.
  const pageConditions = [...built.where];
  const pageParams: unknown[] = [...built.params];
  if (q.cursor !== undefined && q.cursor !== null) {
    const after = decodeCursor(q.cursor);
    pageConditions.push('e.ts <= ? AND (e.ts < ? OR e.id < ?)');
    pageParams.push(after.ts, after.ts, after.id);
  }
  let sql: string;
  if (!fts) sql = `SELECT e.* FROM events e ${sqlWhere(pageConditions)} ORDER BY e.ts DESC, e.id DESC LIMIT ?`;
  else if (inTimeOrder(db)) {
    // Time order is id order: the index's matches, newest first, each looked up by key.
    sql = `SELECT e.* FROM events_fts f JOIN events e ON e.id = f.rowid ${sqlWhere(['events_fts MATCH ?', ...pageConditions])} ORDER BY f.rowid DESC LIMIT ?`;
    pageParams.unshift(built.match);
  } else if (count > DENSE_MATCHES) {
    // Many matches: down the time index, each row checked against the matches' set.
    sql = `SELECT e.* FROM events e INDEXED BY events_ts ${sqlWhere(['e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)', ...pageConditions])} ORDER BY e.ts DESC, e.id DESC LIMIT ?`;
    pageParams.unshift(built.match);
  } else {
    // Few: every match, sorted.
    sql = `SELECT e.* FROM events_fts f JOIN events e ON e.id = f.rowid ${sqlWhere(['events_fts MATCH ?', ...pageConditions])} ORDER BY e.ts DESC, e.id DESC LIMIT ?`;
    pageParams.unshift(built.match);
  }
  const stored = db.prepare(sql).all(...pageParams, limit + 1) as StoredRow[];
  const more = stored.length > limit;
  const page = more ? stored.slice(0, limit) : stored;
  const last = page[page.length - 1];
  return {
    rows: page.map(toAuditRow),
    next_cursor: more && last !== undefined ? encodeCursor(last.ts, last.id) : null,
    count: Math.min(count, countLimit),
    count_exact: count <= countLimit,
    scope,
  };
}

export function search(store: AuditStore, q: SearchQuery = {}): SearchResult {
  // The index trails appends; catching it up first makes every search complete.
  store.index();
  if (q.session === undefined && q.preferSession !== undefined) {
    const preferred = run(store, q, q.preferSession);
    if (preferred.count > 0 || (q.cursor !== undefined && q.cursor !== null)) return preferred;
    return run(store, q, undefined);
  }
  return run(store, q, q.session);
}
