import { flag, parseArgs, type OptionSpec, type ParsedArgs } from './args.js';
import { EXIT, type Io } from './io.js';

export type Options = Readonly<Record<string, OptionSpec>>;

/** One run of a command: the subcommand named (`''` for a command without any), its arguments. */
export interface Invocation<S extends string = string> {
  readonly sub: S;
  readonly args: ParsedArgs;
  readonly io: Io;
}

/**
 * A command, declared once: its help, the subcommands and options it takes, and what it does.
 * Everything before `run` (help, a missing or unknown subcommand, unknown options) is handled the
 * same way for every command by `runCommand`.
 */
export interface CommandDefinition<S extends string = string> {
  /** Usage lines, then what the command does; printed by `aleph help NAME` and `aleph NAME --help`. */
  readonly help: string;
  /** The subcommands (`aleph audit search`), if it has any: the first argument names one. */
  readonly subcommands?: readonly S[];
  /** What to say of a subcommand that is not one; by default `Unknown NAME command "SUB".` */
  readonly unknown?: (sub: string) => string;
  /** The options it takes (with every subcommand). `--help` is always one of them. */
  readonly options?: Options;
  /** The options a subcommand takes besides those. */
  optionsFor?(sub: S): Options;
  /**
   * Options may follow operands (`aleph audit search rm --json`). Without, the first operand ends
   * them, so that a command to run or check needs no `--` (`aleph policy check ls -la`).
   */
  readonly optionsAnywhere?: boolean;
  /** Rewrites the arguments before they are parsed (audit's `-n 20` is `--n 20`). */
  readonly rewrite?: (argv: readonly string[]) => readonly string[];
  // optionsFor and run are methods, which TypeScript checks bivariantly: a definition typed for its
  // own subcommands then fits the table's CommandDefinition, and runCommand only ever passes one of
  // the subcommands it lists.
  run(invocation: Invocation<S>): Promise<number> | number;
}

/**
 * Checks a definition where it is written, its subcommands typed as the names it lists (`''`
 * without any), and hands it on for the command table.
 */
export function defineCommand<const S extends string = ''>(definition: CommandDefinition<S>): CommandDefinition {
  return definition;
}

/**
 * Runs `aleph NAME ...argv`. A command with subcommands given none prints its help and exits 2;
 * `help` or `--help` in its place prints it and exits 0, as `--help` anywhere among the options
 * does. Unknown subcommands and options are usage errors (exit 2), followed by the help.
 */
export async function runCommand(name: string, command: CommandDefinition, argv: readonly string[], io: Io): Promise<number> {
  let sub = '';
  let rest = argv;
  if (command.subcommands !== undefined) {
    const [first, ...others] = argv;
    if (first === undefined || first === 'help' || first === '--help') {
      io.out(command.help);
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!command.subcommands.includes(first)) return io.usage(`${command.unknown?.(first) ?? `Unknown ${name} command "${first}".`}\n\n${command.help}`);
    sub = first;
    rest = others;
  }
  const options = { ...command.options, ...command.optionsFor?.(sub), help: {} };
  const parsed = parseArgs(command.rewrite?.(rest) ?? rest, options, command.optionsAnywhere === true);
  if (!parsed.ok) return io.usage(`${parsed.error.message}\n\n${command.help}`);
  if (flag(parsed.value, 'help')) {
    io.out(command.help);
    return EXIT.ok;
  }
  return command.run({ sub, args: parsed.value, io });
}
