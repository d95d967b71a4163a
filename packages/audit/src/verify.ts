/**
 * The hash chain's checks: every row against its recorded predecessor, the anchor pruning left,
 * and the log against the head recorded outside it. The store runs them (AuditStore.verifySteps).
 */
import { MAX_LISTED_PROBLEMS, type ChainCheck, type ChainHead, type ChainProblem } from '@aleph/protocol';
import type Database from 'better-sqlite3';
import { chainHash, GENESIS } from './canonical.js';
import { HeadError, readHead, type RecordedHead } from './head.js';
import { describeValue, isHash, MAX_TIME, type StoredRow } from './rows.js';

/** What verify found: every problem counted, the first MAX_LISTED_PROBLEMS listed (see ChainCheck). */
export type VerifyResult = ChainCheck;

/** The anchor pruning leaves: the id and hash of the last row it removed. */
export interface Anchor {
  readonly before_id: number;
  readonly hash: Buffer;
}

/** Whether two recorded heads (or anchors) name the same row with the same hash. */
export function sameHead(a: ChainHead | undefined, b: ChainHead): boolean {
  return a !== undefined && a.id === b.id && a.hash === b.hash;
}

/**
 * What is wrong with the types of a stored row's columns, or null: SQLite keeps whatever an edit
 * puts in a column, and such a row is a problem to report, not a reason for verify to fail.
 */
function shapeProblem(row: Record<string, unknown>): string | null {
  const wrong: string[] = [];
  const ts = row.ts;
  if (!Number.isSafeInteger(ts) || Math.abs(ts as number) > MAX_TIME) wrong.push(`ts holds ${describeValue(ts)}, not a time in epoch milliseconds`);
  for (const column of ['event', 'summary', 'payload'] as const) {
    if (typeof row[column] !== 'string') wrong.push(`${column} holds ${describeValue(row[column])}, not TEXT`);
  }
  for (const column of ['session', 'actor', 'risk_level', 'decision'] as const) {
    if (row[column] !== null && typeof row[column] !== 'string') wrong.push(`${column} holds ${describeValue(row[column])}, not TEXT or NULL`);
  }
  if (!isHash(row.hash)) wrong.push(`hash holds ${describeValue(row.hash)}, not a 32-byte BLOB`);
  return wrong.length === 0 ? null : `its ${wrong.join('; ')}: it was edited`;
}

/** Problems verify found: all counted, the first MAX_LISTED_PROBLEMS kept. */
export class Problems {
  private readonly listed: ChainProblem[] = [];
  private count = 0;

  note(id: number | null, reason: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push({ id, reason });
  }

  result(rows: number, anchoredAfter: number | null, head: ChainHead | null): VerifyResult {
    return { ok: this.count === 0, rows, anchored_after: anchoredAfter, head, problem_count: this.count, problems: this.listed };
  }
}

/**
 * The head recorded in `headFile` (none when there is no such file), checked first: it is recorded
 * after the rows it names, so the log read next reaches at least as far. One that cannot be read
 * is a problem noted.
 */
export function recordedHead(headFile: string | undefined, problems: Problems): RecordedHead | null {
  if (headFile === undefined) return null;
  try {
    return readHead(headFile);
  } catch (error) {
    if (!(error instanceof HeadError)) throw error;
    problems.note(null, `its head ${headFile} cannot be read (${error.message})`);
    return null;
  }
}

/**
 * The anchor pruning left (the id and hash of the last row it removed), and what is wrong with
 * the table that holds it: pruning keeps one row there, with id 1, a row id and a 32-byte hash.
 * An anchor that is not one is not used. `anchors` selects the table's rows.
 */
export function readAnchor(anchors: Database.Statement): { anchor: Anchor | undefined; problem: string | null } {
  const rows = anchors.all() as { id: number; before_id: unknown; hash: unknown }[];
  const first = rows.find((r) => r.id === 1);
  const valid = first !== undefined && Number.isSafeInteger(first.before_id) && (first.before_id as number) >= 1 && isHash(first.hash);
  const anchor = valid ? { before_id: first.before_id as number, hash: first.hash as Buffer } : undefined;
  if (rows.length > 1 || (rows.length === 1 && first === undefined)) {
    return { anchor, problem: `the log holds ${rows.length} anchors where pruning keeps one (id 1) at most: an anchor was forged` };
  }
  if (first !== undefined && !valid) {
    return {
      anchor,
      problem: `the chain's anchor is not a row id and a 32-byte hash (it holds ${describeValue(first.before_id)} and ${describeValue(first.hash)}): it was edited`,
    };
  }
  return { anchor, problem: null };
}

/**
 * Why the log does not reach `recorded`, or null when it does; `tip` is the id of its newest row
 * (or of the anchor, when pruning left none); `hashOfRow` reads a row's hash, `headFile` is where the head is kept.
 */
export function headProblem(
  recorded: ChainHead | null,
  tip: number,
  anchor: Anchor | undefined,
  hashOfRow: Database.Statement,
  headFile: string | undefined,
): string | null {
  if (recorded === null || recorded.id === 0) return null;
  const where = `its head (kept in ${headFile})`;
  if (tip < recorded.id) {
    return tip === 0
      ? `the log holds no rows, but ${where} records row ${recorded.id}: it was emptied or replaced`
      : `the log ends at row ${tip}, but ${where} records row ${recorded.id}: rows were removed from its end, or it was replaced`;
  }
  // Pruning records the head first, so its anchor never lies past it.
  if (anchor !== undefined && anchor.before_id > recorded.id) {
    return `the chain's anchor (row ${anchor.before_id}) lies past the head recorded outside the log (row ${recorded.id}): it was forged, or rows were pruned that the head never saw`;
  }
  const row = hashOfRow.get(recorded.id) as { hash: unknown } | undefined;
  const stored = anchor?.before_id === recorded.id && row === undefined ? anchor.hash : row?.hash;
  if (stored === undefined) return `row ${recorded.id}, which ${where} records, is missing`;
  return Buffer.isBuffer(stored) && stored.toString('hex') === recorded.hash
    ? null
    : `row ${recorded.id} is not the row ${where} records: the log was replaced or rewritten`;
}

/**
 * Walks the rows up to `last` (the newest), a chunk at a time, and checks each against its
 * predecessor as stored; returns how many rows it walked.
 */
export function* walkChain(
  db: Database.Database,
  anchor: Anchor | undefined,
  last: number | undefined,
  problems: Problems,
  chunk: number,
): Generator<void, number> {
  // Pruning removes every row up to its anchor in the same transaction: an anchor at or past the
  // newest row, with rows left, did not come from pruning.
  if (anchor !== undefined && last !== undefined && anchor.before_id >= last) {
    problems.note(
      null,
      `the chain's anchor (row ${anchor.before_id}) lies at or past the newest row (${last}): pruning leaves it before the rows it keeps, so it was forged`,
    );
  }
  const upTo = last ?? 0;
  // Every row is walked, those the anchor says were pruned included: an anchor vouches only for
  // rows that are gone.
  const page = db.prepare('SELECT * FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
  /** The hash the next row must chain from, or null when its predecessor holds none. */
  let previous: Buffer | null = anchor?.hash ?? GENESIS;
  let previousId = anchor?.before_id ?? 0;
  let after = 0;
  let rows = 0;
  for (;;) {
    const batch = page.all(after, upTo, chunk) as Record<string, unknown>[];
    for (const raw of batch) {
      const row = raw as unknown as StoredRow;
      rows++;
      if (anchor !== undefined && row.id <= anchor.before_id) {
        problems.note(
          row.id,
          `it lies at or before the chain's anchor (row ${anchor.before_id}), so it should have been pruned: the anchor was forged, or the row put back`,
        );
        continue;
      }
      const expectedId = previousId + 1;
      if (row.id !== expectedId)
        problems.note(
          row.id,
          row.id === expectedId + 1 ? `row ${expectedId} is missing before it` : `rows ${expectedId} to ${row.id - 1} are missing before it`,
        );
      const shape = shapeProblem(raw);
      if (shape !== null) problems.note(row.id, shape);
      else if (row.id !== expectedId) {
        // Its predecessor is missing: there is nothing to check its link against.
      } else if (previous === null) problems.note(row.id, `it cannot be checked against row ${previousId}, which holds no hash`);
      else if (!chainHash(previous, row).equals(row.hash)) {
        problems.note(
          row.id,
          anchor !== undefined && previousId === anchor.before_id
            ? `it does not follow from the chain's anchor (the recorded hash of pruned row ${anchor.before_id}): the anchor or the row was edited`
            : 'its hash does not match its contents and the previous row',
        );
      }
      // The next row is checked against this one as stored, whether or not this one matched.
      previous = isHash(raw.hash) ? raw.hash : null;
      previousId = row.id;
    }
    if (batch.length < chunk) break;
    after = batch[batch.length - 1]!.id as number;
    yield;
  }
  return rows;
}

/**
 * Checks the log's anchor against the one its head records: pruning records its anchor in the
 * head, so rows removed from the start with an anchor put in their place, or an anchor edited or
 * removed, show against it.
 */
export function anchorAgainstHead(anchor: Anchor | undefined, recorded: RecordedHead, headFile: string | undefined, problems: Problems): void {
  const where = `its head (kept in ${headFile})`;
  const kept = recorded.anchor;
  if (anchor !== undefined && kept === undefined) {
    problems.note(
      anchor.before_id,
      `the chain's anchor (row ${anchor.before_id}) is not recorded in ${where}, as pruning records it: rows up to ${anchor.before_id} were removed without pruning, and the anchor forged`,
    );
  } else if (anchor === undefined && kept !== undefined) {
    problems.note(kept.id, `${where} records rows up to ${kept.id} as pruned, but the log holds no anchor: it was removed`);
  } else if (anchor !== undefined && kept !== undefined && !sameHead(kept, { id: anchor.before_id, hash: anchor.hash.toString('hex') })) {
    problems.note(anchor.before_id, `the chain's anchor (row ${anchor.before_id}) is not the one ${where} records (row ${kept.id}): it was forged or edited`);
  }
}
