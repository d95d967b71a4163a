/** The shape of a BLOCK, CONFIRM or SAFE rule (how its fields match: see rules.ts). */
import type { RuleExamples, Verdict } from '@aleph/protocol';
import type { ReasonCode } from '../risk.js';

export interface CommandRule {
  /** Unique across the tables and stable: findings and reports name the rule by it. */
  readonly name: string;
  /** What the rule is for, in one line. */
  readonly justification: string;
  /** Commands the rule applies to, and near ones it leaves alone (checked when the policy loads). */
  readonly examples: RuleExamples;
  readonly verdict: Verdict;
  readonly reason: ReasonCode;
  readonly commands: readonly string[];
  readonly subcommands?: readonly string[];
  readonly withOption?: readonly string[];
  readonly withoutOption?: readonly string[];
  readonly noPositionals?: boolean;
  /** Applies only if some positional argument matches. */
  readonly withArg?: RegExp;
}
