import { fail, ok, type Result } from '@aleph/protocol';

export interface OptionSpec {
  /** Takes a value (`--mode safe`, `--mode=safe`). */
  readonly value?: boolean;
  /** May be given several times (values collected). */
  readonly multiple?: boolean;
}

export interface ParsedArgs {
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** Operands; once the first operand appears, everything after it is an operand too. */
  readonly operands: readonly string[];
}

/**
 * By default options come first and the first operand ends them (POSIX style), so that
 * `aleph policy check ls -la` needs no `--`. With `anywhere`, options may also follow operands
 * (`aleph audit search rm --json`). `--` always ends the options.
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>, anywhere = false): Result<ParsedArgs> {
  const options = new Map<string, string[]>();
  const operands: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (!anywhere) break;
      operands.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const option = spec[name];
    if (option === undefined) return fail('usage', `Unknown option --${name}.`);
    let value = 'true';
    if (option.value === true) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i]!;
      else return fail('usage', `--${name} needs a value.`);
    } else if (eq >= 0) {
      return fail('usage', `--${name} takes no value.`);
    }
    const seen = options.get(name);
    if (seen !== undefined && option.multiple !== true) return fail('usage', `--${name} is given more than once.`);
    options.set(name, [...(seen ?? []), value]);
  }
  return ok({ options, operands: [...operands, ...argv.slice(i)] });
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.has(name);
}

export function value(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}
