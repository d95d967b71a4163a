import { readFileSync } from 'node:fs';
import { runCommand } from './command.js';
import { findCommand, HELP } from './commands.js';
import { EXIT, processIo, type Io } from './io.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs one command, found in the command table; each command's module is loaded when it is run. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case '--help':
    case '-h':
      io.out(HELP);
      return EXIT.ok;
    case 'help':
      return help(rest[0], io);
    case '--version':
    case '-V':
      io.out(version());
      return EXIT.ok;
  }
  // The hook answers every mistake, its usage included, in the agent's format: it parses its own.
  if (name === 'hook') return (await import('./hooks/run.js')).runHook(rest, io);
  const entry = findCommand(name);
  if (entry === undefined) return io.usage(`Unknown command "${name}".\n\n${HELP}`);
  return runCommand(entry.name, (await entry.load()).command, rest, io);
}

/** `aleph help`: the list of commands; `aleph help <command>`: that command's help. */
async function help(name: string | undefined, io: Io): Promise<number> {
  if (name === undefined) {
    io.out(HELP);
    return EXIT.ok;
  }
  const entry = findCommand(name);
  if (entry === undefined) return io.usage(`Unknown command "${name}".\n\n${HELP}`);
  io.out((await entry.load()).command.help);
  return EXIT.ok;
}

export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
