/**
 * An agent's rule may carry examples: commands it must decide, and near ones it must leave alone.
 * They are checked with the command policy whenever the configuration is taken up or a rule is
 * added; a rule whose example fails makes the configuration unusable (config_invalid), naming it.
 */
import type { AllowRule, Failure, RuleAction, RuleRationale } from '@aleph/protocol';
import { exampleFailure, type CommandPolicy } from '@aleph/policy';
import type { GatewayConfig } from '../config/config.js';
import { describeRule } from './agent-rules.js';

type ExampleRule = AllowRule & RuleRationale & { readonly action: RuleAction };

/**
 * Why the rule's examples fail, or null. An example matches when the policy, given this rule alone,
 * reports it as the rule that decided: an allow rule among those that let the command run, an ask
 * or deny rule as the one that asked or denied.
 */
export function ruleExampleFailure(policy: CommandPolicy, rule: ExampleRule): string | null {
  if (rule.examples === undefined) return null;
  const only = [rule];
  const decides = (command: string): boolean => {
    const e = policy.evaluate(command, rule.action === 'deny' ? { denylist: only } : rule.action === 'ask' ? { asklist: only } : { allowlist: only });
    return e.denied_by === rule || e.asked_by === rule || e.allowed_by.includes(rule);
  };
  return exampleFailure(`${rule.action} ${describeRule(rule)}`, rule.examples, decides);
}

/** The first of the configuration's rules whose examples fail, as a config_invalid naming the agent and the rule. */
export function configExampleFailure(policy: CommandPolicy, config: GatewayConfig): Failure | null {
  for (const [agent, settings] of Object.entries(config.agents)) {
    for (const rule of settings.rules) {
      const failure = ruleExampleFailure(policy, rule);
      if (failure !== null) return { code: 'config_invalid', message: `"agents.${agent}" rule ${rule.id}: ${failure}` };
    }
  }
  return null;
}
