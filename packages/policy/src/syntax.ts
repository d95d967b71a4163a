import type { Parser } from 'web-tree-sitter';

/**
 * A plain-JS copy of the parts of a tree-sitter tree the policy reads. Crossing into WASM costs a
 * call per accessor, so the tree is copied in one cursor pass and not descended into where nothing
 * below can matter (a bare word, a quoted string without substitutions).
 */
export interface SyntaxNode {
  readonly type: string;
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

export function parseScript(parser: Parser, source: string): ParsedScript {
  const tree = parser.parse(source);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  try {
    const cursor = tree.walk();
    try {
      const root = copy(cursor, source);
      return { root, hasError: tree.rootNode.hasError };
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

function copy(cursor: ReturnType<import('web-tree-sitter').Tree['walk']>, source: string): SyntaxNode {
  const type = cursor.nodeType;
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  if (LEAVES.has(type) || (SUBSTITUTION_CARRIERS.has(type) && !mayHoldSubstitution(source, start, end))) {
    return { type, start, end, children: NO_CHILDREN };
  }
  if (!cursor.gotoFirstChild()) return { type, start, end, children: NO_CHILDREN };
  const children: SyntaxNode[] = [];
  do {
    children.push(copy(cursor, source));
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
  return { type, start, end, children };
}

function mayHoldSubstitution(source: string, start: number, end: number): boolean {
  const dollar = source.indexOf('$(', start);
  if (dollar >= 0 && dollar < end) return true;
  const tick = source.indexOf('`', start);
  return tick >= 0 && tick < end;
}
