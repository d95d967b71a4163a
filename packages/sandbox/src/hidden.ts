/**
 * What a run does not see of what it is granted: credential locations, the agent socket its
 * environment names and the caller's extra paths (the gateway's own directory), wherever they fall
 * inside a granted path; on Linux the `.env` files a bounded walk of the granted directories finds
 * (Seatbelt matches their names itself); and, for a run by root, the system configuration only
 * root may read. A path the profile grants as it stands is not hidden; a grant inside a hidden
 * directory is bound again over it, so the run gets exactly that grant and nothing beside it.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { HiddenPath } from './bubblewrap.js';
import { isWithin, type Capabilities } from './capabilities.js';
import { realPathOf } from './guard.js';
import { ENV_FILE, sensitiveBelow } from './sensitive.js';

/**
 * Directories a walk for `.env` files reads at most, over all granted directories: it bounds what
 * a run in a large home costs (a few tens of milliseconds at most).
 */
export const MAX_WALKED_DIRECTORIES = 2000;

export interface HideOptions {
  /** The home directory, below which the credential locations are. */
  readonly home: string;
  /** More paths to hide (the gateway's own directory). */
  readonly extra: readonly string[];
  /** The SSH agent's socket the caller's environment names. */
  readonly agentSocket: string | undefined;
  /** Walk the granted directories for `.env` files (Linux: bubblewrap cannot match names). */
  readonly walk: boolean;
  /** Run by root: the system configuration directory whose root-only entries are hidden. */
  readonly rootOnlyIn: string | null;
}

export interface Hidden {
  readonly paths: readonly HiddenPath[];
  /** What could not be hidden, and why (a walk cut short). */
  readonly unenforced: readonly string[];
}

/** The paths to hide from a run of this profile (granted paths are real paths), sorted. */
export function pathsToHide(caps: Capabilities, options: HideOptions): Hidden {
  const granted = caps.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [e.path]));
  const hidden = new Map<string, HiddenPath>();
  const consider = (path: string) => {
    try {
      const real = realpathSync(path);
      if (granted.includes(real) || !granted.some((g) => isWithin(g, real))) return;
      hidden.set(real, { path: real, directory: statSync(real).isDirectory() });
    } catch {
      // Not there: nothing to hide.
    }
  };
  const realHome = realPathOf(options.home);
  for (const dir of granted) for (const location of sensitiveBelow(dir, realHome)) consider(location);
  for (const path of options.extra) consider(path);
  if (options.agentSocket !== undefined && options.agentSocket !== '') consider(options.agentSocket);
  const unenforced: string[] = [];
  if (options.walk && !walkForEnvFiles(granted, consider)) {
    unenforced.push(
      `files: only the first ${MAX_WALKED_DIRECTORIES} directories of the granted paths were searched for .env files; any further down stay readable`,
    );
  }
  if (options.rootOnlyIn !== null) for (const h of rootOnlyEntries(options.rootOnlyIn)) hidden.set(h.path, h);
  return { paths: [...hidden.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), unenforced };
}

/** Not walked into: where the owner's own `.env` files are rarely kept, and caches make a walk long. */
const unwalked = (name: string): boolean => name.startsWith('.') || name === 'node_modules';

/**
 * Breadth first below each granted directory, the deepest grants first (the working directory
 * before the home around it), passing each `.env` file to `found`; not into dot-directories or
 * node_modules, nor from a grant inside one below another grant (a tool cache such as ~/.cache
 * inside the home). False when it stopped at MAX_WALKED_DIRECTORIES.
 */
function walkForEnvFiles(granted: readonly string[], found: (path: string) => void): boolean {
  const inUnwalked = (root: string): boolean => granted.some((g) => g !== root && isWithin(g, root) && relative(g, root).split(sep).some(unwalked));
  const roots = granted.filter((root) => !inUnwalked(root)).sort((a, b) => b.split('/').length - a.split('/').length);
  const walked = new Set<string>();
  for (const root of roots) {
    const queue = [root];
    for (let next = 0; next < queue.length; next++) {
      const dir = queue[next]!;
      if (walked.has(dir)) continue;
      if (walked.size === MAX_WALKED_DIRECTORIES) return false;
      walked.add(dir);
      let entries: Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        // A file, or a directory this process may not read.
        continue;
      }
      for (const e of entries) {
        if (e.isDirectory()) {
          if (!unwalked(e.name)) queue.push(join(dir, e.name));
        } else if (ENV_FILE.test(e.name)) found(join(dir, e.name));
      }
    }
  }
  return true;
}

interface RootOnlyScan {
  /** Every directory read, with its modification time: an entry added or renamed changes it. */
  readonly mtimes: ReadonlyMap<string, number>;
  readonly found: readonly HiddenPath[];
  /** When the modification times were last compared. */
  checkedAt: number;
}

/** How often the scan is checked against the directories' modification times. */
const ROOT_ONLY_CHECK_MS = 1000;

const rootOnlyScans = new Map<string, RootOnlyScan>();

/**
 * The entries below `dir` that others may not read (/etc/shadow, private keys, ...): a run by root
 * is root to every file it sees, so these are hidden. Scanned once, and again when a directory in
 * it changed (looked at once a second), so that a run does not pay for reading all of /etc.
 */
function rootOnlyEntries(dir: string, now = Date.now()): readonly HiddenPath[] {
  let scan = rootOnlyScans.get(dir);
  if (scan !== undefined && now - scan.checkedAt < ROOT_ONLY_CHECK_MS) return scan.found;
  if (scan === undefined || [...scan.mtimes].some(([d, mtime]) => lstatSync(d, { throwIfNoEntry: false })?.mtimeMs !== mtime)) {
    scan = scanRootOnly(dir);
    rootOnlyScans.set(dir, scan);
  }
  scan.checkedAt = now;
  return scan.found;
}

function scanRootOnly(top: string): RootOnlyScan {
  const mtimes = new Map<string, number>();
  const found: HiddenPath[] = [];
  const visit = (dir: string) => {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (stat === undefined) return;
    mtimes.set(dir, stat.mtimeMs);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const entry = lstatSync(path, { throwIfNoEntry: false });
      if (entry === undefined || entry.isSymbolicLink()) continue;
      if ((entry.mode & 0o004) === 0) found.push({ path, directory: entry.isDirectory() });
      else if (entry.isDirectory()) visit(path);
    }
  };
  visit(top);
  return { mtimes, found, checkedAt: 0 };
}
