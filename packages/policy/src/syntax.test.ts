import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { loadBashParser } from './grammar.js';
import { parseScript, type SyntaxNode } from './syntax.js';

/** The tree without the `literal` marks, which say where a node was read from, not what it is. */
function shape(node: SyntaxNode): unknown {
  const { literal: _literal, children, ...rest } = node;
  return { ...rest, children: children.map(shape) };
}

function both(parser: Parser, command: string): [unknown, unknown] {
  const fast = parseScript(parser, command, true);
  const slow = parseScript(parser, command, false);
  return [
    { ...fast, root: shape(fast.root) },
    { ...slow, root: shape(slow.root) },
  ];
}

let parser: Parser;
beforeAll(async () => {
  parser = await loadBashParser();
});

/** Commands whose words are literal, and near misses that must take the tree path. */
const COMMANDS = [
  'ls',
  'ls -la src',
  'git log --oneline -n 5',
  'git commit -m "fix handler (#12)"',
  "sed -i 's/a/b/g' src/app.ts",
  "awk -F, '{ sum += $2 } END { print sum }' data.csv",
  'grep -rn "TODO" src',
  "echo 'it''s'",
  'echo a"b"c\'d\'e',
  'echo "" \'\'',
  'printf "%s\\n" a',
  'echo "a $b"',
  "echo 'a $b'",
  'echo "`id`"',
  'echo "a\\"b"',
  'echo "hi!"',
  'git commit --message="two words" --amend',
  'npm run test:unit -- --grep x',
  'cd src && ls',
  'ls | wc -l',
  'FOO=1 ls',
  'ls > out',
  'echo *.ts',
  'echo ~/x',
  'echo {a,b}',
  'echo a#b',
  "'quoted' name",
  '"ls" -l',
  'echo a\tb',
  'python3 -c "print(1)"',
  'echo "line1\nline2"',
  "echo 'multi\nline'",
  'x=1; echo "$x"',
  'curl -H "Authorization: Bearer t" https://x.example/api?q=1',
  'rm -rf "build dir"',
  'echo @user %1 ^x a:b',
  'head -5 -n 10 0 007 5a 0x1f - -- 1.5',
  'echo 5"a" a5 "a"5 \'5\'5 -5\'x\'',
  'sleep 0.5; echo done',
  "x --a=b=c -d='e f'",
];

describe('literal commands are read from their text exactly as tree-sitter parses them', () => {
  it('does not backtrack on long near-literal commands (a hang here fails by timeout)', () => {
    const nearMiss = `find ${'a'.repeat(40)} -newer ${'b"c"'.repeat(30)} -exec wc -l {} +`;
    const [fast, slow] = both(parser, nearMiss);
    expect(fast).toEqual(slow);
  });

  it.each(COMMANDS)('%s', (command) => {
    const [fast, slow] = both(parser, command);
    expect(fast).toEqual(slow);
  });
});

describe('whole lines that are one literal command skip tree-sitter and give its tree', () => {
  /** Pieces of words, including every reserved word and near misses, combined by a seeded generator. */
  const PIECES = [
    'ls',
    'git',
    'log',
    '-n',
    '5',
    '-5',
    '007',
    '0x1f',
    '1.5',
    '--oneline',
    'a=b',
    '--x=y',
    '==',
    '=~',
    '=a',
    'a==b',
    '+x',
    ':',
    ',a',
    'src/app.ts',
    '.',
    '..',
    '-',
    '--',
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
    'test',
    'let',
    'eval',
    'exec',
    'command',
    'builtin',
    'source',
    'alias',
    'echo',
    'ls%x',
    'a@b',
    "'a b'",
    '"c d"',
    "'$x'",
    '"e"',
    '@u',
    '%1',
    '^x',
    'a:b',
    'x,y',
    '+1',
    '_',
    'a+b',
  ];
  const SEPARATORS = [' ', ' ', ' ', '  ', '\t', '', ' '];

  function* lines(count: number): Generator<string> {
    let seed = 0x2545f491;
    const next = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (let i = 0; i < count; i++) {
      let line = next(4) === 0 ? ' ' : '';
      const words = 1 + next(5);
      for (let w = 0; w < words; w++) line += PIECES[next(PIECES.length)]! + SEPARATORS[next(SEPARATORS.length)]!;
      yield line;
    }
  }

  it('matches tree-sitter on 20,000 generated lines', () => {
    for (const line of lines(20_000)) {
      const [fast, slow] = both(parser, line);
      expect(fast, JSON.stringify(line)).toEqual(slow);
    }
  });

  it.each(['if x', 'for a in b', 'export A=1', 'local x', 'time ls', 'function f', 'echo a\nls', ' ls -la ', '\tls\t', 'ls\r'])('%j', (line) => {
    const [fast, slow] = both(parser, line);
    expect(fast).toEqual(slow);
  });
});
