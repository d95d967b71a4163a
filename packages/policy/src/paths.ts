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
  // The common case, a plain relative path under a known directory: no dots, tildes or variables.
  if (ctx.cwd !== null && raw !== '' && raw[0] !== '/' && !/[.~$]|\/\/|\/$/.test(raw)) {
    return `${normalizedDir(ctx.cwd, ctx.home)}/${raw}`;
  }
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

const dirCache = new Map<string, string>();

/** A directory normalised once (working directories repeat from one command to the next). */
function normalizedDir(dir: string, home: string | null): string {
  const key = `${home ?? ''}\0${dir}`;
  let out = dirCache.get(key);
  if (out === undefined) {
    out = normalizePath(dir, { cwd: null, home });
    if (dirCache.size > 256) dirCache.clear();
    dirCache.set(key, out);
  }
  return out;
}

/**
 * A list of path patterns, matched case-insensitively (macOS and Windows filesystems are, so
 * `~/.SSH` is `~/.ssh` there). Anchored patterns (`/etc`, `~/.ssh`) match the path or anything
 * below it; others (`.env`, `.git/hooks`) match a run of components anywhere.
 *
 * Every path a pattern matches contains the pattern's longest literal fragment, so one regular
 * expression over the fragments rejects almost every argument before any real matching happens.
 */
class PathPatterns {
  private readonly patterns: readonly { anchored: boolean; components: readonly RegExp[] }[];
  private readonly prefilter: RegExp;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((p) => ({
      anchored: p.startsWith('/') || p.startsWith('~'),
      components: (p.startsWith('/') ? p.slice(1) : p).split('/').map((c) => globToRegExp(c.toLowerCase(), null)),
    }));
    const fragments = patterns.map((p) => longestLiteral(p.replace(/^~/, '')));
    this.prefilter = new RegExp(fragments.map((f) => f.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'), 'i');
  }

  /** Whether the raw text can possibly match; cheap, and never wrong when it says no. */
  mayMatch(raw: string): boolean {
    return this.prefilter.test(raw);
  }

  /** `path` must be normalised (see normalizePath). */
  matches(path: string): boolean {
    const lower = path.toLowerCase();
    const parts = lower.startsWith('~') ? ['~', ...components(lower.slice(1))] : components(lower);
    const anchoredPath = lower.startsWith('/') || lower.startsWith('~');
    return this.patterns.some((p) => matchComponents(p.anchored, p.components, parts, anchoredPath));
  }
}

function longestLiteral(pattern: string): string {
  return pattern.split(/[*?/]/).reduce((best, part) => (part.length > best.length ? part : best), '');
}

function components(path: string): string[] {
  return (path.startsWith('/') ? path.slice(1) : path).split('/').filter((c) => c !== '');
}

function matchComponents(anchored: boolean, pattern: readonly RegExp[], parts: readonly string[], anchoredPath: boolean): boolean {
  const n = pattern.length;
  if (anchored) {
    if (!anchoredPath || parts.length < n) return false;
    for (let i = 0; i < n; i++) if (!pattern[i]!.test(parts[i]!)) return false;
    return true;
  }
  for (let start = 0; start + n <= parts.length; start++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = pattern[i]!.test(parts[start + i]!);
    if (ok) return true;
  }
  return false;
}

const SENSITIVE = new PathPatterns(SENSITIVE_PATHS);
const PERSISTENCE = new PathPatterns(PERSISTENCE_PATHS);
const SYSTEM = new PathPatterns(SYSTEM_PATHS);
const SCRATCH = new PathPatterns(SCRATCH_PATHS);
const HARMLESS = new PathPatterns(HARMLESS_DEVICES);
/** Templates and examples of secret files are not secrets. */
const EXAMPLE_FILE = /\.(example|sample|template|dist|tpl)$/i;
const DISK_DEVICE = /^\/dev\/(r?disk\d|sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|mapper\/|loop\d|sr\d|fd\d)/;
const NETWORK_DEVICE = /^\/dev\/(tcp|udp)\//;

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

export function isSensitivePath(raw: string, ctx: PathContext): boolean {
  if (!SENSITIVE.mayMatch(raw) || EXAMPLE_FILE.test(raw)) return false;
  return SENSITIVE.matches(normalizePath(raw, ctx));
}

/** Where a write to `raw` lands. */
export function classifyWriteTarget(raw: string, ctx: PathContext): PathClass {
  if (NETWORK_DEVICE.test(raw)) return 'network_device';
  if (raw.startsWith('/dev/') || raw.startsWith('/proc/')) {
    if (HARMLESS.matches(raw)) return 'harmless_device';
    if (DISK_DEVICE.test(raw)) return 'disk_device';
  }
  const path = normalizePath(raw, ctx);
  const persistence = PERSISTENCE.mayMatch(raw) && PERSISTENCE.matches(path);
  if (persistence) return 'persistence';
  if (isSensitivePath(raw, ctx)) return 'sensitive';
  const rootDir = ctx.root === undefined ? ctx.cwd : ctx.root;
  const root = rootDir === null ? null : normalizedDir(rootDir, ctx.home);
  if (root !== null && isUnder(path, root)) return 'inside_cwd';
  if (path.startsWith('/')) {
    if (SCRATCH.matches(path)) return 'scratch';
    if (path.startsWith('/dev/') || SYSTEM.matches(path)) return 'system';
  }
  if (root !== null || path.startsWith('/') || path.startsWith('~') || path.startsWith('..')) return 'outside_cwd';
  return 'inside_cwd';
}

/** Whether an executable path lies in a directory whose programs are what their names say. */
export function isSystemBinary(path: string): boolean {
  if (!path.startsWith('/')) return false;
  return SYSTEM_BIN_DIRS.includes(normalizePath(path, { cwd: null, home: null }).replace(/\/[^/]*$/, ''));
}
