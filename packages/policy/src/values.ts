/**
 * What a command line shows about the values its words take: the variables it assigns (plainly,
 * with `export`/`declare`/`local`/`readonly`/`typeset`, by `read`, `mapfile`, `printf -v`,
 * `set --`, a `for` loop's list; see flow.ts for which assignments reach a use), what its
 * producers print (`echo`/`printf` of literals, a herestring, a listing of files), and what xargs
 * and parallel feed the commands they run. A file name that reaches a command through such data is
 * then judged as if it were written in its place; a part that comes from data the line does not
 * show (a file's content, the environment) is UNKNOWN (see expand.ts).
 */
import {
  evaluateLiteral,
  expand,
  HARMLESS,
  HARMLESS_VALUE,
  known,
  mapValues,
  MAX_VALUES,
  NO_VALUES,
  union,
  unknown,
  UNKNOWN,
  type ExpansionEnv,
} from './expand.js';
import type { Flow } from './flow.js';
import { listingOf, printsNumber } from './listings.js';
import { hasOption, positionalIndices, positionals } from './options.js';
import type { ExpansionMode, Feed, FlowPoint, PathValue, Redirect, Segment, Stdin, ValueSet, Word } from './segment.js';
import { decodeAnsiC } from './words.js';

/** The values any of `words` may take. */
export function unionOf(words: readonly Word[]): ValueSet {
  let out = NO_VALUES;
  for (const w of words) out = union(out, valuesOf(w));
  return out;
}

/**
 * What an assignment gives: its value, neither split nor globbed (`f=~/.ssh/id_rsa`), or for an
 * array (`a=(~/.ssh/* x)`) each element as a command's word is (split and globbed).
 */
export function assignedValues(
  value: Word | null,
  elements: readonly { readonly text: string; readonly start: number }[] | null,
  source: string,
  point: FlowPoint,
): () => ValueSet {
  if (elements !== null) {
    return () => {
      let out = NO_VALUES;
      for (const e of elements) {
        // `[key]=value` gives one element its value.
        const key = /^\[[^\]]*\]\+?=/.exec(e.text)?.[0] ?? '';
        out = union(out, expandAt(e.text.slice(key.length), source, e.start + key.length, point, 'word'));
      }
      return out;
    };
  }
  if (value === null) return () => known('');
  return () => valuesOf(value);
}

/** `x+=v` adds to what x held before: text to each of its values, or elements to an array. */
export function appended(flow: Flow, name: string, point: FlowPoint, values: () => ValueSet, array: boolean): () => ValueSet {
  return () => (array ? union(flow.variable(name, point), values()) : concat(flow.variable(name, point), values()));
}

/** The values of the line's variables and substitutions, as a text at `start` of `source` reads them at `point`. */
class PointEnv implements ExpansionEnv {
  constructor(
    private readonly point: FlowPoint,
    private readonly source: string,
    private readonly start: number,
  ) {}

  variable(name: string): ValueSet {
    return this.point.line.variable(name, this.point);
  }

  substitution(offset: number): ValueSet {
    const segments = this.point.line.substitution(this.source, this.start + offset);
    return segments === undefined ? unknown('a command substitution the policy did not read') : outputOf(segments);
  }
}

function expandAt(text: string, source: string, start: number, point: FlowPoint, mode: ExpansionMode): ValueSet {
  return expand(text, new PointEnv(point, source, start), mode);
}

/**
 * Texts that expand the same in any line (`"$PWD":/w`, `"$HOME/.config"`): they use only variables
 * from outside the line, in a line that assigns none, and no substitution.
 */
const plainTexts = new Map<string, ValueSet>();

function plainText(text: string, mode: ExpansionMode, point: FlowPoint): ValueSet | null {
  if (point.line.assigns() || text.includes('$(') || text.includes('`') || point.inFunction) return null;
  const key = mode + '\0' + text;
  let out = plainTexts.get(key);
  if (out === undefined) {
    out = expandAt(text, '', 0, point, mode);
    if (plainTexts.size > 1024) plainTexts.clear();
    plainTexts.set(key, out);
  }
  return out;
}

const IN_PROGRESS = unknown('a value defined in terms of itself');
/** How deep values may lead to other values (a variable holding a substitution printing a variable...) before they are data. */
const MAX_DEPTH = 64;
let depth = 0;
const TOO_DEEP = unknown('values nested too deep to follow');

/**
 * The values a word may take, each a path as bash gives it to the command (see ValueSet). A word
 * whose value is static is that value; `~+` and `~-` are the working directory and the previous one.
 */
export function valuesOf(word: Word): ValueSet {
  const origin = word.origin;
  if (origin === undefined) {
    if (word.value === null) return unknown(`${word.text}, known only at run time`);
    if (word.text.startsWith('~+') || word.text.startsWith('~-')) return tildeWord(word.value);
    return known(word.value, word.glob);
  }
  let out = origin.values;
  if (out !== undefined) return out;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  depth++;
  try {
    out = NO_VALUES;
    origin.values = IN_PROGRESS;
    switch (origin.kind) {
      case 'text':
        out = plainText(origin.text, origin.mode, origin.point) ?? expandAt(origin.text, origin.source, origin.start, origin.point, origin.mode);
        break;
      case 'input':
        out = withTemplate(feedItems(origin.feed), origin.replace, origin.text);
        break;
      case 'listing': {
        const listing = listingOf(origin.of);
        out = withTemplate(
          listing === null ? unknown(`what ${origin.of.name ?? 'a command'} prints`) : { values: [{ text: '', glob: false, listing }], why: null },
          origin.replace,
          origin.text,
        );
        break;
      }
    }
    origin.values = out;
    return out;
  } finally {
    depth--;
  }
}

function tildeWord(value: string): ValueSet {
  if (!/^~[+-](\/|$)/.test(value)) return known(value);
  return value[1] === '+' ? known('.' + value.slice(2)) : unknown('$OLDPWD, the previous working directory');
}

/** The one value a word known only at run time takes, when the line shows it (`x=ls; eval "$x"`); null otherwise. */
export function soleValue(word: Word): string | null {
  const values = knownValues(word);
  return values !== null && values.length === 1 && !values[0]!.glob ? values[0]!.text : null;
}

/** The values a word whose value is only known at run time may take, when the line shows them all; null otherwise. */
export function knownValues(word: Word): readonly PathValue[] | null {
  if (word.origin === undefined) return null;
  const set = valuesOf(word);
  return set.why !== null || set.values.some((v) => v.listing !== undefined) ? null : set.values;
}

/**
 * Each item in place of `replace` in `text` (`xargs -I{} cat {}.bak`), or the items themselves.
 * Listed names put after a directory (`ls | xargs -I{} cat ~/.ssh/{}`) are listed there too.
 */
function withTemplate(items: ValueSet, replace: string | undefined, text: string | undefined): ValueSet {
  if (replace === undefined || text === undefined || text === replace) return items;
  const values: PathValue[] = [];
  for (const v of items.values) {
    if (v.listing === undefined) {
      values.push(...mapValues({ values: [v], why: items.why }, (item) => text.split(replace).join(item)).values);
      continue;
    }
    const prefix = text.slice(0, text.indexOf(replace));
    const dir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) || '/' : '.';
    values.push(prefix === '' ? v : { ...v, listing: { ...v.listing, roots: [...v.listing.roots, { text: dir, value: dir, glob: false, subs: [] }] } });
  }
  return { values, why: items.why };
}

/** What a command reads on its standard input, given where it comes from. */
export function inputOf(stdin: Stdin, redirects: readonly Redirect[]): ValueSet {
  for (let i = redirects.length - 1; i >= 0; i--) {
    const r = redirects[i]!;
    if (r.kind !== 'read' || r.operator !== '<') continue;
    if (r.target.value === null && /^<\(/.test(r.target.text)) return outputOf(r.target.subs);
    return unknown(`the content of ${r.target.value ?? r.target.text}`);
  }
  switch (stdin.kind) {
    case 'text':
      if (stdin.word !== undefined) return mapValues(valuesOf(stdin.word), (t) => t + '\n');
      return stdin.text === null ? unknown('input built at run time') : known(stdin.text);
    case 'pipe':
      return outputOf(stdin.from);
    default:
      return unknown('standard input, which the policy cannot see');
  }
}

/** What `read` or `mapfile` may store from an input: each of its lines, and each field of them. */
export function inputItems(input: ValueSet): ValueSet {
  const values: PathValue[] = [];
  for (const v of input.values) {
    if (v.listing !== undefined) {
      values.push(v);
      continue;
    }
    for (const line of v.text.split('\n')) {
      for (const item of [line.trim(), ...line.split(/[ \t]+/)]) {
        if (item !== '' && !values.some((w) => w.text === item && w.glob === v.glob)) values.push({ text: item, glob: v.glob });
      }
    }
    if (values.length > MAX_VALUES) return unknown('more input than the policy follows');
  }
  if (values.length === 0) return known('');
  return { values, why: values.some((v) => v.text.includes(UNKNOWN)) ? (input.why ?? 'data known only at run time') : null };
}

/** The items xargs or parallel takes from its input. */
function feedItems(feed: Feed): ValueSet {
  let input: ValueSet;
  if (feed.words !== null) {
    input = NO_VALUES;
    for (const w of feed.words) input = union(input, valuesOf(w));
    return input;
  }
  // `xargs -a <(cmd)` reads what cmd prints.
  if (feed.file !== null)
    input = feed.file.value === null && /^<\(/.test(feed.file.text) ? outputOf(feed.file.subs) : unknown(`the content of ${feed.file.value ?? feed.file.text}`);
  else input = inputOf(feed.stdin, feed.redirects);
  const values: PathValue[] = [];
  for (const v of input.values) {
    if (v.listing !== undefined) {
      values.push(v);
      continue;
    }
    for (const item of splitItems(v.text, feed.delimiter)) {
      if (!values.some((w) => w.text === item && w.glob === v.glob)) values.push({ text: item, glob: v.glob });
      if (values.length > MAX_VALUES) return unknown('more input items than the policy follows');
    }
  }
  return { values, why: values.some((v) => v.text.includes(UNKNOWN)) ? (input.why ?? 'data known only at run time') : null };
}

function splitItems(text: string, delimiter: Feed['delimiter']): string[] {
  let items: string[];
  if (delimiter === 'blank') items = text.replace(/["'\\]/g, '').split(/[ \t\n]+/);
  else if (delimiter === 'line') items = text.split('\n').map((l) => l.trim());
  else if (delimiter === 'nul') items = text.split('\0').map((l) => l.replace(/\n+$/, ''));
  else items = text.split(delimiter).map((l) => l.replace(/\n+$/, ''));
  return items.filter((i) => i !== '');
}

/** The values of `a` followed by those of `b`. */
export function concat(a: ValueSet, b: ValueSet): ValueSet {
  if (b.values.length === 1 && b.values[0]!.text === '' && b.values[0]!.listing === undefined) return a;
  if (a.values.length === 1 && a.values[0]!.text === '' && a.values[0]!.listing === undefined) return b;
  const values: PathValue[] = [];
  for (const x of a.values) {
    for (const y of b.values) {
      if (x.listing !== undefined || y.listing !== undefined) {
        // Listed names among other output: each line is one of them, or what else was printed.
        if (x.listing !== undefined) values.push(x);
        if (y.listing !== undefined) values.push(y);
        if (x.listing === undefined) values.push(x);
        if (y.listing === undefined) values.push(y);
      } else values.push({ text: x.text + y.text, glob: x.glob || y.glob });
      if (values.length > MAX_VALUES) return unknown('more output than the policy follows');
    }
  }
  return { values, why: a.why ?? b.why };
}

/**
 * What commands print, as one text: those of `segments` at the outermost level whose output no
 * pipe takes (a substitution's commands, a pipeline's stage).
 */
export function outputOf(segments: readonly Segment[]): ValueSet {
  if (segments.length === 0) return known('');
  let depth = Infinity;
  for (const s of segments) depth = Math.min(depth, s.subDepth);
  const consumed = new Set<Segment>();
  for (const s of segments) if (s.stdin.kind === 'pipe') for (const f of s.stdin.from) consumed.add(f);
  let out = known('');
  for (const s of segments) if (s.subDepth === depth && !consumed.has(s)) out = concat(out, printed(s));
  return out;
}

/** What one command prints, as far as the line shows it. */
export function printed(segment: Segment): ValueSet {
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  depth++;
  try {
    return computePrinted(segment);
  } finally {
    depth--;
  }
}

/** Commands that print nothing a later command could take for a file name. */
const SILENT: ReadonlySet<string> = new Set([
  'true',
  ':',
  'false',
  'cd',
  'read',
  'mapfile',
  'readarray',
  'shift',
  'local',
  'test',
  '[',
  'sleep',
  'wait',
  'exit',
  'return',
  'unset',
  'mkdir',
  'touch',
  'shopt',
]);
/** Commands whose output is a number or a name without `/` (`date` only with a format of conversions). */
const HARMLESS_OUTPUT: ReadonlySet<string> = new Set(['date', 'whoami', 'hostname', 'uname', 'id', 'nproc', 'arch', 'logname']);
/** Filters that print lines of their input unchanged (or decorated, or some of them). */
const PASS_THROUGH: ReadonlySet<string> = new Set(['cat', 'tac', 'tee', 'sort', 'uniq', 'shuf', 'head', 'tail', 'grep', 'egrep', 'fgrep', 'rg']);
/** Options that make a pass-through filter print something else than whole lines of its input. */
const NOT_WHOLE_LINES = /^(-[a-zA-Z]*[ocClLe]|--only-matching|--count|--files-with|--files-without|--bytes|--echo|--input-range)/;

function computePrinted(segment: Segment): ValueSet {
  const name = segment.name;
  const words = segment.words;
  if (name === null) {
    if (words.length > 0) return unknown(`the output of ${segment.text}`);
    // `$(< FILE)` prints the file.
    const read = segment.redirects.find((r) => r.kind === 'read' && r.operator === '<');
    return read === undefined ? known('') : inputOf(segment.stdin, segment.redirects);
  }
  if (SILENT.has(name)) return known('');
  const args = words.slice(1);
  switch (name) {
    case 'echo':
      return echoOutput(args);
    case 'printf':
      return printfOutput(args);
    case 'pwd':
      return known('.\n');
    case 'dirname':
    case 'basename':
    case 'realpath':
    case 'readlink':
      return pathOutput(name, args);
    case 'mktemp':
      return known('/tmp/0\n');
    case 'xargs':
      // xargs without a command echoes its input's items.
      return inputOf(segment.stdin, segment.redirects);
  }
  const listing = listingOf(segment);
  if (listing !== null) return { values: [{ text: '', glob: false, listing }], why: null };
  if (printsNumber([segment])) return HARMLESS_VALUE;
  // `date` only with conversions that print digits (`%a` prints a weekday's name).
  if (HARMLESS_OUTPUT.has(name) && args.every((w) => w.value !== null && /^(-[a-zA-Z]+|\+(%[sYmdHMSjuwVUGgyeIklNFTDRCz]|[-_:., T0-9])*)$/.test(w.value)))
    return HARMLESS_VALUE;
  if (name === 'git' && args[0]?.value === 'rev-parse') {
    const options = args.slice(1).map((w) => w.value);
    if (options.some((v) => v === '--show-toplevel' || v === '--show-prefix' || v === '--show-cdup')) return known('.\n');
    if (options.every((v) => v !== null && /^(HEAD|--short(=\d+)?|--verify|-q|--quiet|--git-dir|--absolute-git-dir)$/.test(v))) return known('.git\n');
  }
  if (PASS_THROUGH.has(name)) {
    const values = args.map((w) => w.value ?? '');
    if (values.some((v) => NOT_WHOLE_LINES.test(v))) return unknown(`the output of ${name}`);
    const withValue =
      name === 'cat' || name === 'tac' || name === 'tee' ? [] : ['-n', '-k', '-t', '-m', '-e', '-f', '-A', '-B', '-C', '-S', '-T', '--max-count', '--key'];
    const operands = positionals(values, withValue).filter((v) => v !== '-');
    // grep's first operand is its pattern; tee's operands are files it writes.
    const files = name === 'tee' ? [] : name === 'grep' || name === 'egrep' || name === 'fgrep' || name === 'rg' ? operands.slice(1) : operands;
    if (files.length > 0) return unknown(`the content of ${files[0] || 'a file named at run time'}`);
    return inputOf(segment.stdin, segment.redirects);
  }
  return unknown(`the output of ${name}`);
}

function echoOutput(args: readonly Word[]): ValueSet {
  let i = 0;
  let escapes = false;
  let newline = true;
  for (; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null || !/^-[neE]+$/.test(v)) break;
    if (v.includes('n')) newline = false;
    if (v.includes('e')) escapes = true;
  }
  let out = known('');
  for (let j = i; j < args.length; j++) {
    if (j > i) out = concat(out, known(' '));
    out = concat(out, valuesOf(args[j]!));
  }
  if (escapes) out = mapValues(out, (t) => decodeAnsiC(t));
  return newline ? concat(out, known('\n')) : out;
}

export function printfOutput(args: readonly Word[]): ValueSet {
  let i = 0;
  if (args[0]?.value === '--') i++;
  // `printf -v NAME ...` assigns instead of printing.
  if (args[i]?.value?.startsWith('-v') === true) return known('');
  const format = args[i];
  if (format === undefined) return known('');
  const formats = valuesOf(format);
  const rest = args.slice(i + 1).map(valuesOf);
  let combinations = formats.values.length;
  for (const r of rest) combinations *= Math.max(1, r.values.length);
  if (combinations > MAX_VALUES) return unknown('more output than the policy follows');
  let why = formats.why;
  for (const r of rest) why ??= r.why;
  const values: PathValue[] = [];
  const pick = (k: number, chosen: string[], glob: boolean): void => {
    if (k === rest.length) {
      for (const f of formats.values) values.push({ text: f.listing !== undefined ? UNKNOWN : printf(f.text, chosen), glob: glob || f.glob });
      return;
    }
    const r = rest[k]!;
    if (r.values.length === 0) pick(k + 1, [...chosen, ''], glob);
    for (const v of r.values) pick(k + 1, [...chosen, v.listing !== undefined ? UNKNOWN : v.text], glob || v.glob);
  };
  pick(0, [], false);
  return { values, why: values.some((v) => v.text.includes(UNKNOWN)) ? (why ?? 'data known only at run time') : null };
}

/** Wider fields than this are not padded further: the blanks only separate words. */
const MAX_WIDTH = 256;

/** bash's printf, for the conversions that print text (`%s`, `%b`, `%q`, `%c`); numbers print as a digit. */
export function printf(format: string, args: readonly string[]): string {
  let out = '';
  let k = 0;
  for (let round = 0; round < 64; round++) {
    let consumed = false;
    for (let i = 0; i < format.length; i++) {
      const c = format[i]!;
      if (c === '\\') {
        const m = /^\\(?:x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|.)/s.exec(format.slice(i))!;
        if (m[0] === '\\c') return out;
        out += decodeAnsiC(m[0].slice(1).startsWith('0') ? '\\' + m[0].slice(2) : m[0]);
        i += m[0].length - 1;
        continue;
      }
      if (c !== '%') {
        out += c;
        continue;
      }
      const m = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(\([^)]*\)T|[a-zA-Z%])/.exec(format.slice(i));
      if (m === null) {
        out += c;
        continue;
      }
      i += m[0].length - 1;
      const conversion = m[4]!;
      if (conversion === '%') {
        out += '%';
        continue;
      }
      const next = (): string => {
        consumed = true;
        return args[k++] ?? '';
      };
      const width = m[2] === '*' ? Number(next()) || 0 : Number(m[2] ?? 0);
      const precision = m[3] === undefined ? undefined : m[3] === '*' ? Number(next()) || 0 : Number(m[3] || 0);
      const arg = next();
      let s: string;
      if (conversion === 's' || conversion === 'q' || conversion === 'Q') s = precision === undefined ? arg : arg.slice(0, precision);
      else if (conversion === 'b') {
        s = decodeAnsiC(arg.replace(/\\0([0-7]{1,3})/g, '\\$1'));
        if (precision !== undefined) s = s.slice(0, precision);
      } else if (conversion === 'c') s = arg.slice(0, 1);
      else s = printedNumber(conversion, arg);
      const pad = ' '.repeat(Math.max(0, Math.min(width, MAX_WIDTH) - s.length));
      out += m[1]!.includes('-') ? s + pad : pad + s;
    }
    if (!consumed || k >= args.length) break;
  }
  return out;
}

/**
 * A number printf prints: computed for a literal (`%x` of 14 is `e`, which can spell a name), a
 * digit for any other decimal; the other conversions can print letters, and are unknown.
 */
function printedNumber(conversion: string, arg: string): string {
  const literal = /^\s*[-+]?(0[xX][0-9a-fA-F]+|\d+)\s*$/.test(arg) ? evaluateLiteral(arg.trim()) : null;
  const n = literal ?? (arg.startsWith("'") || arg.startsWith('"') ? (arg.codePointAt(1) ?? 0) : null);
  switch (conversion) {
    case 'd':
    case 'i':
    case 'u':
      return n === null ? (arg.includes(UNKNOWN) ? UNKNOWN : HARMLESS) : String(n);
    case 'x':
      return n === null ? UNKNOWN : n.toString(16);
    case 'X':
      return n === null ? UNKNOWN : n.toString(16).toUpperCase();
    case 'o':
      return n === null ? UNKNOWN : n.toString(8);
    default:
      return UNKNOWN;
  }
}

function pathOutput(name: string, args: readonly Word[]): ValueSet {
  const values = args.map((w) => w.value ?? '');
  if (name === 'readlink' && !values.some((v) => /^-[a-z]*[fem]/.test(v) || v.startsWith('--canonicalize'))) return unknown('where a link points');
  const indices = positionalIndices(values, name === 'basename' ? ['-s', '--suffix'] : ['--relative-to', '--relative-base']);
  let operands = indices.map((i) => args[i]!);
  let suffix: string | null = null;
  if (name === 'basename' && !hasOption(values, '-a', false) && !hasOption(values, '-s', false) && operands.length === 2) {
    suffix = operands[1]!.value;
    operands = operands.slice(0, 1);
  }
  let out = NO_VALUES;
  for (const w of operands) {
    out = union(
      out,
      mapValues(valuesOf(w), (t) => {
        const trimmed = t.length > 1 ? t.replace(/\/+$/, '') : t;
        if (name === 'dirname') return trimmed.includes('/') ? trimmed.slice(0, trimmed.lastIndexOf('/')) || '/' : '.';
        if (name === 'basename') {
          const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
          return suffix !== null && base !== suffix && base.endsWith(suffix) ? base.slice(0, -suffix.length) : base;
        }
        return trimmed;
      }),
    );
  }
  return mapValues(out, (t) => t + '\n');
}
