import type { Parser, TreeCursor } from 'web-tree-sitter';

/**
 * A plain-JS copy of the parts of a tree-sitter tree the policy reads. Crossing into WASM costs a
 * call per accessor, so the tree is copied in one cursor pass and not descended into where nothing
 * below can matter (a bare word, a quoted string without substitutions).
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

/** Node types worth descending into only when their text can hold a substitution. */
const SUBSTITUTION_CARRIERS = new Set(['string', 'translated_string', 'expansion', 'heredoc_body', 'arithmetic_expansion']);

const NO_CHILDREN: readonly SyntaxNode[] = [];

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
    const rootNode = tree.rootNode;
    const hasError = rootNode.hasError;
    const cursor = rootNode.walk();
    try {
      return { root: copy(cursor, source, types), hasError };
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

function copy(cursor: TreeCursor, source: string, types: TypeTable): SyntaxNode {
  const id = cursor.nodeTypeId;
  const type = types.names[id] ?? 'ERROR';
  // Punctuation and keywords: only their type matters (`|`, `&&`, `>`), never their position.
  if (types.named[id] !== true && type !== 'ERROR') return { type, named: false, start: -1, end: -1, children: NO_CHILDREN };
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  if (LEAVES.has(type) || (SUBSTITUTION_CARRIERS.has(type) && !mayHoldSubstitution(source, start, end))) {
    return { type, named: true, start, end, children: NO_CHILDREN };
  }
  if (!cursor.gotoFirstChild()) return { type, named: true, start, end, children: NO_CHILDREN };
  const children: SyntaxNode[] = [];
  do {
    children.push(copy(cursor, source, types));
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  return { type, named: true, start, end, children };
}

function mayHoldSubstitution(source: string, start: number, end: number): boolean {
  const dollar = source.indexOf('$(', start);
  if (dollar >= 0 && dollar < end) return true;
  const tick = source.indexOf('`', start);
  return tick >= 0 && tick < end;
}
