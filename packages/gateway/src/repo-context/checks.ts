/**
 * What a probe looked at, and how to tell that none of it changed with as few `stat` calls as
 * possible. A file whose content mattered is checked by its identity (device, inode, size,
 * times, mode, owner). That something exists, or does not, is vouched for by its directory: an
 * entry cannot appear, vanish or be replaced without changing the directory's mtime, so while the
 * directory is unchanged, one `stat` of it covers all of them; when it changed (a file was
 * written beside them), they are checked one by one, and the directory is trusted again if they
 * still hold.
 *
 * Timestamps are only as fine as the filesystem's clock: a change in the same tick as the one
 * before it may leave the time unchanged. What changed within RACY_MS of being looked at is not
 * trusted by its time (git's "racy" files, for the same reason).
 */
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `exists`: what kind of thing is there, if anything (HEAD, objects/ and refs/ change all the
 * time without changing what git finds). `identity`: the same file, unchanged. `owner`: who owns
 * it. `entry`: the directory entry itself, not followed (a directory swapped for a symbolic link).
 * `listing`: the names in a directory. `replaced`: like `identity`, for a file that is only ever
 * changed by renaming a new one over it (git's index), so that its directory vouches for it.
 */
export type CheckMode = 'exists' | 'identity' | 'owner' | 'entry' | 'listing' | 'replaced';

/** What a look saw: a kind or an error as text, or numbers (compared without making strings of them). */
export type Seen = string | readonly number[];

export interface Check {
  readonly path: string;
  readonly mode: CheckMode;
  readonly seen: Seen;
}

export function same(a: Seen, b: Seen): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Below this age (ms) a time does not prove that nothing changed. */
export const RACY_MS = 50;

function kind(s: Stats): string {
  return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'link' : 'other';
}

/** Looks at one path as `mode` says; `seen` is what a later look must see again. */
export function observe(path: string, mode: CheckMode): { seen: Seen; stats: Stats | null } {
  if (mode === 'listing') {
    try {
      return { seen: ['names', ...readdirSync(path).sort()].join('\0'), stats: null };
    } catch (e) {
      return { seen: `error ${(e as NodeJS.ErrnoException).code ?? 'unknown'}`, stats: null };
    }
  }
  let stats: Stats | undefined;
  try {
    stats = mode === 'entry' ? lstatSync(path, { throwIfNoEntry: false }) : statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    return { seen: `error ${(e as NodeJS.ErrnoException).code ?? 'unknown'}`, stats: null };
  }
  if (stats === undefined) return { seen: 'absent', stats: null };
  switch (mode) {
    case 'exists':
      return { seen: kind(stats), stats };
    case 'owner':
      return { seen: [stats.uid], stats };
    case 'entry':
      return { seen: [stats.mode, stats.dev, stats.ino], stats };
    case 'identity':
    case 'replaced':
      return { seen: [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs, stats.mode, stats.uid], stats };
  }
}

const racy = (s: Stats, now: number): boolean => now - Math.max(s.mtimeMs, s.ctimeMs) < RACY_MS;

interface Group {
  readonly dir: string;
  /** What must never change: the same directory, owner and mode. */
  readonly fixed: readonly number[];
  /** Its times when its members were last confirmed; null when those times cannot be trusted. */
  times: readonly [mtime: number, ctime: number] | null;
  readonly members: readonly Check[];
}

const fixedOf = (s: Stats): readonly number[] => [s.dev, s.ino, s.uid, s.mode];

/** The cheapest way to confirm a set of checks again. */
export class Validation {
  private constructor(
    private readonly groups: readonly Group[],
    private readonly singles: readonly Check[],
  ) {}

  /** The plan for `checks`, made right after they were taken; null when they cannot be cached (a file changed just now). */
  static plan(checks: readonly Check[], now = Date.now()): Validation | null {
    const vouched = new Map<string, Check[]>();
    const singles: Check[] = [];
    for (const c of checks) {
      // Who owns a repository only decides whether git refuses it, which only makes git run less:
      // a change of owner need not be noticed.
      if (c.mode === 'owner') continue;
      if (c.mode === 'listing') {
        // The names in a directory change only with its mtime: it is a member of its own group.
        vouched.set(c.path, [...(vouched.get(c.path) ?? []), c]);
      } else if (c.mode === 'exists' || c.mode === 'entry' || c.mode === 'replaced' || c.seen === 'absent') {
        const dir = dirname(c.path);
        if (dir === c.path) singles.push(c);
        else vouched.set(dir, [...(vouched.get(dir) ?? []), c]);
      } else {
        singles.push(c);
      }
    }
    // A directory that is a group of its own is checked by its identity there: that it exists
    // need not be vouched for by its parent too.
    for (const [dir, members] of vouched) {
      const rest = members.filter((m) => !(m.mode === 'exists' && m.seen === 'dir' && vouched.has(m.path)));
      if (rest.length === 0) vouched.delete(dir);
      else vouched.set(dir, rest);
    }
    const groups: Group[] = [];
    for (const [dir, members] of vouched) {
      let s: Stats | undefined;
      try {
        s = statSync(dir, { throwIfNoEntry: false });
      } catch {
        s = undefined;
      }
      if (s === undefined || !s.isDirectory()) {
        singles.push(...members);
        continue;
      }
      groups.push({ dir, fixed: fixedOf(s), times: racy(s, now) ? null : [s.mtimeMs, s.ctimeMs], members });
    }
    for (const c of singles) {
      if (c.mode !== 'identity' || typeof c.seen === 'string') continue;
      if (now - Math.max(c.seen[3]!, c.seen[4]!) < RACY_MS) return null;
    }
    return new Validation(groups, singles);
  }

  /** Whether everything looked at is as it was. */
  valid(): boolean {
    for (const g of this.groups) {
      let s: Stats | undefined;
      try {
        s = statSync(g.dir, { throwIfNoEntry: false });
      } catch {
        return false;
      }
      if (s === undefined || !same(fixedOf(s), g.fixed)) return false;
      if (g.times !== null && g.times[0] === s.mtimeMs && g.times[1] === s.ctimeMs) continue;
      for (const m of g.members) if (!same(observe(m.path, m.mode).seen, m.seen)) return false;
      g.times = racy(s, Date.now()) ? null : [s.mtimeMs, s.ctimeMs];
    }
    for (const c of this.singles) if (!same(observe(c.path, c.mode).seen, c.seen)) return false;
    return true;
  }

  /** How many `stat` calls a valid, settled look costs (for the bench). */
  get cost(): number {
    return this.groups.length + this.singles.length;
  }
}
