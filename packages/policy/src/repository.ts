/**
 * Where each git invocation in a command will look for its repository, and what to conclude from
 * what the gateway found there. A repository's own configuration can name programs git runs on
 * commands that only read (`core.fsmonitor` on `git status`, `diff.external` on `git diff`,
 * `core.pager` on `git log`, a `textconv` on `git blame`...): the command text cannot show that,
 * so the gateway looks at the repositories listed here and hands its findings back as data.
 * Pure: nothing here reads a file.
 */
import type { Finding } from './risk.js';
import type { Segment, Word } from './segment.js';

/** Where one git invocation will look for its repository. */
export interface GitLocation {
  /** The git command as written. */
  readonly command: string;
  /**
   * The absolute directory git starts in (after `cd`, `pushd` and `-C`), or null when it is only
   * known at run time. May hold `..` after a symbolic link: git's `chdir` resolves it physically.
   */
  readonly cwd: string | null;
  /** An explicit repository (`--git-dir`, `GIT_DIR`, `--bare`), absolute; null when git discovers one from `cwd`. */
  readonly gitDir: string | null;
  /** An explicit work tree (`--work-tree`, `GIT_WORK_TREE`), absolute; null when none is given. */
  readonly workTree: string | null;
  /** Why the location cannot be known before the command runs; null when it can. */
  readonly unknown: string | null;
}

/** A configuration entry that makes git run a program, and the file that set it. */
export interface RepositoryProgram {
  /** The key as git names it: section and name lower-case, subsection as written (`diff.Evil.textconv`). */
  readonly key: string;
  readonly value: string;
  /** The file it was read from. */
  readonly origin: string;
  /** For a diff, merge or filter driver: which paths the repository's attributes give it (`*.txt in .gitattributes`). */
  readonly selectedBy?: string;
}

/** What the gateway found at one location. */
export type RepositoryReport =
  /** Git finds no repository there (so it reads no repository configuration). */
  | { readonly kind: 'none' }
  | {
      readonly kind: 'repository';
      readonly gitDir: string;
      readonly programs: readonly RepositoryProgram[];
      /** Its remotes' locations (`remote.NAME.url` and `.pushurl`), as `[NAME, URL]`; absent: not read. */
      readonly remotes?: readonly (readonly [name: string, url: string])[];
    }
  /** Git would refuse the repository (another user owns it), unless the user's own configuration admits it. */
  | { readonly kind: 'refused'; readonly gitDir: string; readonly reason: string }
  /** The repository could not be read completely; what git would run there is not known. */
  | { readonly kind: 'unprobed'; readonly reason: string };

/** The gateway's findings, by `locationKey`. A location missing from it counts as not probed. */
export type RepositoryContext = ReadonlyMap<string, RepositoryReport>;

/** The key a location's report is stored under. */
export function locationKey(location: GitLocation): string {
  return `${location.cwd ?? ''}\0${location.gitDir ?? ''}\0${location.workTree ?? ''}`;
}

/** Boolean spellings git accepts: `core.fsmonitor = true` is git's own daemon, `pager.log = false` no pager. */
const BOOLEAN = /^(true|false|yes|no|on|off|1|0|)$/i;

/**
 * Configuration keys whose value is a program git runs (lower-case; `*` is one subsection). Each
 * with the values that run nothing: empty ones, booleans where git reads a boolean.
 */
const PROGRAM_KEYS: readonly (readonly [pattern: string, runsNothing: (value: string) => boolean])[] = [
  ['core.fsmonitor', (v) => BOOLEAN.test(v)],
  ['core.pager', (v) => v === '' || v === 'cat'],
  ['pager.*', (v) => BOOLEAN.test(v) || v === 'cat'],
  ['core.editor', empty],
  ['sequence.editor', empty],
  ['gui.editor', empty],
  ['core.sshcommand', empty],
  ['core.gitproxy', empty],
  ['core.askpass', empty],
  ['core.alternaterefscommand', empty],
  ['diff.external', empty],
  ['diff.*.textconv', empty],
  ['diff.*.command', empty],
  ['merge.*.driver', empty],
  ['filter.*.clean', empty],
  ['filter.*.smudge', empty],
  ['filter.*.process', empty],
  ['credential.helper', empty],
  ['credential.*.helper', empty],
  ['gpg.program', empty],
  ['gpg.*.program', empty],
  ['gpg.ssh.defaultkeycommand', empty],
  ['alias.*', (v) => !v.startsWith('!')],
  ['uploadpack.packobjectshook', empty],
  ['remote.*.uploadpack', empty],
  ['remote.*.receivepack', empty],
  ['remote.*.vcs', empty],
  ['mergetool.*.cmd', empty],
  ['mergetool.*.path', empty],
  ['difftool.*.cmd', empty],
  ['difftool.*.path', empty],
  ['interactive.difffilter', empty],
  ['web.browser', empty],
  ['browser.*.cmd', empty],
  ['browser.*.path', empty],
  ['man.viewer', empty],
  ['man.*.cmd', empty],
  ['man.*.path', empty],
  ['sendemail.sendmailcmd', empty],
  ['sendemail.tocmd', empty],
  ['sendemail.cccmd', empty],
  ['sendemail.headercmd', empty],
  ['sendemail.smtpserver', (v) => !v.startsWith('/')],
  ['submodule.*.update', (v) => !v.startsWith('!')],
  ['trailer.*.command', empty],
  ['trailer.*.cmd', empty],
  ['imap.tunnel', empty],
  ['guitool.*.cmd', empty],
  // The `ext::` transport runs the command in a remote's URL (`ext::sh -c ...`) once allowed.
  ['protocol.allow', (v) => !/^always$/i.test(v)],
  ['protocol.ext.allow', (v) => /^never$/i.test(v)],
];

function empty(value: string): boolean {
  return value.trim() === '';
}

const PROGRAM_KEY_PATTERNS = PROGRAM_KEYS.map(([pattern, runsNothing]) => {
  const parts = pattern.split('.');
  return { section: parts[0]!, sub: parts.length === 3 ? parts[1]! : null, name: parts[parts.length - 1]!, runsNothing };
});

/**
 * Whether a configuration entry makes git run a program. `key` is `section.name` or
 * `section.subsection.name`; section and name compare without case, the subsection is any.
 * A key given without a value (`[core] pager`) is a boolean true.
 */
export function isProgramKey(key: string, value: string | null): boolean {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first < 0) return false;
  const section = key.slice(0, first).toLowerCase();
  const name = key.slice(last + 1).toLowerCase();
  const hasSub = last > first;
  for (const p of PROGRAM_KEY_PATTERNS) {
    if (p.section !== section || (p.name !== name && p.name !== '*')) continue;
    if ((p.sub === null) === hasSub) continue;
    // A named subsection (`gpg.ssh.*`, `protocol.ext.*`) compares exactly, as git's lookup does.
    if (p.sub !== null && p.sub !== '*' && key.slice(first + 1, last) !== p.sub) continue;
    return !p.runsNothing(value ?? 'true');
  }
  return false;
}

/** Wrappers that may run their command somewhere else (`env -C`, `sudo -D`, `find -execdir`), or as someone else. */
const MOVES_ELSEWHERE = new Set([
  'env',
  'sudo',
  'doas',
  'su',
  'runuser',
  'pkexec',
  'gosu',
  'su-exec',
  'chroot',
  'firejail',
  'find -exec',
  'fd --exec',
  'parallel',
]);
/** Shell builtins that export or set variables for what runs later in the line. */
const SETS_VARIABLES = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
/** Environment variables that tell git where its repository is. */
const LOCATION_VARIABLES = new Set(['GIT_DIR', 'GIT_WORK_TREE']);
/** Environment variables that move git's configuration or repository somewhere this module does not follow. */
const UNFOLLOWED_VARIABLES = new Set([
  'GIT_COMMON_DIR',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
]);
/** git's own options that take a value in the next word (`-C` and the location ones are handled apart). */
const GIT_OPTIONS_WITH_VALUE = ['-c', '--config-env', '--namespace', '--super-prefix', '--attr-source', '--list-cmds', '--exec-path'];

/** More candidate directories (or values of a location variable) than this in one line, and it counts as unknown. */
const MAX_DIRECTORIES = 16;
/** More places to probe than this for one line, and the line is asked about. */
const MAX_LOCATIONS = 64;

/** A directory or file the policy can name before the command runs, or null. */
type Place = string | null;

/**
 * Every git invocation in the decomposed command, each with every place it may look for its
 * repository. Where the shell state is followed linearly through the line (a `cd` inside a
 * subshell, or one that fails, would leave git elsewhere), every directory the line has been in so
 * far is a candidate: the list over-approximates, so that a hostile repository is never missed.
 */
export function gitLocations(segments: readonly Segment[], cwd: string | null, home: string | null): readonly GitLocation[] {
  // The gateway asks for a command's locations, then evaluates it: the same parse, the same answer.
  const known = lastLocations.get(segments);
  if (known !== undefined && known.cwd === cwd && known.home === home) return known.locations;
  const locations = findLocations(segments, cwd, home);
  lastLocations.set(segments, { cwd, home, locations });
  return locations;
}

const lastLocations = new WeakMap<
  readonly Segment[],
  { readonly cwd: string | null; readonly home: string | null; readonly locations: readonly GitLocation[] }
>();

function findLocations(segments: readonly Segment[], cwd: string | null, home: string | null): GitLocation[] {
  const out: GitLocation[] = [];
  const seen = new Set<string>();
  const add = (location: GitLocation): void => {
    const key = location.unknown !== null ? `?${location.command}\0${location.unknown}` : locationKey(location);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(location);
  };
  // Every directory the line may be in, and every value it gave the location variables.
  const dirs: Place[] = [cwd === null || !cwd.startsWith('/') ? null : clean(cwd)];
  const variables = new Map<string, Place[]>();
  let unfollowed: string | null = null;

  for (const segment of segments) {
    const name = segment.name;
    if (name === 'cd' || name === 'pushd') {
      for (const d of cdTargets(segment.words.slice(1), dirs, home, name)) if (!dirs.includes(d)) dirs.push(d);
      // Each `cd` may multiply the candidates; past a bound, the directory is simply unknown.
      if (dirs.length > MAX_DIRECTORIES) dirs.splice(0, dirs.length, null);
      continue;
    }
    if ((segment.words.length === 0 || (name !== null && SETS_VARIABLES.has(name))) && segment.env.length > 0) {
      for (const a of segment.env) {
        if (LOCATION_VARIABLES.has(a.name)) {
          const values = [...(variables.get(a.name) ?? []), variablePath(a.value, home)];
          // Past the bound, the variable is simply unknown.
          variables.set(a.name, values.length > MAX_DIRECTORIES ? [''] : values);
        }
        if (UNFOLLOWED_VARIABLES.has(a.name)) unfollowed = a.name;
      }
      continue;
    }
    if (name === null || !/^git(\.exe)?$/.test(name)) continue;
    const command = segment.text;
    const through = segment.via.find((v) => MOVES_ELSEWHERE.has(v));
    if (through !== undefined) {
      add({ command, cwd: null, gitDir: null, workTree: null, unknown: `run through ${through}, which may change where it runs` });
      continue;
    }
    const own = new Map(
      segment.env.filter((a) => LOCATION_VARIABLES.has(a.name) || UNFOLLOWED_VARIABLES.has(a.name)).map((a) => [a.name, variablePath(a.value, home)]),
    );
    const ownUnfollowed = [...own.keys()].find((k) => UNFOLLOWED_VARIABLES.has(k)) ?? unfollowed;
    if (ownUnfollowed !== null) {
      add({ command, cwd: null, gitDir: null, workTree: null, unknown: `${ownUnfollowed} moves git's repository or configuration` });
      continue;
    }
    const options = gitOptions(segment.words.slice(1), home);
    if (options === null) {
      add({ command, cwd: null, gitDir: null, workTree: null, unknown: 'a location only known at run time' });
      continue;
    }
    const candidates = (variable: string, option: Place | undefined): Place[] => {
      if (option !== undefined) return [option];
      if (own.has(variable)) return [own.get(variable)!];
      return [null, ...(variables.get(variable) ?? [])];
    };
    for (const dir of dirs) {
      const start = dir === null ? null : options.chdirs.reduce<Place>((at, c) => (at === null || c === null ? null : join(at, c)), dir);
      for (const gitDirRaw of candidates('GIT_DIR', options.bare ? '.' : options.gitDir)) {
        for (const workTreeRaw of candidates('GIT_WORK_TREE', options.workTree)) {
          if (start === null || gitDirRaw === '' || workTreeRaw === '') {
            add({ command, cwd: null, gitDir: null, workTree: null, unknown: 'a location only known at run time' });
            continue;
          }
          add({
            command,
            cwd: start,
            gitDir: gitDirRaw === null ? null : join(start, gitDirRaw),
            workTree: workTreeRaw === null ? null : join(start, workTreeRaw),
            unknown: null,
          });
        }
      }
    }
  }
  // Each candidate is a probe; a line that makes too many is asked about instead.
  if (out.length > MAX_LOCATIONS)
    return [{ command: out[0]!.command, cwd: null, gitDir: null, workTree: null, unknown: `more than ${MAX_LOCATIONS} places git may look` }];
  return out;
}

interface GitOptions {
  /** Each `-C`, in order; null where only known at run time. */
  readonly chdirs: readonly Place[];
  readonly gitDir: string | undefined;
  readonly workTree: string | undefined;
  readonly bare: boolean;
}

/**
 * git's own options before the subcommand, as git reads them. A `--git-dir` or `--work-tree`
 * only known at run time makes the whole location unknown (null).
 */
function gitOptions(args: readonly Word[], home: string | null): GitOptions | null {
  const chdirs: Place[] = [];
  let gitDir: string | undefined;
  let workTree: string | undefined;
  let bare = false;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) return null;
    if (!v.startsWith('-')) break;
    if (v === '-C') {
      const dir = args[++i];
      if (dir === undefined) break;
      // `git -C ''` stays where it is.
      if (dir.value !== '') chdirs.push(wordPath(dir, home));
    } else if (v === '--git-dir' || v === '--work-tree') {
      const next = args[++i];
      if (next === undefined) break;
      const p = wordPath(next, home);
      if (p === null) return null;
      if (v === '--git-dir') gitDir = p;
      else workTree = p;
    } else if (v.startsWith('--git-dir=') || v.startsWith('--work-tree=')) {
      if (args[i]!.glob) return null;
      const raw = v.slice(v.indexOf('=') + 1);
      if (v.startsWith('--git-dir=')) gitDir = raw;
      else workTree = raw;
    } else if (v === '--bare') {
      bare = true;
    } else if (GIT_OPTIONS_WITH_VALUE.includes(v)) {
      i++;
    }
  }
  return { chdirs, gitDir, workTree, bare };
}

/** What `cd`/`pushd` may make the directory: one candidate per directory the line may be in. */
function cdTargets(args: readonly Word[], dirs: readonly Place[], home: string | null, name: string): Place[] {
  let target: Word | undefined;
  for (const a of args) {
    if (a.value === '--') continue;
    if (a.value !== null && a.value.startsWith('-') && a.value !== '-') continue;
    target = a;
    break;
  }
  if (target === undefined) return name === 'pushd' ? [null] : [home];
  if (target.value === '-' || (name === 'pushd' && target.value !== null && /^[+-]\d+$/.test(target.value))) return [null];
  const p = wordPath(target, home);
  if (p === null) return [null];
  // A relative `cd` may also be found through CDPATH; the shell's own variable is not ours to know.
  const out: Place[] = [];
  for (const d of dirs) {
    const joined = p.startsWith('/') ? p : d === null ? null : join(d, p);
    if (joined === null) {
      out.push(null);
      continue;
    }
    out.push(clean(joined));
    // `cd` resolves `..` by the path as written, unless told not to (`cd -P`, `set -P`): then the
    // parent of where a link leads. Both are candidates; the probe resolves the second physically.
    if (/(^|\/)\.\.(\/|$)/.test(p)) out.push(joined);
  }
  return out;
}

/** A location variable's value as a path; `''` when only known at run time (or empty, which git does not take as a place). */
function variablePath(value: Word | null, home: string | null): string {
  return value === null ? '' : (wordPath(value, home) ?? '');
}

/** A word's value as a path, `~` and `$HOME` expanded; null when only known at run time. */
function wordPath(word: Word, home: string | null): Place {
  // A pattern the shell expands to file names (`git -C ev* status`).
  if (word.glob) return null;
  let v = word.value;
  if (v === null) {
    const m = /^"?\$(?:HOME|\{HOME\})(\/[^$`"'\\]*)?"?$/.exec(word.text);
    if (m === null || home === null) return null;
    return home + (m[1] ?? '');
  }
  if (v === '~' || v.startsWith('~/')) {
    // A quoted or escaped tilde is a directory named `~`.
    if (/^["'\\]/.test(word.text)) return v;
    if (home === null) return null;
    v = home + v.slice(1);
  } else if (v.startsWith('~')) {
    return null;
  }
  return v;
}

function join(dir: string, p: string): string {
  if (p.startsWith('/')) return p;
  if (p === '' || p === '.') return dir;
  return dir.endsWith('/') ? dir + p : `${dir}/${p}`;
}

/**
 * A directory made comparable the way `cd` (logical by default) makes it: `.` and `..` resolved
 * lexically, repeated and trailing slashes dropped.
 */
function clean(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

const MAX_VALUE_SHOWN = 120;

function shown(value: string): string {
  const one = JSON.stringify(value.length > MAX_VALUE_SHOWN ? `${value.slice(0, MAX_VALUE_SHOWN)}…` : value);
  return one;
}

/**
 * The findings for a command's git invocations, given what the gateway found where each will
 * look: a repository whose configuration names a program makes it CONFIRM, naming the key and
 * its value; a location not known, not probed or refused makes it CONFIRM too.
 */
export function repositoryFindings(locations: readonly GitLocation[], context: RepositoryContext): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const push = (finding: Finding): void => {
    const key = `${finding.code}\0${finding.detail ?? ''}`;
    if (reported.has(key)) return;
    reported.add(key);
    findings.push(finding);
  };
  for (const location of locations) {
    if (location.unknown !== null) {
      push({ code: 'repository_unchecked', verdict: 'confirm', detail: ` for ${location.command} (${location.unknown})` });
      continue;
    }
    const report = context.get(locationKey(location));
    const where = location.gitDir ?? location.cwd ?? '';
    if (report === undefined) {
      push({ code: 'repository_unchecked', verdict: 'confirm', detail: ` for ${location.command} (${where} was not looked at)` });
    } else if (report.kind === 'unprobed') {
      push({ code: 'repository_unchecked', verdict: 'confirm', detail: ` for ${location.command} (${report.reason})` });
    } else if (report.kind === 'refused') {
      push({ code: 'repository_unchecked', verdict: 'confirm', detail: ` for ${location.command} (${report.gitDir}: ${report.reason})` });
    } else if (report.kind === 'repository') {
      for (const p of report.programs) {
        const used = p.selectedBy === undefined ? '' : ` (used for ${p.selectedBy})`;
        push({ code: 'repository_runs_program', verdict: 'confirm', detail: `: ${p.key} = ${shown(p.value)} in ${p.origin}${used}, for ${location.command}` });
      }
    }
  }
  return findings;
}
