/**
 * Reading command-line options the way getopt does, so that rules see through clusters (`-ni`),
 * attached values (`-i.bak`, `--in-place=.bak`) and GNU abbreviations (`--in-pl`).
 */

/** Whether `args` contain the option or positional word `spec` (see the matching notes in rules.ts). */
export function hasOption(args: readonly string[], spec: string, lenient: boolean): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (matchesOption(arg, spec, lenient)) return true;
  }
  return false;
}

function matchesOption(arg: string, spec: string, lenient: boolean): boolean {
  if (!spec.startsWith('-') && !spec.startsWith('+')) return arg === spec;
  if (spec.startsWith('--')) {
    if (arg === spec || arg.startsWith(spec + '=')) return true;
    if (!lenient || !arg.startsWith('--') || arg.length < 3) return false;
    const name = arg.slice(2).split('=', 1)[0]!;
    return spec.slice(2).startsWith(name);
  }
  const attached = spec.endsWith('*');
  const flag = attached ? spec.slice(0, -1) : spec;
  if (arg === flag) return true;
  if (flag.length !== 2) return attached && arg.startsWith(flag);
  if (attached && arg.startsWith(flag)) return true;
  // A cluster of short flags: `-ni` holds `-i`.
  return arg.length > 2 && arg[0] === flag[0] && arg[1] !== '-' && /^[-+][A-Za-z0-9]+$/.test(arg) && arg.includes(flag[1]!);
}

/**
 * The positional arguments, skipping options and the values of options that take one.
 * After `--` everything is positional.
 */
export function positionals(args: readonly string[], optionsWithValue: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (arg.length > 1 && arg.startsWith('-')) {
      if (takesValue(arg, optionsWithValue)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Whether an option argument consumes the next argument as its value. */
export function takesValue(arg: string, optionsWithValue: readonly string[]): boolean {
  if (arg.includes('=')) return false;
  if (optionsWithValue.includes(arg)) return true;
  // A short cluster ending in an option that takes a value (`-xo file`).
  if (!arg.startsWith('--') && arg.length > 2) {
    const last = '-' + arg[arg.length - 1];
    return optionsWithValue.includes(last) && /^-[A-Za-z]+$/.test(arg);
  }
  return false;
}

/**
 * Splits the arguments of a wrapper into its own options and the command it runs: the index of
 * the first argument that is the command, after options (and their values) and `skip` positionals.
 */
export function commandStart(args: readonly string[], optionsWithValue: readonly string[], skip = 0, assignments = false): number {
  let skipped = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return Math.min(args.length, i + 1 + (skip - skipped));
    // GNU tools accept options between their own positionals (`flock FILE -c CMD`).
    if (arg.length > 1 && arg.startsWith('-')) {
      if (takesValue(arg, optionsWithValue)) i++;
      continue;
    }
    if (assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    return i;
  }
  return args.length;
}
