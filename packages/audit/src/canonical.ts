/**
 * The canonical encoding of values and rows, and the hash chain over them. Two encodings of the
 * same row are byte-identical, whatever order its payload's keys came in.
 */
import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level; no whitespace; `undefined` members left out.
 * `omit` leaves out these top-level keys.
 */
export function canonicalJson(value: unknown, omit?: ReadonlySet<string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i] === undefined ? null : value[i]);
    return out + ']';
  }
  const object = value as Record<string, unknown>;
  const all = Object.keys(object);
  const keys = (omit === undefined ? all : all.filter((k) => !omit.has(k))).sort();
  // The usual payload is flat: copied in sorted key order, it serialises on V8's fast path. (Not
  // with integer-like keys, which objects always enumerate first.)
  if (isFlat(object, keys)) {
    const sorted: Record<string, unknown> = {};
    for (const key of keys) sorted[key] = object[key];
    return JSON.stringify(sorted);
  }
  let out = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(v);
  }
  return out + '}';
}

function isFlat(object: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) {
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^\d+$/.test(key)) return false;
    const v = object[key];
    if (v !== null && typeof v === 'object') {
      if (!Array.isArray(v)) return false;
      for (const item of v) if (item !== null && typeof item === 'object') return false;
    }
  }
  return true;
}

/** The columns a row's hash covers, in a fixed order. */
export interface ChainedColumns {
  readonly id: number;
  readonly ts: number;
  readonly event: string;
  readonly session: string | null;
  readonly actor: string | null;
  readonly risk_level: string | null;
  readonly decision: string | null;
  readonly summary: string;
  /** The payload in canonical JSON, exactly as stored. */
  readonly payload: string;
}

/**
 * The row's columns as a JSON array, a newline, then the payload's canonical JSON as stored. The
 * payload holds no raw newline (JSON escapes them), so the split is unambiguous, and the payload is
 * not escaped a second time.
 */
export function canonicalRow(row: ChainedColumns): string {
  return JSON.stringify([row.id, row.ts, row.event, row.session, row.actor, row.risk_level, row.decision, row.summary]) + '\n' + row.payload;
}

/** The hash before the first row ever written. */
export const GENESIS = Buffer.alloc(32);

/** Reused input buffer for the one-shot hash; grows when a row needs more. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** hash = SHA-256(previous hash ‖ canonical encoding of the row) */
export function chainHash(previous: Uint8Array, row: ChainedColumns): Buffer {
  const text = canonicalRow(row);
  const needed = previous.length + Buffer.byteLength(text, 'utf8');
  if (needed > scratch.length) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
  scratch.set(previous, 0);
  const written = scratch.write(text, previous.length, 'utf8');
  return hash('sha256', scratch.subarray(0, previous.length + written), 'buffer');
}
