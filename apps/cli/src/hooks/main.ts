/**
 * The hook's own entry: `bin/aleph.js` comes here for `aleph hook` without loading the command
 * table, and the build bundles it into one file (dist/hook-bundle.js) that Node reads at once.
 */
import { processIo } from '../io.js';
import { runHook } from './run.js';

export async function run(argv: readonly string[]): Promise<void> {
  process.exitCode = await runHook(argv, processIo());
}
