/**
 * The verdict for one segment: the rule tables first (BLOCK, then CONFIRM, then SAFE, unmatched is
 * CONFIRM), then what the segment does beyond its name: redirections, written and read paths, its
 * environment, where its program comes from.
 */
import type { Verdict } from '@aleph/protocol';
import { hasOption, optionValues, positionalIndices, positionals, takesValue } from './options.js';
import { classifyWriteTarget, holdsSecrets, isSensitivePath, isSystemBinary, normalizePath, type PathContext } from './paths.js';
import type { Finding } from './risk.js';
import {
  ARCHIVE_ADD_SUBCOMMANDS,
  ASSIGNING_BUILTINS,
  CODE_INJECTION_ENV,
  METADATA_READERS,
  NAMEREF_BUILTINS,
  NETWORK_FETCHERS,
  OPTION_STYLES,
  PATTERN_OPERANDS,
  RECURSIVE_READERS,
  RISKY_ENV,
  RISKY_SHELL_OPTIONS,
  SYSTEM_PATHS,
  WRITE_TARGETS,
  type RecursiveReadSpec,
} from './rules.js';
import { dataFindings, flows, knownTargets, knownVariants, redirectFinding, secretFile, sensitiveIn, type WriteTarget } from './dataflow.js';
import { environmentRead, programEnvironmentRead } from './secrets.js';
import type { Segment, Word } from './segment.js';
import { byRules, OPTION_SENSITIVE, type UserPatterns } from './rule-match.js';

export interface ClassifyContext extends PathContext {
  readonly patterns: UserPatterns;
  /** Resolves a command name to the executable the shell would run; absent when unknown. */
  readonly resolveExecutable?: ((name: string) => string | null) | undefined;
  /** A `cd` earlier in the line went somewhere the policy cannot follow. */
  readonly cwdUnknown?: boolean;
}

export interface SegmentVerdict {
  readonly verdict: Verdict;
  /**
   * The verdict of the command and its arguments (the tables, the paths it names, the code it
   * runs): what an allowlist rule for that command line may lift, unless it is BLOCK.
   */
  readonly argvVerdict: Verdict;
  /** The verdict of what surrounds the arguments: redirections and environment assignments. */
  readonly contextVerdict: Verdict;
  readonly findings: readonly Finding[];
}

const RANK: Readonly<Record<Verdict, number>> = { safe: 0, confirm: 1, block: 2 };

export function stricter(a: Verdict, b: Verdict): Verdict {
  return RANK[b] > RANK[a] ? b : a;
}

/** Shell builtins: the shell runs them itself, whatever PATH says. */
export const BUILTINS = new Set([
  'cd',
  'echo',
  'printf',
  'pwd',
  'export',
  'declare',
  'typeset',
  'local',
  'readonly',
  'unset',
  'set',
  'shopt',
  'alias',
  'unalias',
  'history',
  'jobs',
  'fg',
  'bg',
  'disown',
  'read',
  'getopts',
  'shift',
  'return',
  'exit',
  'break',
  'continue',
  'let',
  'trap',
  'umask',
  'times',
  'ulimit',
  'command',
  'builtin',
  'enable',
  'bind',
  'complete',
  'compgen',
  'caller',
  'logout',
  'test',
  '[',
  'true',
  'false',
  ':',
  'type',
  'hash',
  'help',
  'wait',
  'source',
  '.',
  'eval',
  'exec',
  'pushd',
  'popd',
  'dirs',
  'kill',
]);

/** Commands whose arguments are data, not files: `echo id_rsa` reads nothing. */
const PRINTERS = new Set([
  'echo',
  'printf',
  ':',
  'true',
  'false',
  'export',
  'declare',
  'typeset',
  'local',
  'readonly',
  'set',
  'alias',
  'unalias',
  'which',
  'type',
  'command',
  'basename',
  'dirname',
  'hash',
  'help',
  'man',
  'whatis',
  'apropos',
  'tldr',
]);

export function classifySegment(segment: Segment, ctx: ClassifyContext): SegmentVerdict {
  const findings: Finding[] = [];
  const contextFindings: Finding[] = [];
  const words = segment.words;
  const name = segment.name;
  let ruleVerdict: Verdict = 'safe';

  if (words.length > 0 && name === null) {
    const first = words[0]!;
    const fetcher = first.subs.find((s) => s.name !== null && NETWORK_FETCHERS.has(s.name));
    findings.push(
      fetcher !== undefined
        ? { code: 'remote_code_execution', verdict: 'block', detail: ` (the output of ${fetcher.name} is run as a command)` }
        : { code: 'dynamic_command', verdict: 'confirm', detail: ` (${first.text})` },
    );
    ruleVerdict = findings[0]!.verdict;
  } else if (name !== null) {
    // argv with the normalised name first; dynamic arguments read as empty strings.
    const argv: string[] = [name];
    let dynamicArgs = false;
    for (let i = 1; i < words.length; i++) {
      const v = words[i]!.value;
      if (v === null) dynamicArgs = true;
      argv.push(v ?? '');
    }
    const matched = byRules(name, argv, ctx.patterns, findings);
    ruleVerdict = matched ?? 'confirm';
    // An explained CONFIRM (a script run, inline code) needs no "unknown command" on top.
    if (matched === null && segment.findings.some((f) => f.verdict !== 'safe')) findings.length = 0;
    if (dynamicArgs && ruleVerdict === 'safe' && OPTION_SENSITIVE.has(name)) {
      findings.push({ code: 'dynamic_command', verdict: 'confirm', detail: ` (arguments known only at run time could change what ${name} does)` });
    }
    checkBinary(segment, name, ruleVerdict, ctx, findings);
    checkPaths(segment, name, argv, ctx, ruleVerdict !== 'safe', findings);
    checkShellState(name, argv.slice(1), findings);
    checkEnvironmentReads(segment, name, findings);
  }
  for (const f of segment.findings) (f.context === true ? contextFindings : findings).push(f);
  let argvVerdict = ruleVerdict;
  for (const f of findings) argvVerdict = stricter(argvVerdict, f.verdict);
  checkRedirects(segment, ctx, contextFindings);
  checkEnv(segment, contextFindings);
  let contextVerdict: Verdict = 'safe';
  for (const f of contextFindings) {
    contextVerdict = stricter(contextVerdict, f.verdict);
    findings.push(f);
  }
  return { verdict: stricter(argvVerdict, contextVerdict), argvVerdict, contextVerdict, findings };
}

/** A program run by path, or resolved outside the system directories, is not trusted by name. */
function checkBinary(segment: Segment, name: string, ruleVerdict: Verdict, ctx: ClassifyContext, findings: Finding[]): void {
  if (ruleVerdict !== 'safe' || (BUILTINS.has(name) && segment.path === null)) return;
  const resolved = segment.path ?? ctx.resolveExecutable?.(name) ?? null;
  if (resolved !== null && !isSystemBinary(resolved)) {
    findings.push({ code: 'untrusted_binary', verdict: 'confirm', detail: ` ${resolved}` });
  }
}

function pathContext(ctx: ClassifyContext): PathContext {
  return ctx.cwdUnknown === true ? { cwd: null, root: null, home: ctx.home, alephHome: ctx.alephHome } : ctx;
}

function checkPaths(segment: Segment, name: string, argv: readonly string[], ctx: ClassifyContext, ruleExplains: boolean, findings: Finding[]): void {
  const paths = pathContext(ctx);
  const targets = WRITE_TARGETS[name] === undefined ? NO_TARGETS : writeTargets(name, segment.words.slice(1));
  for (const target of targets) writeFinding(target, name, paths, ctx.cwdUnknown === true, findings, ruleExplains);
  if (segment.writes !== undefined) for (const target of segment.writes) writeFinding(target, name, paths, ctx.cwdUnknown === true, findings);
  if (segment.reads !== undefined) {
    const read = segment.reads.find((r) => isSensitivePath(r.value ?? r.text, paths, r.glob || r.value === null));
    if (read !== undefined) findings.push(secretFile(read.value ?? read.text));
  }
  if (name === 'rm' || name === 'shred' || name === 'srm') massDelete(name, argv.slice(1), paths, findings);
  if (PRINTERS.has(name)) return;
  let pattern: number | undefined;
  for (let i = 1; i < segment.words.length; i++) {
    const candidate = sensitiveIn(segment.words[i]!, targets, paths);
    if (candidate !== null && i !== (pattern ??= patternOperand(name, argv))) {
      findings.push(secretFile(candidate));
      return;
    }
  }
  // Names that reach the command through data: variables, substitutions, what xargs is fed.
  let flowing = false;
  for (let i = 1; i < segment.words.length && !flowing; i++) flowing = flows(segment.words[i]!);
  if (flowing || ctx.cwdUnknown === true) {
    if (dataFindings(name, segment.words, paths, ctx.cwdUnknown === true, targets, (pattern ??= patternOperand(name, argv)), findings)) return;
  }
  const recursive = RECURSIVE_READERS[name];
  if (recursive !== undefined) {
    let root = recursiveRoots(name, recursive, segment.words.slice(1), argv.slice(1), paths, ctx.cwdUnknown === true, false);
    if (flowing && root === null) {
      for (const words of knownVariants(segment.words.slice(1))) {
        root ??= recursiveRoots(
          name,
          recursive,
          words,
          words.map((w) => w.value ?? ''),
          paths,
          ctx.cwdUnknown === true,
          false,
        );
      }
    }
    if (root !== null)
      findings.push({
        code: 'reads_secrets',
        verdict: 'confirm',
        secret: 'file',
        detail: ` (${name} reads everything under ${root}, which holds credential stores)`,
      });
  }
}

/** The index in argv of a pattern or program operand (see PATTERN_OPERANDS), or -1. */
function patternOperand(name: string, argv: readonly string[]): number {
  const spec = PATTERN_OPERANDS[name];
  if (spec === undefined) return -1;
  const args = argv.slice(1);
  if (spec.unless.some((o) => hasOption(args, o, true))) return -1;
  // jq's `--arg NAME VALUE` and its kin take two words.
  const twoValues = ['--arg', '--argjson', '--slurpfile', '--rawfile'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return i + 2 <= args.length ? i + 2 : -1;
    if (a.length > 1 && a.startsWith('-')) {
      if (twoValues.includes(a)) i += 2;
      else if (takesValue(a, spec.optionsWithValue)) i++;
      continue;
    }
    return i + 1;
  }
  return -1;
}

/**
 * The first root a recursive read reaches that holds secrets (see holdsSecrets), or null. With
 * `listing`, a tool that only lists names counts too: what reads the names it prints reads the files.
 */
export function recursiveRoots(
  name: string,
  spec: RecursiveReadSpec,
  words: readonly Word[],
  args: readonly string[],
  paths: PathContext,
  cwdUnknown: boolean,
  listing: boolean,
): string | null {
  if (!listing && spec.readsWith !== undefined && !spec.readsWith.some((o) => args.includes(o))) return null;
  if (!cwdUnknown && !mayReachSecrets(words, paths)) return null;
  const stop = spec.stopAt === undefined ? -1 : args.findIndex((a) => spec.stopAt!.includes(a));
  const own = stop < 0 ? args : args.slice(0, stop);
  const oldStyle = (name === 'tar' || name === 'bsdtar') && own.length > 0 && /^[A-Za-z]+$/.test(own[0]!);
  if (
    spec.when !== undefined &&
    !oldStyle &&
    !spec.when.some((o) => hasOption(own, o, true)) &&
    !(spec.whenValue ?? []).some(([o, v]) => optionValues(own, o).some(({ index, attached }) => (attached ?? own[index]) === v))
  )
    return null;
  if (oldStyle && !/[cru]/.test(own[0]!)) return null;
  const candidates: Word[] = [];
  const valueWord = (index: number, attached: string | null): Word =>
    attached === null ? words[index]! : { ...words[index]!, value: attached, text: attached };
  for (const option of spec.rootOptions ?? []) for (const { index, attached } of optionValues(own, option)) candidates.push(valueWord(index, attached));
  let indices: number[];
  if (spec.expression === true) {
    indices = [];
    let i = 0;
    // find's own options before its operands: -H, -L, -P, -D debugopts, -Olevel.
    for (; i < own.length && /^-([HLP]|D|O\d*)$/.test(own[i]!); i++) if (own[i] === '-D') i++;
    for (; i < own.length && !/^[-(!]/.test(own[i]!); i++) indices.push(i);
  } else if (oldStyle) {
    const consumes = [...own[0]!].filter((c) => 'fCTXbHIgNVLK'.includes(c)).length;
    indices = positionalIndices(own.slice(1 + consumes), spec.optionsWithValue).map((i) => i + 1 + consumes);
  } else {
    indices = positionalIndices(own, spec.optionsWithValue);
  }
  const addSubcommand = ARCHIVE_ADD_SUBCOMMANDS[name];
  if (addSubcommand !== undefined && !addSubcommand.includes(own[indices[0] ?? -1] ?? '')) return null;
  if (spec.pattern !== undefined && !spec.pattern.unless.some((o) => hasOption(own, o, true))) indices = indices.slice(1);
  indices = indices.slice(spec.skip ?? 0);
  if (spec.roots === 'sources' && !hasOption(own, '-t', true) && !hasOption(own, '--target-directory', true)) indices = indices.slice(0, -1);
  for (const i of indices) candidates.push(words[i]!);
  const bases = (spec.baseOptions ?? []).flatMap((o) => optionValues(own, o).map(({ index, attached }) => attached ?? own[index]!));
  if (candidates.length === 0 && spec.defaultRoot === true) candidates.push(CURRENT_DIRECTORY);
  for (const word of candidates) {
    const raw = word.value ?? word.text.replace(/^"|"$/g, '');
    // A word known only at run time (`"$DIR"`) is judged by the text it is built from; a relative
    // root after a `cd` the policy cannot follow could be anywhere.
    if (word.value === null && !raw.startsWith('$') && !raw.startsWith('~')) continue;
    if (cwdUnknown && !raw.startsWith('/') && !raw.startsWith('~') && !raw.startsWith('$')) return raw;
    const remote = raw.indexOf(':');
    const local = remote > 0 && !raw.slice(0, remote).includes('/') ? raw.slice(remote + 1) || '~' : raw;
    for (const base of bases.length === 0 ? [null] : bases) {
      const path = base === null || local.startsWith('/') || local.startsWith('~') ? local : `${base}/${local}`;
      if (holdsSecrets(path, paths, word.glob)) return path;
    }
  }
  return null;
}

const CURRENT_DIRECTORY: Word = { text: '.', value: '.', glob: false, subs: [] };

/**
 * Whether any word could name a tree that holds secrets: one that is absolute, starts at a home or
 * a variable, climbs with `..`, or any at all when the working directory itself holds them. The
 * common case (`grep -rn x src` in a project) is settled here without reading options.
 */
function mayReachSecrets(words: readonly Word[], paths: PathContext): boolean {
  if (workingDirectoryHoldsSecrets(paths)) return true;
  for (const w of words) {
    const v = w.value ?? w.text;
    const c = v.charCodeAt(0);
    if (c === 47 || c === 126 || c === 36 || c === 34 || v.includes('..') || (v.includes('/') && v.includes(':'))) return true;
  }
  return false;
}

/** The last working directory asked about: it rarely changes from one command to the next. */
let lastDirectory: { cwd: string; home: string | null; alephHome: string | null | undefined; holds: boolean } | undefined;

function workingDirectoryHoldsSecrets(paths: PathContext): boolean {
  if (paths.cwd === null) return false;
  const last = lastDirectory;
  if (last !== undefined && last.cwd === paths.cwd && last.home === paths.home && last.alephHome === paths.alephHome) return last.holds;
  const holds = holdsSecrets('.', paths);
  lastDirectory = { cwd: paths.cwd, home: paths.home, alephHome: paths.alephHome, holds };
  return holds;
}

const NO_TARGETS: readonly WriteTarget[] = [];

function writeTargets(name: string, words: readonly Word[]): readonly WriteTarget[] {
  const spec = WRITE_TARGETS[name];
  if (spec === undefined) return NO_TARGETS;
  const args = words.map((w) => w.value ?? '');
  if (spec.when !== undefined && !spec.when.some((o) => hasOption(args, o, true))) return NO_TARGETS;
  const programGiven = spec.programOptions?.some((o) => hasOption(args, o, false)) === true;
  const out: WriteTarget[] = [];
  for (const option of spec.targetOptions ?? []) {
    for (const { index, attached } of optionValues(args, option, OPTION_STYLES[name])) {
      out.push(attached === null ? words[index]! : { value: attached, text: attached, glob: words[index]!.glob });
    }
  }
  if (spec.targets === 'none') return out;
  const pos = positionalIndices(args, spec.optionsWithValue).map((i) => words[i]!);
  if (spec.targets === 'all') out.push(...pos);
  else if (spec.targets === 'last' && pos.length >= 2 && out.length === 0) out.push(pos[pos.length - 1]!);
  else if (spec.targets === 'after-first') out.push(...pos.slice(programGiven ? 0 : 1));
  return out;
}

/**
 * Judges a write to `target`. An ordinary write inside the working directory adds nothing when the
 * command's own rule already explains it (`cp`, `rm`). A path known only at run time is a write
 * wherever it lands, and is judged further by the text it is built from (`"$HOME/.ssh/x"`).
 */
function writeFinding(target: WriteTarget, name: string, paths: PathContext, cwdUnknown: boolean, findings: Finding[], ruleExplains = false): void {
  // A path the line shows through data (`f=~/.bashrc; echo x >> $f`) is judged as written.
  if (target.value === null && target.origin !== undefined) knownWrites(target, name, paths, cwdUnknown, findings, ruleExplains);
  const path = target.value ?? target.text.replace(/^"|"$/g, '');
  const where = classifyWriteTarget(path, paths, target.glob);
  const detail = ` (${path})`;
  if (target.value === null) findings.push({ code: 'file_write', verdict: 'confirm', detail: ` (${target.text}, a path known only at run time)` });
  switch (where) {
    case 'harmless_device':
      return;
    case 'network_device':
      findings.push({ code: 'network_exfiltration', verdict: 'block', detail: ` (${path}: bash opens a network connection)`, score: 90 });
      return;
    case 'disk_device':
      findings.push({ code: 'disk_overwrite', verdict: 'block', name, detail });
      return;
    case 'sensitive':
      findings.push({ code: 'sensitive_write', verdict: 'block', detail });
      return;
    case 'system':
      findings.push({ code: 'system_path_write', verdict: 'block', detail });
      return;
    case 'persistence':
      findings.push({ code: 'persistence', verdict: 'confirm', detail });
      return;
    case 'outside_cwd':
      findings.push({ code: 'write_outside_cwd', verdict: 'confirm', detail });
      return;
    case 'scratch':
    case 'inside_cwd':
      if (target.value === null) return;
      if (cwdUnknown && !path.startsWith('/'))
        findings.push({ code: 'write_outside_cwd', verdict: 'confirm', detail: ` (${path}, after a cd the policy cannot follow)` });
      else if (!ruleExplains) findings.push({ code: 'file_write', verdict: 'confirm', detail });
  }
}

function knownWrites(target: WriteTarget, name: string, paths: PathContext, cwdUnknown: boolean, findings: Finding[], ruleExplains: boolean): void {
  for (const known of knownTargets(target)) writeFinding(known, name, paths, cwdUnknown, findings, ruleExplains);
}

const RECURSIVE_OPTIONS = ['-r', '-R', '--recursive'];

function massDelete(name: string, args: readonly string[], paths: PathContext, findings: Finding[]): void {
  const recursive = RECURSIVE_OPTIONS.some((o) => hasOption(args, o, true));
  const cwd = paths.cwd === null ? null : normalizePath(paths.cwd, paths);
  for (const target of positionals(args, [])) {
    const wildcard = /(^|\/)\*$/.test(target) || target === '.*';
    const base = normalizePath(wildcard ? target.replace(/\/?\*$/, '') || '.' : target, paths);
    const broad =
      base === '/' ||
      base === '~' ||
      base === '.' ||
      base === '..' ||
      (base.startsWith('../') && base.split('/').every((p) => p === '..')) ||
      SYSTEM_PATHS.includes(base) ||
      base === '/home' ||
      base === '/Users' ||
      (cwd !== null && (cwd === base || cwd.startsWith(base === '/' ? '/' : base + '/')));
    if (broad && (recursive || wildcard)) {
      findings.push({ code: 'mass_delete', verdict: 'block', name, detail: ` (${target})` });
      return;
    }
  }
}

function checkRedirects(segment: Segment, ctx: ClassifyContext, findings: Finding[]): void {
  const paths = pathContext(ctx);
  for (const r of segment.redirects) {
    if (r.kind === 'dup') continue;
    const target = r.target.value;
    if (r.kind === 'read') {
      if (target !== null && /^\/dev\/(tcp|udp)\//.test(target)) findings.push({ code: 'network_access', verdict: 'confirm', name: 'A redirection' });
      else if (isSensitivePath(target ?? r.target.text.replace(/^"|"$/g, ''), paths, r.target.glob)) findings.push(secretFile(target ?? r.target.text));
      else {
        const reads = segment.name !== null && !PRINTERS.has(segment.name) && !METADATA_READERS.has(segment.name);
        const flowing = redirectFinding(segment.name, r.target, paths, reads);
        if (flowing !== null) findings.push(flowing);
      }
      continue;
    }
    writeFinding(r.target, segment.name ?? 'the shell', paths, ctx.cwdUnknown === true, findings);
  }
}

function isRiskyEnv(name: string, list: readonly string[]): boolean {
  return list.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

function riskyEnvFinding(name: string): Finding {
  return { code: 'risky_env', verdict: 'confirm', detail: name, ...(isRiskyEnv(name, CODE_INJECTION_ENV) ? { score: 85 } : {}) };
}

function checkEnv(segment: Segment, findings: Finding[]): void {
  for (const a of segment.env) if (isRiskyEnv(a.name, RISKY_ENV)) findings.push(riskyEnvFinding(a.name));
}

const DECLARATIONS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
const JQ = new Set(['jq', 'gojq', 'jaq', 'yq', 'xq']);
const ENVIRONMENT_PRINTERS = new Set([...DECLARATIONS, ...JQ, 'env', 'printenv', 'set', 'ps', 'compgen']);

/** Printing the environment, or a credential in it (see secrets.ts). */
function checkEnvironmentReads(segment: Segment, name: string, findings: Finding[]): void {
  if (!ENVIRONMENT_PRINTERS.has(name)) return;
  if (JQ.has(name)) {
    const values = segment.words.slice(1).map((w) => w.value ?? '');
    const program = name === 'yq' || name === 'xq' ? values.join(' ') : jqProgram(values);
    const found = program === null ? null : programEnvironmentRead(name, program);
    if (found !== null) findings.push(found);
    return;
  }
  // `export NAME=value` assigns; only the bare forms print.
  if (DECLARATIONS.has(name) && segment.env.length > 0) return;
  const found = environmentRead(
    name,
    segment.words.slice(1).map((w) => w.value),
  );
  if (found !== null) findings.push(found);
}

/** jq's program: its first operand, past options and their values (`--arg NAME VALUE`). */
function jqProgram(values: readonly string[]): string | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === '--') return values[i + 1] ?? null;
    if (v === '--arg' || v === '--argjson' || v === '--slurpfile' || v === '--rawfile') i += 2;
    else if (v === '-f' || v === '--from-file') return null;
    else if (v === '--indent' || v === '-L') i++;
    else if (!(v.startsWith('-') && v.length > 1)) return v;
  }
  return null;
}

/**
 * Builtins that change the shell the way a risky environment does: assigning a variable by name
 * (`printf -v PS4 ...`, `read PATH`), making a name reference (`declare -n r=PATH; r=...`), letting
 * globs name hidden files (`shopt -s dotglob`).
 */
function checkShellState(name: string, args: readonly string[], findings: Finding[]): void {
  const assigning = ASSIGNING_BUILTINS[name];
  if (assigning !== undefined) {
    const variables = assigning.nameOptions.flatMap((o) => optionValues(args, o).map(({ index, attached }) => attached ?? args[index]!));
    if (assigning.positionalNames) variables.push(...positionals(args, assigning.optionsWithValue));
    for (const variable of variables) {
      const base = variable.replace(/\[.*$/s, '');
      // A subscript is evaluated as arithmetic, command substitutions included (`read 'a[$(cmd)]'`).
      if (/[$`]/.test(variable.slice(base.length))) findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (the subscript of ${variable})` });
      else if (base === '') findings.push({ code: 'risky_env', verdict: 'confirm', detail: 'a variable named only at run time' });
      else if (isRiskyEnv(base, RISKY_ENV)) findings.push(riskyEnvFinding(base));
    }
  } else if (NAMEREF_BUILTINS.includes(name) && hasOption(args, '-n', false)) {
    findings.push({ code: 'risky_env', verdict: 'confirm', detail: 'a name reference, through which any variable can be assigned' });
  } else if (name === 'shopt' && hasOption(args, '-s', false)) {
    const option = args.find((a) => RISKY_SHELL_OPTIONS.includes(a));
    if (option !== undefined) findings.push({ code: 'risky_env', verdict: 'confirm', detail: `the shell option ${option}` });
  }
}
