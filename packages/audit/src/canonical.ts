/**
 * The canonical encoding of values and rows, and the hash chain over them. Two encodings of the
 * same row are byte-identical, whatever order its payload's keys came in.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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

export function canonicalRow(row: ChainedColumns): string {
  return JSON.stringify([row.id, row.ts, row.event, row.session, row.actor, row.risk_level, row.decision, row.summary, row.payload]);
}

/** The hash before the first row ever written. */
export const GENESIS = Buffer.alloc(32);

/** hash = SHA-256(previous hash ‖ canonical encoding of the row) */
export function chainHash(previous: Uint8Array, row: ChainedColumns): Buffer {
  return createHash('sha256').update(previous).update(canonicalRow(row), 'utf8').digest();
}
