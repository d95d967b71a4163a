import { readFileSync } from 'node:fs';
import { runCommand } from './command.js';
import { findCommand, HELP, suggestCommand } from './commands.js';
import { EXIT, processIo, type Io } from './io.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const VERSION_SPELLINGS: ReadonlySet<string> = new Set(['version', '--version', '-v', '-V']);

/** Runs one command, found in the command table; each command's module is loaded when it is run. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(HELP);
    return EXIT.ok;
  }
  if (name === 'help') return help(rest[0], io);
  if (VERSION_SPELLINGS.has(name)) {
    io.out(rest.includes('--json') ? JSON.stringify({ version: version() }) : version());
    return EXIT.ok;
  }
  // The hook answers every mistake, its usage included, in the agent's format: it parses its own.
  if (name === 'hook') return (await import('./hooks/run.js')).runHook(rest, io);
  const entry = findCommand(name);
  if (entry === undefined) return unknownCommand(name, rest.includes('--json'), io);
  return runCommand(entry.name, (await entry.load()).command, rest, io);
}

/** `aleph help`: the list of commands; `aleph help <command>`: that command's help. */
async function help(name: string | undefined, io: Io): Promise<number> {
  if (name === undefined) {
    io.out(HELP);
    return EXIT.ok;
  }
  const entry = findCommand(name);
  if (entry === undefined) return unknownCommand(name, false, io);
  io.out((await entry.load()).command.help);
  return EXIT.ok;
}

/** A name that is no command: the nearest command's name when it is a likely slip, and where the list is. */
function unknownCommand(name: string, json: boolean, io: Io): number {
  const near = suggestCommand(name);
  const message = `Unknown command "${name}".${near === null ? '' : ` Did you mean "${near}"?`} Run "aleph help" to see every command.`;
  return json ? io.fail({ code: 'unknown_command', message }, true) : io.usage(message);
}

export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
