/**
 * What a path argument points at: a secret, a system location, a startup file, somewhere outside
 * the working directory. Pure: the working and home directories are passed in, nothing is read.
 */
import { globToRegExp } from './glob.js';
import { HARMLESS_DEVICES, PERSISTENCE_PATHS, SCRATCH_PATHS, SENSITIVE_PATHS, SYSTEM_BIN_DIRS, SYSTEM_PATHS } from './rules.js';

export interface PathContext {
  /** The directory relative paths resolve against; null when unknown. */
  readonly cwd: string | null;
  /**
   * The directory the agent works in, where writes are expected. Differs from `cwd` after a `cd`
   * in the same line; defaults to `cwd`.
   */
  readonly root?: string | null;
  /** The user's home directory; null when unknown (then `~` paths are still recognised). */
  readonly home: string | null;
}

export type PathClass =
  | 'harmless_device'
  | 'disk_device'
  | 'network_device'
  | 'sensitive'
  | 'persistence'
  | 'system'
  | 'outside_cwd'
  | 'scratch'
  | 'inside_cwd';

/**
 * A path made comparable: absolute (`/etc/x`), home-relative (`~/x`) or, when the working
 * directory is unknown, relative (`src/x`). `.` and `..` are resolved lexically.
 */
export function normalizePath(raw: string, ctx: PathContext): string {
  let p = raw.replace(/^\$\{?HOME\}?(?=\/|$)/, '~');
  if (ctx.home !== null && (p === ctx.home || p.startsWith(ctx.home + '/'))) p = '~' + p.slice(ctx.home.length);
  if (!p.startsWith('/') && !p.startsWith('~') && ctx.cwd !== null) p = `${ctx.cwd}/${p}`;
  if (ctx.home !== null && p.startsWith(ctx.home + '/')) p = '~' + p.slice(ctx.home.length);
  const anchor = p.startsWith('/') ? '/' : p.startsWith('~') ? '~/' : '';
  const parts: string[] = [];
  for (const part of p.slice(anchor === '~/' ? 1 : 0).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (anchor === '') parts.push('..');
      continue;
    }
    parts.push(part);
  }
  if (anchor === '~/') return parts.length === 0 ? '~' : `~/${parts.join('/')}`;
  if (anchor === '/') return `/${parts.join('/')}`;
  return parts.length === 0 ? '.' : parts.join('/');
}

interface PathPattern {
  /** Anchored at `/` or `~`: matches the path or anything below it. */
  readonly anchored: boolean;
  readonly components: readonly RegExp[];
}

function compile(patterns: readonly string[]): PathPattern[] {
  return patterns.map((p) => ({
    anchored: p.startsWith('/') || p.startsWith('~'),
    components: (p.startsWith('/') ? p.slice(1) : p).split('/').map((c) => globToRegExp(c, null)),
  }));
}

const SENSITIVE = compile(SENSITIVE_PATHS);
const PERSISTENCE = compile(PERSISTENCE_PATHS);
const SYSTEM = compile(SYSTEM_PATHS);
const SCRATCH = compile(SCRATCH_PATHS);
const HARMLESS = compile(HARMLESS_DEVICES);
/** Templates and examples of secret files are not secrets. */
const EXAMPLE_FILE = /\.(example|sample|template|dist|tpl)$/;
const DISK_DEVICE = /^\/dev\/(r?disk\d|sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|mapper\/|loop\d|sr\d|fd\d)/;
const NETWORK_DEVICE = /^\/dev\/(tcp|udp)\//;

function components(path: string): string[] {
  return (path.startsWith('/') ? path.slice(1) : path).split('/').filter((c) => c !== '');
}

function matches(pattern: PathPattern, parts: readonly string[], anchoredPath: boolean): boolean {
  const n = pattern.components.length;
  if (pattern.anchored) {
    if (!anchoredPath || parts.length < n) return false;
    for (let i = 0; i < n; i++) if (!pattern.components[i]!.test(parts[i]!)) return false;
    return true;
  }
  // Unanchored patterns (`.env`, `.git/hooks`) match a run of components anywhere.
  for (let start = 0; start + n <= parts.length; start++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = pattern.components[i]!.test(parts[start + i]!);
    if (ok) return true;
  }
  return false;
}

function matchesAny(patterns: readonly PathPattern[], path: string): boolean {
  const parts = path.startsWith('~') ? ['~', ...components(path.slice(1))] : components(path);
  const anchored = path.startsWith('/') || path.startsWith('~');
  return patterns.some((p) => matches(p, parts, anchored));
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

export function isSensitivePath(raw: string, ctx: PathContext): boolean {
  const path = normalizePath(raw, ctx);
  if (EXAMPLE_FILE.test(path)) return false;
  return matchesAny(SENSITIVE, path);
}

/** Where a write to `raw` lands. */
export function classifyWriteTarget(raw: string, ctx: PathContext): PathClass {
  if (NETWORK_DEVICE.test(raw)) return 'network_device';
  if (matchesAny(HARMLESS, raw)) return 'harmless_device';
  if (DISK_DEVICE.test(raw)) return 'disk_device';
  const path = normalizePath(raw, ctx);
  if (isSensitivePath(raw, ctx) && !matchesAny(PERSISTENCE, path)) return 'sensitive';
  if (matchesAny(PERSISTENCE, path)) return 'persistence';
  const rootDir = ctx.root === undefined ? ctx.cwd : ctx.root;
  const root = rootDir === null ? null : normalizePath(rootDir, ctx);
  if (root !== null && isUnder(path, root)) return 'inside_cwd';
  if (matchesAny(SCRATCH, path)) return 'scratch';
  if (path.startsWith('/dev/') || matchesAny(SYSTEM, path)) return 'system';
  if (root !== null || path.startsWith('/') || path.startsWith('~') || path.startsWith('..')) return 'outside_cwd';
  return 'inside_cwd';
}

/** Whether an executable path lies in a directory whose programs are what their names say. */
export function isSystemBinary(path: string): boolean {
  if (!path.startsWith('/')) return false;
  return SYSTEM_BIN_DIRS.includes(normalizePath(path, { cwd: null, home: null }).replace(/\/[^/]*$/, ''));
}
