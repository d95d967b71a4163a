/**
 * `aleph run`'s own entry: an agent runs it for every command it is allowed, so `bin/aleph.js`
 * comes here without loading the command table, and the build bundles it into one file
 * (dist/run-bundle.cjs) that Node reads at once, as it does the hook.
 */
import { runCommand } from './command.js';
import { processIo } from './io.js';
import { command } from './run-command.js';

export async function run(argv: readonly string[]): Promise<void> {
  process.exitCode = await runCommand('run', command, argv, processIo());
}
