/**
 * Reading command-line options the way getopt does, so that rules see through clusters (`-ni`),
 * attached values (`-i.bak`, `-p/etc/x.conf`, `--in-place=.bak`) and GNU abbreviations (`--in-pl`).
 *
 * Questions come in two strengths. Whether an option *may* be given over-approximates: a letter of
 * any cluster counts, even one that may belong to the value of an earlier letter; rules that make a
 * command stricter ask this. Whether an option is *surely* given under-approximates: the word must
 * be the option itself, not the value of an option before it; rules that make a command SAFE ask
 * this.
 */

/**
 * How a tool reads its options, where it is not getopt's way. `expression`: whole words found
 * anywhere, `--` ends nothing the rules ask about (`find -- . -delete`). `words`: whole words with
 * one or two dashes and the value attached after `=` or in the next word (Go's `-toolexec=x`,
 * `--toolexec x`; `ip -br` is `-brief`, never `-b -r`).
 */
export type OptionStyle = 'getopt' | 'expression' | 'words';

/** What is known about a tool's options: those that take a value, and those that surely take none. */
export interface OptionSpec {
  readonly withValue: readonly string[];
  readonly flags: readonly string[];
}

const NO_SPEC: OptionSpec = { withValue: [], flags: [] };

export type Certainty = 'may' | 'sure';

/** Whether `args` may contain the option `spec` (see the matching notes in rules.ts). */
export function hasOption(args: readonly string[], spec: string, lenient: boolean): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (mayBe(arg, spec, lenient, 'getopt')) return true;
  }
  return false;
}

function isOptionWord(arg: string): boolean {
  const sign = arg.charCodeAt(0);
  return (sign === 45 || sign === 43) && arg.length > 1 && arg !== '--';
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The letters of a short-option word that can be options: those before the first character that cannot. */
function clusterLetters(arg: string): string {
  let end = 1;
  while (end < arg.length && isAlphanumeric(arg.charCodeAt(end))) end++;
  return arg.slice(1, end);
}

/** Whether the word `arg` may be (or hold) the option `spec`. */
function mayBe(arg: string, spec: string, lenient: boolean, style: OptionStyle): boolean {
  if (arg === spec) return true;
  if (style === 'expression') return false;
  if (style === 'words') return wordOption(arg) === spec;
  if (spec.startsWith('--')) {
    if (!arg.startsWith('--')) return false;
    const eq = arg.indexOf('=');
    const given = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    return given === spec.slice(2) || (lenient && given.length > 0 && spec.slice(2).startsWith(given));
  }
  // Single-dash long options (`-delete`) are whole words.
  if (spec.length !== 2 || arg.length < 2 || arg[0] !== spec[0] || arg[1] === '-') return false;
  return clusterLetters(arg).includes(spec[1]!);
}

/** The option a word of the `words` style names: `--name=value` is `-name`. */
function wordOption(arg: string): string {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  return name.startsWith('--') ? name.slice(1) : name;
}

/** Whether the word `arg` is surely the option `spec`, given the option words known to take no value. */
function surelyIs(arg: string, spec: string, known: OptionSpec): boolean {
  if (arg === spec) return true;
  if (spec.startsWith('--')) return arg.startsWith(spec + '=');
  if (spec.length !== 2 || arg.length < 3 || arg[0] !== spec[0] || arg[1] === '-') return false;
  // In a cluster, a letter is an option when every letter before it surely takes no value.
  const letters = clusterLetters(arg);
  if (letters.length !== arg.length - 1) return false;
  for (let i = 0; i < letters.length; i++) {
    if (letters[i] === spec[1]) return true;
    if (!known.flags.includes(arg[0]! + letters[i]!)) return false;
  }
  return false;
}

/** Whether the option word `arg` may take the next word as its value. */
function mayTakeValue(arg: string, known: OptionSpec): boolean {
  if (!isOptionWord(arg) || arg.includes('=') || known.flags.includes(arg)) return false;
  if (arg.startsWith('--') || arg.length === 2) return true;
  const letters = clusterLetters(arg);
  return letters.length !== arg.length - 1 || [...letters].some((l) => !known.flags.includes(arg[0]! + l));
}

/**
 * The option questions of rules, for one argument list: `may` and `sure` presence of options, and
 * the positional arguments, read the way the tool reads them.
 */
export class OptionView {
  /** The words that can be options: those before `--`, unless the tool reads on past it. */
  private readonly words: readonly string[];
  private readonly anyOption: boolean;

  constructor(
    private readonly args: readonly string[],
    private readonly style: OptionStyle = 'getopt',
    private readonly known: OptionSpec = NO_SPEC,
  ) {
    const end = style === 'getopt' ? args.indexOf('--') : -1;
    this.words = end < 0 ? args : args.slice(0, end);
    this.anyOption = this.words.some(isOptionWord);
  }

  /** Whether the option `spec` may be given, a GNU abbreviation included. */
  may(spec: string): boolean {
    if (!this.anyOption) return false;
    for (const w of this.words) if (mayBe(w, spec, true, this.style)) return true;
    return false;
  }

  /** Whether the option `spec` is surely given: the very word, and not the value of the word before it. */
  sure(spec: string): boolean {
    if (!this.anyOption) return false;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      const is = this.style === 'getopt' ? surelyIs(words[i]!, spec, this.known) : mayBe(words[i]!, spec, false, this.style);
      if (is && (i === 0 || !mayTakeValue(words[i - 1]!, this.known))) return true;
    }
    return false;
  }

  has(spec: string, certainty: Certainty): boolean {
    return certainty === 'may' ? this.may(spec) : this.sure(spec);
  }

  /**
   * The positional arguments. Maybe positional: every word that is not an option, values included.
   * Surely positional: those no option before them may take as its value.
   */
  positionals(certainty: Certainty): readonly string[] {
    const args = this.args;
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--' && this.style === 'getopt') {
        out.push(...args.slice(i + 1));
        break;
      }
      if (isOptionWord(arg)) continue;
      if (certainty === 'may' || i === 0 || !mayTakeValue(args[i - 1]!, this.known)) out.push(arg);
    }
    return out;
  }
}

/**
 * Where the values of option `spec` are: `{index, attached}` with `attached` the value written in
 * the option's own word (`-ofile`, `--output=file`, `of=file`), or null when the value is the word
 * at `index`. Over-approximates, like `hasOption`.
 */
export function optionValues(args: readonly string[], spec: string, style: OptionStyle = 'getopt'): { index: number; attached: string | null }[] {
  const out: { index: number; attached: string | null }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' && style === 'getopt') break;
    if (spec.endsWith('=')) {
      if (a.startsWith(spec)) out.push({ index: i, attached: a.slice(spec.length) });
      continue;
    }
    if (!mayBe(a, spec, true, style)) continue;
    const eq = a.indexOf('=');
    if (eq > 0 && (a.startsWith('--') || style === 'words')) out.push({ index: i, attached: a.slice(eq + 1) });
    else if (style === 'getopt' && spec.length === 2 && a !== spec) {
      const rest = a.slice(a.indexOf(spec[1]!, 1) + 1);
      out.push(rest === '' ? { index: i + 1, attached: null } : { index: i, attached: rest });
    } else out.push({ index: i + 1, attached: null });
  }
  return out.filter((v) => v.index < args.length);
}

/**
 * The indices of the positional arguments, skipping options and the values of options that take
 * one. After `--` everything is positional.
 */
export function positionalIndices(args: readonly string[], optionsWithValue: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (let j = i + 1; j < args.length; j++) out.push(j);
      break;
    }
    if (arg.length > 1 && arg.startsWith('-')) {
      if (takesValue(arg, optionsWithValue)) i++;
      continue;
    }
    out.push(i);
  }
  return out;
}

/** The positional arguments (see positionalIndices). */
export function positionals(args: readonly string[], optionsWithValue: readonly string[]): string[] {
  return positionalIndices(args, optionsWithValue).map((i) => args[i]!);
}

/**
 * The index of a tool's subcommand when it is certain: the first positional after the tool's own
 * options, all of them known (`git -C dir --no-pager log`). -1 when there is none, or when an
 * unknown option comes first: it may take the next word as its value (`npm --tag ls run x`).
 */
export function sureSubcommand(args: readonly string[], known: OptionSpec | undefined): number {
  const spec = known ?? NO_SPEC;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!isOptionWord(arg)) return arg === '--' ? -1 : i;
    if (spec.withValue.includes(arg)) i++;
    else if (mayTakeValue(arg, spec)) return -1;
  }
  return -1;
}

/**
 * Every index that may hold a tool's subcommand, whatever its options take: each word that is not
 * an option, until one that no option word precedes (`-c x=y push` may be `x=y` or `push`).
 */
export function possibleSubcommands(args: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      if (i + 1 < args.length) out.push(i + 1);
      break;
    }
    if (isOptionWord(arg)) continue;
    out.push(i);
    const before = args[i - 1];
    if (before === undefined || !isOptionWord(before) || before.includes('=')) break;
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
