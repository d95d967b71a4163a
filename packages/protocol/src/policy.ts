import { fail, ok, type Result } from './result.js';
import { parseConfinement, type Confinement } from './capabilities.js';

/** How a command is classified. Ordered from least to most strict. */
export const VERDICTS = ['safe', 'confirm', 'block'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The security mode an agent runs under. */
export const SECURITY_MODES = ['safe', 'dev', 'unrestricted'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];

/** What the gateway does with a command. */
export const ACTIONS = ['run', 'prompt', 'auto_approve', 'reject'] as const;
export type Action = (typeof ACTIONS)[number];

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** One reason a command is risky: a stable code (for machines and filters) and a sentence (for people). */
export interface RiskReason {
  readonly code: string;
  readonly message: string;
}

export interface Risk {
  readonly level: RiskLevel;
  /** 0 (harmless) to 100 (catastrophic). */
  readonly score: number;
  readonly reasons: readonly RiskReason[];
}

/**
 * An "Allow Always" rule.
 * - `exact`: the command text, whitespace-normalised, matches exactly.
 * - `prefix`: space-separated argument globs (`npm run test:*`); `*` inside a token matches any
 *   characters of that token, a final lone `*` token matches any further arguments.
 * - `path`: a glob over the resolved executable path; `*` never crosses `/`, `**` does.
 */
export const ALLOW_RULE_KINDS = ['exact', 'prefix', 'path'] as const;

/**
 * What an agent's rule does with a command it matches; rules are evaluated in this order. `deny`
 * refuses it (and may carry a message back to the agent), `ask` sends it to a person even when it
 * would run, `allow` runs it when it needs approval (never when it is BLOCK).
 */
export const RULE_ACTIONS = ['deny', 'ask', 'allow'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];
export type AllowRuleKind = (typeof ALLOW_RULE_KINDS)[number];

export interface AllowRule {
  readonly kind: AllowRuleKind;
  readonly pattern: string;
  /** An allow rule's: how a command it allows runs. Absent: confined, no network (`CONFINED`). */
  readonly confinement?: Confinement;
}

/**
 * Commands a rule must match, and the nearest commands it deliberately leaves alone: checked when
 * the rule is loaded, and a rule whose example fails is refused.
 */
export interface RuleExamples {
  readonly match: readonly string[];
  readonly not_match?: readonly string[];
}

/** One simple command found inside a command line, as the policy saw it. */
export interface SegmentReport {
  /** The source text of the segment. */
  readonly text: string;
  /** The normalised command name, or null when it is not static (a variable, a substitution). */
  readonly name: string | null;
  /** Arguments after quote removal; null where an argument is not static. */
  readonly argv: readonly (string | null)[];
  readonly verdict: Verdict;
  /** Codes of the reasons this segment contributed. */
  readonly reasons: readonly string[];
  /** Wrappers and shells the segment was reached through, outermost first (`sudo`, `bash -c`). */
  readonly via: readonly string[];
  /** Names of the policy's built-in rules that applied to the segment (`block-rm`, `safe-git-status`). */
  readonly rules?: readonly string[];
}

/** The result of `aleph policy check --json`: a contract other tools rely on. */
export interface PolicyCheckResult {
  readonly command: string;
  readonly mode: SecurityMode;
  readonly verdict: Verdict;
  readonly action: Action;
  readonly risk: Risk;
  readonly segments: readonly SegmentReport[];
  readonly suggested_rule: AllowRule | null;
}

export function parseSecurityMode(value: unknown): Result<SecurityMode> {
  return typeof value === 'string' && (SECURITY_MODES as readonly string[]).includes(value)
    ? ok(value as SecurityMode)
    : fail('invalid_mode', `Unknown security mode ${JSON.stringify(value)}; expected one of ${SECURITY_MODES.join(', ')}.`);
}

export function parseAllowRule(value: unknown): Result<AllowRule> {
  if (typeof value !== 'object' || value === null) return fail('invalid_rule', 'A rule must be an object with "kind" and "pattern".');
  const { kind, pattern } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !(ALLOW_RULE_KINDS as readonly string[]).includes(kind)) {
    return fail('invalid_rule', `Unknown rule kind ${JSON.stringify(kind)}; expected one of ${ALLOW_RULE_KINDS.join(', ')}.`);
  }
  if (typeof pattern !== 'string' || pattern.trim() === '') return fail('invalid_rule', 'A rule needs a non-empty "pattern".');
  if (kind === 'path' && !pattern.startsWith('/')) return fail('invalid_rule', `A path rule must be an absolute path glob, got ${JSON.stringify(pattern)}.`);
  const given = (value as Record<string, unknown>).confinement;
  if (given === undefined) return ok({ kind: kind as AllowRuleKind, pattern: pattern.trim() });
  const confinement = parseConfinement(given);
  if (!confinement.ok) return fail('invalid_rule', `A rule's ${confinement.error.message}`);
  return ok({ kind: kind as AllowRuleKind, pattern: pattern.trim(), confinement: confinement.value });
}

/** Why one of an agent's rules exists, and the commands it must and must not decide: both optional. */
export interface RuleRationale {
  readonly justification?: string;
  readonly examples?: RuleExamples;
}

/** The most examples of either kind one rule may carry, and the longest example. */
export const MAX_RULE_EXAMPLES = 20;
const MAX_EXAMPLE_LENGTH = 1024;

function exampleList(value: unknown, key: string, atLeastOne: boolean): Result<string[]> {
  const valid =
    Array.isArray(value) &&
    value.length <= MAX_RULE_EXAMPLES &&
    (!atLeastOne || value.length > 0) &&
    value.every((x) => typeof x === 'string' && x.trim() !== '' && x.length <= MAX_EXAMPLE_LENGTH);
  if (!valid) {
    const least = atLeastOne ? '1 to' : 'at most';
    return fail('invalid_rule', `"examples.${key}" must list ${least} ${MAX_RULE_EXAMPLES} commands of at most ${MAX_EXAMPLE_LENGTH} characters.`);
  }
  return ok((value as string[]).map((x) => x.trim()));
}

/** The rationale fields a rule has, and none it lacks (so that saved JSON holds no empty field). */
export function rationaleOf(rule: RuleRationale): RuleRationale {
  return {
    ...(rule.justification === undefined ? {} : { justification: rule.justification }),
    ...(rule.examples === undefined ? {} : { examples: rule.examples }),
  };
}

/** Reads a rule's optional `justification` and `examples` (`{"match": [...], "not_match": [...]}`). */
export function parseRuleRationale(value: Readonly<Record<string, unknown>>): Result<RuleRationale> {
  const out: { justification?: string; examples?: RuleExamples } = {};
  if (value.justification !== undefined) {
    const j = value.justification;
    if (typeof j !== 'string' || j.trim() === '' || j.length > 512)
      return fail('invalid_rule', '"justification" must be a non-empty string of at most 512 characters.');
    out.justification = j.trim();
  }
  if (value.examples !== undefined) {
    const e = value.examples;
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      return fail('invalid_rule', '"examples" must be an object: {"match": [...], "not_match": [...]}.');
    const { match, not_match } = e as Readonly<Record<string, unknown>>;
    const must = exampleList(match, 'match', true);
    if (!must.ok) return must;
    const mustNot = not_match === undefined ? ok([]) : exampleList(not_match, 'not_match', false);
    if (!mustNot.ok) return mustNot;
    out.examples = mustNot.value.length === 0 ? { match: must.value } : { match: must.value, not_match: mustNot.value };
  }
  return ok(out);
}

/** A rule written as `KIND:PATTERN` (`prefix:npm run test:*`), as the CLI takes it. */
export function parseRuleText(text: string): Result<AllowRule> {
  const colon = text.indexOf(':');
  if (colon < 0) return fail('invalid_rule', `Write a rule as KIND:PATTERN with KIND one of ${ALLOW_RULE_KINDS.join(', ')}, e.g. 'prefix:npm run test:*'.`);
  return parseAllowRule({ kind: text.slice(0, colon), pattern: text.slice(colon + 1) });
}
