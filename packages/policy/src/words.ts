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

const MAX_BRACE_WORDS = 256;
/** Longer text between braces is not a sequence anyone writes (`{-100..100..5}` is 13 characters). */
const MAX_SEQUENCE_TEXT = 64;
/** Longer lines are not brace-expanded (the caller treats them as too complex instead). */
export const MAX_BRACE_LINE = 8192;
/** How deeply substitutions and quotes may nest before rewriteScript gives up. */
const MAX_REWRITE_DEPTH = 200;

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

export interface RewrittenScript {
  readonly text: string;
  /** Substitutions or quotes nest too deeply to follow; `text` is then the source as it was. */
  readonly tooDeep: boolean;
}

/**
 * The text of a script as bash reads it, where tree-sitter-bash would read it differently:
 * - a backslash-newline outside single quotes, comments and quoted heredocs disappears before
 *   anything else (`r\<newline>m` is `rm`, `-del\<newline>ete` is `-delete`);
 * - brace groups in words are expanded (`{rm,-rf,/}` is `rm -rf /`, `cp f{,.bak}` is `cp f f.bak`),
 *   but not inside quotes, comments, heredoc bodies, `${...}`, arithmetic, `[[ ... ]]` or in an
 *   assignment before the command, as in bash. A word that expansion produces is one word and
 *   nothing else: where it would read as syntax when parsed again (`#` starting a comment, `NAME=`
 *   an assignment in the command's place) it is escaped.
 * The code inside `$(...)`, backquotes, `<(...)` and unquoted heredocs is rewritten the same way.
 * Returns null when there is nothing to rewrite (the common case, decided without allocating).
 */
export function rewriteScript(source: string, braces: boolean): RewrittenScript | null {
  if (!source.includes('\\\n') && !(braces && mayHaveBraceGroup(source))) return null;
  const reader = new ScriptReader(source, braces);
  try {
    const text = reader.script(false);
    return reader.changed ? { text, tooDeep: false } : null;
  } catch (error) {
    if (error === TOO_DEEP_TO_REWRITE) return { text: source, tooDeep: true };
    throw error;
  }
}

/** Whether a word, as written, holds a brace group that bash would expand. */
export function hasBraceGroup(word: string): boolean {
  if (!mayHaveBraceGroup(word)) return false;
  try {
    return findBraceGroup(new ScriptReader(word, true).word()) !== null;
  } catch (error) {
    if (error === TOO_DEEP_TO_REWRITE) return true;
    throw error;
  }
}

const TOO_DEEP_TO_REWRITE = Symbol('too deep to rewrite');

/** A word's text, and for each character whether brace expansion acts on it (unquoted, unescaped): `1` or `0`. */
interface WordText {
  readonly text: string;
  readonly active: string;
}

interface Heredoc {
  /** The delimiter after quote removal. */
  readonly delimiter: string;
  /** The delimiter was quoted, so the body is taken as it is. */
  readonly quoted: boolean;
  /** `<<-`: leading tabs are stripped before lines are compared with the delimiter. */
  readonly stripTabs: boolean;
}

/** Reserved words, recognised where a command starts. */
const RESERVED_WORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  'for',
  'select',
  'in',
  'case',
  'esac',
  'function',
  'coproc',
  'time',
  '!',
  '{',
  '}',
  '[[',
  ']]',
]);
/** Reserved words after which a command starts. */
const COMMAND_FOLLOWS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', 'coproc', 'time', '!', '{']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const ENDS_WORD = ' \t\r\n;&|()';

/**
 * Reads shell text the way bash's tokenizer does, as far as rewriteScript needs: words and their
 * quoting, operators, comments, heredoc bodies and nested substitutions. Each method reads from
 * `pos` and returns the rewritten text of what it read; nothing is read past `limit`.
 */
class ScriptReader {
  private pos = 0;
  /** Whether the text read so far differs from the source. */
  changed = false;
  private limit: number;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly braces: boolean,
  ) {
    this.limit = src.length;
  }

  /**
   * Commands, up to the end of the text or, `inParens`, up to the `)` that closes a `$(` or `<(`
   * (not read). A `)` closing a `case` pattern or a subshell is told apart from it.
   */
  script(inParens: boolean): string {
    const src = this.src;
    let out = '';
    let commandPosition = true;
    let afterFor = false;
    let parens = 0;
    let cases = 0;
    let inTest = false;
    const heredocs: Heredoc[] = [];
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      const next = src[this.pos + 1];
      if (c === '\\' && next === '\n') {
        this.skipContinuation();
      } else if (c === ' ' || c === '\t' || c === '\r') {
        out += c;
        this.pos++;
      } else if (c === '\n') {
        out += c;
        this.pos++;
        commandPosition = true;
        if (heredocs.length > 0) out += this.heredocBodies(heredocs.splice(0));
      } else if (c === '#') {
        out += this.comment();
      } else if (c === ')') {
        if (parens > 0) parens--;
        else if (inParens && cases === 0) return out;
        out += c;
        this.pos++;
        commandPosition = true;
      } else if (c === '(' && next === '(' && (commandPosition || afterFor)) {
        this.pos += 2;
        out += '((' + this.arithmetic('))');
        commandPosition = afterFor = false;
      } else if (c === '(') {
        parens++;
        out += c;
        this.pos++;
        commandPosition = true;
      } else if (c === '<' && next === '<') {
        out += src[this.pos + 2] === '<' ? this.take(3) : this.heredocOperator(heredocs);
      } else if ((c === '<' || c === '>') && next !== '(') {
        out += this.take(next === '>' || next === '&' || next === '|' || (c === '<' && next === '>') ? 2 : 1);
      } else if (c === '&' && next === '>') {
        out += this.take(2);
      } else if (c === ';' || c === '&' || c === '|') {
        out += this.take(1);
        commandPosition = true;
        afterFor = false;
      } else {
        const start = this.pos;
        const word = this.word();
        if (this.pos === start) {
          out += this.take(1);
          continue;
        }
        const plain = word.active.includes('0') ? null : word.text;
        if (inTest) {
          if (plain === ']]') inTest = false;
          out += word.text;
        } else if (commandPosition && plain !== null && RESERVED_WORDS.has(plain)) {
          if (plain === 'case') cases++;
          else if (plain === 'esac' && cases > 0) cases--;
          else if (plain === '[[') inTest = true;
          afterFor = plain === 'for';
          commandPosition = COMMAND_FOLLOWS.has(plain);
          out += word.text;
        } else if (commandPosition && ASSIGNMENT.test(word.text)) {
          out += word.text;
        } else {
          out += this.expanded(word, commandPosition);
          commandPosition = afterFor = false;
        }
      }
    }
    return out;
  }

  /** One word, up to the first unquoted blank or operator. */
  word(): WordText {
    const src = this.src;
    let text = '';
    let active = '';
    const add = (piece: string, isActive: boolean): void => {
      text += piece;
      active += (isActive ? '1' : '0').repeat(piece.length);
    };
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      const next = src[this.pos + 1];
      if (c === '\\') {
        add(this.escaped(), false);
      } else if ((c === '<' || c === '>') && next === '(') {
        this.pos += 2;
        add(c + '(' + this.nested(() => this.script(true)) + this.closing(')'), false);
      } else if (ENDS_WORD.includes(c) || c === '<' || c === '>') {
        break;
      } else if (c === "'") {
        add(this.singleQuoted(), false);
      } else if (c === '"' || (c === '$' && next === '"')) {
        this.pos += c === '"' ? 1 : 2;
        add((c === '"' ? '"' : '$"') + this.quoted('"'), false);
      } else if (c === '$' && next === "'") {
        add(this.ansiC(), false);
      } else {
        const substitution = c === '$' || c === '`' ? this.substitution(false) : null;
        if (substitution !== null) add(substitution, false);
        else add(this.take(1), true);
      }
    }
    return { text, active };
  }

  /** The word as it reaches the command: its brace groups expanded, each resulting word plain. */
  private expanded(word: WordText, commandPosition: boolean): string {
    if (!this.braces || !word.text.includes('{')) return word.text;
    const words = expandWord(word);
    if (words === null) return word.text;
    this.changed = true;
    return words
      .map((w, i) => {
        const syntax = (w.active.startsWith('1') && w.text.startsWith('#')) || (commandPosition && i === 0 && ASSIGNMENT.test(w.text));
        return syntax ? '\\' + w.text : w.text;
      })
      .join(' ');
  }

  /** `$(...)`, `$((...))`, `${...}`, `$[...]` or a backquoted command; null at any other `$`. */
  private substitution(inDoubleQuotes: boolean): string | null {
    const src = this.src;
    const c = src[this.pos];
    const next = src[this.pos + 1];
    if (c === '`') return this.nested(() => this.backquoted());
    if (next === '(' && src[this.pos + 2] === '(') {
      this.pos += 3;
      return '$((' + this.nested(() => this.arithmetic('))'));
    }
    if (next === '(') {
      this.pos += 2;
      return '$(' + this.nested(() => this.script(true)) + this.closing(')');
    }
    if (next === '{') {
      this.pos += 2;
      return '${' + this.nested(() => this.parameter(inDoubleQuotes));
    }
    if (next === '[') {
      this.pos += 2;
      return '$[' + this.nested(() => this.arithmetic(']'));
    }
    return null;
  }

  /** The inside of double quotes after the opening one, or a heredoc body when `terminator` is null. */
  private quoted(terminator: '"' | null): string {
    const src = this.src;
    let out = '';
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      if (c === '\\') {
        out += this.escaped();
        continue;
      }
      if (c === terminator) return out + this.take(1);
      const substitution = c === '$' || c === '`' ? this.substitution(true) : null;
      out += substitution ?? this.take(1);
    }
    return out;
  }

  /** A parameter expansion after its `${`, through the matching `}`. */
  private parameter(inDoubleQuotes: boolean): string {
    const src = this.src;
    let out = '';
    let depth = 1;
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      if (c === '\\') {
        out += this.escaped();
      } else if (c === "'" && !inDoubleQuotes) {
        out += this.singleQuoted();
      } else if (c === '"') {
        this.pos++;
        out += '"' + this.quoted('"');
      } else {
        const substitution = c === '$' || c === '`' ? this.substitution(inDoubleQuotes) : null;
        if (substitution !== null) {
          out += substitution;
          continue;
        }
        if (c === '{') depth++;
        out += this.take(1);
        if (c === '}' && --depth === 0) return out;
      }
    }
    return out;
  }

  /** An arithmetic expression after its opening, through `))` or `]`. */
  private arithmetic(closer: '))' | ']'): string {
    const src = this.src;
    let out = '';
    let depth = 0;
    while (this.pos < this.limit) {
      const c = src[this.pos]!;
      if (c === '\\') {
        out += this.escaped();
        continue;
      }
      if (c === '"') {
        this.pos++;
        out += '"' + this.quoted('"');
        continue;
      }
      const substitution = c === '$' || c === '`' ? this.substitution(true) : null;
      if (substitution !== null) {
        out += substitution;
        continue;
      }
      if (c === '(' || c === '[') depth++;
      else if (closer === '))' && c === ')' && depth === 0 && src[this.pos + 1] === ')') return out + this.take(2);
      else if (closer === ']' && c === ']' && depth === 0) return out + this.take(1);
      else if ((c === ')' || c === ']') && depth > 0) depth--;
      out += this.take(1);
    }
    return out;
  }

  /** A backquoted command: its text up to the next unescaped backquote is a script of its own. */
  private backquoted(): string {
    const src = this.src;
    let end = this.pos + 1;
    while (end < this.limit && src[end] !== '`') end += src[end] === '\\' ? 2 : 1;
    end = Math.min(end, this.limit);
    return '`' + this.within(this.pos + 1, end, () => this.script(false)) + this.closing('`');
  }

  /** `<<DELIM` or `<<-DELIM`: the body is read after the end of the line. */
  private heredocOperator(heredocs: Heredoc[]): string {
    const src = this.src;
    const stripTabs = src[this.pos + 2] === '-';
    let out = this.take(stripTabs ? 3 : 2);
    while (this.pos < this.limit && (src[this.pos] === ' ' || src[this.pos] === '\t')) out += this.take(1);
    const word = this.word().text;
    heredocs.push({ delimiter: removeQuotes(word), quoted: /["'\\]/.test(word), stripTabs });
    return out + word;
  }

  /**
   * The bodies of the heredocs started on the line just ended, each through its delimiter line. A
   * line is compared with the delimiter as bash reads it: with backslash-newlines joined, unless
   * the delimiter was quoted.
   */
  private heredocBodies(heredocs: readonly Heredoc[]): string {
    const src = this.src;
    let out = '';
    for (const heredoc of heredocs) {
      const bodyStart = this.pos;
      let bodyEnd = this.limit;
      let delimiterLine: string | null = null;
      let after = this.limit;
      for (let i = this.pos; i < this.limit; i++) {
        const lineStart = i;
        let line = '';
        for (; i < this.limit && src[i] !== '\n'; i++) {
          if (src[i] === '\\' && !heredoc.quoted && i + 1 < this.limit) {
            if (src[i + 1] !== '\n') line += src.slice(i, i + 2);
            i++;
          } else {
            line += src[i];
          }
        }
        if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) {
          bodyEnd = lineStart;
          delimiterLine = line + (i < this.limit ? '\n' : '');
          after = Math.min(i + 1, this.limit);
          if (delimiterLine !== src.slice(lineStart, after)) this.changed = true;
          break;
        }
      }
      out += heredoc.quoted ? src.slice(bodyStart, bodyEnd) : this.within(bodyStart, bodyEnd, () => this.quoted(null));
      out += delimiterLine ?? '';
      this.pos = after;
    }
    return out;
  }

  /** Reads `start..end` with `read`, as if the text ended there; continues after it. */
  private within(start: number, end: number, read: () => string): string {
    const limit = this.limit;
    this.pos = start;
    this.limit = end;
    try {
      return read();
    } finally {
      this.limit = limit;
      this.pos = end;
    }
  }

  private nested(read: () => string): string {
    if (++this.depth > MAX_REWRITE_DEPTH) throw TOO_DEEP_TO_REWRITE;
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  private singleQuoted(): string {
    const close = this.src.indexOf("'", this.pos + 1);
    return this.take((close < 0 || close >= this.limit ? this.limit : close + 1) - this.pos);
  }

  /** `$'...'`, where a backslash escapes the quote. */
  private ansiC(): string {
    let end = this.pos + 2;
    while (end < this.limit && this.src[end] !== "'") end += this.src[end] === '\\' ? 2 : 1;
    return this.take(Math.min(end + 1, this.limit) - this.pos);
  }

  /** A comment runs to the end of the line; a backslash-newline does not continue it. */
  private comment(): string {
    const newline = this.src.indexOf('\n', this.pos);
    return this.take((newline < 0 || newline > this.limit ? this.limit : newline) - this.pos);
  }

  private closing(c: string): string {
    return this.pos < this.limit && this.src[this.pos] === c ? this.take(1) : '';
  }

  private skipContinuation(): void {
    this.pos += 2;
    this.changed = true;
  }

  /** At a backslash: it and what it escapes, or nothing for a backslash-newline, which bash removes. */
  private escaped(): string {
    if (this.src[this.pos + 1] !== '\n') return this.take(2);
    this.skipContinuation();
    return '';
  }

  /** The next `n` characters (fewer at the limit). */
  private take(n: number): string {
    const end = Math.min(this.pos + n, this.limit);
    const text = this.src.slice(this.pos, end);
    this.pos = end;
    return text;
  }
}

/** A heredoc delimiter after quote removal: `'E"F'`, `"E'F"`, `E\F` and `"E\"F"` are `E"F`, `E'F`, `EF` and `E"F`. */
function removeQuotes(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === "'") {
      const close = word.indexOf("'", i + 1);
      const end = close < 0 ? word.length : close;
      out += word.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      for (i++; i < word.length && word[i] !== '"'; i++) {
        if (word[i] === '\\' && i + 1 < word.length && '$`"\\'.includes(word[i + 1]!)) i++;
        out += word[i];
      }
    } else if (c === '\\' && i + 1 < word.length) {
      out += word[++i];
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The words a word's brace groups expand to, or null if it has none. As in bash: the text before
 * the first group, each of its alternatives expanded, each followed by each expansion of the rest.
 */
function expandWord(word: WordText): WordText[] | null {
  const group = findBraceGroup(word);
  if (group === null) return null;
  const prefix = slice(word, 0, group.open);
  const rest = slice(word, group.close + 1, word.text.length);
  const tails = expandWord(rest) ?? [rest];
  const results: WordText[] = [];
  for (const alternative of group.alternatives) {
    for (const middle of expandWord(alternative) ?? [alternative]) {
      for (const tail of tails) {
        results.push({ text: prefix.text + middle.text + tail.text, active: prefix.active + middle.active + tail.active });
        if (results.length >= MAX_BRACE_WORDS) return results;
      }
    }
  }
  return results;
}

function slice(word: WordText, start: number, end: number): WordText {
  return { text: word.text.slice(start, end), active: word.active.slice(start, end) };
}

interface BraceGroup {
  readonly open: number;
  readonly close: number;
  readonly alternatives: readonly WordText[];
}

/**
 * The leftmost brace group that expands: a `{` and its matching `}` with a comma at the top level
 * between them, or a sequence. Braces are paired in one pass.
 */
function findBraceGroup(word: WordText): BraceGroup | null {
  const opened: { at: number; comma: boolean }[] = [];
  let open = -1;
  let close = -1;
  let sequence: string[] | null = null;
  // Once a group is found and no `{` before it is still open, nothing further can come before it.
  for (let i = 0; i < word.text.length && !(open >= 0 && opened.length === 0); i++) {
    if (word.active[i] !== '1') continue;
    const ch = word.text[i];
    if (ch === '{') {
      opened.push({ at: i, comma: false });
    } else if (ch === ',' && opened.length > 0) {
      opened[opened.length - 1]!.comma = true;
    } else if (ch === '}' && opened.length > 0) {
      const pair = opened.pop()!;
      if (open >= 0 && pair.at > open) continue;
      const body = slice(word, pair.at + 1, i);
      const steps = pair.comma || body.text.length > MAX_SEQUENCE_TEXT || body.active.includes('0') ? null : expandSequence(body.text);
      if (pair.comma || steps !== null) {
        open = pair.at;
        close = i;
        sequence = steps;
      }
    }
  }
  if (open < 0) return null;
  if (sequence !== null) return { open, close, alternatives: sequence.map((text) => ({ text, active: '1'.repeat(text.length) })) };
  const alternatives: WordText[] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (word.active[i] !== '1') continue;
    const ch = word.text[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      alternatives.push(slice(word, from, i));
      from = i + 1;
    }
  }
  alternatives.push(slice(word, from, close));
  return { open, close, alternatives };
}

/**
 * `{1..5}`, `{a..e}`, `{10..0..2}`; bounded so a hostile `{1..999999999}` costs nothing. A letter
 * range that would run through the punctuation between `Z` and `a` is left alone.
 */
function expandSequence(body: string): string[] | null {
  const m = /^(-?\d+|[a-z]|[A-Z])\.\.(-?\d+|[a-z]|[A-Z])(?:\.\.(-?\d+))?$/.exec(body);
  if (m === null) return null;
  const [, from, to, stepText] = m;
  const numeric = /\d/.test(from!);
  if (numeric !== /\d/.test(to!)) return null;
  if (!numeric && from! < 'a' !== to! < 'a') return null;
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
