import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandDefinition } from './command.js';
import { COMMANDS } from './commands.js';

/**
 * The README's "Command line" table is what a new user reads instead of `aleph help`: every
 * command, subcommand and option the CLI takes is in it, and everything its usage column names
 * exists. Read from the command table itself, so a command or option added anywhere fails this
 * test until the README says it.
 */
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 1));
/** The table's rows: the usage column (code spans) and the whole row. */
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| `aleph'))
  .map((line) => ({ usage: line.split(/ \| (?!\\)/)[0]!, row: line }));

/** How the README spells an option: `--name`, or `-n` for one letter. */
const spelled = (option: string): string => (option.length === 1 ? `-${option}` : `--${option}`);

/** Options every command takes, which the help says once for all. */
const EVERYWHERE = new Set(['help']);

/** What main.ts answers itself, before any command: the list of commands, and the version. */
const BUILTINS: Readonly<Record<string, readonly string[]>> = { help: ['--help', '-h'], version: ['--version', '-v', '-V', '--json'] };

interface Declared {
  readonly name: string;
  readonly subcommands: readonly string[];
  readonly options: readonly string[];
}

async function declared(): Promise<Declared[]> {
  return Promise.all(
    COMMANDS.map(async (entry) => {
      const command: CommandDefinition = (await entry.load()).command;
      const subs = command.subcommands ?? [''];
      const options = new Set([...Object.keys(command.options ?? {}), ...subs.flatMap((s) => Object.keys(command.optionsFor?.(s) ?? {}))]);
      return { name: entry.name, subcommands: command.subcommands ?? [], options: [...options].filter((o) => !EVERYWHERE.has(o)) };
    }),
  );
}

/** The rows about `aleph NAME` (a row may list several commands: `aleph install ...`, `aleph uninstall ...`). */
const rowsOf = (name: string) => rows.filter((r) => new RegExp(`\`aleph ${name}\\b`).test(r.usage));

describe("README's command line", () => {
  it('lists every command, subcommand and option the CLI takes', async () => {
    const missing: string[] = [];
    for (const c of await declared()) {
      const own = rowsOf(c.name);
      if (own.length === 0) {
        missing.push(`aleph ${c.name}`);
        continue;
      }
      const usage = own.map((r) => r.usage).join(' ');
      // A row that takes another command's options by reference (`[profile options]`) lists them there.
      const referred = /\[(?:profile|same) options\]/.test(usage)
        ? rowsOf('sandbox')
            .map((r) => r.usage)
            .join(' ')
        : '';
      // A subcommand may be named in the description (one that only says it is not supported yet).
      const whole = own.map((r) => r.row).join(' ');
      for (const sub of c.subcommands) if (!new RegExp(`[\`\\s|]${sub}\\b`).test(whole)) missing.push(`aleph ${c.name} ${sub}`);
      for (const option of c.options)
        if (!usage.includes(spelled(option)) && !referred.includes(spelled(option))) missing.push(`aleph ${c.name} ${spelled(option)}`);
    }
    for (const builtin of Object.keys(BUILTINS)) if (rowsOf(builtin).length === 0) missing.push(`aleph ${builtin}`);
    expect(missing).toEqual([]);
  });

  it('names in its usage column only commands and options that exist', async () => {
    const commands = await declared();
    const unknown: string[] = [];
    for (const r of rows) {
      // `aleph COMMAND --help` names no command: a placeholder is in capitals.
      const named = [...r.usage.matchAll(/`aleph ([a-z][\w-]*)/g)].map((m) => m[1]!);
      for (const name of named) if (!commands.some((d) => d.name === name) && !Object.hasOwn(BUILTINS, name)) unknown.push(`aleph ${name}`);
      const taken = new Set([
        ...commands.filter((c) => named.includes(c.name)).flatMap((c) => [...c.options, ...EVERYWHERE].map(spelled)),
        ...named.flatMap((n) => BUILTINS[n] ?? []),
      ]);
      for (const option of r.usage.match(/(?<![\w-])--?[a-z][\w-]*/g) ?? []) if (!taken.has(option)) unknown.push(`${named.join('/')}: ${option}`);
    }
    expect(unknown).toEqual([]);
  });
});
