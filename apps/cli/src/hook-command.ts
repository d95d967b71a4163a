import { defineCommand } from './command.js';
import { HOOK_HELP } from './hooks/help.js';
import { runHook } from './hooks/run.js';

export { HOOK_HELP };

/**
 * Declared for the command table and its help; main.ts runs the hook through runHook itself, with
 * the arguments as given, since a hook must answer a usage error with a deny, not with help.
 */
export const command = defineCommand({
  help: HOOK_HELP,
  optionsAnywhere: true,
  options: { 'timeout-ms': { value: true }, 'when-unreachable': { value: true } },
  run: ({ args, io }) => runHook(args.operands, io),
});
