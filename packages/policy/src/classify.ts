/**
 * The verdict for one segment: the rule tables first (BLOCK, then CONFIRM, then SAFE, unmatched is
 * CONFIRM), then what the segment does beyond its name: redirections, written and read paths, its
 * environment, where its program comes from.
 */
import type { Verdict } from '@aleph/protocol';
import { matchTokens } from './tokens.js';
import { firstPositional, hasOption, OptionView, positionals } from './options.js';
import { classifyWriteTarget, isSensitivePath, isSystemBinary, normalizePath, type PathContext } from './paths.js';
import type { Finding, ReasonCode } from './risk.js';
import {
  BLOCK_RULES, CODE_INJECTION_ENV, CONFIRM_RULES, FALLBACK_REASONS, GLOBAL_OPTIONS_WITH_VALUE, INTERPRETERS,
  NETWORK_FETCHERS, RISKY_ENV, SAFE_RULES, SHELLS, SYSTEM_PATHS, WRAPPERS, WRITE_TARGETS, type CommandRule,
} from './rules.js';
import type { Segment, Word } from './segment.js';

export interface UserPatterns {
  readonly block: readonly string[];
  readonly confirm: readonly string[];
  readonly safe: readonly string[];
}

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

export function strictest(verdicts: Iterable<Verdict>, initial: Verdict = 'safe'): Verdict {
  let out = initial;
  for (const v of verdicts) out = stricter(out, v);
  return out;
}

/** Shell builtins: the shell runs them itself, whatever PATH says. */
export const BUILTINS = new Set(['cd', 'echo', 'printf', 'pwd', 'export', 'declare', 'typeset', 'local', 'readonly', 'unset', 'set', 'shopt', 'alias', 'unalias', 'history', 'jobs', 'fg', 'bg', 'disown', 'read', 'getopts', 'shift', 'return', 'exit', 'break', 'continue', 'let', 'trap', 'umask', 'times', 'ulimit', 'command', 'builtin', 'enable', 'bind', 'complete', 'compgen', 'caller', 'logout', 'test', '[', 'true', 'false', ':', 'type', 'hash', 'help', 'wait', 'source', '.', 'eval', 'exec', 'pushd', 'popd', 'dirs', 'kill']);

/** Commands whose arguments are data, not files: `echo id_rsa` reads nothing. */
const PRINTERS = new Set(['echo', 'printf', ':', 'true', 'false', 'export', 'declare', 'typeset', 'local', 'readonly', 'set', 'alias', 'unalias', 'which', 'type', 'command', 'basename', 'dirname', 'hash', 'help', 'man', 'whatis', 'apropos', 'tldr']);

interface RuleIndex {
  readonly byName: ReadonlyMap<string, readonly CommandRule[]>;
  readonly byPrefix: readonly (readonly [string, CommandRule])[];
  readonly any: readonly CommandRule[];
}

function index(rules: readonly CommandRule[]): RuleIndex {
  const byName = new Map<string, CommandRule[]>();
  const byPrefix: [string, CommandRule][] = [];
  const any: CommandRule[] = [];
  for (const rule of rules) {
    for (const name of rule.commands) {
      if (name === '*') any.push(rule);
      else if (name.endsWith('*')) byPrefix.push([name.slice(0, -1), rule]);
      else byName.set(name, [...(byName.get(name) ?? []), rule]);
    }
  }
  return { byName, byPrefix, any };
}

const BLOCK_INDEX = index(BLOCK_RULES);
const CONFIRM_INDEX = index(CONFIRM_RULES);
const SAFE_INDEX = index(SAFE_RULES);

/** Every command name the tables know; `*` rules apply to these only. */
const KNOWN = new Set<string>([
  ...[BLOCK_RULES, CONFIRM_RULES, SAFE_RULES].flatMap((rules) => rules.flatMap((r) => r.commands.filter((c) => !c.includes('*')))),
  ...Object.keys(FALLBACK_REASONS), ...Object.keys(INTERPRETERS), ...SHELLS, ...Object.keys(WRAPPERS),
]);

/** Commands for which an unseen argument could be the option that makes them dangerous. */
const OPTION_SENSITIVE = new Set<string>(
  [BLOCK_RULES, CONFIRM_RULES].flatMap((rules) => rules.filter((r) => r.withOption !== undefined || r.withArg !== undefined || r.subcommands !== undefined).flatMap((r) => r.commands)),
);

const candidateCache = new Map<RuleIndex, Map<string, readonly CommandRule[]>>();

function isConditional(rule: CommandRule): boolean {
  return rule.subcommands !== undefined || rule.withOption !== undefined || rule.withoutOption !== undefined || rule.noPositionals === true || rule.withArg !== undefined;
}
const NO_RULES: readonly CommandRule[] = [];

/** The rules that may apply to a command name (cached: names repeat, rules do not change). */
function candidates(idx: RuleIndex, name: string): readonly CommandRule[] {
  let byName = candidateCache.get(idx);
  if (byName === undefined) candidateCache.set(idx, (byName = new Map()));
  let out = byName.get(name);
  if (out === undefined) {
    const rules = [...(idx.byName.get(name) ?? [])];
    for (const [prefix, rule] of idx.byPrefix) if (name.startsWith(prefix)) rules.push(rule);
    if (KNOWN.has(name)) rules.push(...idx.any);
    // Unconditional rules first: they decide without looking at a single argument.
    rules.sort((a, b) => Number(isConditional(a)) - Number(isConditional(b)));
    out = rules.length === 0 ? NO_RULES : rules;
    // Unknown names are unbounded; keep the cache bounded.
    if (byName.size > 4096) byName.clear();
    byName.set(name, out);
  }
  return out;
}

/**
 * A command's arguments as the rules ask about them: the subcommand located once, and the options
 * of the whole list and of what follows the subcommand each read once.
 */
class Args {
  /** Index of the first positional after the tool's global options, or -1. */
  readonly sub: number;
  private allView: OptionView | undefined;
  private restView: OptionView | undefined;

  constructor(name: string, readonly all: readonly string[]) {
    this.sub = firstPositional(all, GLOBAL_OPTIONS_WITH_VALUE[name] ?? []);
  }

  rest(afterSubcommand: boolean): readonly string[] {
    return afterSubcommand ? this.all.slice(this.sub + 1) : this.all;
  }

  options(afterSubcommand: boolean): OptionView {
    if (afterSubcommand) return (this.restView ??= new OptionView(this.all.slice(this.sub + 1)));
    return (this.allView ??= new OptionView(this.all));
  }
}

const subcommandSets = new Map<CommandRule, ReadonlySet<string>>();

function subcommandsOf(rule: CommandRule & { subcommands: readonly string[] }): ReadonlySet<string> {
  let set = subcommandSets.get(rule);
  if (set === undefined) subcommandSets.set(rule, (set = new Set(rule.subcommands)));
  return set;
}

function ruleMatches(rule: CommandRule, name: string, args: Args): boolean {
  const afterSub = rule.subcommands !== undefined;
  if (afterSub && (args.sub < 0 || !subcommandsOf(rule as CommandRule & { subcommands: readonly string[] }).has(args.all[args.sub]!))) return false;
  if (rule.withOption !== undefined || rule.withoutOption !== undefined) {
    const view = args.options(afterSub);
    if (rule.withOption !== undefined && !rule.withOption.some((o) => view.has(o, true))) return false;
    if (rule.withoutOption !== undefined && rule.withoutOption.some((o) => view.has(o, false))) return false;
  }
  const rest = rule.noPositionals === true || rule.withArg !== undefined ? args.rest(afterSub) : args.all;
  if (rule.noPositionals === true || rule.withArg !== undefined) {
    const pos = positionals(rest, rule.subcommands === undefined ? (GLOBAL_OPTIONS_WITH_VALUE[name] ?? []) : []);
    if (rule.noPositionals === true && pos.length > 0) return false;
    if (rule.withArg !== undefined && !pos.some((a) => rule.withArg!.test(a))) return false;
  }
  return true;
}


function matching(idx: RuleIndex, name: string, args: Args): readonly CommandRule[] {
  const rules = candidates(idx, name);
  let out: CommandRule[] | undefined;
  for (const rule of rules) if (ruleMatches(rule, name, args)) (out ??= []).push(rule);
  return out ?? NO_RULES;
}

function ruleFinding(rule: CommandRule, name: string, args: readonly string[]): Finding {
  if (rule.reason === 'git_remote_write' || rule.reason === 'git_history_rewrite' || rule.reason === 'git_state_change') {
    const pos = firstPositional(args, GLOBAL_OPTIONS_WITH_VALUE.git ?? []);
    return { code: rule.reason, verdict: rule.verdict, name, detail: pos < 0 ? '' : args[pos]! };
  }
  return { code: rule.reason, verdict: rule.verdict, name };
}

/**
 * The rule tables' verdict for a command name and its (static) arguments. Returns null, after
 * recording the fallback reason, when no rule matched.
 */
function byRules(name: string, argv: readonly string[], patterns: UserPatterns, findings: Finding[]): Verdict | null {
  const args = new Args(name, argv.slice(1));
  const blocked = matching(BLOCK_INDEX, name, args);
  const userBlock = patterns.block.length === 0 ? undefined : patterns.block.find((p) => matchTokens(p, argv));
  if (blocked.length > 0 || userBlock !== undefined) {
    for (const rule of blocked) findings.push(ruleFinding(rule, name, args.all));
    if (userBlock !== undefined) findings.push({ code: 'user_rule', verdict: 'block', detail: `block pattern "${userBlock}"`, score: 80 });
    return 'block';
  }
  const userConfirm = patterns.confirm.length === 0 ? undefined : patterns.confirm.find((p) => matchTokens(p, argv));
  if (userConfirm !== undefined) {
    findings.push({ code: 'user_rule', verdict: 'confirm', detail: `confirm pattern "${userConfirm}"` });
    return 'confirm';
  }
  const userSafe = patterns.safe.length === 0 ? undefined : patterns.safe.find((p) => matchTokens(p, argv));
  if (userSafe !== undefined) {
    findings.push({ code: 'user_rule', verdict: 'safe', detail: `safe pattern "${userSafe}"`, score: 0 });
    return 'safe';
  }
  const confirmed = matching(CONFIRM_INDEX, name, args);
  if (confirmed.length > 0) {
    for (const rule of confirmed) findings.push(ruleFinding(rule, name, args.all));
    return 'confirm';
  }
  if (candidates(SAFE_INDEX, name).some((rule) => ruleMatches(rule, name, args))) {
    findings.push({ code: 'read_only', verdict: 'safe', name });
    return 'safe';
  }
  const fallback: ReasonCode = FALLBACK_REASONS[name] ?? 'unknown_command';
  findings.push(fallback === 'git_state_change' ? ruleFinding({ verdict: 'confirm', reason: fallback, commands: [] }, name, args.all) : { code: fallback, verdict: 'confirm', name });
  return null;
}

export function classifySegment(segment: Segment, ctx: ClassifyContext): SegmentVerdict {
  const findings: Finding[] = [];
  const contextFindings: Finding[] = [];
  const words = segment.words;
  const name = segment.name;
  let ruleVerdict: Verdict = 'safe';

  if (words.length > 0 && name === null) {
    const first = words[0]!;
    const fetcher = first.subs.find((s) => s.name !== null && NETWORK_FETCHERS.has(s.name));
    findings.push(fetcher !== undefined
      ? { code: 'remote_code_execution', verdict: 'block', detail: ` (the output of ${fetcher.name} is run as a command)` }
      : { code: 'dynamic_command', verdict: 'confirm', detail: ` (${first.text})` });
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
  if (ruleVerdict !== 'safe' || BUILTINS.has(name) && segment.path === null) return;
  const resolved = segment.path ?? ctx.resolveExecutable?.(name) ?? null;
  if (resolved !== null && !isSystemBinary(resolved)) {
    findings.push({ code: 'untrusted_binary', verdict: 'confirm', detail: ` ${resolved}` });
  }
}

function pathContext(ctx: ClassifyContext): PathContext {
  return ctx.cwdUnknown === true ? { cwd: null, root: null, home: ctx.home } : ctx;
}

function checkPaths(segment: Segment, name: string, argv: readonly string[], ctx: ClassifyContext, ruleExplains: boolean, findings: Finding[]): void {
  const paths = pathContext(ctx);
  const targets = WRITE_TARGETS[name] === undefined ? NO_TARGETS : writeTargets(name, argv.slice(1));
  for (const target of targets) writeFinding(target, name, paths, ctx.cwdUnknown === true, findings, ruleExplains);
  if (name === 'rm' || name === 'shred' || name === 'srm') massDelete(name, argv.slice(1), paths, findings);
  if (PRINTERS.has(name)) return;
  for (let i = 1; i < segment.words.length; i++) {
    const candidate = sensitiveIn(segment.words[i]!, targets, paths);
    if (candidate !== null) {
      findings.push({ code: 'sensitive_path', verdict: 'confirm', detail: ` (${candidate})` });
      break;
    }
  }
}

/**
 * The secret an argument names, if any: the value itself, the value of `--opt=PATH`, or `@PATH`
 * (curl's "read this file"). Options without a value name no path.
 */
function sensitiveIn(word: Word, targets: readonly string[], paths: PathContext): string | null {
  const value = word.value ?? word.text.replace(/^"|"$/g, '');
  const eq = value.indexOf('=');
  if (value.charCodeAt(0) === 45 && eq < 0) return null;
  const check = (candidate: string): boolean => !targets.includes(candidate) && isSensitivePath(candidate, paths);
  if (check(value)) return value;
  if (eq > 0 && check(value.slice(eq + 1))) return value.slice(eq + 1);
  if (value.charCodeAt(0) === 64 && check(value.slice(1))) return value.slice(1);
  return null;
}

const NO_TARGETS: readonly string[] = [];

function writeTargets(name: string, args: readonly string[]): readonly string[] {
  const spec = WRITE_TARGETS[name];
  if (spec === undefined || (spec.when !== undefined && !spec.when.some((o) => hasOption(args, o, true)))) return NO_TARGETS;
  const programGiven = spec.programOptions?.some((o) => hasOption(args, o, false)) === true;
  const out: string[] = [];
  if (spec.targetOptions !== undefined) for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const option of spec.targetOptions ?? []) {
      if (a === option && args[i + 1] !== undefined) out.push(args[i + 1]!);
      else if (option.startsWith('--') && a.startsWith(option + '=')) out.push(a.slice(option.length + 1));
      else if (!option.startsWith('--') && option.endsWith('=') && a.startsWith(option)) out.push(a.slice(option.length));
    }
  }
  if (spec.targets === 'none') return out;
  const pos = positionals(args, spec.optionsWithValue).filter((p) => p !== '');
  if (spec.targets === 'all') out.push(...pos);
  else if (spec.targets === 'last' && pos.length >= 2 && out.length === 0) out.push(pos[pos.length - 1]!);
  else if (spec.targets === 'after-first') out.push(...pos.slice(programGiven ? 0 : 1));
  return out;
}

/**
 * Judges a write to `target`. An ordinary write inside the working directory adds nothing when the
 * command's own rule already explains it (`cp`, `rm`).
 */
function writeFinding(target: string, name: string, paths: PathContext, cwdUnknown: boolean, findings: Finding[], ruleExplains = false): void {
  const where = classifyWriteTarget(target, paths);
  const detail = ` (${target})`;
  switch (where) {
    case 'harmless_device':
      return;
    case 'network_device':
      findings.push({ code: 'network_exfiltration', verdict: 'block', detail: ` (${target}: bash opens a network connection)`, score: 90 });
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
      if (cwdUnknown && !target.startsWith('/')) findings.push({ code: 'write_outside_cwd', verdict: 'confirm', detail: ` (${target}, after a cd the policy cannot follow)` });
      else if (!ruleExplains) findings.push({ code: 'file_write', verdict: 'confirm', detail });
  }
}

const RECURSIVE_OPTIONS = ['-r', '-R', '--recursive'];

function massDelete(name: string, args: readonly string[], paths: PathContext, findings: Finding[]): void {
  const recursive = RECURSIVE_OPTIONS.some((o) => hasOption(args, o, true));
  const cwd = paths.cwd === null ? null : normalizePath(paths.cwd, paths);
  for (const target of positionals(args, [])) {
    const wildcard = /(^|\/)\*$/.test(target) || target === '.*';
    const base = normalizePath(wildcard ? target.replace(/\/?\*$/, '') || '.' : target, paths);
    const broad = base === '/' || base === '~' || base === '.' || base === '..' || base.startsWith('../') && base.split('/').every((p) => p === '..')
      || SYSTEM_PATHS.includes(base) || base === '/home' || base === '/Users'
      || (cwd !== null && (cwd === base || cwd.startsWith(base === '/' ? '/' : base + '/')));
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
      else if (isSensitivePath(target ?? r.target.text, paths)) findings.push({ code: 'sensitive_path', verdict: 'confirm', detail: ` (${target ?? r.target.text})` });
      continue;
    }
    if (target === null) {
      findings.push({ code: 'file_write', verdict: 'confirm', detail: ` (${r.target.text}, a path known only at run time)` });
      if (isSensitivePath(r.target.text.replace(/^"|"$/g, ''), paths)) findings.push({ code: 'sensitive_write', verdict: 'block', detail: ` (${r.target.text})` });
      continue;
    }
    writeFinding(target, segment.name ?? 'the shell', paths, ctx.cwdUnknown === true, findings);
  }
}

function isRiskyEnv(name: string, list: readonly string[]): boolean {
  return list.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

function checkEnv(segment: Segment, findings: Finding[]): void {
  for (const a of segment.env) {
    if (!isRiskyEnv(a.name, RISKY_ENV)) continue;
    const injection = isRiskyEnv(a.name, CODE_INJECTION_ENV);
    findings.push({ code: 'risky_env', verdict: 'confirm', detail: a.name, ...(injection ? { score: 85 } : {}) });
  }
}
