/**
 * Text that bash evaluates as arithmetic, and the data that reaches it. Arithmetic runs the command
 * substitutions in the values it evaluates: a file holding `a[$(touch P)]` runs `touch` through
 * `echo $(( $(cat f) ))`, `x=$(cat f); echo $((x))`, `read x < f; (( x ))`, `[[ $x -eq 1 ]]`. So an
 * arithmetic context is judged by where each value it uses comes from: a command substitution, or
 * a variable assigned from one, read by `read` or `mapfile`, or whose value the line never shows,
 * is data. Literal arithmetic, and variables the line assigns from literals or from arithmetic, are
 * not.
 */
import { closingParen } from './words.js';

/** Variables bash keeps as integers (or sets itself): their values are never text to evaluate. */
export const INTEGER_SPECIALS: ReadonlySet<string> = new Set([
  '#',
  '?',
  '$',
  '!',
  '-',
  'RANDOM',
  'SRANDOM',
  'SECONDS',
  'LINENO',
  'EPOCHSECONDS',
  'BASHPID',
  'PPID',
  'UID',
  'EUID',
  'OPTIND',
  'HISTCMD',
  'SHLVL',
  'BASH_SUBSHELL',
  'COLUMNS',
  'LINES',
  'PIPESTATUS',
  'BASH_LINENO',
  'BASH_ARGC',
  'COMP_CWORD',
  'COMP_POINT',
  'EPOCHREALTIME',
]);

/** One value that reaches arithmetic: a variable used at a point in the line, and where. */
export interface ArithmeticUse {
  readonly name: string;
  readonly at: number;
  readonly where: string;
  /** The value is used as a variable's name (`${!x}`), not evaluated: what it is made of does not matter. */
  readonly asName?: boolean;
}

/**
 * What the line shows about each variable: the first point at which it holds a value the line
 * gave it (a literal, a number), whether any assignment gives it data, and the variables its
 * values are made of (`x=$y`), each with the point of that assignment.
 */
interface VariableFacts {
  cleanAt: number;
  dirty: boolean;
  /** Variables its values are made of, or a literal value whose names are read only if needed. */
  readonly deps: { readonly name?: string; readonly literal?: string; readonly at: number }[];
}

/** The variables of one command line, in the order the line assigns and uses them. */
export class Variables {
  private clock = 0;
  private readonly facts = new Map<string, VariableFacts>();
  private readonly uses: ArithmeticUse[] = [];
  /** Variables declared integer (`declare -i`): assigning them evaluates the value. */
  readonly integers = new Set<string>();
  /** Associative arrays (`declare -A`): their subscripts are strings, not arithmetic. */
  readonly associative = new Set<string>();

  /**
   * An assignment: of data (`dirty`), or of a value made of the variables `deps`, or of the literal
   * text `deps` (whose names matter only if the variable reaches arithmetic: `x=y; echo $((x))`).
   */
  assign(name: string, dirty: boolean, deps: readonly string[] | string = NO_DEPS): void {
    const at = ++this.clock;
    let facts = this.facts.get(name);
    if (facts === undefined) this.facts.set(name, (facts = { cleanAt: Infinity, dirty: false, deps: [] }));
    if (dirty) {
      facts.dirty = true;
      return;
    }
    if (at < facts.cleanAt) facts.cleanAt = at;
    if (typeof deps === 'string') {
      if (/[A-Za-z_]/.test(deps)) facts.deps.push({ literal: deps, at });
    } else {
      for (const dep of deps) if (dep !== name) facts.deps.push({ name: dep, at });
    }
  }

  /** A variable's value reaching arithmetic, or with `asName` naming the variable that does (`${!x}`). */
  use(name: string, where: string, asName = false): void {
    this.uses.push(asName ? { name, at: ++this.clock, where, asName } : { name, at: ++this.clock, where });
  }

  /** The first use whose value is data, if any. */
  dataUse(): ArithmeticUse | null {
    for (const use of this.uses) if (this.isData(use.name, use.at, new Set(), use.asName === true)) return use;
    return null;
  }

  private isData(name: string, at: number, visiting: Set<string>, asName = false): boolean {
    if (INTEGER_SPECIALS.has(name)) return false;
    const facts = this.facts.get(name);
    // Never assigned before this point: its value comes from outside the line.
    if (facts === undefined || facts.dirty || facts.cleanAt > at) return true;
    if (asName || visiting.has(name)) return false;
    visiting.add(name);
    return facts.deps.some((dep) => (dep.name !== undefined ? [dep.name] : namesIn(dep.literal!)).some((n) => n !== name && this.isData(n, dep.at, visiting)));
  }
}

const NO_DEPS: readonly string[] = [];
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** What an arithmetic text refers to: the variables whose values it uses, those it assigns, and command substitutions in it. */
export interface ArithmeticRefs {
  /** Variables read, in order. */
  readonly uses: readonly string[];
  /** Variables assigned (`x = 1`, `i++`, `x += y`: after their use, if any). */
  readonly assigns: readonly string[];
  /** Offsets of `$(` and backquotes (command substitutions), relative to the source. */
  readonly substitutions: readonly number[];
}

/**
 * Reads `source[start..end)` as arithmetic: `$x`, `${x...}` and bare names (`x`, `a[i]`) use
 * variables, `$1` and `$@` use the positional parameters (data), `${#x}` is a length,
 * `name = ...`, `name++` and `name op= ...` assign. Quotes are read through (bash removes double
 * quotes); numbers, including `16#ff` and `0x1f`, are skipped. Linear.
 */
export function arithmeticRefs(source: string, start: number, end: number): ArithmeticRefs {
  const uses: string[] = [];
  const assigns: string[] = [];
  const substitutions: number[] = [];
  let i = start;
  const readName = (from: number): number => {
    let j = from;
    while (j < end && NAME_CHAR.test(source[j]!)) j++;
    return j;
  };
  while (i < end) {
    const c = source[i]!;
    if (c === '\\') {
      i += 2;
    } else if (c === '`') {
      substitutions.push(i);
      let j = i + 1;
      while (j < end && source[j] !== '`') j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '$') {
      const next = source[i + 1];
      if (next === '(' && source[i + 2] === '(') {
        i += 3;
      } else if (next === '(') {
        substitutions.push(i);
        i = closingParen(source, i + 1) + 1;
      } else if (next === '[') {
        i += 2;
      } else if (next === '{') {
        let j = i + 2;
        if (source[j] === '#' && NAME_START.test(source[j + 1] ?? '')) {
          // `${#x}` is a length; `${#a[i]}` still evaluates `i`.
          j = readName(j + 1);
        } else {
          if (source[j] === '!') j++;
          const nameEnd = NAME_START.test(source[j] ?? '') ? readName(j) : j + (/[0-9@*]/.test(source[j] ?? '') ? 1 : 0);
          const name = source.slice(j, nameEnd);
          if (name !== '') uses.push(/^[0-9@*]/.test(name) ? '@' : name);
          j = nameEnd;
        }
        i = j;
      } else if (next !== undefined && NAME_START.test(next)) {
        const j = readName(i + 1);
        uses.push(source.slice(i + 1, j));
        i = j;
      } else if (next !== undefined && /[0-9@*]/.test(next)) {
        uses.push('@');
        i += 2;
      } else {
        i += 2;
      }
    } else if (c >= '0' && c <= '9') {
      // A number: decimal, `0x1f`, `0777`, `16#ff`, `64#a_@`.
      i++;
      while (i < end && /[0-9A-Za-z_#@]/.test(source[i]!)) i++;
    } else if (NAME_START.test(c)) {
      const j = readName(i);
      const name = source.slice(i, j);
      let k = j;
      while (k < end && (source[k] === ' ' || source[k] === '\t')) k++;
      const op = source[k];
      const plainAssign = op === '=' && source[k + 1] !== '=';
      const compound =
        op !== undefined &&
        '+-*/%&|^<>'.includes(op) &&
        (source[k + 1] === '=' ||
          (source[k + 1] === op && (op === '+' || op === '-')) ||
          ((op === '<' || op === '>') && source[k + 1] === op && source[k + 2] === '='));
      let b = i - 1;
      while (b >= start && (source[b] === ' ' || source[b] === '\t')) b--;
      const prefixed = b > start && ((source[b] === '+' && source[b - 1] === '+') || (source[b] === '-' && source[b - 1] === '-'));
      if (!plainAssign) uses.push(name);
      if (plainAssign || compound || prefixed) assigns.push(name);
      i = j;
    } else {
      i++;
    }
  }
  return { uses, assigns, substitutions };
}

/** The names a static value refers to if it is evaluated as arithmetic (`x=y+1`: `y`). */
function namesIn(value: string): readonly string[] {
  if (!/[A-Za-z_]/.test(value)) return [];
  return arithmeticRefs(value, 0, value.length).uses;
}
