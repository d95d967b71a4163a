import type { RuleExamples } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';
import { checkRuleExamples, exampleFailure, TABLE_RULES } from './rule-examples.js';
import type { CommandRule } from './rules.js';

/** The names of the table rules the policy reports for a command. */
function appliedRules(policy: CommandPolicy, command: string): readonly string[] {
  return policy.evaluate(command).segments.flatMap((s) => s.rules ?? []);
}

// This test comes first: the examples are checked once per process, at the first load that succeeds.
describe('a rule whose example fails', () => {
  it('refuses the policy, naming the rule and the example, and the policy loads once the example holds', async () => {
    const rule = TABLE_RULES.find((r) => r.name === 'block-delete')!;
    const examples = rule.examples;
    // The tables are read-only by type; the test breaks one example in place to see the refusal.
    (rule as { examples: RuleExamples }).examples = { match: ['rm notes.txt', 'ls -la'] };
    try {
      await expect(CommandPolicy.load()).rejects.toThrow('Rule block-delete does not match its example "ls -la".');
    } finally {
      (rule as { examples: RuleExamples }).examples = examples;
    }
    const policy = await CommandPolicy.load();
    expect(appliedRules(policy, 'rm notes.txt')).toEqual(['block-delete']);
  });

  it('that must not match, but does, refuses the tables too', () => {
    const rule: CommandRule = {
      ...TABLE_RULES.find((r) => r.name === 'confirm-sed-i')!,
      examples: { match: ['sed -i s/a/b/ x'], not_match: ['sed --in-place s/a/b/ x'] },
    };
    expect(() => checkRuleExamples([rule], () => ['confirm-sed-i'])).toThrow('Rule confirm-sed-i matches "sed --in-place s/a/b/ x", which it must not match.');
  });
});

describe('rule examples', () => {
  it('refuse a rule without an example it must match, a rule without a justification, and a name used twice', () => {
    const rule = TABLE_RULES[0]!;
    expect(() => checkRuleExamples([{ ...rule, examples: { match: [] } }], () => [rule.name])).toThrow(`Rule ${rule.name} has no example that it must match.`);
    expect(() => checkRuleExamples([{ ...rule, justification: ' ' }], () => [rule.name])).toThrow(`Rule ${rule.name} has no justification.`);
    expect(() => checkRuleExamples([rule, rule], () => [rule.name])).toThrow(`Two policy rules are named ${rule.name}.`);
  });

  it('give every table rule a unique name, a justification and at least one example it must match', () => {
    const names = TABLE_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of TABLE_RULES) {
      expect(rule.justification.trim(), rule.name).not.toBe('');
      expect(rule.examples.match.length, rule.name).toBeGreaterThan(0);
    }
  });

  it('hold for every table rule: each match example reports the rule, each not_match example does not', async () => {
    const policy = await CommandPolicy.load();
    const failures: string[] = [];
    for (const rule of TABLE_RULES) {
      const failure = exampleFailure(rule.name, rule.examples, (command) => appliedRules(policy, command).includes(rule.name));
      if (failure !== null) failures.push(failure);
    }
    expect(failures).toEqual([]);
  });

  it('are judged by what the evaluation reports: the rules that applied, through wrappers and in every segment', async () => {
    const policy = await CommandPolicy.load();
    expect(appliedRules(policy, 'git status && sudo rm -rf build')).toEqual(['safe-git-read', 'block-delete', 'block-run-as-other-user']);
    expect(appliedRules(policy, 'some-unknown-tool --flag')).toEqual([]);
  });
});
