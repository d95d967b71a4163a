/**
 * awk programs, read as gawk reads its command line: the commands they run (`system()`,
 * `"cmd" | getline`, `print | "cmd"`, walked as such), the files they read and write, the
 * environment they read, the code they load.
 */
import { isCredentialVariable } from './secrets.js';
import { environmentSecret } from './secrets.js';
import type { Segment, Stdin, Word } from './segment.js';
import { dynamicCodeFinding, INHERITED, NO_SUBS, type Context, type Walker } from './walk.js';

export function awk(walk: Walker, segment: Segment, args: readonly Word[], ctx: Context): void {
  const name = segment.name ?? 'awk';
  const line = awkCommandLine(args);
  if (line.inPlace) segment.findings.push({ code: 'in_place_edit', verdict: 'confirm', name, detail: ' (gawk -i inplace)' });
  if (line.codeFile !== null) segment.findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: ` (${line.codeFile})` });
  if (line.writes !== null) segment.findings.push({ code: 'file_write', verdict: 'confirm', detail: ` (awk writes ${line.writes})` });
  for (const program of line.programs) {
    if (program.value === null) {
      segment.findings.push(dynamicCodeFinding(program.subs, 'awk'));
      continue;
    }
    // Every place the program runs a command must be a plain literal we can judge; one that is
    // not (a variable, a concatenation, a coprocess) makes the whole program dynamic, whatever
    // literal commands sit beside it.
    const effects = awkEffects(program.value);
    if (effects.environ !== null) segment.findings.push(environmentSecret(effects.environ));
    for (const { command, input } of effects.commands) {
      // What awk prints into a command is its input: a shell's program (`print "..." | "sh"`).
      const stdin: Stdin = input === undefined ? INHERITED : { kind: 'text', text: input, subs: NO_SUBS };
      walk.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, input === undefined ? 'awk system()' : 'awk print |'], stdin });
    }
    if (effects.dynamic) segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (awk builds a shell command)' });
    if (effects.dynamicWrite) segment.findings.push({ code: 'file_write', verdict: 'confirm', detail: ' (awk writes a file named at run time)' });
    for (const load of effects.loads) segment.findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: ` (${load})` });
    if (effects.reads.length > 0) (segment.reads ??= []).push(...effects.reads);
    if (effects.writes.length > 0) (segment.writes ??= []).push(...effects.writes);
  }
}

interface AwkString {
  readonly start: number;
  /** Just past the closing quote. */
  readonly end: number;
  readonly value: string;
}

/** The string literals of an awk program, in one pass (escapes honoured; an unterminated one ends the scan). */
function awkStrings(text: string): AwkString[] {
  const out: AwkString[] = [];
  for (let i = text.indexOf('"'); i >= 0;) {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) break;
    out.push({ start: i, end: j + 1, value: text.slice(i + 1, j).replace(/\\(.)/g, '$1') });
    i = text.indexOf('"', j + 1);
  }
  return out;
}

const skipSpace = (text: string, i: number): number => {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
};

const skipSpaceBack = (text: string, i: number): number => {
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i;
};

/** What an awk command line gives gawk, read as its getopt reads it (option processing stops at the program). */
interface AwkCommandLine {
  /** The programs: `-e`/`--source` texts, or else the first operand. */
  readonly programs: readonly Word[];
  /** A file of awk code or a native extension it loads (`-f`, `-E`, `-i`, `-l`), if any. */
  readonly codeFile: string | null;
  /** `-i inplace`: files are edited in place. */
  readonly inPlace: boolean;
  /** A file it writes by option (`-d`, `-o`, `-p` and their long forms), if any. */
  readonly writes: string | null;
}

/** gawk's long options, in the order an abbreviation is resolved, each with the short one it stands for. */
const AWK_LONG_OPTIONS: readonly (readonly [string, string])[] = [
  ['--file', 'f'],
  ['--field-separator', 'F'],
  ['--assign', 'v'],
  ['--source', 'e'],
  ['--exec', 'E'],
  ['--include', 'i'],
  ['--load', 'l'],
  ['--dump-variables', 'd'],
  ['--pretty-print', 'o'],
  ['--profile', 'p'],
];

/** Short options whose value is the rest of the word or the next word. */
const AWK_VALUE_LETTERS = 'fFveEil';

/** Short options that write a file, named by the rest of the word or by default. */
const AWK_WRITE_LETTERS = 'dop';

function awkCommandLine(args: readonly Word[]): AwkCommandLine {
  const programs: Word[] = [];
  let codeFile: string | null = null;
  let inPlace = false;
  let writes: string | null = null;
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    const v = word.value;
    if (v === '--') {
      i++;
      break;
    }
    if (v === null || v.length < 2 || !v.startsWith('-')) break;
    let letter: string | undefined;
    let attached: string | undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const given = eq < 0 ? v : v.slice(0, eq);
      letter = AWK_LONG_OPTIONS.find(([long]) => long.startsWith(given))?.[1];
      if (eq >= 0) attached = v.slice(eq + 1);
      else if (letter !== undefined && AWK_WRITE_LETTERS.includes(letter)) attached = '';
    } else {
      for (let j = 1; j < v.length && letter === undefined; j++) {
        if (AWK_VALUE_LETTERS.includes(v[j]!) || AWK_WRITE_LETTERS.includes(v[j]!)) {
          letter = v[j];
          if (j + 1 < v.length || AWK_WRITE_LETTERS.includes(v[j]!)) attached = v.slice(j + 1);
        }
      }
    }
    if (letter === undefined) continue;
    if (AWK_WRITE_LETTERS.includes(letter)) {
      writes ??= attached === '' || attached === undefined ? 'its default output file' : attached;
      continue;
    }
    const valueWord = attached !== undefined ? { ...word, value: attached } : args[++i];
    if (valueWord === undefined) continue;
    if (letter === 'e') programs.push(valueWord);
    else if (letter === 'i' && /^inplace(\.awk)?$/.test(valueWord.value ?? '')) inPlace = true;
    else if ('fEil'.includes(letter)) codeFile ??= valueWord.value ?? 'a file named at run time';
  }
  if (programs.length === 0 && codeFile === null && i < args.length) programs.push(args[i]!);
  return { programs, codeFile, inPlace, writes };
}

const NO_MATCHES: readonly RegExpExecArray[] = [];

/** What an awk program does beyond printing (see awkEffects). */
interface AwkEffects {
  /** Commands it runs, each with what it prints into them: text, null when only known at run time, absent for none (`system()`, `cmd | getline`). */
  readonly commands: readonly { readonly command: string; readonly input?: string | null }[];
  /** A place that runs a command does not name it as one literal. */
  readonly dynamic: boolean;
  /** Files it reads (`getline < f`) and writes (`print > f`); a concatenation is a glob of its literal parts. */
  readonly reads: readonly Word[];
  readonly writes: readonly Word[];
  /** It writes a file whose name has no literal part. */
  readonly dynamicWrite: boolean;
  /** What it reads from the environment, if it reads secrets there. */
  readonly environ: string | null;
  /** Code files it loads (`@include "f"`, `@load "ext"`). */
  readonly loads: readonly string[];
}

/**
 * What an awk program does beyond printing: the shell commands it runs (`system("...")`,
 * `"..." | getline`, `print | "..."`) and whether any place that runs one does not name it as a
 * single literal; the files `getline < FILE` reads and `print > FILE` / `print >> FILE` writes; the
 * environment it reads; the code it loads. Linear in the program: literals are found in one pass,
 * and each site is checked where it stands.
 */
function awkEffects(text: string): AwkEffects {
  const strings = awkStrings(text);
  const byStart = new Map(strings.map((s) => [s.start, s]));
  const byEnd = new Map(strings.map((s) => [s.end, s]));
  // The program with every literal's inside blanked, so that a `system(` inside a string is not a call.
  let code = '';
  let at = 0;
  for (const s of strings) {
    code += text.slice(at, s.start + 1) + ' '.repeat(s.end - s.start - 2);
    at = s.end - 1;
  }
  code += text.slice(at);
  const commands: { command: string; input?: string | null }[] = [];
  let dynamic = /\|&/.test(code);
  // `ENVIRON["NAME"]` reads one variable; any other use of ENVIRON (`for (k in ENVIRON)`) can read them all.
  let environ: string | null = null;
  for (const m of code.includes('ENVIRON') ? code.matchAll(/\bENVIRON\b/g) : NO_MATCHES) {
    const open = skipSpace(code, m.index + m[0].length);
    const literal = code[open] === '[' ? byStart.get(skipSpace(code, open + 1)) : undefined;
    if (literal !== undefined && code[skipSpace(code, literal.end)] === ']') {
      if (isCredentialVariable(literal.value)) environ ??= `the variable ${literal.value}`;
      continue;
    }
    environ = 'the whole environment, credentials included';
    break;
  }
  for (const m of code.includes('system') ? code.matchAll(/\bsystem\s*\(/g) : NO_MATCHES) {
    const literal = byStart.get(skipSpace(code, m.index + m[0].length));
    if (literal !== undefined && code[skipSpace(code, literal.end)] === ')') commands.push({ command: literal.value });
    else dynamic = true;
  }
  const getline = code.includes('getline');
  for (const m of getline ? code.matchAll(/\|\s*getline/g) : NO_MATCHES) {
    const literal = byEnd.get(skipSpaceBack(code, m.index - 1) + 1);
    const before = literal === undefined ? -1 : skipSpaceBack(code, literal.start - 1);
    // Only a literal that stands alone (not the tail of a concatenation such as `"ls " dir | getline`).
    if (literal !== undefined && (before < 0 || '({;,!&|=\n'.includes(code[before]!))) commands.push({ command: literal.value });
    else dynamic = true;
  }
  // `print EXPR | "cmd"`: cmd reads what is printed, which is its program when cmd is a shell.
  const pipes = code.includes('|');
  for (const m of pipes ? code.matchAll(/\bprintf?\b([^;{}\n|]*)\|(?![|&])(?!\s*getline)/g) : NO_MATCHES) {
    const literal = byStart.get(skipSpace(code, m.index + m[0].length));
    const after = literal === undefined ? -1 : skipSpace(code, literal.end);
    if (literal !== undefined && (after >= code.length || ';}\n'.includes(code[after]!))) {
      const exprStart = m.index + m[0].length - 1 - m[1]!.length;
      const printed = awkOperand(code, byStart, skipSpace(code, exprStart), m.index + m[0].length - 1);
      commands.push({ command: literal.value, input: printed === null ? null : printed + '\n' });
    } else dynamic = true;
  }
  // `getline [var] < FILE` reads FILE; FILE is a primary expression (a literal, a variable, a parenthesised concatenation).
  const reads: Word[] = [];
  for (const m of getline ? code.matchAll(/\bgetline\b\s*(?:[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?|\$[A-Za-z0-9_]+)?\s*<(?!=)/g) : NO_MATCHES) {
    const file = awkPath(code, byStart, skipSpace(code, m.index + m[0].length));
    if (file !== null) reads.push(file);
  }
  // In a print statement, a `>` outside parentheses redirects; the statement ends at `;`, `}`, a
  // newline or the next print.
  const writes: Word[] = [];
  let dynamicWrite = false;
  const prints = code.includes('>') ? [...code.matchAll(/\bprintf?\b/g)].map((m) => m.index + m[0].length) : [];
  prints.forEach((from, k) => {
    const to = prints[k + 1] ?? code.length;
    let depth = 0;
    for (let i = from; i < to; i++) {
      const c = code[i]!;
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth <= 0 && ';}\n|'.includes(c)) break;
      else if (depth === 0 && c === '>') {
        const file = awkPath(code, byStart, skipSpace(code, i + (code[i + 1] === '>' ? 2 : 1)));
        if (file === null) dynamicWrite = true;
        else writes.push(file);
        break;
      }
    }
  });
  const loads: string[] = [];
  for (const m of code.includes('@') ? code.matchAll(/@(include|load)\b\s*/g) : NO_MATCHES) {
    const literal = byStart.get(m.index + m[0].length);
    loads.push(`@${m[1]} ${literal === undefined ? 'a file named at run time' : JSON.stringify(literal.value)}`);
  }
  return { commands, dynamic, reads, writes, dynamicWrite, environ, loads };
}

/**
 * The file an awk redirection names, starting at `at`: a literal is its value; a parenthesised
 * concatenation is a glob of its literal parts (`("/etc/" name)` is `/etc/*`); a variable or a
 * field, or a concatenation without a literal part, is null.
 */
function awkPath(code: string, byStart: ReadonlyMap<number, AwkString>, at: number): Word | null {
  const literal = byStart.get(at);
  if (literal !== undefined) return { text: literal.value, value: literal.value, glob: false, subs: NO_SUBS };
  if (code[at] !== '(') return null;
  let depth = 0;
  let end = at;
  for (; end < code.length; end++) {
    if (code[end] === '(') depth++;
    else if (code[end] === ')' && --depth === 0) break;
  }
  const glob = awkOperand(code, byStart, at + 1, end, '*');
  return glob === null ? null : { text: glob, value: null, glob: true, subs: NO_SUBS };
}

/**
 * The text of an awk expression from `from` to `to` made of string literals: their values joined.
 * Other parts stand for `unknown` (a glob's `*`); without it, or without any literal, null.
 */
function awkOperand(code: string, byStart: ReadonlyMap<number, AwkString>, from: number, to: number, unknown?: string): string | null {
  let out = '';
  let literals = 0;
  let i = skipSpace(code, from);
  while (i < to) {
    const literal = byStart.get(i);
    if (literal !== undefined) {
      out += literal.value;
      literals++;
      i = skipSpace(code, literal.end);
      continue;
    }
    if (unknown === undefined) return null;
    if (!out.endsWith(unknown)) out += unknown;
    while (i < to && code[i] !== '"' && !/\s/.test(code[i]!)) i++;
    i = skipSpace(code, i);
  }
  return literals === 0 ? null : out;
}
