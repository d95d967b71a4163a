/**
 * The hook's own entry: `bin/aleph.js` comes here for `aleph hook` without loading the command
 * table, and the build bundles it into one file (dist/hook-bundle.js) that Node reads at once.
 */
import { processIo } from '../io.js';
import { runHook } from './run.js';

export async function run(argv: readonly string[]): Promise<void> {
  const code = await runHook(argv, processIo());
  // The answer is out: exit once it is written, rather than wait for the gateway's socket and
  // standard input to wind down, which the agent would wait for too.
  process.stdout.write('', () => process.exit(code));
}
