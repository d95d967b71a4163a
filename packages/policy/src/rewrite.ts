/**
 * The text of a script as bash reads it before tree-sitter-bash parses it: backslash-newlines
 * joined and brace groups expanded (`{rm,-rf,/}` is `rm -rf /`), read by a tokenizer that follows
 * bash's quoting, operators, comments, heredocs and nested substitutions.
 */
import { expandWord, findBraceGroup, type WordText } from './braces.js';

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
