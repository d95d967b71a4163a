/**
 * An agent's rules: deny and ask rules, which catch a command when any part of it matches, and
 * "Allow Always" rules, which allow it only when every segment that is not SAFE on its own is
 * covered and never lift BLOCK; and the narrowest sensible rule to suggest for a command a person
 * just approved.
 */
import type { AllowRule } from '@aleph/protocol';
import { globToRegExp } from './glob.js';
import type { SegmentVerdict } from './classify.js';
import type { Segment } from './segment.js';
import { matchTokens } from './tokens.js';

export interface Classified {
  readonly segment: Segment;
  readonly result: SegmentVerdict;
}

const pathGlobs = new Map<string, RegExp>();

function pathGlob(pattern: string): RegExp {
  let re = pathGlobs.get(pattern);
  if (re === undefined) {
    re = globToRegExp(pattern, '/');
    if (pathGlobs.size > 10_000) pathGlobs.clear();
    pathGlobs.set(pattern, re);
  }
  return re;
}

/** A word as a shell would need it written to mean the same single argument. */
export function shellQuote(value: string): string {
  if (value !== '' && /^~?[A-Za-z0-9_@%+=:,./-]*$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The segment's command line with quoting normalised: the form exact rules are written in. */
export function canonical(segment: Segment): string | null {
  if (segment.name === null) return null;
  const parts: string[] = [];
  for (const w of segment.words) {
    if (w.value === null) return null;
    parts.push(shellQuote(w.value));
  }
  return parts.join(' ');
}

function argv(segment: Segment): (string | null)[] | null {
  if (segment.name === null) return null;
  return [segment.name, ...segment.words.slice(1).map((w) => w.value)];
}

/**
 * Whether a rule covers one simple command. `unknown` says what an argument whose value is not
 * static may match (see matchTokens): nothing for allow rules, anything for deny and ask rules.
 */
export function ruleCovers(
  rule: AllowRule,
  segment: Segment,
  resolveExecutable: ((name: string) => string | null) | undefined,
  unknown: 'match' | 'no-match',
): boolean {
  switch (rule.kind) {
    case 'exact':
      return canonical(segment) === rule.pattern;
    case 'prefix': {
      const a = argv(segment);
      return a !== null && matchTokens(rule.pattern, a, unknown);
    }
    case 'path': {
      if (segment.name === null) return false;
      const resolved = segment.path?.startsWith('/') === true ? segment.path : (resolveExecutable?.(segment.name) ?? null);
      return resolved !== null && pathGlob(rule.pattern).test(resolved);
    }
  }
}

/**
 * The first deny or ask rule that matches the command: the whole line exactly, or any one of its
 * simple commands (nested ones included: `bash -c 'git push'` meets a rule for `git push *`).
 */
export function matchingRule<R extends AllowRule>(
  rules: readonly R[],
  command: string,
  classified: readonly Classified[],
  resolveExecutable?: (name: string) => string | null,
): R | null {
  if (rules.length === 0) return null;
  const whole = command.trim();
  for (const rule of rules) {
    if (rule.kind === 'exact' && rule.pattern === whole) return rule;
    if (classified.some((c) => ruleCovers(rule, c.segment, resolveExecutable, 'match'))) return rule;
  }
  return null;
}

/**
 * The rules that allow the command, or null when it is not allowed. `lineClean` is false when the
 * line as a whole raised a concern (it does not parse, it hides characters, ...); then only an
 * exact rule for the whole line allows it.
 */
export function allowingRules(
  rules: readonly AllowRule[],
  command: string,
  classified: readonly Classified[],
  lineClean: boolean,
  resolveExecutable?: (name: string) => string | null,
): AllowRule[] | null {
  if (rules.length === 0) return null;
  if (classified.some((c) => c.result.verdict === 'block')) return null;
  const whole = command.trim();
  const exact = rules.find((r) => r.kind === 'exact' && r.pattern === whole);
  if (exact !== undefined) return [exact];
  if (!lineClean) return null;
  const used: AllowRule[] = [];
  let needed = 0;
  for (const { segment, result } of classified) {
    if (result.verdict === 'safe') continue;
    needed++;
    if (result.contextVerdict !== 'safe') return null;
    const rule = rules.find((r) => ruleCovers(r, segment, resolveExecutable, 'no-match'));
    if (rule === undefined) return null;
    if (!used.includes(rule)) used.push(rule);
  }
  return needed === 0 ? null : used;
}

/**
 * Task runners, where the next run differs only in trailing arguments: how many leading words the
 * suggested prefix rule keeps (`npm run test:unit *`, `make build *`, `pytest *`).
 */
const RUNNERS: Readonly<Record<string, (args: readonly string[]) => number>> = {
  npm: jsRunner,
  pnpm: jsRunner,
  yarn: jsRunner,
  bun: jsRunner,
  cargo: () => 1,
  go: () => 1,
  make: () => 1,
  just: () => 1,
  gradle: () => 1,
  gradlew: () => 1,
  mvn: () => 1,
  pytest: () => 0,
  jest: () => 0,
  vitest: () => 0,
  tox: () => 0,
  tsc: () => 0,
  eslint: () => 0,
  ruff: () => 0,
};

function jsRunner(args: readonly string[]): number {
  return args[0] === 'run' || args[0] === 'run-script' ? 2 : 1;
}

/**
 * The narrowest rule that makes sense to remember: a task-runner prefix for a lone task-runner
 * command, the exact command line otherwise. None for BLOCK.
 */
export function suggestRule(command: string, classified: readonly Classified[], lineClean: boolean): AllowRule | null {
  if (command.trim() === '' || classified.some((c) => c.result.verdict === 'block')) return null;
  const pending = classified.filter((c) => c.result.verdict !== 'safe');
  const only = pending.length === 1 ? pending[0]! : undefined;
  if (!lineClean || only === undefined || classified.length !== 1 || only.result.contextVerdict !== 'safe') {
    return { kind: 'exact', pattern: command.trim() };
  }
  const text = canonical(only.segment);
  if (text === null) return { kind: 'exact', pattern: command.trim() };
  const name = only.segment.name!;
  const runner = RUNNERS[name];
  const args = only.segment.words.slice(1).map((w) => w.value!);
  if (runner !== undefined) {
    const keep = runner(args);
    const head = args.slice(0, keep);
    if (head.length === keep && head.every((a) => !a.startsWith('-') && !/[*?\s]/.test(a))) {
      return { kind: 'prefix', pattern: [name, ...head, '*'].join(' ') };
    }
  }
  return { kind: 'exact', pattern: text };
}
