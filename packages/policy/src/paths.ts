/**
 * What a path argument points at: a secret, a system location, a startup file, somewhere outside
 * the working directory. Pure: the working and home directories are passed in, nothing is read.
 */
import { globsIntersect, globToRegExp } from './glob.js';
import { HARMLESS_DEVICES, PATH_VARIABLES, PERSISTENCE_PATHS, SCRATCH_PATHS, SENSITIVE_PATHS, SYSTEM_BIN_DIRS, SYSTEM_PATHS } from './rules.js';

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
  /**
   * Aleph's own directory (`$ALEPH_HOME`), which holds the gateway's secrets; `~/.aleph`, the
   * default, is always treated as one.
   */
  readonly alephHome?: string | null;
}

export type PathClass =
  'harmless_device' | 'disk_device' | 'network_device' | 'sensitive' | 'persistence' | 'system' | 'outside_cwd' | 'scratch' | 'inside_cwd';

/**
 * A path made comparable: absolute (`/etc/x`), home-relative (`~/x`) or, when the working
 * directory is unknown, relative (`src/x`). `.` and `..` are resolved lexically.
 */
export function normalizePath(raw: string, ctx: PathContext): string {
  // The common case, a plain relative path under a known directory: no dots, tildes or variables.
  if (ctx.cwd !== null && raw !== '' && raw[0] !== '/' && !/[.~$]|\/\/|\/$/.test(raw)) {
    return `${normalizedDir(ctx.cwd, ctx.home)}/${raw}`;
  }
  let p = raw.charCodeAt(0) === 36 ? expandPathVariable(raw, ctx) : isOtherHome(raw) ? otherHome(raw) : raw;
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

/** `$HOME/x`, `${XDG_CONFIG_HOME}/gh`, `$ALEPH_HOME/y`: the place the variable names (see PATH_VARIABLES). */
function expandPathVariable(raw: string, ctx: PathContext): string {
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))(?=\/|$)/.exec(raw);
  if (m === null) return raw;
  const name = m[1] ?? m[2]!;
  const place = name === 'ALEPH_HOME' && ctx.alephHome !== undefined && ctx.alephHome !== null && ctx.alephHome !== '' ? ctx.alephHome : PATH_VARIABLES[name];
  return place === undefined ? raw : place + raw.slice(m[0].length);
}

/** Whether `raw` starts with one of PATH_VARIABLES (`$HOME/...`, `${ALEPH_HOME}`). */
function namesPlace(raw: string): boolean {
  return PLACE_VARIABLE.test(raw);
}

const PLACE_VARIABLE = new RegExp(`^\\$\\{?(?:${Object.keys(PATH_VARIABLES).join('|')})(?![A-Za-z0-9_])`);

/** `~bob/x`: a home directory named by its user. */
function isOtherHome(raw: string): boolean {
  return raw.charCodeAt(0) === 126 && raw.length > 1 && raw[1] !== '/';
}

/** `~root/x` is root's home, `~bob/x` another user's. */
function otherHome(raw: string): string {
  const slash = raw.indexOf('/');
  const user = slash < 0 ? raw.slice(1) : raw.slice(1, slash);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(user)) return raw;
  return (user === 'root' ? '/root' : `/home/${user}`) + (slash < 0 ? '' : raw.slice(slash));
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
  private readonly patterns: readonly { anchored: boolean; globs: readonly string[]; components: readonly RegExp[] }[];
  private readonly prefilter: RegExp;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((p) => {
      const globs = (p.startsWith('/') ? p.slice(1) : p).toLowerCase().split('/');
      return { anchored: p.startsWith('/') || p.startsWith('~'), globs, components: globs.map((c) => globToRegExp(c, null)) };
    });
    // A fragment that holds another is implied by it: keep only the shortest ones, once each.
    const all = [...new Set(patterns.map((p) => longestLiteral(p.replace(/^~/, '')).toLowerCase()))];
    const fragments = all.filter((f) => !all.some((g) => g !== f && f.includes(g)));
    this.prefilter = new RegExp(trieAlternation(fragments), 'i');
  }

  /** Whether the raw text can possibly match; cheap, and never wrong when it says no. */
  mayMatch(raw: string): boolean {
    return this.prefilter.test(raw);
  }

  /**
   * `path` must be normalised (see normalizePath). A `glob` path matches a pattern when some path
   * could match both (`~/.a?s/credentials` is `~/.aws/credentials`).
   */
  matches(path: string, glob = false): boolean {
    const lower = path.toLowerCase();
    const parts = lower.startsWith('~') ? ['~', ...components(lower.slice(1))] : components(lower);
    const anchoredPath = lower.startsWith('/') || lower.startsWith('~');
    if (glob) return this.patterns.some((p) => matchGlobComponents(p.anchored, p.globs, parts, anchoredPath));
    return this.patterns.some((p) => matchComponents(p.anchored, p.components, parts, anchoredPath));
  }
}

/**
 * An alternation of literal strings, factored by their leading characters (`\.(?:ssh|aws)|id_(?:rsa|dsa)`):
 * the regular expression engine then tries one branch per character instead of every string.
 */
function trieAlternation(strings: readonly string[]): string {
  const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const build = (group: readonly string[]): string => {
    const byFirst = new Map<string, string[]>();
    let empty = false;
    for (const str of group) {
      if (str === '') empty = true;
      else byFirst.set(str[0]!, [...(byFirst.get(str[0]!) ?? []), str.slice(1)]);
    }
    const branches = [...byFirst].map(([first, rests]) => escape(first) + (rests.length === 1 ? rests[0]!.split('').map(escape).join('') : build(rests)));
    // A string that ends here makes the rest optional; a lone branch needs no group.
    if (empty) return `(?:${branches.join('|')})?`;
    return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  };
  return build([...new Set(strings)]);
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

const WILDCARD_FIRST = /^[*?[]/;
const LITERAL = /[^*?[\]]/;

/**
 * The same for a path that is a glob; `**` (globstar) stands for any number of directories, none
 * of them hidden. Under a secret location every component counts (`~/.a?s`, `/etc/*`). A name found
 * anywhere (`.env`, `id_rsa`) counts only when the glob spells part of it (`.e*`, `id_*`): one that
 * starts with a wildcard (`*.ts`) is a directory's files, not a reach for a secret, unless the
 * pattern is a suffix too (`*.pem` and `*.p?m`).
 */
function matchGlobComponents(anchored: boolean, pattern: readonly string[], parts: readonly string[], anchoredPath: boolean): boolean {
  const meets = (glob: string, part: string): boolean =>
    (anchored || !WILDCARD_FIRST.test(part) || (WILDCARD_FIRST.test(glob) && LITERAL.test(part))) && globsIntersect(glob, part);
  const from = (pi: number, ci: number): boolean => {
    if (pi === pattern.length) return true;
    const part = parts[ci];
    if (part === undefined) return false;
    if (part === '**') return from(pi, ci + 1) || (!pattern[pi]!.startsWith('.') && from(pi + 1, ci));
    return meets(pattern[pi]!, part) && from(pi + 1, ci + 1);
  };
  if (anchored) return anchoredPath && from(0, 0);
  for (let start = 0; start < parts.length; start++) if (from(0, start)) return true;
  return false;
}

/** Whether a word that bash expands as a glob has glob characters to expand. */
function isGlob(raw: string, glob: boolean): boolean {
  return glob && /[*?[]/.test(raw);
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

/** Whether `raw` names a secret; with `glob`, whether any path it expands to may be one. */
export function isSensitivePath(raw: string, ctx: PathContext, glob = false): boolean {
  const globbed = isGlob(raw, glob);
  // A variable that names a place, or `~user`, is expanded first: its text says nothing about where it points.
  const expands = raw.charCodeAt(0) === 36 ? namesPlace(raw) : isOtherHome(raw);
  if (!globbed && !expands && !SENSITIVE.mayMatch(raw) && !mayBeAlephHome(raw, ctx)) return false;
  if (EXAMPLE_FILE.test(raw)) return false;
  return sensitiveNormalized(normalizePath(raw, ctx), ctx, globbed);
}

function sensitiveNormalized(path: string, ctx: PathContext, glob: boolean): boolean {
  if (SENSITIVE.matches(path, glob)) return true;
  const aleph = alephPatterns(ctx);
  if (aleph !== null && aleph.matches(path, glob)) return true;
  // Another user's home holds the same stores as one's own (`/home/bob/.aws/credentials`).
  const other = /^\/(?:home|Users)\/[^/]+(?=\/)/.exec(path);
  return other !== null && SENSITIVE.matches('~' + path.slice(other[0].length), glob);
}

/** The last Aleph home asked about, as a pattern: it is the same for every command a gateway judges. */
let lastAleph: { dir: string; home: string | null; patterns: PathPatterns } | undefined;

/** The caller's Aleph home as a pattern (the default, `~/.aleph`, is in SENSITIVE_PATHS anyway). */
function alephPatterns(ctx: PathContext): PathPatterns | null {
  const dir = ctx.alephHome;
  if (dir === undefined || dir === null || dir === '') return null;
  if (lastAleph !== undefined && lastAleph.dir === dir && lastAleph.home === ctx.home) return lastAleph.patterns;
  const normalized = normalizePath(dir, { cwd: null, home: ctx.home });
  const patterns = new PathPatterns(normalized.startsWith('/') || normalized.startsWith('~') ? [normalized] : []);
  lastAleph = { dir, home: ctx.home, patterns };
  return patterns;
}

function mayBeAlephHome(raw: string, ctx: PathContext): boolean {
  const aleph = alephPatterns(ctx);
  return aleph !== null && aleph.mayMatch(raw);
}

/**
 * Places that hold credential stores below them without being one: the root, every home, `/etc`,
 * `~/.config`, `/var` (`/var/run/secrets`), ... (every parent of an anchored SENSITIVE_PATHS entry).
 */
const STORE_PARENTS: ReadonlySet<string> = (() => {
  const out = new Set<string>(['/', '~', '/home', '/users', '/private']);
  for (const p of SENSITIVE_PATHS) {
    if (!p.startsWith('/') && !p.startsWith('~')) continue;
    const parts = p.toLowerCase().split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!parent.includes('*')) out.add(parent === '' ? '/' : parent);
    }
  }
  return out;
})();

/**
 * Whether reading the whole tree at `raw` reads secrets: it is, or is inside, a credential store,
 * or holds one below it (the home directory, `/`, `/etc`, `~/.config`, another user's home, the
 * directories above Aleph's home). A glob stands for the directory its wildcards start in (`~/*`
 * is `~`).
 */
export function holdsSecrets(raw: string, ctx: PathContext, glob = false): boolean {
  if (isSensitivePath(raw, ctx, glob)) return true;
  let path = normalizePath(raw, ctx);
  if (isGlob(raw, glob)) {
    const parts = path.split('/');
    const first = parts.findIndex((part) => /[*?[]/.test(part));
    if (first >= 0) path = parts.slice(0, first).join('/') || (path.startsWith('/') ? '/' : '.');
  }
  const lower = path.toLowerCase();
  if (STORE_PARENTS.has(lower) || /^\/(?:home|users)\/[^/]+$/.test(lower)) return true;
  const aleph = ctx.alephHome;
  if (aleph !== undefined && aleph !== null && aleph !== '' && isUnder(normalizePath(aleph, { cwd: null, home: ctx.home }), path)) return true;
  // `..` past an unknown working directory can be anywhere, the home directory included.
  return ctx.cwd === null && (path === '..' || path.startsWith('../'));
}

/** Where a write to `raw` lands; with `glob`, the worst place any path it expands to may be. */
export function classifyWriteTarget(raw: string, ctx: PathContext, glob = false): PathClass {
  if (NETWORK_DEVICE.test(raw)) return 'network_device';
  const globbed = isGlob(raw, glob);
  if (raw.startsWith('/dev/') || raw.startsWith('/proc/')) {
    if (!globbed && HARMLESS.matches(raw)) return 'harmless_device';
    if (DISK_DEVICE.test(raw)) return 'disk_device';
  }
  const path = normalizePath(raw, ctx);
  const rootDir = ctx.root === undefined ? ctx.cwd : ctx.root;
  const root = rootDir === null ? null : normalizedDir(rootDir, ctx.home);
  const inside = root !== null && isUnder(path, root);
  const system = !inside && path.startsWith('/') && !(!globbed && SCRATCH.matches(path)) && (path.startsWith('/dev/') || SYSTEM.matches(path, globbed));
  const persistence = globbed ? PERSISTENCE.matches(path, true) : PERSISTENCE.mayMatch(raw) && PERSISTENCE.matches(path);
  // A startup file in a system directory (`/etc/cron.d/x`) is a system write first.
  if (persistence) return system ? 'system' : 'persistence';
  if (isSensitivePath(raw, ctx, glob)) return 'sensitive';
  if (inside) return 'inside_cwd';
  if (path.startsWith('/')) {
    if (!globbed && SCRATCH.matches(path)) return 'scratch';
    if (system) return 'system';
  }
  if (root !== null || path.startsWith('/') || path.startsWith('~') || path.startsWith('..')) return 'outside_cwd';
  return 'inside_cwd';
}

/** Whether an executable path lies in a directory whose programs are what their names say. */
export function isSystemBinary(path: string): boolean {
  if (!path.startsWith('/')) return false;
  return SYSTEM_BIN_DIRS.includes(normalizePath(path, { cwd: null, home: null }).replace(/\/[^/]*$/, ''));
}
