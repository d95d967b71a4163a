/**
 * The canonical encoding of rows, and the hash chain over them. Two encodings of the same row
 * are byte-identical, whatever order its payload's keys came in.
 */
import { hash } from 'node:crypto';

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
