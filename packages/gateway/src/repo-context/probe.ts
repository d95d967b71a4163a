/**
 * What a git invocation will find where it looks for its repository: the repository git
 * discovers (a `.git` directory or gitfile, a bare repository, a worktree's common directory),
 * whether git would refuse it (another user owns it), and every entry of its own configuration
 * (local and worktree scopes, and whatever they include) that makes git run a program. The
 * user's global and system configuration are the user's choice and are not read.
 *
 * A probe is cached by the identity of every file it looked at (and the absence of those it
 * did not find), re-validated on each request by `stat` alone.
 */
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isProgramKey, type GitLocation, type RepositoryProgram, type RepositoryReport } from '@aleph/policy';
import { observe, Validation, type Check, type CheckMode } from './checks.js';
import { parseConfig } from './config-syntax.js';
import { gitlinks } from './gitlinks.js';

/** git stops following includes this deep (config.c's MAX_INCLUDE_DEPTH). */
const MAX_INCLUDE_DEPTH = 10;
/** A configuration file larger than this is not something to read on every request. */
const MAX_CONFIG_BYTES = 1 << 20;
/** Locations remembered; past it the oldest are forgotten. */
const MAX_CACHED = 512;
/** An index larger than this (a very large monorepo) is not read on a request. */
const MAX_INDEX_BYTES = 64 << 20;
/** The gitlinks of indexes read lately, by the index's identity. */
const parsedIndexes = new Map<string, string[]>();
const MAX_PARSED_INDEXES = 64;
/** Files one probe may read (configuration, includes, gitfiles, commondir pointers). */
const MAX_READS = 256;
/** Submodule repositories looked at, and how deep, before the probe gives up and says so. */
const MAX_SUBMODULES = 64;
const MAX_SUBMODULE_DEPTH = 8;
/** The one hook a read-only command can run: `git status` writes the index when it may. */
const READ_ONLY_HOOKS = ['post-index-change'];

interface Cached {
  readonly report: RepositoryReport;
  readonly validation: Validation;
  /** The directories the location resolved to; when they differ from it, it is resolved again. */
  readonly real: string;
}

type Resolved =
  | { readonly kind: 'resolved'; readonly cwd: string; readonly gitDir: string | null; readonly real: string }
  | { readonly kind: 'report'; readonly report: RepositoryReport };

const realOf = (r: Resolved): string | null => (r.kind === 'resolved' ? r.real : null);

/** The `core.hooksPath` a repository's configuration sets, and the file that set it. */
/** A remote's name and one of its URLs (`remote.NAME.url`, `remote.NAME.pushurl`). */
type Remote = readonly [name: string, url: string];

interface HooksPath {
  value: string | null;
  origin: string;
}

/** An error a probe reports instead of a guess: the location counts as not probed. */
class Unprobed extends Error {}

/** One probe in progress: everything it looks at is recorded for the cache. */
class Look {
  readonly checks: Check[] = [];
  private reads = 0;

  stat(path: string, mode: CheckMode): Stats | null {
    const { seen, stats } = observe(path, mode);
    this.checks.push({ path, mode, seen });
    if (typeof seen === 'string' && seen.startsWith('error ') && !seen.endsWith('ENOTDIR')) throw new Unprobed(`${path}: ${seen.slice(6)}`);
    return stats;
  }

  /** The names in a directory, recorded. */
  list(path: string): string[] {
    const { seen } = observe(path, 'listing');
    this.checks.push({ path, mode: 'listing', seen });
    if (typeof seen !== 'string' || !seen.startsWith('names')) throw new Unprobed(`${path}: could not be listed`);
    return seen.split('\0').slice(1);
  }

  /**
   * The gitlinks of git's index, recorded as a file git only ever replaces (its folder vouches
   * for it); null when there is no index. An index unchanged since it was last read is not read
   * again (a large one takes milliseconds).
   */
  gitlinksOf(path: string): string[] | null {
    const { seen, stats } = observe(path, 'replaced');
    this.checks.push({ path, mode: 'replaced', seen });
    if (stats === null) {
      if (typeof seen === 'string' && seen.startsWith('error ')) throw new Unprobed(`${path}: ${seen.slice(6)}`);
      return null;
    }
    if (!stats.isFile()) throw new Unprobed(`${path} is not a file`);
    if (stats.size > MAX_INDEX_BYTES) throw new Unprobed(`${path} is larger than ${MAX_INDEX_BYTES} bytes`);
    const key = `${path}\0${typeof seen === 'string' ? seen : seen.join(':')}`;
    const known = parsedIndexes.get(key);
    if (known !== undefined) return known;
    let links: string[] | null;
    try {
      links = gitlinks(readFileSync(path));
    } catch (e) {
      throw new Unprobed(`${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if (links === null) throw new Unprobed(`${path} is not an index this probe can read`);
    if (parsedIndexes.size >= MAX_PARSED_INDEXES) parsedIndexes.delete(parsedIndexes.keys().next().value!);
    parsedIndexes.set(key, links);
    return links;
  }

  /** A file's text, recorded by identity; null when absent. */
  read(path: string, limit: number): string | null {
    // Includes may name the same file thousands of times: a probe reads a bounded number of files.
    if (++this.reads > MAX_READS) throw new Unprobed(`more than ${MAX_READS} files to read for one repository`);
    const stats = this.stat(path, 'identity');
    if (stats === null) return null;
    if (!stats.isFile()) throw new Unprobed(`${path} is not a file`);
    if (stats.size > limit) throw new Unprobed(`${path} is larger than ${limit} bytes`);
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Unprobed(`${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
}

interface Found {
  readonly gitDir: string;
  /** The work tree's top directory, for a discovered repository that has one. */
  readonly workTree: string | null;
  /** The directory holding the shared parts (config, hooks): the gitdir itself unless it has a `commondir`. */
  readonly commonDir: string;
  /** Files and directories whose owner git checks (safe.directory), for a discovered repository. */
  readonly owned: readonly string[];
}

export interface ProbeOptions {
  /** The user's home directory, for `~/` in include paths. */
  readonly home: string | null;
  /** The user git runs as; another owner makes git refuse a discovered repository. Null: not checked. */
  readonly uid: number | null;
}

export class RepositoryProbe {
  private readonly cache = new Map<string, Cached>();
  /** Probes answered from the cache, and probes made: for tests and the bench. */
  hits = 0;
  misses = 0;

  constructor(private readonly options: ProbeOptions) {}

  report(location: GitLocation): RepositoryReport {
    if (location.unknown !== null || location.cwd === null) return { kind: 'unprobed', reason: location.unknown ?? 'a location only known at run time' };
    const key = `${location.cwd}\0${location.gitDir ?? ''}`;
    const cached = this.cache.get(key);
    // Without symbolic links on the way (the usual case) the location is its own real path, and
    // the checks (which start at that directory) show any change; otherwise it is resolved again.
    if (cached !== undefined && (cached.real === key || realOf(this.resolve(location)) === cached.real) && cached.validation.valid()) {
      this.hits++;
      return cached.report;
    }
    this.misses++;
    const resolved = this.resolve(location);
    if (resolved.kind === 'report') return resolved.report;
    const look = new Look();
    let report: RepositoryReport;
    try {
      report = this.probe(look, resolved.cwd, resolved.gitDir);
    } catch (e) {
      if (!(e instanceof Unprobed)) throw e;
      report = { kind: 'unprobed', reason: e.message };
    }
    const validation = Validation.plan(look.checks);
    this.cache.delete(key);
    if (validation !== null) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { report, validation, real: resolved.real });
    }
    return report;
  }

  /** How many `stat` calls a cached answer for the location costs while nothing changed; null when none is cached. */
  cost(location: GitLocation): number | null {
    return this.cache.get(`${location.cwd ?? ''}\0${location.gitDir ?? ''}`)?.validation.cost ?? null;
  }

  /** The location with symbolic links resolved, as git's chdir resolves them; or the report when there is nothing there. */
  private resolve(location: GitLocation): Resolved {
    // Where there is nothing, git stops with an error before reading any repository; asked
    // without an exception (a thrown one costs more than the whole cached probe).
    try {
      // git cannot start in what is not a directory.
      if (statSync(location.cwd!, { throwIfNoEntry: false })?.isDirectory() !== true) return { kind: 'report', report: { kind: 'none' } };
      if (location.gitDir !== null && statSync(location.gitDir, { throwIfNoEntry: false }) === undefined) return { kind: 'report', report: { kind: 'none' } };
      const cwd = realpathSync.native(location.cwd!);
      const gitDir = location.gitDir === null ? null : realpathSync.native(location.gitDir);
      return { kind: 'resolved', cwd, gitDir, real: `${cwd}\0${gitDir ?? ''}` };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Where there is nothing, git stops with an error before reading any repository.
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'report', report: { kind: 'none' } };
      return { kind: 'report', report: { kind: 'unprobed', reason: `${location.gitDir ?? location.cwd}: ${code ?? 'unreadable'}` } };
    }
  }

  private probe(look: Look, cwd: string, explicitGitDir: string | null): RepositoryReport {
    const found = explicitGitDir !== null ? explicit(look, explicitGitDir) : discover(look, cwd);
    if (found === null) return { kind: 'none' };
    const uid = this.options.uid;
    if (uid !== null) {
      for (const path of found.owned) {
        const owner = look.stat(path, 'owner')?.uid;
        if (owner !== undefined && owner !== uid) {
          return {
            kind: 'refused',
            gitDir: found.gitDir,
            reason: `${path} belongs to uid ${owner}, not to the user (uid ${uid}); git refuses such a repository ("dubious ownership") unless safe.directory names it`,
          };
        }
      }
    }
    const programs: RepositoryProgram[] = [];
    const remotes: Remote[] = [];
    this.programsOf(look, found.gitDir, found.commonDir, programs, found.workTree, remotes);
    // `git status` and `git diff` run git again in each submodule, which reads its own repository:
    // those under modules/, and any other the index links to (an embedded repository).
    const seen = { count: 0 };
    this.submodules(look, join(found.commonDir, 'modules'), 0, seen, programs);
    if (found.workTree !== null) this.linked(look, found.gitDir, found.workTree, 0, seen, programs);
    return { kind: 'repository', gitDir: found.gitDir, programs: withAttributes(look, programs, found), remotes };
  }

  /**
   * What one repository's own configuration and hooks make git run. `workTree`: the top of its
   * work tree, where hooks run and a relative `core.hooksPath` starts (null: not known here).
   * `remotes`: where to collect its remotes (the repository's own, not a submodule's).
   */
  private programsOf(
    look: Look,
    gitDir: string,
    commonDir: string,
    programs: RepositoryProgram[],
    workTree: string | null,
    remotes: Remote[] | null = null,
  ): void {
    const files = [join(commonDir, 'config'), join(gitDir, 'config.worktree')];
    if (commonDir !== gitDir) files.push(join(commonDir, 'config.worktree'));
    const hooksPath: HooksPath = { value: null, origin: '' };
    for (const file of files) this.readConfig(look, file, 0, programs, hooksPath, remotes);
    // core.hooksPath moves the hooks elsewhere (Husky's .husky, say): only a hook a read-only
    // command runs, found there, runs a program; the setting itself runs nothing.
    const hooks = this.hooksDirectory(hooksPath, commonDir, workTree);
    if (hooks === null) {
      programs.push({ key: 'core.hooksPath', value: hooksPath.value ?? '', origin: hooksPath.origin });
      return;
    }
    for (const hook of READ_ONLY_HOOKS) {
      const path = join(hooks, hook);
      const stats = look.stat(path, 'identity');
      if (stats !== null && stats.isFile() && (stats.mode & 0o111) !== 0)
        programs.push({ key: `hook ${hook}`, value: path, origin: hooksPath.value === null ? path : hooksPath.origin });
    }
  }

  /** Where git looks for hooks, or null when this probe cannot tell (a relative path and no work tree, `~` with no home). */
  private hooksDirectory(hooksPath: HooksPath, commonDir: string, workTree: string | null): string | null {
    const value = hooksPath.value;
    if (value === null || value === '') return join(commonDir, 'hooks');
    if (value === '~' || value.startsWith('~/')) return this.options.home === null ? null : join(this.options.home, value.slice(1));
    if (value.startsWith('~')) return null;
    if (isAbsolute(value)) return value;
    return workTree === null ? null : resolve(workTree, value);
  }

  /**
   * The repositories of submodules, under `modules/` (a submodule's name may hold slashes, and
   * submodules nest: `modules/a/modules/b`).
   */
  private submodules(look: Look, dir: string, depth: number, seen: { count: number }, programs: RepositoryProgram[]): void {
    const stats = look.stat(dir, 'exists');
    if (stats === null || !stats.isDirectory()) return;
    if (depth > MAX_SUBMODULE_DEPTH) throw new Unprobed(`submodules nested more than ${MAX_SUBMODULE_DEPTH} deep under ${dir}`);
    const names = look.list(dir);
    if (names.length > MAX_SUBMODULES) throw new Unprobed(`more than ${MAX_SUBMODULES} entries in ${dir}`);
    for (const name of names) {
      const sub = join(dir, name);
      const common = repositoryAt(look, sub);
      if (common !== null) {
        if (++seen.count > MAX_SUBMODULES) throw new Unprobed(`more than ${MAX_SUBMODULES} submodules under ${dir}`);
        this.programsOf(look, sub, common, programs, null);
        this.submodules(look, join(sub, 'modules'), depth + 1, seen, programs);
      } else if (look.stat(sub, 'exists')?.isDirectory() === true) {
        this.submodules(look, sub, depth + 1, seen, programs);
      }
    }
  }

  /** The repositories at the index's gitlinks that have their own `.git` in the work tree, and theirs in turn. */
  private linked(look: Look, gitDir: string, workTree: string, depth: number, seen: { count: number }, programs: RepositoryProgram[]): void {
    const paths = look.gitlinksOf(join(gitDir, 'index'));
    if (paths === null) return;
    if (paths.length > 0 && depth > MAX_SUBMODULE_DEPTH) throw new Unprobed(`submodules nested more than ${MAX_SUBMODULE_DEPTH} deep under ${workTree}`);
    for (const path of paths) {
      const top = join(workTree, path);
      const dotGit = join(top, '.git');
      const stats = look.stat(dotGit, 'exists');
      // A gitfile leads under modules/, read already.
      if (stats === null || !stats.isDirectory()) continue;
      const common = repositoryAt(look, dotGit);
      if (common === null) continue;
      if (++seen.count > MAX_SUBMODULES) throw new Unprobed(`more than ${MAX_SUBMODULES} submodules under ${workTree}`);
      this.programsOf(look, dotGit, common, programs, top);
      this.linked(look, dotGit, top, depth + 1, seen, programs);
    }
  }

  /** One configuration file and what it includes, collecting the entries that run programs. */
  private readConfig(look: Look, file: string, depth: number, programs: RepositoryProgram[], hooksPath: HooksPath, remotes: Remote[] | null): void {
    if (depth > MAX_INCLUDE_DEPTH) throw new Unprobed(`includes nested more than ${MAX_INCLUDE_DEPTH} deep at ${file}`);
    const text = look.read(file, MAX_CONFIG_BYTES);
    if (text === null) return;
    const parsed = parseConfig(text);
    if (!parsed.ok) throw new Unprobed(`${file}, line ${parsed.line}: ${parsed.message}, which git refuses too`);
    for (const entry of parsed.entries) {
      const lower = entry.key.toLowerCase();
      // Every includeIf is followed, whatever its condition: one that would not match only adds caution.
      if (lower === 'include.path' || (lower.startsWith('includeif.') && lower.endsWith('.path'))) {
        if (entry.value === null) throw new Unprobed(`${file}, line ${entry.line}: ${entry.key} without a value, which git refuses`);
        const target = this.includePath(entry.value, file);
        if (target !== null) this.readConfig(look, target, depth + 1, programs, hooksPath, remotes);
      } else if (lower === 'core.hookspath') {
        // The last one read wins, as in git.
        hooksPath.value = entry.value ?? '';
        hooksPath.origin = file;
      } else if (remotes !== null && entry.value !== null && /^remote\..+\.(url|pushurl)$/.test(lower)) {
        remotes.push([entry.key.slice('remote.'.length, entry.key.lastIndexOf('.')), entry.value]);
      } else if (isProgramKey(entry.key, entry.value)) {
        programs.push({ key: entry.key, value: entry.value ?? 'true', origin: file });
      }
    }
  }

  private includePath(value: string, from: string): string | null {
    if (value === '') return null;
    if (value === '~' || value.startsWith('~/')) {
      if (this.options.home === null) throw new Unprobed(`${from} includes ${value}, and the home directory is not known`);
      return join(this.options.home, value.slice(1));
    }
    if (value.startsWith('~') || value.startsWith('%(prefix)/')) throw new Unprobed(`${from} includes ${value}, a path this probe does not resolve`);
    return isAbsolute(value) ? value : resolve(dirname(from), value);
  }
}

/** `--git-dir` / `GIT_DIR`: a repository directory, or a gitfile pointing at one. */
function explicit(look: Look, path: string): Found | null {
  const stats = look.stat(path, 'exists');
  if (stats === null) return null;
  const gitDir = stats.isFile() ? gitfileTarget(look, path) : path;
  if (gitDir === null) return null;
  const common = repositoryAt(look, gitDir);
  return common === null ? null : { gitDir, commonDir: common, workTree: null, owned: [] };
}

/**
 * git's discovery: from the directory up, the first `.git` (directory or gitfile) that leads to a
 * repository, or a directory that is itself one (bare). GIT_CEILING_DIRECTORIES and filesystem
 * boundaries, which may stop git earlier, are not followed: looking further only adds caution.
 */
function discover(look: Look, start: string): Found | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const stats = look.stat(dotGit, 'exists');
    if (stats !== null && stats.isFile()) {
      const gitDir = gitfileTarget(look, dotGit);
      const common = gitDir === null ? null : repositoryAt(look, gitDir);
      if (gitDir !== null && common !== null) return { gitDir, commonDir: common, workTree: dir, owned: [dir, dotGit, gitDir] };
    } else if (stats !== null && stats.isDirectory()) {
      const common = repositoryAt(look, dotGit);
      if (common !== null) return { gitDir: dotGit, commonDir: common, workTree: dir, owned: [dir, dotGit] };
    }
    const bare = repositoryAt(look, dir);
    if (bare !== null) return { gitDir: dir, commonDir: bare, workTree: null, owned: [dir] };
    if (dirname(dir) === dir) return null;
    // Going up: this directory must stay where it is (not be moved, nor swapped for a link).
    look.stat(dir, 'entry');
  }
}

/** A gitfile's `gitdir: PATH`, relative to the file's directory; null when it is not one. */
function gitfileTarget(look: Look, file: string): string | null {
  const text = look.read(file, 64 * 1024);
  if (text === null) return null;
  const m = /^gitdir: (.+?)\r?\n?$/.exec(text);
  if (m === null) throw new Unprobed(`${file} is not a valid gitfile, which git refuses`);
  const target = resolve(dirname(file), m[1]!);
  try {
    return realpathSync.native(target);
  } catch {
    return null;
  }
}

/**
 * Whether `dir` is a repository as git's is_git_directory judges it (a HEAD, and objects/ and
 * refs/ here or in the directory `commondir` names), and if so the common directory.
 */
function repositoryAt(look: Look, dir: string): string | null {
  const head = look.stat(join(dir, 'HEAD'), 'exists');
  if (head === null || head.isDirectory()) return null;
  const pointer = look.read(join(dir, 'commondir'), 64 * 1024);
  const common = pointer === null ? dir : resolve(dir, pointer.replace(/\r?\n$/, ''));
  const objects = look.stat(join(common, 'objects'), 'exists');
  const refs = look.stat(join(common, 'refs'), 'exists');
  if (objects === null || refs === null || !objects.isDirectory() || !refs.isDirectory()) return null;
  return common;
}

const DRIVER_KEY = /^(diff|merge|filter)\.(.+)\.[^.]+$/i;
const MAX_ATTRIBUTES_BYTES = 256 * 1024;

/**
 * Which paths the repository's attributes (info/attributes, the top .gitattributes) give each
 * driver a program-running key defines: said in the reason, so that a person sees what would run
 * it. Only read when there is such a driver (the verdict does not depend on it: a driver the
 * repository defines is reported whether used or not), so a clean repository costs nothing more.
 */
function withAttributes(look: Look, programs: readonly RepositoryProgram[], found: Found): RepositoryProgram[] {
  if (!programs.some((p) => DRIVER_KEY.test(p.key))) return [...programs];
  const files = [join(found.commonDir, 'info', 'attributes'), ...(found.workTree === null ? [] : [join(found.workTree, '.gitattributes')])];
  const uses = new Map<string, string[]>();
  for (const file of files) {
    let text: string | null;
    try {
      text = look.read(file, MAX_ATTRIBUTES_BYTES);
    } catch {
      // What cannot be read only leaves the reason shorter.
      continue;
    }
    if (text === null) continue;
    const where = basename(file) === 'attributes' ? 'info/attributes' : '.gitattributes';
    for (const line of text.split('\n')) {
      const [pattern, ...attributes] = line.trim().split(/\s+/);
      if (pattern === undefined || pattern === '' || pattern.startsWith('#')) continue;
      for (const a of attributes) {
        const m = /^(diff|merge|filter)=(.+)$/.exec(a);
        if (m === null) continue;
        const key = `${m[1]}.${m[2]}`;
        uses.set(key, [...(uses.get(key) ?? []), `${pattern} in ${where}`]);
      }
    }
  }
  return programs.map((p) => {
    const m = DRIVER_KEY.exec(p.key);
    const used = m === null ? undefined : uses.get(`${m[1]!.toLowerCase()}.${m[2]}`);
    return used === undefined ? p : { ...p, selectedBy: used.slice(0, 3).join(', ') + (used.length > 3 ? ', ...' : '') };
  });
}
