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
  a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
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

const MAX_BRACE_WORDS = 256;
/** Longer lines are not brace-expanded (the caller treats them as too complex instead). */
export const MAX_BRACE_LINE = 8192;

/**
 * Whether the line may hold an expandable group: a `{` followed, before any whitespace or `}`, by a
 * comma or `..`. One linear pass (a regular expression here would be quadratic on `{{{{...`).
 */
export function mayHaveBraceGroup(line: string): boolean {
  let i = line.indexOf('{');
  if (i < 0) return false;
  let open = false;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 123) open = true;
    else if (c === 125 || c === 32 || c === 9 || c === 10) open = false;
    else if (open && (c === 44 || (c === 46 && line.charCodeAt(i + 1) === 46))) return true;
  }
  return false;
}

/**
 * Bash brace expansion over a whole command line, word by word, respecting quotes:
 * `{rm,-rf,/}` becomes `rm -rf /`, `cp f{,.bak}` becomes `cp f f.bak`. Returns null when the line
 * has nothing to expand (the common case, decided without allocating).
 */
export function expandBraces(line: string): string | null {
  if (!mayHaveBraceGroup(line)) return null;
  let changed = false;
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (/\s|[;&|<>()]/.test(ch)) {
      out += ch;
      i++;
      continue;
    }
    const end = wordEnd(line, i);
    const word = line.slice(i, end);
    const expanded = word.includes('{') ? expandWord(word) : null;
    if (expanded !== null && expanded.length > 1) {
      out += expanded.join(' ');
      changed = true;
    } else {
      out += word;
    }
    i = end;
  }
  return changed ? out : null;
}

/** The end of the shell word starting at `start`, skipping over quoted and `$(...)`/`${...}` parts. */
function wordEnd(line: string, start: number): number {
  let i = start;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '\\') i += 2;
    else if (ch === "'") i = skipPast(line, i + 1, "'");
    else if (ch === '"') i = skipDouble(line, i + 1);
    else if (ch === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) i = skipBalanced(line, i + 1);
    else if (ch === '`') i = skipPast(line, i + 1, '`');
    else if (/\s|[;&|<>()]/.test(ch)) return i;
    else i++;
  }
  return Math.min(i, line.length);
}

function skipPast(line: string, from: number, quote: string): number {
  const j = line.indexOf(quote, from);
  return j < 0 ? line.length : j + 1;
}

function skipDouble(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i + 1;
  }
  return line.length;
}

function skipBalanced(line: string, open: number): number {
  const opener = line[open]!;
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\') i++;
    else if (ch === "'" && opener === '(') i = skipPast(line, i + 1, "'") - 1;
    else if (ch === opener) depth++;
    else if (ch === closer && --depth === 0) return i + 1;
  }
  return line.length;
}

/** Expands the first unquoted brace group of a word (recursively), or null if it has none. */
function expandWord(word: string): string[] | null {
  const group = findBraceGroup(word);
  if (group === null) return null;
  const prefix = word.slice(0, group.open);
  const suffix = word.slice(group.close + 1);
  const results: string[] = [];
  for (const alternative of group.alternatives) {
    const combined = prefix + alternative + suffix;
    const again = expandWord(combined);
    for (const w of again ?? [combined]) {
      results.push(w);
      if (results.length >= MAX_BRACE_WORDS) return results;
    }
  }
  return results;
}

interface BraceGroup {
  open: number;
  close: number;
  alternatives: string[];
}

function findBraceGroup(word: string): BraceGroup | null {
  for (let i = 0; i < word.length; i++) {
    const ch = word[i]!;
    if (ch === '\\') {
      i++;
    } else if (ch === "'") {
      i = skipPast(word, i + 1, "'") - 1;
    } else if (ch === '"') {
      i = skipDouble(word, i + 1) - 1;
    } else if (ch === '$' && word[i + 1] === '{') {
      i = skipBalanced(word, i + 1) - 1;
    } else if (ch === '{') {
      const group = braceGroupAt(word, i);
      if (group !== null) return group;
    }
  }
  return null;
}

function braceGroupAt(word: string, open: number): BraceGroup | null {
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < word.length; i++) {
    const ch = word[i]!;
    if (ch === '\\') i++;
    else if (ch === "'") i = skipPast(word, i + 1, "'") - 1;
    else if (ch === '"') i = skipDouble(word, i + 1) - 1;
    else if (ch === '{') depth++;
    else if (ch === ',' && depth === 1) commas.push(i);
    else if (ch === '}' && --depth === 0) {
      const body = word.slice(open + 1, i);
      if (commas.length > 0) {
        const alternatives: string[] = [];
        let from = open + 1;
        for (const comma of commas) {
          alternatives.push(word.slice(from, comma));
          from = comma + 1;
        }
        alternatives.push(word.slice(from, i));
        return { open, close: i, alternatives };
      }
      const sequence = expandSequence(body);
      return sequence === null ? null : { open, close: i, alternatives: sequence };
    }
  }
  return null;
}

/** `{1..5}`, `{a..e}`, `{10..0..2}`; bounded so a hostile `{1..999999999}` costs nothing. */
function expandSequence(body: string): string[] | null {
  const m = /^(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?$/.exec(body);
  if (m === null) return null;
  const [, from, to, stepText] = m;
  const numeric = /\d/.test(from!);
  if (numeric !== /\d/.test(to!)) return null;
  const start = numeric ? Number(from) : from!.charCodeAt(0);
  const end = numeric ? Number(to) : to!.charCodeAt(0);
  const step = Math.max(1, Math.abs(Number(stepText ?? 1)));
  const out: string[] = [];
  const direction = start <= end ? 1 : -1;
  for (let v = start; direction > 0 ? v <= end : v >= end; v += direction * step) {
    out.push(numeric ? String(v) : String.fromCharCode(v));
    if (out.length >= MAX_BRACE_WORDS) break;
  }
  return out;
}
