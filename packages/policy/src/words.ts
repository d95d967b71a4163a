/**
 * The static value of shell words, computed the way bash would: quote removal, backslash escapes,
 * ANSI-C strings. A word whose value depends on the runtime (a variable, a substitution) has no
 * static value; callers must treat it as unknown.
 */

/** `/usr/bin/rm` and `rm` are both `rm`; an empty or trailing-slash path has no name. */
export function commandName(value: string | null): string | null {
  if (value === null) return null;
  const slash = value.lastIndexOf('/');
  const base = slash < 0 ? value : value.slice(slash + 1);
  return base === '' ? null : base;
}

/** Unquoted text: a backslash keeps the next character literally; backslash-newline disappears. */
export function unescapeUnquoted(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (next !== '\n') out += next;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Double-quoted text (without the quotes). Inside double quotes a backslash only escapes `$`, `` ` ``,
 * `"`, `\` and newline. Returns null when the text expands a parameter or substitution.
 */
export function unquoteDouble(body: string): string | null {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && i + 1 < body.length) {
      const next = body[i + 1]!;
      if (next === '$' || next === '`' || next === '"' || next === '\\') {
        out += next;
        i++;
        continue;
      }
      if (next === '\n') {
        i++;
        continue;
      }
      out += ch;
    } else if (ch === '`') {
      return null;
    } else if (ch === '$' && i + 1 < body.length && /[A-Za-z_{(0-9@*#?$!-]/.test(body[i + 1]!)) {
      return null;
    } else {
      out += ch;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** The body of a `$'...'` string, decoded as bash does (`\x72` is `r`, `\101` is `A`, `\u263a` ...). */
export function decodeAnsiC(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[++i]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const digits = /^[0-9a-fA-F]+/.exec(body.slice(i + 1, i + 1 + hexLength))?.[0] ?? '';
      if (digits === '') {
        out += '\\' + next;
        continue;
      }
      out += String.fromCodePoint(Number.parseInt(digits, 16));
      i += digits.length;
      continue;
    }
    if (next >= '0' && next <= '7') {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i, i + 3))![0];
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
      i += digits.length - 1;
      continue;
    }
    if (next === 'c' && i + 1 < body.length) {
      out += String.fromCharCode(body.charCodeAt(++i) & 0x1f);
      continue;
    }
    out += '\\' + next;
  }
  return out;
}

/** True when unquoted text contains a glob character that the shell would expand. */
export function hasUnquotedGlob(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** How an expansion uses a variable: its value, its value as another variable's name (`${!x}`), or not its value at all. */
export type VariableUse = 'value' | 'indirect';

/** What a word's text expands, found by reading it as bash does (quotes, escapes, nesting). */
export interface WordScan {
  /** Variables whose values the word uses (`$x`, `${x:-y}`, `${a[i]}`, `${!x}`), in order. */
  readonly variables: readonly { readonly name: string; readonly use: VariableUse }[];
  /**
   * Text bash evaluates as arithmetic, as [start, end) offsets into the word's text: `$((...))`,
   * `$[...]`, a subscript (`${a[i]}`, but not `@` or `*`), a substring's offset and length (`${x:i:n}`).
   * `array` names the array of a subscript.
   */
  readonly arithmetic: readonly { readonly start: number; readonly end: number; readonly array?: string }[];
  /** Variables whose length the word uses (`${#TOKEN}`), which says something of a secret. */
  readonly lengths?: readonly string[];
  /** Prefixes whose variables' names the word lists (`${!AWS_*}`): the environment's names, secrets' included. */
  readonly names?: readonly string[];
}

export const NO_SCAN: WordScan = { variables: [], arithmetic: [] };
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

/**
 * The expansions in shell text (a word, or with `heredoc` an unquoted heredoc's body). Command
 * substitutions are skipped (their commands are words of their own); single-quoted text expands
 * nothing. Linear in the text.
 */
export function scanWord(text: string, heredoc = false): WordScan {
  if (!text.includes('$')) return NO_SCAN;
  const variables: { name: string; use: VariableUse }[] = [];
  const arithmetic: { start: number; end: number; array?: string }[] = [];
  const listed: { lengths?: string[]; names?: string[] } = {};
  // In a heredoc body quotes are ordinary characters: `'$x'` expands.
  let inDouble = heredoc;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
    } else if (c === "'" && !inDouble) {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? n : close;
    } else if (c === '"') {
      if (!heredoc) inDouble = !inDouble;
    } else if (c === '`') {
      i = skipBackquoted(text, i);
    } else if (c === '$') {
      const next = text[i + 1];
      if (next === "'" && !inDouble) {
        let j = i + 2;
        while (j < n && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
        i = j;
      } else if (next === '(' && text[i + 2] === '(') {
        const end = closingParen(text, i + 1);
        arithmetic.push({ start: i + 3, end: Math.max(i + 3, end - 1) });
        i += 2;
      } else if (next === '(') {
        i = closingParen(text, i + 1);
      } else if (next === '[') {
        const end = closingBracket(text, i + 2);
        arithmetic.push({ start: i + 2, end });
        i += 1;
      } else if (next === '{') {
        i = parameter(text, i + 2, variables, arithmetic, listed) - 1;
      } else if (next !== undefined && NAME_START.test(next)) {
        let j = i + 1;
        while (j < n && NAME_CHAR.test(text[j]!)) j++;
        variables.push({ name: text.slice(i + 1, j), use: 'value' });
        i = j - 1;
      } else if (next !== undefined && SPECIAL_PARAMETER.test(next)) {
        variables.push({ name: next, use: 'value' });
        i++;
      }
    }
  }
  if (listed.lengths !== undefined || listed.names !== undefined) return { variables, arithmetic, ...listed };
  return variables.length === 0 && arithmetic.length === 0 ? NO_SCAN : { variables, arithmetic };
}

/**
 * A `${...}` expansion whose body starts at `i`: records what it uses, and returns the index just
 * past its closing brace. Operators that expand words (`${x:-$y}`) are left to the caller's scan,
 * which resumes inside them.
 */
function parameter(
  text: string,
  i: number,
  variables: { name: string; use: VariableUse }[],
  arithmetic: { start: number; end: number; array?: string }[],
  listed: { lengths?: string[]; names?: string[] },
): number {
  const n = text.length;
  let length = false;
  let indirect = false;
  if (text[i] === '#' && text[i + 1] !== '}' && (NAME_START.test(text[i + 1] ?? '') || SPECIAL_PARAMETER.test(text[i + 1] ?? ''))) {
    length = true;
    i++;
  } else if (text[i] === '!' && text[i + 1] !== '}') {
    indirect = true;
    i++;
  }
  const nameStart = i;
  if (NAME_START.test(text[i] ?? '')) while (i < n && NAME_CHAR.test(text[i]!)) i++;
  else if (SPECIAL_PARAMETER.test(text[i] ?? '')) i++;
  const name = text.slice(nameStart, i);
  if (name === '') return i;
  if (text[i] === '[') {
    const end = closingBracket(text, i + 1);
    const subscript = text.slice(i + 1, end).trim();
    if (subscript !== '@' && subscript !== '*') arithmetic.push({ start: i + 1, end, array: name });
    // `${!a[@]}` lists an array's keys.
    else if (indirect) indirect = length = true;
    i = Math.min(n, end + 1);
  }
  // `${!prefix*}` and `${!prefix@}` list names; `${#x}` is a length.
  if (indirect && (text[i] === '*' || text[i] === '@') && text[i + 1] === '}') {
    (listed.names ??= []).push(name);
    return i + 2;
  }
  if (length && !indirect && NAME_START.test(name)) (listed.lengths ??= []).push(name);
  const op = text[i];
  // `${x:+word}` and `${x+word}` give the word, not the value.
  const alternate = op === '+' || (op === ':' && text[i + 1] === '+');
  if (!length && !alternate) variables.push({ name, use: indirect ? 'indirect' : 'value' });
  if (op === ':' && !'-=?+'.includes(text[i + 1] ?? '-')) {
    // `${x:offset}` and `${x:offset:length}`: both arithmetic.
    const close = closingBrace(text, i + 1);
    const body = text.slice(i + 1, close);
    const colon = topLevelColon(body);
    arithmetic.push({ start: i + 1, end: colon < 0 ? close : i + 1 + colon });
    if (colon >= 0) arithmetic.push({ start: i + 2 + colon, end: close });
    return close + 1;
  }
  return i;
}

function topLevelColon(body: string): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ':' && depth === 0 && body[i - 1] !== '?') return i;
  }
  return -1;
}

/** The index of the `)` closing the `(` at `open` (quotes and nesting honoured), or the text's end. */
export function closingParen(text: string, open: number): number {
  return closing(text, open + 1, '(', ')');
}

function closingBracket(text: string, from: number): number {
  return closing(text, from, '[', ']');
}

export function closingBrace(text: string, from: number): number {
  return closing(text, from, '{', '}');
}

function closing(text: string, from: number, open: string, close: string): number {
  let depth = 0;
  const n = text.length;
  for (let i = from; i < n; i++) {
    const c = text[i]!;
    if (c === '\\') i++;
    else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      i = end < 0 ? n : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '`') i = skipBackquoted(text, i);
    else if (c === open) depth++;
    else if (c === close) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return n;
}

function skipBackquoted(text: string, open: number): number {
  let j = open + 1;
  while (j < text.length && text[j] !== '`') j += text[j] === '\\' ? 2 : 1;
  return Math.min(j, text.length);
}
