/**
 * The thread that checks the policy tables' rules against their examples (see checkTables in
 * evaluate.ts): it answers null when every example held, or the refusal naming each that failed.
 */
import { parentPort } from 'node:worker_threads';
import { appliedRules, CommandPolicy } from './evaluate.js';
import { checkRuleExamples, TABLE_RULES } from './rule-examples.js';

const policy = await CommandPolicy.loadUnchecked();
try {
  checkRuleExamples(TABLE_RULES, (command) => appliedRules(policy, command));
  parentPort!.postMessage(null);
} catch (error) {
  parentPort!.postMessage((error as Error).message);
}
