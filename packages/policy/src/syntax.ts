import type { Node, Parser } from 'web-tree-sitter';

/**
 * A plain-JS copy of the parts of a tree-sitter tree the policy reads. Every accessor is a call into
 * WebAssembly, so the tree is copied once, reading only what the policy uses, and not descended into
 * where nothing below can matter (a bare word, a quoted string without substitutions).
 */
export interface SyntaxNode {
  readonly type: string;
  /** Whether this is a named node; punctuation and keywords are not (and have no position). */
  readonly named: boolean;
  /**
   * Read from a literal command's text (see literalCommand): a word of plain characters only, with
   * no escapes, globs or expansions to consider.
   */
  readonly literal?: true;
  readonly start: number;
  readonly end: number;
  readonly children: readonly SyntaxNode[];
}

export interface ParsedScript {
  readonly root: SyntaxNode;
  readonly hasError: boolean;
}

/** Node types whose children never hold a command. */
const LEAVES = new Set([
  'word',
  'number',
  'raw_string',
  'ansi_c_string',
  'simple_expansion',
  'variable_name',
  'special_variable_name',
  'file_descriptor',
  'comment',
  'heredoc_start',
  'heredoc_end',
  'string_content',
  'regex',
  'extglob_pattern',
  'test_operator',
  'brace_expression',
]);

/** Node types whose position the policy never reads: only their children matter. */
const STRUCTURAL = new Set([
  'program',
  'list',
  'pipeline',
  'do_group',
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'for_statement',
  'c_style_for_statement',
  'case_statement',
  'case_item',
  'command_name',
  'negated_command',
  'test_command',
  'binary_expression',
  'unary_expression',
  'parenthesized_expression',
  'ternary_expression',
  'postfix_expression',
]);

/** Node types worth descending into only when their text can hold a substitution. */
const SUBSTITUTION_CARRIERS = new Set(['string', 'translated_string', 'expansion', 'heredoc_body', 'arithmetic_expansion']);

const NO_CHILDREN: readonly SyntaxNode[] = [];

/**
 * How deep the copy goes. Deeper nesting (`$($($(...)))` a thousand levels down) is not something a
 * person writes; it is cut off here, as a node of type TOO_DEEP, instead of overflowing the stack.
 */
export const MAX_SYNTAX_DEPTH = 200;
export const TOO_DEEP = 'too_deep';

/** Characters a literal word may hold unquoted (`=` only after the command name). */
const PLAIN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+,./:^-') PLAIN_CHAR[c.charCodeAt(0)] = 1;
/** Characters the first word of a literal line may hold. */
const NAME_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+,./:-') NAME_CHAR[c.charCodeAt(0)] = 1;
const SPACE = 32;
const TAB = 9;
const SINGLE = 39;
const DOUBLE = 34;
const EQUALS = 61;
const PERCENT = 37;
const AT = 64;

/**
 * A command made only of literal words: the name plain, the arguments plain or literally quoted
 * (`'...'`, or `"..."` without `$`, backquotes, backslashes or `!`), no redirections, operators,
 * globs or assignments. Its words and their pieces are then exactly what the text says, so they
 * are read from the text in one linear pass instead of from the tree (tree-sitter has already
 * decided that this span is one simple command). A test holds this to tree-sitter's own nodes.
 */
function literalCommand(source: string, start: number, end: number): SyntaxNode | null {
  const words: SyntaxNode[] = [];
  let i = start;
  while (i < end) {
    const wordStart = i;
    const pieces: SyntaxNode[] = [];
    while (i < end) {
      const c = source.charCodeAt(i);
      if (c === SPACE || c === TAB) break;
      const pieceStart = i;
      if (c === SINGLE || c === DOUBLE) {
        // The name must be plain: a quoted name is judged from the tree (it may be obfuscation).
        if (words.length === 0) return null;
        const close = source.indexOf(c === SINGLE ? "'" : '"', i + 1);
        if (close < 0 || close >= end) return null;
        if (c === DOUBLE) {
          for (let j = i + 1; j < close; j++) {
            const d = source.charCodeAt(j);
            if (d === 36 || d === 96 || d === 92 || d === 33) return null;
          }
        }
        i = close + 1;
        pieces.push({ type: c === SINGLE ? 'raw_string' : 'string', named: true, start: pieceStart, end: i, children: NO_CHILDREN });
        continue;
      }
      // tree-sitter-bash reads a lone `==` or `=~` as a test operator: words starting with `=` take the tree path.
      if (c === EQUALS && i === wordStart) return null;
      while (i < end) {
        const d = source.charCodeAt(i);
        if ((d < 128 && PLAIN_CHAR[d] === 1) || (d === EQUALS && words.length > 0)) i++;
        else break;
      }
      if (i === pieceStart) return null;
      pieces.push({ type: isNumber(source, pieceStart, i) ? 'number' : 'word', named: true, literal: true, start: pieceStart, end: i, children: NO_CHILDREN });
    }
    const word = pieces.length === 1 ? pieces[0]! : { type: 'concatenation', named: true, start: wordStart, end: i, children: pieces };
    words.push(words.length === 0 ? { type: 'command_name', named: true, start: -1, end: -1, children: [word] } : word);
    while (i < end && (source.charCodeAt(i) === SPACE || source.charCodeAt(i) === TAB)) i++;
  }
  return words.length === 0 ? null : { type: 'command', named: true, start, end, children: words };
}

/**
 * Words bash reads as syntax when they come first (reserved words), and builtins tree-sitter-bash
 * gives their own node types; a line starting with one of them always goes to tree-sitter.
 */
const SPECIAL_FIRST_WORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'select',
  'while',
  'until',
  'do',
  'done',
  'in',
  'function',
  'time',
  'coproc',
  'declare',
  'typeset',
  'export',
  'readonly',
  'local',
  'unset',
  'unsetenv',
]);

/**
 * A whole line that is one literal command (see literalCommand) on one line, such as
 * `git log --oneline -n 5`: the most common thing an agent asks, and one whose tree is known
 * without parsing. Anything else (operators, newlines, control characters, a reserved word first)
 * returns null and is parsed by tree-sitter. A test holds this to tree-sitter's own result, on a
 * corpus and on generated lines.
 */
function literalLine(source: string): SyntaxNode | null {
  let start = 0;
  let end = source.length;
  while (start < end && (source.charCodeAt(start) === SPACE || source.charCodeAt(start) === TAB)) start++;
  while (end > start && (source.charCodeAt(end - 1) === SPACE || source.charCodeAt(end - 1) === TAB)) end--;
  if (start === end) return null;
  for (let i = start; i < end; i++) {
    const c = source.charCodeAt(i);
    // tree-sitter-bash's lexer reads `%` and `@` after some words as the start of an expansion.
    if ((c < 32 && c !== TAB) || c === PERCENT || c === AT) return null;
  }
  let nameEnd = start;
  for (; nameEnd < end; nameEnd++) {
    const c = source.charCodeAt(nameEnd);
    if (c === SPACE || c === TAB) break;
    // tree-sitter-bash lexes `unset^x` or `if:x` oddly; a first word keeps to these characters.
    if (c >= 128 || NAME_CHAR[c] !== 1) return null;
  }
  const first = source.charCodeAt(start);
  // A name starting with `-`, `+`, `:` or `,` is rare and lexed oddly by tree-sitter-bash too.
  if (first === 45 || first === 43 || first === 58 || first === 44) return null;
  if (SPECIAL_FIRST_WORDS.has(source.slice(start, nameEnd))) return null;
  return literalCommand(source, start, end);
}

/** What tree-sitter-bash calls a number among literal words: digits, optionally negative. */
function isNumber(source: string, start: number, end: number): boolean {
  let i = source.charCodeAt(start) === 45 ? start + 1 : start;
  if (i >= end) return false;
  for (; i < end; i++) {
    const c = source.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Per grammar: each node type's name and whether it is a named node (anonymous ones are punctuation and keywords). */
interface TypeTable {
  readonly names: readonly string[];
  readonly named: readonly boolean[];
  /** How `copy` treats each type, looked up by id rather than by name. */
  readonly kind: Uint8Array;
}

const KIND_CONTAINER = 0;
const KIND_LEAF = 1;
const KIND_STRUCTURAL = 2;
const KIND_CARRIER = 3;
const KIND_COMMAND = 4;

const typeTables = new WeakMap<object, TypeTable>();

function typeTable(parser: Parser): TypeTable {
  const language = parser.language;
  if (language === null) throw new Error('the parser has no language');
  let table = typeTables.get(language);
  if (table === undefined) {
    const names: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      names.push(language.nodeTypeForId(id) ?? 'ERROR');
      named.push(language.nodeTypeIsNamed(id));
    }
    const kind = new Uint8Array(names.length);
    names.forEach((name, id) => {
      kind[id] = LEAVES.has(name)
        ? KIND_LEAF
        : STRUCTURAL.has(name)
          ? KIND_STRUCTURAL
          : SUBSTITUTION_CARRIERS.has(name)
            ? KIND_CARRIER
            : name === 'command'
              ? KIND_COMMAND
              : KIND_CONTAINER;
    });
    table = { names, named, kind };
    typeTables.set(language, table);
  }
  return table;
}

/**
 * Parses and copies. `literalWords: false` reads every word from the tree, even of literal
 * commands; it exists so that tests can hold the fast path to tree-sitter's own result.
 */
export function parseScript(parser: Parser, source: string, literalWords = true): ParsedScript {
  if (literalWords) {
    const line = literalLine(source);
    if (line !== null) return { hasError: false, root: { type: 'program', named: true, start: -1, end: -1, children: [line] } };
  }
  const types = typeTable(parser);
  const tree = parser.parse(source);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    return { hasError: root.hasError, root: copy(root, source, types, literalWords, 0) };
  } finally {
    tree.delete();
  }
}

/** Node types whose anonymous children (operators, keywords) the policy reads. */
const WITH_ANONYMOUS = new Set(['file_redirect', 'declaration_command', 'unset_command', 'pipeline']);

/**
 * Copies a node. Children come in one call per parent (`namedChildren` unless the punctuation
 * matters), each child then costs a call for its type and, where the policy reads its text, one for
 * its end.
 */
function copy(node: Node, source: string, types: TypeTable, literalWords: boolean, depth: number): SyntaxNode {
  if (depth > MAX_SYNTAX_DEPTH) return { type: TOO_DEEP, named: true, start: -1, end: -1, children: NO_CHILDREN };
  const id = node.typeId;
  const type = types.names[id] ?? 'ERROR';
  const kind = types.kind[id] ?? KIND_CONTAINER;
  const start = kind === KIND_STRUCTURAL ? -1 : node.startIndex;
  const end = kind === KIND_STRUCTURAL ? -1 : node.endIndex;
  if (kind === KIND_LEAF || (kind === KIND_CARRIER && !mayHoldSubstitution(source, start, end))) {
    return { type, named: true, start, end, children: NO_CHILDREN };
  }
  if (kind === KIND_COMMAND && literalWords) {
    const literal = literalCommand(source, start, end);
    if (literal !== null) return literal;
  }
  const withAnonymous = WITH_ANONYMOUS.has(type);
  const kids = withAnonymous ? node.children : node.namedChildren;
  if (kids.length === 0) return { type, named: true, start, end, children: NO_CHILDREN };
  const children: SyntaxNode[] = new Array<SyntaxNode>(kids.length);
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i]!;
    if (withAnonymous) {
      const kidId = kid.typeId;
      if (types.named[kidId] === false) {
        children[i] = { type: types.names[kidId] ?? 'ERROR', named: false, start: -1, end: -1, children: NO_CHILDREN };
        continue;
      }
    }
    children[i] = copy(kid, source, types, literalWords, depth + 1);
  }
  return { type, named: true, start, end, children };
}

function mayHoldSubstitution(source: string, start: number, end: number): boolean {
  const dollar = source.indexOf('$(', start);
  if (dollar >= 0 && dollar < end) return true;
  const tick = source.indexOf('`', start);
  return tick >= 0 && tick < end;
}
