/**
 * The audit store: SQLite (WAL, full sync) with one events table of typed payloads, a SHA-256 hash
 * chain over the rows, its head kept outside the log, and an FTS5 index for the timeline's search.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { parseAuditEvent, type AuditEvent, type AuditRow, type ChainHead } from '@aleph/protocol';
import { AuditError, translate } from './audit-error.js';
import { GENESIS } from './canonical.js';
import { readHead, writeHead, HeadError, type RecordedHead } from './head.js';
import { headOf, openDatabase, type OpenOptions } from './open.js';
import { OpenFiles } from './open-files.js';
import { indexEntry, isHash, prepareRow, toAuditRow, type PreparedRow, type StoredRow } from './rows.js';
import { searchText } from './summary.js';
import { rowTags } from './tags.js';
import { anchorAgainstHead, headProblem, Problems, readAnchor, recordedHead, sameHead, walkChain, type VerifyResult } from './verify.js';

/**
 * How long after a commit its head is recorded. Replacing a file costs a few hundred microseconds,
 * ten times an acknowledged append: a burst of commits shares one write, and the head trails the
 * log by at most this long (a writer killed meanwhile leaves it that far behind, which verify accepts).
 */
export const HEAD_DELAY_MS = 100;

/** Rows waiting to be indexed before an append also brings the index up to date. */
const INDEX_LAG = 256;
const INDEX_CHUNK = 5000;

export interface PruneOptions {
  /** Remove rows older than this many milliseconds. */
  readonly maxAgeMs?: number;
  /** Keep at most this many rows. */
  readonly maxRows?: number;
  readonly now?: number;
}

export class AuditStore {
  private readonly db: Database.Database;
  private readonly insertEvent: Database.Statement;
  private readonly insertFts: Database.Statement;
  private readonly lastRow: Database.Statement;
  private readonly indexTx: (limit: number) => number;
  /** The newest id this connection knows to be indexed (another process may have indexed more). */
  private indexedUpTo = 0;
  private readonly anchors: Database.Statement;
  private readonly hashOfRow: Database.Statement;
  private readonly appendTx: (events: readonly AuditEvent[], now: number) => number[];
  /** Whether the log's path, and a writer's write-ahead log and shared-memory index, still lead to the files open. */
  private readonly files: OpenFiles;
  /** Why this store's files were found deleted or replaced: a writer appends nothing more, even if they look right again. */
  private lost: string | null = null;
  /** Whether the log was found to reach its recorded head (checked before this store's first append). */
  private headChecked = false;
  /** The newest row this store committed (the head it records), and the one a transaction is committing. */
  private committed: { id: number; hash: Uint8Array } | null = null;
  private committing: { id: number; hash: Uint8Array } | null = null;
  /** A commit whose head is not recorded yet, the timer that will record it, and why the last attempt failed. */
  private headDirty = false;
  private headTimer: NodeJS.Timeout | undefined;
  private headFailure: Error | null = null;
  /** The anchor this store's last prune left, to record in the head. */
  private prunedTo: ChainHead | null = null;

  private constructor(
    readonly file: string,
    db: Database.Database,
    private readonly indexOnAppend: boolean,
    private readonly headFile: string | undefined,
    private readonly writer: boolean,
  ) {
    this.db = db;
    this.files = new OpenFiles(file, writer);
    this.hashOfRow = db.prepare('SELECT hash FROM events WHERE id = ?');
    this.insertEvent = db.prepare(
      'INSERT INTO events (id, ts, event, session, actor, risk_level, decision, summary, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertFts = db.prepare('INSERT INTO events_fts (rowid, text, tags) VALUES (?, ?, ?)');
    this.lastRow = db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1');
    this.anchors = db.prepare('SELECT id, before_id, hash FROM chain_anchor ORDER BY id');
    const state = db.prepare('SELECT indexed_up_to AS n FROM index_state WHERE id = 1');
    const pendingRows = db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?');
    const mark = db.prepare('UPDATE index_state SET indexed_up_to = ? WHERE id = 1');
    /** Indexes the stored rows the index lacks, the oldest `limit` of them at most; call inside a write transaction. */
    const catchUp = (limit: number): number => {
      let upTo = (state.get() as { n: number }).n;
      let indexed = 0;
      while (indexed < limit) {
        const rows = pendingRows.all(upTo, Math.min(INDEX_CHUNK, limit - indexed)) as StoredRow[];
        if (rows.length === 0) break;
        for (const row of rows) {
          const entry = indexEntry(row);
          this.insertFts.run(row.id, entry.text, entry.tags);
        }
        upTo = rows[rows.length - 1]!.id;
        indexed += rows.length;
      }
      mark.run(upTo);
      this.indexedUpTo = upTo;
      return indexed;
    };
    const tx = db.transaction((events: readonly AuditEvent[], now: number): number[] => {
      // A large batch indexes itself in the same transaction (from the events at hand, after
      // whatever was waiting); a small one leaves indexing to a later pass.
      const inline = events.length >= INDEX_LAG;
      if (inline) catchUp(Infinity);
      let { id, hash } = this.head();
      this.checkContinuity({ id, hash });
      const ids: number[] = [];
      for (const event of events) {
        id += 1;
        const row = this.prepareRow(event, id, hash, now);
        this.insertRow(row);
        if (inline) {
          const e = event as unknown as Record<string, unknown>;
          this.insertFts.run(id, searchText(row.summary, e), rowTags(row));
        }
        hash = row.hash;
        ids.push(id);
      }
      if (inline) {
        mark.run(id);
        this.indexedUpTo = id;
      }
      this.committing = { id, hash };
      return ids;
    });
    // IMMEDIATE: take the write lock before reading the chain head, so that two processes
    // appending at once serialise instead of both extending the same head.
    this.appendTx = (events, now) => tx.immediate(events, now);
    const index = db.transaction(catchUp);
    this.indexTx = (limit) => index.immediate(limit);
  }

  /**
   * Brings the search index up to date with the events; returns how many rows it indexed. Runs by
   * itself when enough rows wait, before every search, and on close. With `limit`, indexes the
   * oldest rows waiting up to that many: a server answering meanwhile catches up a slice at a time,
   * so that no answer waits behind hundreds of rows being indexed.
   */
  index(limit = Infinity): number {
    try {
      return this.indexTx(limit);
    } catch (error) {
      throw translate(error, this.file);
    }
  }

  /**
   * Opens (creating if needed) the store at `file` (see openDatabase). A failure names the file;
   * nothing is ever deleted or reinitialised.
   */
  static open(file: string, options: OpenOptions = {}): AuditStore {
    const db = openDatabase(file, options);
    try {
      return new AuditStore(file, db, options.indexOnAppend !== false, options.head, options.readonly !== true);
    } catch (error) {
      db.close();
      throw translate(error, file);
    }
  }

  /**
   * Verifies the log at `file` without writing to it: a log that is missing is reported, never
   * created (nor its directory), and so is an empty file; with `head`, the log must reach the head
   * recorded there. A file that cannot be read as a log throws an AuditError naming it.
   */
  static verifyFile(file: string, options: Pick<OpenOptions, 'head' | 'busyTimeoutMs'> = {}): VerifyResult {
    const problems = new Problems();
    const recorded = recordedHead(options.head, problems);
    const size = statSync(file, { throwIfNoEntry: false })?.size;
    const remembered = recorded === null || recorded.id === 0 ? '' : `, but its head (kept in ${options.head}) records events up to row ${recorded.id}`;
    if (size === undefined || size === 0) {
      const what = size === undefined ? `there is no audit log at ${file}` : `the audit log ${file} is an empty file`;
      problems.note(
        null,
        remembered === ''
          ? size === undefined
            ? what
            : `${what}: it was emptied or replaced`
          : `${what}${remembered}: the log was ${size === undefined ? 'deleted or moved' : 'emptied'}`,
      );
      return problems.result(0, null, recorded);
    }
    let store: AuditStore;
    try {
      store = AuditStore.open(file, { readonly: true, ...options });
    } catch (error) {
      if (!(error instanceof AuditError) || error.code !== 'empty') throw error;
      problems.note(null, remembered === '' ? error.message : `${error.message}; its head (kept in ${options.head}) records events up to row ${recorded!.id}`);
      return problems.result(0, null, recorded);
    }
    try {
      return store.verify();
    } finally {
      store.close();
    }
  }

  /**
   * Brings the index up to date, records the head, and closes; the file is closed even when these
   * fail (the next open catches the index up; the head only trails).
   */
  close(): void {
    try {
      if (this.db.open && this.writer) this.index();
    } finally {
      try {
        this.syncHead();
      } finally {
        this.db.close();
      }
    }
  }

  /**
   * Throws `replaced` when the path no longer leads to the file this store has open: it was deleted
   * (its rows would go to a file nobody can open again) or replaced by another; for a writer, also
   * when its write-ahead log or shared-memory index was. One stat of the log's directory while that
   * stays as it was, four otherwise (open-files.ts); every append and prune checks it first. Once it
   * has failed, a writer appends nothing more.
   */
  checkFile(): void {
    const problem = this.fileProblem();
    if (problem !== null)
      throw new AuditError('replaced', `${problem}; nothing more is written to it. Put the log back and restart, or restart to find out what is missing.`);
  }

  private fileProblem(): string | null {
    const problem = this.files.problem();
    if (problem !== null && this.writer) this.lost = problem;
    return problem ?? this.lost;
  }

  /**
   * Throws unless the log reaches the head recorded outside it (`behind_head`), or when that head
   * cannot be read (`head_unreadable`). Checked before a store's first append; a server checks it
   * at start, to refuse to run on a log that lost rows.
   */
  checkHead(): void {
    if (this.headFile !== undefined) {
      const { anchor } = readAnchor(this.anchors);
      const last = this.lastRow.get() as { id: number } | undefined;
      const problem = headProblem(headOf(this.headFile), last?.id ?? anchor?.before_id ?? 0, anchor, this.hashOfRow, this.headFile);
      if (problem !== null) {
        throw new AuditError(
          'behind_head',
          `In the audit log ${this.file}, ${problem}. Nothing was written. See what remains with \`aleph audit verify\`; to go on with this log knowing what is lost, move ${this.headFile} aside.`,
        );
      }
    }
    this.headChecked = true;
  }

  /**
   * Before an append: the first one checks the log against its recorded head; later ones check that
   * the rows this store committed are still there (nobody removed them, nobody swapped the file's
   * content). Another process may have appended meanwhile; verify checks its rows.
   */
  private checkContinuity(tip: { id: number; hash: Uint8Array }): void {
    if (!this.headChecked) this.checkHead();
    const mine = this.committed;
    if (mine !== null && (tip.id < mine.id || (tip.id === mine.id && Buffer.compare(mine.hash, tip.hash) !== 0))) {
      throw new AuditError(
        'behind_head',
        `The audit log ${this.file} no longer holds the rows this process appended (it ends at row ${tip.id}; they went up to row ${mine.id}): they were removed, or the file's content replaced. Nothing was written.`,
      );
    }
  }

  /** After a commit: its head is recorded shortly, once for a whole burst of commits (HEAD_DELAY_MS). */
  private headCommitted(): void {
    if (this.headFile === undefined) return;
    this.headDirty = true;
    this.headTimer ??= setTimeout(() => {
      this.headTimer = undefined;
      try {
        this.syncHead();
      } catch {
        // Kept in headFailure: the next append tries again, and fails if it still cannot.
      }
    }, HEAD_DELAY_MS).unref();
  }

  /**
   * Records the newest row this store committed as the log's head, now. The head never moves back:
   * another writer may have recorded a newer row meanwhile.
   */
  syncHead(): void {
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
    if (this.headFile === undefined || !this.headDirty || this.committed === null) return;
    try {
      let recorded: RecordedHead | null = null;
      try {
        recorded = readHead(this.headFile);
      } catch (error) {
        // Unreadable now, though it was readable before this store's first append: replaced by a good one.
        if (!(error instanceof HeadError)) throw error;
      }
      // The head never moves back, and keeps the anchor recorded there unless this store pruned
      // since; a new head (none was recorded, or it was moved aside) takes the log's anchor as it is.
      const newer = recorded !== null && recorded.id > this.committed.id;
      const anchor = this.prunedTo ?? (recorded === null ? this.anchorToRecord() : recorded.anchor);
      const anchorChanged = this.prunedTo !== null && !sameHead(recorded?.anchor, this.prunedTo);
      if (!newer || anchorChanged) {
        const tip = newer ? { id: recorded!.id, hash: recorded!.hash } : { id: this.committed.id, hash: Buffer.from(this.committed.hash).toString('hex') };
        writeHead(this.headFile, { ...tip, ...(anchor === undefined ? {} : { anchor }) });
      }
      this.headDirty = false;
      this.headFailure = null;
    } catch (error) {
      this.headFailure = error as Error;
      throw new AuditError('head_unwritable', `Cannot record the audit log's head in ${this.headFile}: ${(error as Error).message}`);
    }
  }

  /**
   * The id and hash of the newest row (or of the anchor, or the genesis), to append after. A tip
   * whose hash is not one (edited in) is no place to continue the chain from.
   */
  private head(): { id: number; hash: Uint8Array } {
    const last = this.lastRow.get() as { id: number; hash: unknown } | undefined;
    if (last !== undefined) {
      if (!isHash(last.hash))
        throw new AuditError(
          'corrupt',
          `In the audit log ${this.file}, row ${last.id} holds no 32-byte hash: it was edited. Nothing was written; see \`aleph audit verify\`.`,
        );
      return { id: last.id, hash: last.hash };
    }
    const { anchor, problem } = readAnchor(this.anchors);
    if (problem !== null) throw new AuditError('corrupt', `In the audit log ${this.file}, ${problem}. Nothing was written; see \`aleph audit verify\`.`);
    return anchor === undefined ? { id: 0, hash: GENESIS } : { id: anchor.before_id, hash: anchor.hash };
  }

  /** The log's anchor as a head records it, or undefined when there is none. */
  private anchorToRecord(): ChainHead | undefined {
    const { anchor } = readAnchor(this.anchors);
    return anchor === undefined ? undefined : { id: anchor.before_id, hash: anchor.hash.toString('hex') };
  }

  /** Computes a row's columns and hash; exposed so the benchmark can insert the same rows raw. */
  prepareRow(event: AuditEvent, id: number, previous: Uint8Array, now: number): PreparedRow {
    return prepareRow(event, id, previous, now);
  }

  private insertRow(row: PreparedRow): void {
    this.insertEvent.run(row.id, row.ts, row.event, row.session, row.actor, row.risk_level, row.decision, row.summary, row.payload, row.hash);
  }

  /**
   * Validates and appends one event; returns its id once the row is on disk (a SIGKILL right
   * after cannot lose it).
   */
  append(event: unknown, now = Date.now()): number {
    return this.appendBatch([event], now)[0]!;
  }

  /** Parses an untrusted event, or throws an AuditError saying what is wrong with it. */
  validate(event: unknown): AuditEvent {
    const r = parseAuditEvent(event);
    if (!r.ok) throw new AuditError('invalid_event', r.error.message);
    return r.value;
  }

  /** Validates every event first (nothing is written if one is invalid), then appends them in one transaction. */
  appendBatch(events: readonly unknown[], now = Date.now()): number[] {
    const parsed = events.map((e, i) => {
      try {
        return this.validate(e);
      } catch (error) {
        if (error instanceof AuditError && events.length > 1) throw new AuditError('invalid_event', `Event ${i + 1}: ${error.message}`);
        throw error;
      }
    });
    // Nothing goes to files that were deleted or replaced under the store: nobody would read it there.
    this.checkFile();
    // A head that could not be recorded is tried again first: nothing is appended while it cannot be kept.
    if (this.headFailure !== null) this.syncHead();
    let ids: number[];
    try {
      ids = this.appendTx(parsed, now);
    } catch (error) {
      throw translate(error, this.file);
    }
    this.committed = this.committing;
    this.headCommitted();
    // The index trails; one indexing pass per INDEX_LAG rows keeps it close at little cost.
    if (this.indexOnAppend && ids[ids.length - 1]! - this.indexedUpTo >= INDEX_LAG) this.index();
    return ids;
  }

  /**
   * Walks the chain from the anchor (or genesis) and checks every row against its recorded
   * predecessor, so that one edited row does not hide another; then checks the log against its head.
   */
  verify(): VerifyResult {
    const steps = this.verifySteps(Number.MAX_SAFE_INTEGER);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }

  /**
   * verify(), a chunk of rows at a time: a server yields between steps and keeps answering while
   * a long chain is walked. Rows appended meanwhile are left for the next check.
   */
  *verifySteps(chunk = 5000): Generator<void, VerifyResult> {
    const problems = new Problems();
    const recorded = recordedHead(this.headFile, problems);
    const moved = this.fileProblem();
    if (moved !== null) problems.note(null, moved);
    const { anchor, problem } = readAnchor(this.anchors);
    if (problem !== null) problems.note(null, problem);
    const last = this.lastRow.get() as { id: number } | undefined;
    const rows = yield* walkChain(this.db, anchor, last?.id, problems, chunk);
    const behind = headProblem(recorded, last?.id ?? anchor?.before_id ?? 0, anchor, this.hashOfRow, this.headFile);
    if (behind !== null) problems.note(recorded!.id, behind);
    if (recorded !== null) anchorAgainstHead(anchor, recorded, this.headFile, problems);
    return problems.result(rows, anchor?.before_id ?? null, recorded === null ? null : { id: recorded.id, hash: recorded.hash });
  }

  /**
   * Removes old rows; the hash of the last removed row becomes the chain's anchor, so what remains
   * still verifies. Returns how many rows were removed.
   */
  prune(options: PruneOptions): number {
    const now = options.now ?? Date.now();
    const cutoffs: number[] = [];
    if (options.maxAgeMs !== undefined) {
      const old = this.db.prepare('SELECT max(id) AS id FROM events WHERE ts < ?').get(now - options.maxAgeMs) as { id: number | null };
      if (old.id !== null) cutoffs.push(old.id);
    }
    if (options.maxRows !== undefined) {
      const row = this.db.prepare('SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?').get(options.maxRows) as { id: number } | undefined;
      if (row !== undefined) cutoffs.push(row.id);
    }
    if (cutoffs.length === 0) return 0;
    const cutoff = Math.max(...cutoffs);
    // Nothing goes to files deleted or replaced under the store; and a log that lost rows is not
    // pruned: that would make what was lost look removed on purpose.
    this.checkFile();
    this.checkHead();
    const removed = this.db
      .transaction(() => {
        const last = this.db.prepare('SELECT id, hash FROM events WHERE id <= ? ORDER BY id DESC LIMIT 1').get(cutoff) as
          { id: number; hash: Buffer } | undefined;
        if (last === undefined) return 0;
        this.db
          .prepare(
            'INSERT INTO chain_anchor (id, before_id, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET before_id = excluded.before_id, hash = excluded.hash',
          )
          .run(last.id, last.hash);
        this.db.prepare('DELETE FROM events_fts WHERE rowid <= ?').run(cutoff);
        this.db.prepare('UPDATE index_state SET indexed_up_to = max(indexed_up_to, ?) WHERE id = 1').run(cutoff);
        return this.db.prepare('DELETE FROM events WHERE id <= ?').run(cutoff).changes;
      })
      .immediate();
    // The head is recorded at once, up to the newest row: an anchor never lies past the head, so
    // one that does was not left by pruning.
    if (removed > 0 && this.headFile !== undefined) {
      this.committed = this.head();
      this.prunedTo = this.anchorToRecord() ?? null;
      this.headDirty = true;
      this.syncHead();
    }
    return removed;
  }

  /** Every row, oldest first, without loading them all at once. */
  *rows(afterId = 0): IterableIterator<AuditRow> {
    for (const row of this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id').iterate(afterId) as IterableIterator<StoredRow>) yield toAuditRow(row);
  }

  /** The newest `limit` rows, oldest first (for `tail`). */
  latest(limit: number): AuditRow[] {
    const rows = this.db.prepare('SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit) as StoredRow[];
    return rows.reverse().map(toAuditRow);
  }

  /** The underlying connection, for search and the benchmark. */
  get connection(): Database.Database {
    return this.db;
  }
}
