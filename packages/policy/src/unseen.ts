/**
 * Code the walker did not see: a command substitution the tree does not show as one (in heredoc
 * bodies, inside `${...}`) or that was not visited, `${x@P}`, and `$(` or a backquote in text bash
 * evaluates again (arithmetic, subscripts, `[[ ]]`).
 */
import type { SyntaxNode } from './syntax.js';

/** The substitutions the walker visited, and the backquoted ones it parsed again instead. */
export interface Seen {
  readonly judged: ReadonlySet<SyntaxNode>;
  readonly reread: ReadonlySet<SyntaxNode>;
}

/**
 * What in `start..end` of `node` would run code that no segment stands for: a command
 * substitution the tree does not show as one (tree-sitter-bash leaves some in heredoc bodies and
 * in `${...}` as text) or that was not visited, and a `${x@P}` (the value is expanded as a
 * prompt, substitutions included). In `evaluated` text (arithmetic, array subscripts, `[[ ... ]]`)
 * bash evaluates the words again, so a `$(` counts even when quoted. Returns what was found.
 */
export function unseenCode(
  seen: Seen,
  node: SyntaxNode,
  source: string,
  start: number,
  end: number,
  evaluated: boolean,
  skip?: (child: SyntaxNode) => boolean,
): string | null {
  let at = start;
  for (const [child, childEvaluated] of positionedChildren(node, evaluated, [])) {
    const found = codeIn(source, at, child.start, evaluated) ?? (skip?.(child) === true ? null : unseenCodeIn(seen, child, source, childEvaluated));
    if (found !== null) return found;
    at = child.end;
  }
  return codeIn(source, at, end, evaluated);
}

export function unseenCodeIn(seen: Seen, node: SyntaxNode, source: string, evaluated: boolean): string | null {
  switch (node.type) {
    case 'comment':
      return null;
    case 'raw_string':
    case 'ansi_c_string':
      return evaluated ? codeIn(source, node.start, node.end, true) : null;
    case 'command_substitution':
      if (seen.reread.has(node)) return null;
      if (!seen.judged.has(node)) return 'a command substitution the policy did not read';
      return unseenCode(seen, node, source, node.start + (source.startsWith('$(', node.start) ? 2 : 1), node.end - 1, false);
    case 'arithmetic_expansion': {
      const long = source.startsWith('$((', node.start);
      return unseenCode(seen, node, source, node.start + (long ? 3 : 2), node.end - (long ? 2 : 1), true);
    }
    case 'subscript':
      return unseenCode(seen, node, source, node.start, node.end, true);
    case 'compound_statement':
      if (source.startsWith('((', node.start)) return unseenCode(seen, node, source, node.start + 2, node.end - 2, true);
      break;
    case 'heredoc_redirect': {
      const start = node.children.find((c) => c.type === 'heredoc_start');
      if (start !== undefined && /["'\\]/.test(source.slice(start.start, start.end))) {
        return unseenCode(seen, node, source, node.start, node.end, evaluated, (c) => c.type === 'heredoc_body');
      }
      break;
    }
  }
  return unseenCode(seen, node, source, node.start, node.end, evaluated);
}

/** Node types whose words bash evaluates again, as arithmetic or as variable names (see unseenCode). */
const EVALUATED = new Set(['test_command', 'c_style_for_statement']);

/** Node types that hold commands, whose words are ordinary words again. */
const STATEMENTS = new Set(['command', 'do_group', 'compound_statement', 'subshell', 'list', 'pipeline', 'redirected_statement']);

/** The children that have a position, seeing through those that do not (see syntax.ts), each with whether it is evaluated text. */
function positionedChildren(node: SyntaxNode, evaluated: boolean, out: [SyntaxNode, boolean][]): [SyntaxNode, boolean][] {
  for (const child of node.children) {
    const childEvaluated = EVALUATED.has(child.type) || (evaluated && !STATEMENTS.has(child.type));
    if (child.start < 0) positionedChildren(child, childEvaluated, out);
    else out.push([child, childEvaluated]);
  }
  return out;
}

export const EVALUATED_TEXT = '`$(` in text that bash evaluates as arithmetic or as a variable name';

/** Whether a script's text may hold what `unseenCode` looks for. */
export function mayHoldCode(text: string): boolean {
  return text.includes('$(') || text.includes('`') || text.includes('@P}');
}

/**
 * What in `from..to` of text outside any node would run code: `$(`, a backquote or `@P}`. Outside
 * evaluated text a backslash escapes the next character.
 */
function codeIn(source: string, from: number, to: number, evaluated: boolean): string | null {
  for (let i = from; i < to; i++) {
    const c = source[i];
    if (c === '\\' && !evaluated) i++;
    else if (c === '`' || (c === '$' && source[i + 1] === '(')) return evaluated ? EVALUATED_TEXT : 'a command substitution the parser does not show';
    else if (c === '@' && source.startsWith('@P}', i)) return '${...@P} expands a value as a prompt, running its command substitutions';
  }
  return null;
}
