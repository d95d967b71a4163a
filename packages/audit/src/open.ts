/**
 * Opening the log: its file checked (or created, where no head says a log was), its connection
 * set up for a writer or a reader, its schema migrated.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChainHead } from '@aleph/protocol';
import Database from 'better-sqlite3';
import { AuditError, translate } from './audit-error.js';
import { HeadError, readHead } from './head.js';
import { checkHeader, isEmptyDatabase, migrate } from './schema.js';

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

/** The head recorded in `file`; one that cannot be read is an AuditError. */
export function headOf(file: string): ChainHead | null {
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

/**
 * Opens (creating if needed) the log's database at `file`, its schema brought up to date. The
 * directory is created 0700 and the file 0600. A file that is not SQLite, or is another program's
 * database, or is corrupt, is an error naming the file; nothing is ever deleted or reinitialised.
 */
export function openDatabase(file: string, options: OpenOptions): Database.Database {
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
    return db;
  } catch (error) {
    db.close();
    throw translate(error, file);
  }
}
