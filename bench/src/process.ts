import { spawn } from 'node:child_process';

/**
 * A process to its end, its output captured as a gateway captures a run's (the runner does the
 * same); a non-zero exit is a broken benchmark, not a figure. `input` goes to its standard input.
 */
export function spawned(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { shell?: boolean; input?: string | Buffer } = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], shell: options.shell ?? false });
    child.stdin?.end(options.input);
    child.stdout?.resume();
    child.stderr?.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
}
