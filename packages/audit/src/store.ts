/**
 * The audit store: SQLite (WAL, full sync) with one events table of typed payloads, a SHA-256 hash
 * chain over the rows, its head kept outside the log, and an FTS5 index for the timeline's search.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  canonicalJson,
  MAX_LISTED_PROBLEMS,
  parseAuditEvent,
  type AuditEvent,
  type AuditEventType,
  type AuditRow,
  type ChainCheck,
  type ChainHead,
  type ChainProblem,
  type RiskLevel,
} from '@aleph/protocol';
import { chainHash, GENESIS, type ChainedColumns } from './canonical.js';
import { HeadError, readHead, writeHead, type RecordedHead } from './head.js';
import { OpenFiles } from './open-files.js';
import { searchText, summarize } from './summary.js';
import { rowTags } from './tags.js';

/** An audit store failure: a stable code and a sentence that names the file. */
export class AuditError extends Error {
  constructor(
    readonly code:
      | 'not_a_database'
      | 'foreign_database'
      | 'newer_schema'
      | 'corrupt'
      | 'unreadable'
      | 'invalid_event'
      | 'busy'
      | 'invalid_query'
      /** No log at the path, where one is needed. */
      | 'missing'
      /** The log does not reach the head recorded outside it: rows were removed, or it was emptied, replaced or deleted. */
      | 'behind_head'
      /** The head file cannot be read, or cannot be written. */
      | 'head_unreadable'
      | 'head_unwritable'
      /** The file the store has open was deleted or replaced under it. */
      | 'replaced'
      /** The file is an SQLite database with nothing in it: a log emptied or replaced. */
      | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}

/** Marks a SQLite file as ours ("ALPH"), so that a foreign database is never mistaken for it. */
const APPLICATION_ID = 0x414c5048;
const SQLITE_HEADER = 'SQLite format 3\u0000';

/** Schema migrations; index i takes the schema from version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     event TEXT NOT NULL,
     session TEXT,
     actor TEXT,
     risk_level TEXT,
     decision TEXT,
     summary TEXT NOT NULL,
     payload TEXT NOT NULL,
     hash BLOB NOT NULL
   );
   CREATE INDEX events_ts ON events(ts);
   -- Search: the words of each event, and its filterable columns as exact tag tokens (see tags.ts),
   -- so that text and filters meet as one posting-list intersection inside FTS5.
   CREATE VIRTUAL TABLE events_fts USING fts5(text, tags, content='', contentless_delete=1, detail=column, tokenize='unicode61 remove_diacritics 2');
   -- After retention pruning: the hash of the last removed row, so the chain still verifies.
   CREATE TABLE chain_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), before_id INTEGER NOT NULL, hash BLOB NOT NULL);
   -- The search index trails the events: every row up to this id is indexed.
   CREATE TABLE index_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_up_to INTEGER NOT NULL);
   INSERT INTO index_state (id, indexed_up_to) VALUES (1, 0);`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface OpenOptions {
  /** Milliseconds to wait for another writer's lock. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Open without writing (verify, search, export): no schema changes, no file creation. */
  readonly readonly?: boolean;
  /**
   * How far an acknowledged append is guaranteed to survive. `process` (the default): WAL with
   * synchronous=NORMAL; every commit is in the operating system before append returns, so killing
   * the process (even SIGKILL) loses nothing acknowledged; a power cut or kernel crash may lose
   * the last commits, never consistency. `power`: synchronous=FULL, an fsync per commit.
   */
  readonly durability?: 'process' | 'power';
  /**
   * Bring the search index up to date inside append once enough rows wait (default). A server that
   * answers while it appends turns this off and calls index() when it is idle, so that no single
   * append pays for indexing hundreds of rows.
   */
  readonly indexOnAppend?: boolean;
  /**
   * The file that keeps the chain's head outside the log (head.ts), in another directory than the
   * log's. A writer records its newest row there shortly after each commit (HEAD_DELAY_MS), and on
   * close; it refuses to start a new log where the head says one was, or to append to a log that
   * no longer reaches its head. verify checks the log against it.
   */
  readonly head?: string;
  /** Create the log (and its directory) when it does not exist. Default: true unless `readonly`. */
  readonly create?: boolean;
}

/**
 * How long after a commit its head is recorded. Replacing a file costs a few hundred microseconds,
 * ten times an acknowledged append: a burst of commits shares one write, and the head trails the
 * log by at most this long (a writer killed meanwhile leaves it that far behind, which verify accepts).
 */
export const HEAD_DELAY_MS = 100;

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

/** Rows waiting to be indexed before an append also brings the index up to date. */
const INDEX_LAG = 256;
const INDEX_CHUNK = 5000;

/** What verify found: every problem counted, the first MAX_LISTED_PROBLEMS listed (see ChainCheck). */
export type VerifyResult = ChainCheck;

export interface PruneOptions {
  /** Remove rows older than this many milliseconds. */
  readonly maxAgeMs?: number;
  /** Keep at most this many rows. */
  readonly maxRows?: number;
  readonly now?: number;
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
   * Opens (creating if needed) the store at `file`. The directory is created 0700 and the file
   * 0600. A file that is not SQLite, or is another program's database, or is corrupt, is an error
   * naming the file; nothing is ever deleted or reinitialised.
   */
  static open(file: string, options: OpenOptions = {}): AuditStore {
    const exists = existsSync(file);
    if (exists) checkHeader(file);
    else if (options.readonly === true || options.create === false) throw new AuditError('missing', `There is no audit log at ${file}.`);
    else {
      // A head says a log was here: it was deleted or moved, and a new one would hide that.
      const recorded = options.head === undefined ? null : headOf(options.head);
      if (recorded !== null && recorded.id > 0) {
        throw new AuditError(
          'behind_head',
          `There is no audit log at ${file}, but its head (kept in ${options.head}) records events up to row ${recorded.id}: the log was deleted or moved. Nothing was created. Put the log back; or, to start a new one knowing the old one is gone, move ${options.head} aside.`,
        );
      }
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    }
    const writer = options.readonly !== true;
    if (writer) chmodSync(file, 0o600);
    // A reader of a log in WAL mode makes its write-ahead log and shared-memory index beside it. A
    // read-only connection cannot remove them on close; a read-write one that writes nothing does,
    // when it is the last connection (SQLite's own locks tell). So a reader that finds neither
    // there opens read-write, refusing every write (query_only), and leaves nothing behind.
    const quietReader = !writer && !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`);
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: !writer && !quietReader, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
    } catch (error) {
      throw translate(error, file);
    }
    try {
      if (quietReader) db.pragma('query_only = ON');
      if (writer) {
        // An empty file, or an empty database, where the head says a log was: it was emptied or
        // replaced, and starting a new log in it would wipe that evidence.
        const empty = isEmptyDatabase(db);
        const recorded = options.head === undefined || !empty ? null : headOf(options.head);
        if (recorded !== null && recorded.id > 0) {
          throw new AuditError(
            'behind_head',
            `The audit log ${file} is empty, but its head (kept in ${options.head}) records events up to row ${recorded.id}: it was emptied or replaced. Nothing was written. Put the log back; or, to start a new one knowing the old one is gone, move ${options.head} aside.`,
          );
        }
        // Only a writer that may create a log starts one in an empty file.
        if (empty && options.create === false)
          throw new AuditError(
            'empty',
            `The audit log ${file} holds no events table: it is ${statSync(file).size === 0 ? 'an empty file' : 'an empty database'}, so the log was emptied or replaced. Nothing was written.`,
          );
        db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.durability === 'power' ? 'FULL' : 'NORMAL'}`);
        // The full-text index touches many pages per insert; keep them cached (32 MiB).
        db.pragma('cache_size = -32768');
      }
      migrate(db, file, !writer);
      return new AuditStore(file, db, options.indexOnAppend !== false, options.head, writer);
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
    let recorded: ChainHead | null = null;
    if (options.head !== undefined) {
      try {
        recorded = readHead(options.head);
      } catch (error) {
        if (!(error instanceof HeadError)) throw error;
        problems.note(null, `its head ${options.head} cannot be read (${error.message})`);
      }
    }
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
      const { anchor } = this.readAnchor();
      const last = this.lastRow.get() as { id: number } | undefined;
      const problem = this.headProblem(headOf(this.headFile), last?.id ?? anchor?.before_id ?? 0, anchor);
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
   * Why the log does not reach `recorded`, or null when it does; `tip` is the id of its newest row
   * (or of the anchor, when pruning left none).
   */
  private headProblem(recorded: ChainHead | null, tip: number, anchor: Anchor | undefined): string | null {
    if (recorded === null || recorded.id === 0) return null;
    const where = `its head (kept in ${this.headFile})`;
    if (tip < recorded.id) {
      return tip === 0
        ? `the log holds no rows, but ${where} records row ${recorded.id}: it was emptied or replaced`
        : `the log ends at row ${tip}, but ${where} records row ${recorded.id}: rows were removed from its end, or it was replaced`;
    }
    // Pruning records the head first, so its anchor never lies past it.
    if (anchor !== undefined && anchor.before_id > recorded.id) {
      return `the chain's anchor (row ${anchor.before_id}) lies past the head recorded outside the log (row ${recorded.id}): it was forged, or rows were pruned that the head never saw`;
    }
    const row = this.hashOfRow.get(recorded.id) as { hash: unknown } | undefined;
    const stored = anchor?.before_id === recorded.id && row === undefined ? anchor.hash : row?.hash;
    if (stored === undefined) return `row ${recorded.id}, which ${where} records, is missing`;
    return Buffer.isBuffer(stored) && stored.toString('hex') === recorded.hash
      ? null
      : `row ${recorded.id} is not the row ${where} records: the log was replaced or rewritten`;
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
    const { anchor, problem } = this.readAnchor();
    if (problem !== null) throw new AuditError('corrupt', `In the audit log ${this.file}, ${problem}. Nothing was written; see \`aleph audit verify\`.`);
    return anchor === undefined ? { id: 0, hash: GENESIS } : { id: anchor.before_id, hash: anchor.hash };
  }

  /** The log's anchor as a head records it, or undefined when there is none. */
  private anchorToRecord(): ChainHead | undefined {
    const { anchor } = this.readAnchor();
    return anchor === undefined ? undefined : { id: anchor.before_id, hash: anchor.hash.toString('hex') };
  }

  /**
   * The anchor pruning left (the id and hash of the last row it removed), and what is wrong with
   * the table that holds it: pruning keeps one row there, with id 1, a row id and a 32-byte hash.
   * An anchor that is not one is not used.
   */
  private readAnchor(): { anchor: Anchor | undefined; problem: string | null } {
    const rows = this.anchors.all() as { id: number; before_id: unknown; hash: unknown }[];
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

  /** Computes a row's columns and hash; exposed so the benchmark can insert the same rows raw. */
  prepareRow(event: AuditEvent, id: number, previous: Uint8Array, now: number): PreparedRow {
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
    // The head first: it is recorded after the rows it names, so the log read next reaches at least as far.
    let recorded: RecordedHead | null = null;
    if (this.headFile !== undefined) {
      try {
        recorded = readHead(this.headFile);
      } catch (error) {
        if (!(error instanceof HeadError)) throw error;
        problems.note(null, `its head ${this.headFile} cannot be read (${error.message})`);
      }
    }
    const moved = this.fileProblem();
    if (moved !== null) problems.note(null, moved);
    const { anchor, problem } = this.readAnchor();
    if (problem !== null) problems.note(null, problem);
    const last = this.lastRow.get() as { id: number } | undefined;
    // Pruning removes every row up to its anchor in the same transaction: an anchor at or past the
    // newest row, with rows left, did not come from pruning.
    if (anchor !== undefined && last !== undefined && anchor.before_id >= last.id) {
      problems.note(
        null,
        `the chain's anchor (row ${anchor.before_id}) lies at or past the newest row (${last.id}): pruning leaves it before the rows it keeps, so it was forged`,
      );
    }
    const upTo = last?.id ?? 0;
    // Every row is walked, those the anchor says were pruned included: an anchor vouches only for
    // rows that are gone.
    const page = this.db.prepare('SELECT * FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?');
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
    const behind = this.headProblem(recorded, last?.id ?? anchor?.before_id ?? 0, anchor);
    if (behind !== null) problems.note(recorded!.id, behind);
    // Pruning records its anchor in the head: rows removed from the start with an anchor put in
    // their place, or an anchor edited or removed, show against it.
    if (recorded !== null) {
      const where = `its head (kept in ${this.headFile})`;
      const kept = recorded.anchor;
      if (anchor !== undefined && kept === undefined) {
        problems.note(
          anchor.before_id,
          `the chain's anchor (row ${anchor.before_id}) is not recorded in ${where}, as pruning records it: rows up to ${anchor.before_id} were removed without pruning, and the anchor forged`,
        );
      } else if (anchor === undefined && kept !== undefined) {
        problems.note(kept.id, `${where} records rows up to ${kept.id} as pruned, but the log holds no anchor: it was removed`);
      } else if (anchor !== undefined && kept !== undefined && !sameHead(kept, { id: anchor.before_id, hash: anchor.hash.toString('hex') })) {
        problems.note(
          anchor.before_id,
          `the chain's anchor (row ${anchor.before_id}) is not the one ${where} records (row ${kept.id}): it was forged or edited`,
        );
      }
    }
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

/** The anchor pruning leaves: the id and hash of the last row it removed. */
interface Anchor {
  readonly before_id: number;
  readonly hash: Buffer;
}

/** Whether two recorded heads (or anchors) name the same row with the same hash. */
function sameHead(a: ChainHead | undefined, b: ChainHead): boolean {
  return a !== undefined && a.id === b.id && a.hash === b.hash;
}

/** Whether a stored value is a hash as the chain stores them: a 32-byte BLOB. */
function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === 32;
}

/** What SQLite handed back, in words: for a column that holds the wrong type. */
function describeValue(value: unknown): string {
  if (value === null) return 'NULL';
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte BLOB`;
  if (typeof value === 'string') return 'TEXT';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the real number ${value}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  return typeof value;
}

/** Milliseconds either side of 1970 that a JavaScript Date can hold. */
const MAX_TIME = 8.64e15;

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
class Problems {
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

/** The head recorded in `file`; one that cannot be read is an AuditError. */
function headOf(file: string): ChainHead | null {
  try {
    return readHead(file);
  } catch (error) {
    if (!(error instanceof HeadError)) throw error;
    throw new AuditError(
      'head_unreadable',
      `The audit log's head ${file} cannot be used: ${error.message}. Move it aside if you know why; the log is then checked against nothing.`,
    );
  }
}

function checkHeader(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new AuditError('unreadable', `Cannot read the audit database ${file}: ${(error as Error).message}`);
  }
  try {
    if (statSync(file).size === 0) return;
    const header = Buffer.alloc(16);
    const n = readSync(fd, header, 0, 16, 0);
    if (n < 16 || header.toString('latin1') !== SQLITE_HEADER) {
      throw new AuditError('not_a_database', `${file} is not an SQLite database; it was left untouched. Move it aside to start a new audit log.`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether the database holds nothing yet: no schema version, no table (an empty file reads so too). */
function isEmptyDatabase(db: Database.Database): boolean {
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  return version === 0 && objects === 0;
}

function migrate(db: Database.Database, file: string, readonly: boolean): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
    throw new AuditError('foreign_database', `${file} is another program's SQLite database, not an Aleph audit log; it was left untouched.`);
  }
  if (version > SCHEMA_VERSION) {
    throw new AuditError(
      'newer_schema',
      `${file} was written by a newer Aleph (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade Aleph to read it.`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  // Nothing in it: a reader has no upgrade to offer, the log was emptied or replaced.
  if (readonly && version === 0 && tables === 0)
    throw new AuditError('empty', `the audit log ${file} holds no events table: it is an empty database, so the log was emptied or replaced`);
  if (readonly)
    throw new AuditError(
      'newer_schema',
      `${file} needs a schema upgrade (from ${version} to ${SCHEMA_VERSION}), which only a writer (the gateway, an import) makes.`,
    );
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** SQLite's errors, in words that name the file. */
function translate(error: unknown, file: string): unknown {
  if (error instanceof AuditError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB') return new AuditError('not_a_database', `${file} is not an SQLite database; it was left untouched.`);
  if (code.startsWith('SQLITE_CORRUPT'))
    return new AuditError('corrupt', `${file} is corrupt (${message}); it was left untouched. Restore it from a backup or move it aside.`);
  if (code.startsWith('SQLITE_BUSY')) return new AuditError('busy', `${file} is locked by another process: ${message}`);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_READONLY'))
    return new AuditError('unreadable', `Cannot open ${file}: ${message}`);
  return error;
}
