/**
 * Whether the paths of an open log still lead to the files the store has open: the log, and for a
 * writer the files SQLite writes through beside it (its write-ahead log and its shared-memory
 * index). A path that leads elsewhere now was deleted or replaced: commits to a deleted write-ahead
 * log go where no other process reads them, and a new one beside it splits the log in two.
 *
 * Checked before every append, so it is made cheap: deleting, creating or renaming an entry of a
 * directory changes the directory's modification and change times (and `utimes` cannot set the
 * change time back), so while the directory's identity and times are what they were when every
 * file was last found in place, none of them can have moved, and one `stat` answers for three.
 * The times are trusted only once full checks have seen them unchanged for longer than the file
 * system's timestamps are coarse: a change after that carries later times, even where two changes
 * close together carry the same. Times with a fraction of a second are kept finer than the
 * kernel's clock tick (at most 10 ms); whole seconds may be all a file system keeps (FAT stamps
 * every two seconds). Only the file system's own clock stamps them, so this holds on a network file
 * system whose clock is not this machine's.
 */
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * How long full checks must see a directory's times unchanged before the times stand for its
 * entries: where they are kept finer than a second, and where they may be whole seconds.
 */
const QUIET_MS = 100;
const QUIET_WHOLE_SECONDS_MS = 3_000;

interface Identity {
  readonly dev: number;
  readonly ino: number;
}

interface Sidecar {
  readonly path: string;
  readonly what: string;
  /** Null until the file exists: SQLite makes them with the first connection that needs them. */
  identity: Identity | null;
}

interface QuietDirectory extends Identity {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

const identityOf = (seen: Stats): Identity => ({ dev: seen.dev, ino: seen.ino });

export class OpenFiles {
  private readonly directory: string;
  private readonly identity: Identity;
  private readonly sidecars: Sidecar[];
  /** The log's directory as full checks first saw it with every file in place, and when (monotonic ms). */
  private seen: { readonly directory: QuietDirectory; readonly since: number } | null = null;
  /** The same once it has stayed so for QUIET_MS: while the directory still is, no file moved. */
  private quiet: QuietDirectory | null = null;

  /** `file` as it is now (just opened); with `writer`, its write-ahead log and shared-memory index too. */
  constructor(
    private readonly file: string,
    writer: boolean,
  ) {
    this.directory = dirname(file);
    this.identity = identityOf(statSync(file));
    this.sidecars = writer
      ? [
          { path: `${file}-wal`, what: 'write-ahead log' },
          { path: `${file}-shm`, what: 'shared-memory index' },
        ].map((s) => {
          const seen = statSync(s.path, { throwIfNoEntry: false });
          return { ...s, identity: seen === undefined ? null : identityOf(seen) };
        })
      : [];
  }

  /** Why a path no longer leads to the file opened through it, or null when every one does. */
  problem(): string | null {
    const at = performance.now();
    const directory = statSync(this.directory, { throwIfNoEntry: false });
    if (directory !== undefined && this.quiet !== null && sameDirectory(directory, this.quiet)) return null;
    this.quiet = null;
    const problem = this.filesProblem();
    if (problem !== null || directory === undefined || this.sidecars.some((s) => s.identity === null)) this.seen = null;
    else if (this.seen === null || !sameDirectory(directory, this.seen.directory))
      this.seen = { directory: { ...identityOf(directory), mtimeMs: directory.mtimeMs, ctimeMs: directory.ctimeMs }, since: at };
    else if (at - this.seen.since > quietMs(this.seen.directory)) this.quiet = this.seen.directory;
    return problem;
  }

  /** The full check: a `stat` of each path, compared with the file opened through it. */
  private filesProblem(): string | null {
    const now = statSync(this.file, { throwIfNoEntry: false });
    if (now === undefined) return `the audit log ${this.file} was deleted while it was open`;
    if (!sameFile(now, this.identity)) return `the audit log ${this.file} was replaced by another file while it was open`;
    for (const sidecar of this.sidecars) {
      const seen = statSync(sidecar.path, { throwIfNoEntry: false });
      // SQLite keeps both while any connection is open; one not made yet is known from the first check after it is.
      if (sidecar.identity === null) {
        if (seen !== undefined) sidecar.identity = identityOf(seen);
        continue;
      }
      if (seen === undefined) return `the audit log's ${sidecar.what} ${sidecar.path} was deleted while the log was open`;
      if (!sameFile(seen, sidecar.identity)) return `the audit log's ${sidecar.what} ${sidecar.path} was replaced by another file while the log was open`;
    }
    return null;
  }
}

function quietMs(directory: QuietDirectory): number {
  return directory.mtimeMs % 1000 === 0 && directory.ctimeMs % 1000 === 0 ? QUIET_WHOLE_SECONDS_MS : QUIET_MS;
}

function sameFile(seen: Stats, known: Identity): boolean {
  return seen.dev === known.dev && seen.ino === known.ino;
}

function sameDirectory(seen: Stats, known: QuietDirectory): boolean {
  return sameFile(seen, known) && seen.mtimeMs === known.mtimeMs && seen.ctimeMs === known.ctimeMs;
}
