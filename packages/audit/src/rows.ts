/**
 * The log's rows: an event as the columns and payload a row stores, and a stored row as it is
 * shown and indexed.
 */
import { canonicalJson, type AuditEvent, type AuditEventType, type AuditRow, type RiskLevel } from '@aleph/protocol';
import { chainHash, GENESIS, type ChainedColumns } from './canonical.js';
import { searchText, summarize } from './summary.js';
import { rowTags } from './tags.js';

/** A row as SQLite returns it. */
export interface StoredRow {
  id: number;
  ts: number;
  event: string;
  session: string | null;
  actor: string | null;
  risk_level: string | null;
  decision: string | null;
  summary: string;
  payload: string;
  hash: Buffer;
}

/** A row ready to insert: its chained columns and its hash. */
export interface PreparedRow extends ChainedColumns {
  readonly hash: Buffer;
}

/** What the search index holds for a row: its words, and its filterable columns as tags. */
export function indexEntry(row: ChainedColumns): { text: string; tags: string } {
  // A column edited to hold another type is indexed as its text (verify names the row).
  return { text: searchText(String(row.summary as unknown), readPayload(row.payload)), tags: rowTags(row) };
}

/**
 * A stored row as it is shown. A column edited to hold another type than the log writes (TEXT for
 * the hash, a time no date can hold) is shown as it is, never a reason to fail: verify names it.
 */
export function toAuditRow(stored: StoredRow): AuditRow {
  const loose = stored as unknown as Record<string, unknown>;
  return {
    id: stored.id,
    ts: typeof loose.ts === 'number' && Math.abs(loose.ts) <= MAX_TIME ? new Date(loose.ts).toISOString() : String(loose.ts),
    event: String(loose.event) as AuditEventType,
    session: textOrNull(loose.session),
    actor: textOrNull(loose.actor),
    risk_level: textOrNull(loose.risk_level) as RiskLevel | null,
    decision: textOrNull(loose.decision),
    summary: String(loose.summary),
    payload: readPayload(loose.payload),
    hash: Buffer.isBuffer(loose.hash) ? loose.hash.toString('hex') : String(loose.hash),
  };
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * A row's payload; one edited into something that is not a JSON object is shown as it is (verify
 * names the row). JSON.parse makes a "__proto__" key an own member, as any other.
 */
function readPayload(text: unknown): Record<string, unknown> {
  try {
    const value: unknown = typeof text === 'string' ? JSON.parse(text) : undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through: shown as text.
  }
  return { unreadable_payload: Buffer.isBuffer(text) ? text.toString('hex') : String(text) };
}

/** Fields every row has as columns; the rest of an event is its payload. */
const COMMON = new Set(['ts', 'event', 'session', 'actor']);

/** Computes a row's columns and hash. */
export function prepareRow(event: AuditEvent, id: number, previous: Uint8Array, now: number): PreparedRow {
  const e = event as unknown as Record<string, unknown>;
  const summary = summarize(event);
  const row: PreparedRow & { hash: Buffer } = {
    id,
    ts: typeof e.ts === 'string' ? Date.parse(e.ts) : now,
    event: event.event as string,
    session: event.session ?? null,
    actor: event.actor ?? null,
    risk_level: typeof e.risk_level === 'string' ? e.risk_level : null,
    decision: typeof e.decision === 'string' ? e.decision : null,
    summary,
    // The payload is the event without the columns every row has.
    payload: canonicalJson(e, COMMON),
    hash: GENESIS as Buffer,
  };
  row.hash = chainHash(previous, row);
  return row;
}

/** Whether a stored value is a hash as the chain stores them: a 32-byte BLOB. */
export function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === 32;
}

/** What SQLite handed back, in words: for a column that holds the wrong type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'NULL';
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte BLOB`;
  if (typeof value === 'string') return 'TEXT';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the real number ${value}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  return typeof value;
}

/** Milliseconds either side of 1970 that a JavaScript Date can hold. */
export const MAX_TIME = 8.64e15;
