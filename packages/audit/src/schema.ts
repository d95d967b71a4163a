/**
 * The log's file and schema: the SQLite header that tells a database from anything else, the
 * application id that tells ours from another program's, and the migrations that bring a log to
 * this version's schema.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { AuditError } from './audit-error.js';

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

/** Throws unless `file` is empty or starts with SQLite's header. */
export function checkHeader(file: string): void {
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
export function isEmptyDatabase(db: Database.Database): boolean {
  const version = db.pragma('user_version', { simple: true }) as number;
  const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n;
  return version === 0 && objects === 0;
}

export function migrate(db: Database.Database, file: string, readonly: boolean): void {
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
