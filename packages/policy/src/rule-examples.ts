/**
 * Rules that carry their own examples: commands a rule must apply to, and the nearest commands it
 * deliberately leaves alone. The built-in tables' examples are checked once, when the policy first
 * loads (CommandPolicy.load), and a failing example refuses the policy; the gateway checks the
 * user's Allow Always rules the same way when it loads its configuration.
 */
import type { RuleExamples } from '@aleph/protocol';
import { BLOCK_RULES, CONFIRM_RULES, SAFE_RULES, type CommandRule } from './rules.js';

/** Every rule of the BLOCK, CONFIRM and SAFE tables, in the order they are consulted. */
export const TABLE_RULES: readonly CommandRule[] = [...BLOCK_RULES, ...CONFIRM_RULES, ...SAFE_RULES];

/**
 * Why a rule's examples fail, or null when they all hold: a rule needs at least one `match`
 * example; `applies` says whether the rule applies to a command.
 */
export function exampleFailure(rule: string, examples: RuleExamples, applies: (command: string) => boolean): string | null {
  if (examples.match.length === 0) return `Rule ${rule} has no example that it must match.`;
  for (const example of examples.match) {
    if (!applies(example)) return `Rule ${rule} does not match its example ${JSON.stringify(example)}.`;
  }
  for (const example of examples.not_match ?? []) {
    if (applies(example)) return `Rule ${rule} matches ${JSON.stringify(example)}, which it must not match.`;
  }
  return null;
}

/**
 * Checks the tables' rules against their examples; `appliedRules` gives the names of the rules the
 * policy reports for a command. Throws an error that names each rule and example that fails, a
 * name two rules share, and a rule without a justification.
 */
export function checkRuleExamples(rules: readonly CommandRule[], appliedRules: (command: string) => readonly string[]): void {
  const names = new Set<string>();
  const failures: string[] = [];
  for (const rule of rules) {
    if (names.has(rule.name)) failures.push(`Two policy rules are named ${rule.name}.`);
    names.add(rule.name);
    if (rule.justification.trim() === '') failures.push(`Rule ${rule.name} has no justification.`);
    const failure = exampleFailure(rule.name, rule.examples, (command) => appliedRules(command).includes(rule.name));
    if (failure !== null) failures.push(failure);
  }
  if (failures.length > 0) throw new Error(`The command policy refuses to load:\n${failures.join('\n')}`);
}
