/**
 * Moving audit history in and out: JSON lines in the agent audit.log shape (`ts`, `event`,
 * `session`, then the event's fields) and CSV.
 */
import type { AuditRow } from '@aleph/protocol';
import { AuditError } from './audit-error.js';
import type { AuditStore } from './store.js';

const CSV_COLUMNS = ['id', 'ts', 'event', 'session', 'actor', 'risk_level', 'decision', 'summary', 'payload', 'hash'] as const;

export const CSV_HEADER = CSV_COLUMNS.join(',');

/**
 * One CSV record. Fields are quoted as RFC 4180 asks, and a field that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) is prefixed with `'`: an agent chooses the command text.
 */
export function toCsvLine(row: AuditRow): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string> = {
    id: String(row.id),
    ts: row.ts,
    event: row.event,
    session: row.session ?? '',
    actor: row.actor ?? '',
    risk_level: row.risk_level ?? '',
    decision: row.decision ?? '',
    summary: row.summary,
    payload: JSON.stringify(row.payload),
    hash: row.hash,
  };
  return CSV_COLUMNS.map((c) => csvField(values[c])).join(',');
}

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface ImportReport {
  readonly imported: number;
  readonly skipped: number;
  /** Each bad line, by number, with why it was skipped. */
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

const IMPORT_BATCH = 1000;

/**
 * Imports JSON lines. A line that is not JSON, or not a valid event, is reported with its number
 * and skipped; every other line is imported, in order, in batches.
 */
export async function importJsonLines(store: AuditStore, lines: AsyncIterable<string> | Iterable<string>): Promise<ImportReport> {
  let imported = 0;
  let lineNumber = 0;
  const errors: { line: number; message: string }[] = [];
  let batch: unknown[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    imported += store.appendBatch(batch).length;
    batch = [];
  };
  for await (const raw of lines) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push({ line: lineNumber, message: 'not valid JSON' });
      continue;
    }
    try {
      // Validate alone first, so one bad line never takes its batch down with it.
      store.validate(value);
    } catch (error) {
      if (!(error instanceof AuditError)) throw error;
      errors.push({ line: lineNumber, message: error.message });
      continue;
    }
    batch.push(value);
    if (batch.length >= IMPORT_BATCH) flush();
  }
  flush();
  return { imported, skipped: errors.length, errors };
}
