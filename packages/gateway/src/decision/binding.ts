/**
 * What an approval is bound to besides the command text: the executable each command name resolves
 * to, and the content of each local script the command runs. The gateway computes it when it
 * decides; the runner computes it again just before running; any difference refuses the run, so
 * that an approved `python3 deploy.py` cannot run an edited deploy.py, nor `make` a different make.
 */
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ExecBinding, SegmentReport } from '@aleph/protocol';

/** Names bash runs as builtins or keywords whatever PATH holds: nothing on disk to bind them to. */
const BUILTINS = new Set([
  ':',
  '.',
  '[',
  'alias',
  'bg',
  'bind',
  'break',
  'builtin',
  'caller',
  'cd',
  'command',
  'compgen',
  'complete',
  'continue',
  'declare',
  'dirs',
  'disown',
  'echo',
  'enable',
  'eval',
  'exec',
  'exit',
  'export',
  'false',
  'fc',
  'fg',
  'getopts',
  'hash',
  'help',
  'history',
  'jobs',
  'kill',
  'let',
  'local',
  'logout',
  'mapfile',
  'popd',
  'printf',
  'pushd',
  'pwd',
  'read',
  'readarray',
  'readonly',
  'return',
  'set',
  'shift',
  'shopt',
  'source',
  'suspend',
  'test',
  'times',
  'trap',
  'true',
  'type',
  'typeset',
  'ulimit',
  'umask',
  'unalias',
  'unset',
  'wait',
]);

/** Programs that run a script file named among their arguments. */
const INTERPRETERS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'fish',
  'python',
  'python2',
  'python3',
  'node',
  'nodejs',
  'deno',
  'bun',
  'ruby',
  'perl',
  'php',
  'Rscript',
  'lua',
  'tclsh',
  'osascript',
  'pwsh',
  'tsx',
  'ts-node',
]);

/** Options after which the code is inline (`python3 -c`, `node -e`), not in a file. */
const INLINE_CODE = new Set(['-c', '-e', '-m', '-E', '--eval', '-p', '--print', '-r']);

/** Resolves a command name as a shell with this PATH, in this directory, would. */
export function resolveExecutable(name: string, cwd: string, pathVariable: string): string | null {
  return resolveIn(name, cwd, searchDirectories(cwd, pathVariable));
}

/** The directories a PATH names, as absolute paths, in order. */
function searchDirectories(cwd: string, pathVariable: string): string[] {
  return pathVariable
    .split(delimiter)
    .filter((entry) => entry !== '')
    .map((entry) => (isAbsolute(entry) ? entry : resolve(cwd, entry)));
}

/**
 * The first executable file of that name in those directories. `listed`, when given, says which
 * names a directory holds (null: unknown), so that directories without the name cost no system call.
 */
function resolveIn(name: string, cwd: string, dirs: readonly string[], listed?: (dir: string) => ReadonlySet<string> | null): string | null {
  if (name.includes('/')) {
    const file = resolve(cwd, name);
    return isExecutable(file) ? file : null;
  }
  for (const dir of dirs) {
    if (listed?.(dir)?.has(name) === false) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * PATH lookups remembered for a second: a burst of requests costs one lookup per name, and a change
 * on disk is seen within a second (the runner's own check just before running sees it at once).
 * Each PATH directory is listed once a second too, so that a request naming many programs through
 * a long PATH costs one listing per directory, not a system call per name and directory.
 */
export class ExecutableCache {
  private readonly entries = new Map<string, { path: string | null; at: number }>();
  private readonly listings = new Map<string, { names: ReadonlySet<string> | null; at: number }>();

  constructor(
    private readonly ttlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A resolver for one request's directory and PATH. */
  resolver(cwd: string, pathVariable: string): (name: string) => string | null {
    const dirs = searchDirectories(cwd, pathVariable);
    return (name) => {
      const key = `${pathVariable}\0${cwd}\0${name}`;
      const at = this.now();
      const hit = this.entries.get(key);
      if (hit !== undefined && at - hit.at < this.ttlMs) return hit.path;
      const path = resolveIn(name, cwd, dirs, (dir) => this.listing(dir, at));
      if (this.entries.size >= 4096) this.entries.clear();
      this.entries.set(key, { path, at });
      return path;
    };
  }

  /** The names in a directory, or null when it cannot be listed (then each candidate is checked). */
  private listing(dir: string, at: number): ReadonlySet<string> | null {
    const hit = this.listings.get(dir);
    if (hit !== undefined && at - hit.at < this.ttlMs) return hit.names;
    let names: ReadonlySet<string> | null;
    try {
      names = new Set(readdirSync(dir));
    } catch (error) {
      // A directory that is not there holds nothing; one we may not list may still hold the name.
      names = (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? new Set() : null;
    }
    if (this.listings.size >= 1024) this.listings.clear();
    this.listings.set(dir, { names, at });
    return names;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Files larger than this are bound by what the kernel says of them, not by reading them through. */
export const MAX_HASHED_BYTES = 8 * 1024 * 1024;

/**
 * What a script is bound to: the SHA-256 of its content, hex; or, for a file over
 * MAX_HASHED_BYTES, `stat:` with its size, change time and inode (any write changes the change
 * time, and nobody can set it back), so that a huge or sparse file cannot stall the gateway.
 * Null when it is not a readable regular file.
 */
export function fileHash(file: string): string | null {
  let fd: number;
  try {
    // Non-blocking, and checked once open: a file swapped for a FIFO after a stat must not hang the gateway.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile()) return null;
    if (stat.size > MAX_HASHED_BYTES) return `stat:${stat.size}:${stat.ctimeNs}:${stat.dev}:${stat.ino}`;
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The script an interpreter runs: its first argument that is an existing file, unless the code is inline. */
function scriptOf(argv: readonly (string | null)[], cwd: string): string | null {
  for (const arg of argv.slice(1)) {
    if (arg === null) return null;
    if (INLINE_CODE.has(arg)) return null;
    if (arg.startsWith('-')) continue;
    const file = resolve(cwd, arg);
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // Not a file: an option's value, most likely; look further.
    }
  }
  return null;
}

/**
 * The binding of a command, from the policy's segments (nested ones included). `resolve` defaults
 * to a fresh PATH lookup; the gateway passes a short-lived cache.
 */
export function bindingOf(
  segments: readonly SegmentReport[],
  cwd: string,
  pathVariable: string,
  resolveName = (name: string) => resolveExecutable(name, cwd, pathVariable),
): ExecBinding {
  const executables: Record<string, string | null> = {};
  const scripts: Record<string, string> = {};
  for (const segment of segments) {
    const written = segment.argv[0];
    if (written === null || written === undefined || segment.name === null) continue;
    if (!BUILTINS.has(written) && !(written in executables)) {
      const path = resolveName(written);
      executables[written] = path;
      // A program named by a path is usually the project's own script: bind its content too.
      if (path !== null && written.includes('/')) {
        const hash = fileHash(path);
        if (hash !== null) scripts[path] = hash;
      }
    }
    if (INTERPRETERS.has(segment.name)) {
      const script = scriptOf(segment.argv, cwd);
      if (script !== null && !(script in scripts)) {
        const hash = fileHash(script);
        if (hash !== null) scripts[script] = hash;
      }
    }
  }
  return { executables, scripts };
}

/** The binding as it is now on disk: the same names resolved again, the same scripts hashed again. */
export function currentBinding(bound: ExecBinding, cwd: string, pathVariable: string): ExecBinding {
  const executables: Record<string, string | null> = {};
  for (const name of Object.keys(bound.executables)) executables[name] = resolveExecutable(name, cwd, pathVariable);
  const scripts: Record<string, string> = {};
  for (const file of Object.keys(bound.scripts)) scripts[file] = fileHash(file) ?? 'missing';
  return { executables, scripts };
}

/** A sentence naming the first difference between a bound context and the current one, or null. */
export function bindingDrift(bound: ExecBinding, now: ExecBinding): string | null {
  for (const [name, path] of Object.entries(bound.executables)) {
    const current = now.executables[name] ?? null;
    if (current !== path) return `"${name}" now resolves to ${current ?? 'nothing'}, not ${path ?? 'nothing'} as approved`;
  }
  for (const [file, hash] of Object.entries(bound.scripts)) {
    const current = now.scripts[file];
    if (current === 'missing' || current === undefined) return `${file} is gone since it was approved`;
    if (current !== hash) return `${file} changed since it was approved`;
  }
  return null;
}
