/**
 * A word's text expanded the way bash expands it, as far as the values it uses are known: quote
 * removal, escapes, tilde prefixes, parameters (with their operators: defaults, alternates,
 * prefix and suffix removal, substitution, substrings, case), command substitutions, arithmetic,
 * word splitting and globs. The values of variables and the output of substitutions come from the
 * caller (see values.ts); a part nobody can know stands as UNKNOWN.
 */
import type { ExpansionMode, Listing, PathValue, ValueSet } from './segment.js';
import { closingBrace, closingParen, decodeAnsiC } from './words.js';

/** A part of a value the policy cannot see (a file's content, the environment). */
export const UNKNOWN = '\u0000';
/** A part that is a number or a name without `/` (`$((i+1))`, `$(date +%s)`): it cannot lead a path anywhere. */
export const HARMLESS = '0';
/** More values than this for one word are not followed: the word is then unknown. */
export const MAX_VALUES = 256;
/** Longer values are not searched for patterns (`${x/a/b}`): the result is unknown. */
const MAX_PATTERN_TEXT = 128;
/** Patterns with more wildcards than this are not matched (they could backtrack for long): the result is unknown. */
const MAX_PATTERN_STARS = 4;

export interface ExpansionEnv {
  /** The values of a variable (`@` for the positional parameters). */
  variable(name: string): ValueSet;
  /** The output of the substitution whose `$(` or backquote is at `offset` of the expanded text. */
  substitution(offset: number): ValueSet;
}

export const NO_VALUES: ValueSet = { values: [], why: null };

export function known(text: string, glob = false): ValueSet {
  return { values: [{ text, glob }], why: null };
}

export function unknown(why: string): ValueSet {
  return { values: [{ text: UNKNOWN, glob: false }], why };
}

export const HARMLESS_VALUE: ValueSet = known(HARMLESS);

/** The values of either. */
export function union(a: ValueSet, b: ValueSet): ValueSet {
  if (a.values.length === 0) return b.why === null || a.why === null ? { values: b.values, why: b.why ?? a.why } : b;
  if (b.values.length === 0) return { values: a.values, why: a.why ?? b.why };
  const values = [...a.values];
  for (const v of b.values) if (!values.some((w) => w.text === v.text && w.glob === v.glob && w.listing === v.listing)) values.push(v);
  if (values.length > MAX_VALUES) return unknown('more values than the policy follows');
  return { values, why: a.why ?? b.why };
}

interface Partial {
  text: string;
  glob: boolean;
  /** An unquoted expansion put blanks in it: bash splits it into several words. */
  split: boolean;
  listing?: Listing;
}

const GLOB_CHARS = /[*?[]/;
const BLANKS = /[ \t\n]+/;
const LISTING_MARK = '\u0001';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Expands `text`. `mode` says what bash does with it: a command's word is split and globbed where
 * its expansions are unquoted; an assignment's value, a herestring and a heredoc's body are not
 * (a heredoc's quotes are plain characters, and its text gets no tilde expansion).
 */
export function expand(text: string, env: ExpansionEnv, mode: ExpansionMode = 'word', base = 0): ValueSet {
  return new Expander(text, env, mode, base).run();
}

class Expander {
  private acc: Partial[] = [{ text: '', glob: false, split: false }];
  private why: string | null = null;
  private overflow = false;

  constructor(
    private readonly text: string,
    private readonly env: ExpansionEnv,
    private readonly mode: ExpansionMode,
    private readonly base: number,
  ) {}

  run(): ValueSet {
    const text = this.text;
    const heredoc = this.mode === 'heredoc';
    const word = this.mode === 'word';
    let i = heredoc ? 0 : this.tilde();
    let inDouble = false;
    while (i < text.length && !this.overflow) {
      const c = text[i]!;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) {
          this.literal('\\', false);
          i++;
        } else if (next === '\n') {
          i += 2;
        } else if ((inDouble || heredoc) && !'$`"\\'.includes(next)) {
          this.literal('\\', false);
          i++;
        } else {
          this.literal(next, false);
          i += 2;
        }
      } else if (c === "'" && !inDouble && !heredoc) {
        const close = text.indexOf("'", i + 1);
        const end = close < 0 ? text.length : close;
        this.literal(text.slice(i + 1, end), false);
        i = end + 1;
      } else if (c === '$' && text[i + 1] === "'" && !inDouble && !heredoc) {
        let j = i + 2;
        while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
        this.literal(decodeAnsiC(text.slice(i + 2, j)), false);
        i = j + 1;
      } else if (c === '"' && !heredoc) {
        inDouble = !inDouble;
        i++;
      } else if (c === '$' && text[i + 1] === '"' && !inDouble && !heredoc) {
        // `$"..."` is a translated string: double quotes.
        inDouble = true;
        i += 2;
      } else if (c === '$') {
        i = this.dollar(i, inDouble || !word);
      } else if (c === '`') {
        let j = i + 1;
        while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
        this.append(substitutionOutput(this.env.substitution(this.base + i)), inDouble || !word);
        i = j + 1;
      } else if ((c === '<' || c === '>') && text[i + 1] === '(' && !inDouble && word) {
        // A process substitution is a pipe, named by a path under /dev/fd.
        this.literal('/dev/fd/63', false);
        i = closingParen(text, i + 1) + 1;
      } else {
        let j = i + 1;
        while (j < text.length && !'\\\'"$`<>'.includes(text[j]!)) j++;
        this.literal(text.slice(i, j), word && !inDouble);
        i = j;
      }
    }
    return this.finish();
  }

  /** A leading `~`, `~/...`, `~+`, `~-` or `~user`: returns where the rest of the text starts. */
  private tilde(): number {
    const text = this.text;
    if (text[0] !== '~') return 0;
    let end = 1;
    while (end < text.length && text[end] !== '/' && !(this.mode === 'assignment' && text[end] === ':')) end++;
    const prefix = text.slice(1, end);
    if (prefix === '+') this.append(this.env.variable('PWD'), true);
    else if (prefix === '-') this.append(this.env.variable('OLDPWD'), true);
    else if (prefix === '' || /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(prefix)) this.literal(`~${prefix}`, false);
    else return 0;
    return end;
  }

  /** A `$` at `i`: returns the index after what it expands. */
  private dollar(i: number, quoted: boolean): number {
    const text = this.text;
    const next = text[i + 1];
    if (next === '(' && text[i + 2] === '(') {
      const end = closingParen(text, i + 1);
      this.append(arithmeticValue(text.slice(i + 3, end - 1)), true);
      return end + 1;
    }
    if (next === '(') {
      const end = closingParen(text, i + 1);
      this.append(substitutionOutput(this.env.substitution(this.base + i)), quoted);
      return end + 1;
    }
    if (next === '[') {
      const end = text.indexOf(']', i + 2);
      this.append(arithmeticValue(text.slice(i + 2, end < 0 ? text.length : end)), true);
      return end < 0 ? text.length : end + 1;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      this.append(this.parameter(text.slice(i + 2, end), this.base + i + 2), quoted);
      return end + 1;
    }
    const name = NAME.exec(text.slice(i + 1, i + 65))?.[0];
    if (name !== undefined) {
      this.append(this.env.variable(name), quoted);
      return i + 1 + name.length;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      this.append(this.env.variable(next), quoted);
      return i + 2;
    }
    this.literal('$', false);
    return i + 1;
  }

  /** The body of `${...}` at `offset` of the source. */
  private parameter(body: string, offset: number): ValueSet {
    if (body === '#' || (body[0] === '#' && /^#([A-Za-z_0-9@*]|[?$!-]$)/.test(body))) return HARMLESS_VALUE;
    if (body[0] === '!' && body.length > 1) return this.indirect(body.slice(1));
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(body);
    if (m === null) return unknown(`\${${body}}`);
    let rest = body.slice(m[0].length);
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      rest = close < 0 ? '' : rest.slice(close + 1);
    }
    const value = this.env.variable(m[1]!);
    return rest === '' ? value : this.operator(value, rest, offset + body.length - rest.length);
  }

  /** `${!name}`, `${!prefix*}`, `${!a[@]}`. */
  private indirect(body: string): ValueSet {
    if (/^[A-Za-z_][A-Za-z0-9_]*[*@]$/.test(body)) return unknown('the names of variables');
    if (/^[A-Za-z_][A-Za-z0-9_]*\[[@*]\]$/.test(body)) return HARMLESS_VALUE;
    if (!/^([A-Za-z_][A-Za-z0-9_]*|[0-9]+)$/.test(body)) return unknown(`\${!${body}}`);
    const names = this.env.variable(body);
    let out = NO_VALUES;
    for (const v of names.values) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$/.test(v.text)) return unknown(`the variable $${body} names`);
      out = union(out, this.env.variable(v.text));
    }
    return out;
  }

  /** A parameter's operator and its operand, applied to the parameter's values. */
  private operator(value: ValueSet, rest: string, offset: number): ValueSet {
    const operand = (from: number): ValueSet => expand(rest.slice(from), this.env, 'assignment', offset + from);
    const op = /^(:?[-=?+]|##?|%%?|\/[/#%]?|\^\^?|,,?|~~?|@.|:)/.exec(rest)?.[0];
    switch (op) {
      case '-':
      case ':-':
      case '=':
      case ':=':
        return union(value, operand(op.length));
      case '?':
      case ':?':
        return value;
      case '+':
      case ':+':
        return union(known(''), operand(op.length));
      case '#':
      case '##':
      case '%':
      case '%%':
        return this.trim(value, operand(op.length), op);
      case '/':
      case '//':
      case '/#':
      case '/%':
        return this.replace(value, rest.slice(op.length), offset + op.length, op);
      case '^':
      case '^^':
      case ',':
      case ',,':
      case '~':
      case '~~':
      case '@Q':
      case '@U':
      case '@u':
      case '@L':
        // Paths are judged without regard to case, and quoting a value does not change what it names.
        return value;
      case '@E':
        return mapValues(value, (t) => decodeAnsiC(t));
      case ':':
        return this.substring(value, rest.slice(1));
      default:
        return unknown(`a \${...} operator the policy does not follow (${rest.slice(0, 8)})`);
    }
  }

  private trim(value: ValueSet, pattern: ValueSet, op: string): ValueSet {
    let out = NO_VALUES;
    for (const p of pattern.values) {
      if (p.text.includes(UNKNOWN)) return unknown(pattern.why ?? 'a pattern known only at run time');
      const re = patternRegExp(p.text);
      if (re === null) return unknown('a pattern the policy does not match');
      out = union(
        out,
        mapValues(value, (t) => trimmed(t, re, op)),
      );
    }
    return out;
  }

  private replace(value: ValueSet, operands: string, offset: number, op: string): ValueSet {
    const slash = unescapedSlash(operands);
    const patterns = expand(slash < 0 ? operands : operands.slice(0, slash), this.env, 'assignment', offset);
    const replacements = slash < 0 ? known('') : expand(operands.slice(slash + 1), this.env, 'assignment', offset + slash + 1);
    let out = NO_VALUES;
    for (const p of patterns.values) {
      if (p.text.includes(UNKNOWN)) return unknown(patterns.why ?? 'a pattern known only at run time');
      const re = patternRegExp(p.text);
      if (re === null) return unknown('a pattern the policy does not match');
      for (const r of replacements.values) {
        out = union(
          out,
          mapValues(value, (t) => replaced(t, re, r.text, op)),
        );
        if (r.text.includes(UNKNOWN)) out = { values: out.values, why: out.why ?? replacements.why };
      }
    }
    return out;
  }

  private substring(value: ValueSet, spec: string): ValueSet {
    const m = /^\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?$/.exec(spec);
    if (m === null) return unknown('a substring whose bounds are known only at run time');
    return mapValues(value, (t) => {
      const offset = Number(m[1]);
      const start = offset < 0 ? Math.max(0, t.length + offset) : Math.min(offset, t.length);
      if (m[2] === undefined) return t.slice(start);
      const length = Number(m[2]);
      return length < 0 ? t.slice(start, Math.max(start, t.length + length)) : t.slice(start, start + length);
    });
  }

  private literal(s: string, active: boolean): void {
    if (s === '') return;
    const glob = active && GLOB_CHARS.test(s);
    for (const a of this.acc) {
      a.text += s;
      if (glob) a.glob = true;
    }
  }

  /** Values spliced into the text: `quoted` ones are neither split nor globbed. */
  private append(set: ValueSet, quoted: boolean): void {
    if (set.why !== null) this.why ??= set.why;
    if (set.values.length === 1) {
      const v = set.values[0]!;
      for (const a of this.acc) this.join(a, a, v, quoted);
      return;
    }
    const next: Partial[] = [];
    for (const a of this.acc) {
      for (const v of set.values) {
        const p: Partial = { text: a.text, glob: a.glob, split: a.split, ...(a.listing === undefined ? {} : { listing: a.listing }) };
        this.join(p, a, v, quoted);
        next.push(p);
        if (next.length > MAX_VALUES) {
          this.acc = [{ text: UNKNOWN, glob: false, split: false }];
          this.why ??= 'more values than the policy follows';
          this.overflow = true;
          return;
        }
      }
    }
    this.acc = next;
  }

  private join(into: Partial, from: Partial, v: PathValue, quoted: boolean): void {
    const word = this.mode === 'word';
    if (v.listing !== undefined) {
      into.text = from.text + LISTING_MARK;
      into.listing = v.listing;
    } else {
      into.text = from.text + v.text;
    }
    if (v.glob || (!quoted && word && GLOB_CHARS.test(v.text))) into.glob = true;
    if (!quoted && word && BLANKS.test(v.text)) into.split = true;
  }

  private finish(): ValueSet {
    const values: PathValue[] = [];
    let why = this.why;
    const add = (v: PathValue): void => {
      if (!values.some((w) => w.text === v.text && w.glob === v.glob && w.listing === v.listing)) values.push(v);
    };
    for (const a of this.acc) {
      if (a.listing !== undefined) {
        if (a.text === LISTING_MARK) {
          add({ text: '', glob: false, listing: a.listing });
          continue;
        }
        // Listed names inside a longer word: any of them, somewhere.
        a.text = a.text.replaceAll(LISTING_MARK, UNKNOWN);
        why ??= `the names ${a.listing.tool} prints`;
      }
      if (a.split) {
        for (const field of a.text.split(BLANKS)) if (field !== '') add({ text: field, glob: a.glob });
      } else {
        add({ text: a.text, glob: a.glob });
      }
    }
    if (values.length > MAX_VALUES) return unknown('more values than the policy follows');
    return { values, why: values.some((v) => v.text.includes(UNKNOWN)) ? (why ?? 'data known only at run time') : null };
  }
}

/**
 * The value of arithmetic made of integer literals (`$((25519))`, `$((0x0e + 1))`), which can
 * spell the digits of a name; any other arithmetic is a number the policy does not compute.
 */
function arithmeticValue(expression: string): ValueSet {
  const value = evaluateLiteral(expression);
  return value === null ? HARMLESS_VALUE : known(String(value));
}

/** Integer literals (decimal, `0x`, octal, `base#digits`) with `+ - * / %` and parentheses; null for anything else. */
export function evaluateLiteral(expression: string): number | null {
  const tokens = expression.match(/\s+|\d+#[0-9A-Za-z@_]+|0[xX][0-9a-fA-F]+|\d+|[-+*/%()]|./g) ?? [];
  const list = tokens.filter((t) => !/^\s+$/.test(t));
  let at = 0;
  const literal = (t: string): number | null => {
    const hash = t.indexOf('#');
    if (hash > 0) {
      const base = Number(t.slice(0, hash));
      if (base < 2 || base > 36) return null;
      const n = Number.parseInt(t.slice(hash + 1), base);
      return Number.isNaN(n) ? null : n;
    }
    if (/^0[xX]/.test(t)) return Number.parseInt(t, 16);
    if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
    return /^\d+$/.test(t) ? Number(t) : null;
  };
  const primary = (): number | null => {
    const t = list[at++];
    if (t === undefined) return null;
    if (t === '-' || t === '+') {
      const v = primary();
      return v === null ? null : t === '-' ? -v : v;
    }
    if (t === '(') {
      const v = sum();
      return list[at++] === ')' ? v : null;
    }
    return literal(t);
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (list[at] === '*' || list[at] === '/' || list[at] === '%')) {
      const op = list[at++];
      const r = primary();
      if (r === null || (op !== '*' && r === 0)) return null;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (list[at] === '+' || list[at] === '-')) {
      const op = list[at++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  if (list.length === 0 || list.length > 64) return null;
  const v = sum();
  return v !== null && at === list.length && Number.isSafeInteger(v) ? v : null;
}

/** What a command substitution gives: its output without the trailing newlines. */
function substitutionOutput(set: ValueSet): ValueSet {
  if (!set.values.some((v) => v.text.endsWith('\n'))) return set;
  return { values: set.values.map((v) => (v.text.endsWith('\n') ? { ...v, text: v.text.replace(/\n+$/, '') } : v)), why: set.why };
}

/** Each value through `f`; a value with an unknown part gives an unknown value. */
export function mapValues(set: ValueSet, f: (text: string) => string): ValueSet {
  const values: PathValue[] = [];
  let why = set.why;
  for (const v of set.values) {
    if (v.listing !== undefined || v.text.includes(UNKNOWN)) {
      values.push({ text: UNKNOWN, glob: false });
      why ??= v.listing !== undefined ? `the names ${v.listing.tool} prints` : 'data known only at run time';
    } else {
      values.push({ text: f(v.text), glob: v.glob });
    }
  }
  return { values, why: values.some((v) => v.text.includes(UNKNOWN)) ? why : null };
}

/** A bash pattern (`*`, `?`, `[...]`, escapes) as an anchored regular expression; null when it has too many wildcards to match cheaply. */
export function patternRegExp(pattern: string): RegExp | null {
  if (pattern.split('*').length - 1 > MAX_PATTERN_STARS) return null;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) source += '\\[';
      else {
        const body = pattern.slice(i + 1, close);
        source += `[${body.startsWith('!') || body.startsWith('^') ? '^' + escapeClass(body.slice(1)) : escapeClass(body)}]`;
        i = close;
      }
    } else source += escapeRegExp(c);
  }
  return new RegExp(`^(?:${source})$`);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function escapeClass(body: string): string {
  return body.replace(/[\\\]^]/g, '\\$&');
}

function trimmed(text: string, re: RegExp, op: string): string {
  if (text.length > MAX_PATTERN_TEXT) return UNKNOWN;
  const n = text.length;
  if (op === '#' || op === '##') {
    for (let k = op === '#' ? 0 : n; op === '#' ? k <= n : k >= 0; k += op === '#' ? 1 : -1) if (re.test(text.slice(0, k))) return text.slice(k);
  } else {
    for (let k = op === '%' ? n : 0; op === '%' ? k >= 0 : k <= n; k += op === '%' ? -1 : 1) if (re.test(text.slice(k))) return text.slice(0, k);
  }
  return text;
}

function replaced(text: string, re: RegExp, replacement: string, op: string): string {
  if (text.length > MAX_PATTERN_TEXT) return UNKNOWN;
  const n = text.length;
  // The longest match that starts at `i`, or -1.
  const matchAt = (i: number): number => {
    for (let j = n; j > i; j--) if (re.test(text.slice(i, j))) return j;
    return re.test('') ? i : -1;
  };
  if (op === '/#') {
    const end = matchAt(0);
    return end < 0 ? text : replacement + text.slice(end);
  }
  if (op === '/%') {
    for (let i = 0; i <= n; i++) if (re.test(text.slice(i))) return text.slice(0, i) + replacement;
    return text;
  }
  let out = '';
  let i = 0;
  while (i < n) {
    const end = matchAt(i);
    if (end > i) {
      out += replacement;
      if (op === '/') return out + text.slice(end);
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

function unescapedSlash(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '/') return i;
  }
  return -1;
}
