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

/**
 * The same questions as `hasOption`, for many option specs against one argument list: the list is
 * read once, each question is then a lookup.
 */
export class OptionView {
  private readonly words: readonly string[];
  /** Letters of short-option clusters (`-ni` gives `n`, `i`), with the sign they came with. */
  private shortLetters = '';
  private plusLetters = '';
  /** Whether any argument looks like an option at all; most questions end here when none does. */
  private readonly options: boolean;

  constructor(args: readonly string[]) {
    const end = args.indexOf('--');
    this.words = end < 0 ? args : args.slice(0, end);
    let options = false;
    for (const arg of this.words) {
      const sign = arg.charCodeAt(0);
      if (sign === 45 || sign === 43) options = true;
      if ((sign !== 45 && sign !== 43) || arg.length < 3 || arg.charCodeAt(1) === 45 || !isAlphanumeric(arg, 1)) continue;
      if (sign === 45) this.shortLetters += arg.slice(1);
      else this.plusLetters += arg.slice(1);
    }
    this.options = options;
  }

  has(spec: string, lenient: boolean): boolean {
    const words = this.words;
    const first = spec.charCodeAt(0);
    if (first !== 45 && first !== 43) return words.includes(spec);
    if (!this.options) return false;
    if (words.includes(spec)) return true;
    if (spec.startsWith('--')) {
      const name = spec.slice(2);
      for (const w of words) {
        if (!w.startsWith('--')) continue;
        const eq = w.indexOf('=');
        const given = eq < 0 ? w.slice(2) : w.slice(2, eq);
        if (given === name || (lenient && given.length > 0 && name.startsWith(given))) return true;
      }
      return false;
    }
    const attached = spec.endsWith('*');
    const flag = attached ? spec.slice(0, -1) : spec;
    if (words.includes(flag)) return true;
    if (attached && words.some((w) => w.startsWith(flag))) return true;
    if (flag.length !== 2) return false;
    return (flag[0] === '-' ? this.shortLetters : this.plusLetters).includes(flag[1]!);
  }
}

function isAlphanumeric(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
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

/** The index of the first positional argument (after `--` if it comes first), or -1. */
export function firstPositional(args: readonly string[], optionsWithValue: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (arg.length > 1 && arg.startsWith('-')) {
      if (takesValue(arg, optionsWithValue)) i++;
      continue;
    }
    return i;
  }
  return -1;
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
