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
  'word', 'number', 'raw_string', 'ansi_c_string', 'simple_expansion', 'variable_name',
  'special_variable_name', 'file_descriptor', 'comment', 'heredoc_start', 'heredoc_end',
  'string_content', 'regex', 'extglob_pattern', 'test_operator', 'brace_expression',
]);

/** Node types whose position the policy never reads: only their children matter. */
const STRUCTURAL = new Set([
  'program', 'list', 'pipeline', 'do_group', 'if_statement', 'elif_clause',
  'else_clause', 'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'case_item',
  'command_name', 'negated_command', 'test_command', 'binary_expression', 'unary_expression',
  'parenthesized_expression', 'ternary_expression', 'postfix_expression',
]);

/** Node types worth descending into only when their text can hold a substitution. */
const SUBSTITUTION_CARRIERS = new Set(['string', 'translated_string', 'expansion', 'heredoc_body', 'arithmetic_expansion']);

const NO_CHILDREN: readonly SyntaxNode[] = [];

/**
 * A command whose source is only plain words: no quotes, escapes, expansions, globs, redirections,
 * operators or assignments before the name. Its words are exactly its blank-separated fields, so
 * they are read from the text instead of from the tree, one WASM call per word saved.
 */
const PLAIN_COMMAND = /^[A-Za-z0-9_@%+,./:^-]+(?:[ \t]+[A-Za-z0-9_@%+=,./:^-]+)*$/;

function plainCommand(source: string, start: number, end: number): SyntaxNode | null {
  const text = source.slice(start, end);
  if (!PLAIN_COMMAND.test(text)) return null;
  const children: SyntaxNode[] = [];
  const field = /[^ \t]+/g;
  for (let m = field.exec(text); m !== null; m = field.exec(text)) {
    const word: SyntaxNode = { type: 'word', named: true, start: start + m.index, end: start + m.index + m[0].length, children: NO_CHILDREN };
    children.push(children.length === 0 ? { type: 'command_name', named: true, start: word.start, end: word.end, children: [word] } : word);
  }
  return { type: 'command', named: true, start, end, children };
}

/** Per grammar: each node type's name and whether it is a named node (anonymous ones are punctuation and keywords). */
interface TypeTable {
  readonly names: readonly string[];
  readonly named: readonly boolean[];
}

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
    table = { names, named };
    typeTables.set(language, table);
  }
  return table;
}

export function parseScript(parser: Parser, source: string): ParsedScript {
  const types = typeTable(parser);
  const tree = parser.parse(source);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    return { hasError: root.hasError, root: copy(root, source, types) };
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
function copy(node: Node, source: string, types: TypeTable): SyntaxNode {
  const id = node.typeId;
  const type = types.names[id] ?? 'ERROR';
  const start = node.startIndex;
  const structural = STRUCTURAL.has(type);
  const end = structural ? -1 : node.endIndex;
  if (LEAVES.has(type) || (SUBSTITUTION_CARRIERS.has(type) && !mayHoldSubstitution(source, start, end))) {
    return { type, named: true, start, end, children: NO_CHILDREN };
  }
  if (type === 'command') {
    const plain = plainCommand(source, start, end);
    if (plain !== null) return plain;
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
    children[i] = copy(kid, source, types);
  }
  return { type, named: true, start, end, children };
}

function mayHoldSubstitution(source: string, start: number, end: number): boolean {
  const dollar = source.indexOf('$(', start);
  if (dollar >= 0 && dollar < end) return true;
  const tick = source.indexOf('`', start);
  return tick >= 0 && tick < end;
}
