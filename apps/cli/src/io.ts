import type { Failure } from '@aleph/protocol';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** The command ran but reported a problem (bad input lines, a broken chain, ...). */
  failure: 1,
  /** Wrong usage or a configuration that cannot be read. */
  usage: 2,
} as const;

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** Prints a usage error and returns its exit code. */
  usage(message: string): number;
  /** Prints a failure (as JSON with `json`) and returns the usage exit code. */
  fail(error: Failure, json: boolean): number;
}

export function processIo(): Io {
  // A reader that stops early (`| head`) is not an error: the rest of the output is simply not wanted.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT.ok);
  });
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    usage(message) {
      this.err(message);
      return EXIT.usage;
    },
    fail(error, json) {
      // Only the code and sentence: an Error's own fields (name, stack) are not for the output, and its message is not enumerable.
      if (json) this.out(JSON.stringify({ error: { code: error.code, message: error.message } }));
      else this.err(`aleph: ${error.message}`);
      return EXIT.usage;
    },
  };
}
