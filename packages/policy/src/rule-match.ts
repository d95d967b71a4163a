/**
 * The rule tables applied to a command name and its arguments: which BLOCK, CONFIRM and SAFE rules
 * match (an option or subcommand read the way the tool reads it), and the user's own patterns.
 */
import type { Verdict } from '@aleph/protocol';
import { possibleSubcommands, sureSubcommand, OptionView, type Certainty } from './options.js';
import type { Finding, ReasonCode } from './risk.js';
import { BLOCK_RULES, CONFIRM_RULES, FALLBACK_REASONS, INTERPRETERS, OPTION_STYLES, OPTIONS, SAFE_RULES, SHELLS, WRAPPERS, type CommandRule } from './rules.js';
import { matchTokens } from './tokens.js';

export interface UserPatterns {
  readonly block: readonly string[];
  readonly confirm: readonly string[];
  readonly safe: readonly string[];
}

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
  ...Object.keys(FALLBACK_REASONS),
  ...Object.keys(INTERPRETERS),
  ...SHELLS,
  ...Object.keys(WRAPPERS),
]);

/** Commands for which an unseen argument could be the option that makes them dangerous. */
export const OPTION_SENSITIVE = new Set<string>(
  [BLOCK_RULES, CONFIRM_RULES].flatMap((rules) =>
    rules.filter((r) => r.withOption !== undefined || r.withArg !== undefined || r.subcommands !== undefined).flatMap((r) => r.commands),
  ),
);

const candidateCache = new Map<RuleIndex, Map<string, readonly CommandRule[]>>();

function isConditional(rule: CommandRule): boolean {
  return (
    rule.subcommands !== undefined ||
    rule.withOption !== undefined ||
    rule.withoutOption !== undefined ||
    rule.noPositionals === true ||
    rule.withArg !== undefined
  );
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
 * A command's arguments as the rules ask about them: where its subcommand is (certainly, and
 * possibly), and the options after it, each read once.
 */
class Args {
  private sureIndex: number | undefined;
  private possibleIndices: readonly number[] | undefined;
  private readonly views = new Map<number, OptionView>();

  constructor(
    private readonly name: string,
    readonly all: readonly string[],
  ) {}

  /** The index of the subcommand when certain, or -1. */
  get sure(): number {
    return (this.sureIndex ??= sureSubcommand(this.all, OPTIONS[this.name]));
  }

  /** Every index that may hold the subcommand. */
  get possible(): readonly number[] {
    return (this.possibleIndices ??= possibleSubcommands(this.all));
  }

  /** The arguments after the subcommand at `sub` (all of them for -1), read the way the tool reads them. */
  view(sub: number): OptionView {
    let view = this.views.get(sub);
    if (view === undefined) {
      const known = sub < 0 ? OPTIONS[this.name] : OPTIONS[`${this.name} ${this.all[sub]}`];
      view = new OptionView(sub < 0 ? this.all : this.all.slice(sub + 1), OPTION_STYLES[this.name], known);
      this.views.set(sub, view);
    }
    return view;
  }

  /** An option entry of a rule; one that is not an option is the word right after the subcommand. */
  has(sub: number, entry: string, certainty: Certainty): boolean {
    const sign = entry.charCodeAt(0);
    if (sign !== 45 && sign !== 43) return this.all[sub + 1] === entry;
    return this.view(sub).has(entry, certainty);
  }
}

const subcommandSets = new Map<CommandRule, ReadonlySet<string>>();

function subcommandsOf(rule: CommandRule & { subcommands: readonly string[] }): ReadonlySet<string> {
  let set = subcommandSets.get(rule);
  if (set === undefined) subcommandSets.set(rule, (set = new Set(rule.subcommands)));
  return set;
}

/**
 * Where a rule applies: the index of the subcommand it applies at (-1 for a rule without
 * subcommands), or null. A SAFE rule applies only when its conditions surely hold (the subcommand
 * certain, the options it asks for surely given); any other rule whenever they may.
 */
function matchAt(rule: CommandRule, args: Args): number | null {
  if (rule.subcommands === undefined) return holds(rule, args, -1) ? -1 : null;
  const subcommands = subcommandsOf(rule as CommandRule & { subcommands: readonly string[] });
  if (rule.verdict === 'safe') {
    const sub = args.sure;
    return sub >= 0 && subcommands.has(args.all[sub]!) && holds(rule, args, sub) ? sub : null;
  }
  for (const sub of args.possible) if (subcommands.has(args.all[sub]!) && holds(rule, args, sub)) return sub;
  return null;
}

function holds(rule: CommandRule, args: Args, sub: number): boolean {
  const certainty: Certainty = rule.verdict === 'safe' ? 'sure' : 'may';
  const opposite: Certainty = rule.verdict === 'safe' ? 'may' : 'sure';
  if (rule.withOption !== undefined && !rule.withOption.some((o) => args.has(sub, o, certainty))) return false;
  if (rule.withoutOption !== undefined && rule.withoutOption.some((o) => args.has(sub, o, opposite))) return false;
  if (rule.noPositionals === true && args.view(sub).positionals(opposite).length > 0) return false;
  if (
    rule.withArg !== undefined &&
    !args
      .view(sub)
      .positionals(certainty)
      .some((a) => rule.withArg!.test(a))
  )
    return false;
  return true;
}

/** A rule that applies, with the index of the subcommand it applies at. */
type Match = readonly [rule: CommandRule, sub: number];
const NO_MATCHES: readonly Match[] = [];

function matching(idx: RuleIndex, name: string, args: Args): readonly Match[] {
  let out: Match[] | undefined;
  for (const rule of candidates(idx, name)) {
    const at = matchAt(rule, args);
    if (at !== null) (out ??= []).push([rule, at]);
  }
  return out ?? NO_MATCHES;
}

/** The finding of a rule that applied; the fallback for a command no rule matched has no rule name. */
function ruleFinding(rule: Pick<CommandRule, 'verdict' | 'reason'> & { readonly name?: string }, name: string, args: Args, sub: number): Finding {
  if (rule.reason === 'git_remote_write' || rule.reason === 'git_history_rewrite' || rule.reason === 'git_state_change') {
    return { code: rule.reason, verdict: rule.verdict, name, detail: args.all[sub] ?? '', rule: rule.name };
  }
  return { code: rule.reason, verdict: rule.verdict, name, rule: rule.name };
}

/**
 * The rule tables' verdict for a command name and its (static) arguments. Returns null, after
 * recording the fallback reason, when no rule matched.
 */
export function byRules(name: string, argv: readonly string[], patterns: UserPatterns, findings: Finding[]): Verdict | null {
  const args = new Args(name, argv.slice(1));
  const blocked = matching(BLOCK_INDEX, name, args);
  const userBlock = patterns.block.length === 0 ? undefined : patterns.block.find((p) => matchTokens(p, argv));
  if (blocked.length > 0 || userBlock !== undefined) {
    for (const [rule, sub] of blocked) findings.push(ruleFinding(rule, name, args, sub));
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
    for (const [rule, sub] of confirmed) findings.push(ruleFinding(rule, name, args, sub));
    return 'confirm';
  }
  const safe = candidates(SAFE_INDEX, name).find((rule) => matchAt(rule, args) !== null);
  if (safe !== undefined) {
    findings.push({ code: 'read_only', verdict: 'safe', name, rule: safe.name });
    return 'safe';
  }
  const fallback: ReasonCode = FALLBACK_REASONS[name] ?? 'unknown_command';
  findings.push(
    fallback === 'git_state_change'
      ? ruleFinding({ verdict: 'confirm', reason: fallback }, name, args, args.possible[0] ?? -1)
      : { code: fallback, verdict: 'confirm', name },
  );
  return null;
}
