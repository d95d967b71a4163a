/** The shape of a BLOCK, CONFIRM or SAFE rule (how its fields match: see rules.ts). */
import type { Verdict } from '@aleph/protocol';
import type { ReasonCode } from '../risk.js';

export interface CommandRule {
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
