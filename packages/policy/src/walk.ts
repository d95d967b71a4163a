/**
 * What the walker (decompose.ts) and the modules that know particular commands share: the context
 * a command is read in, the walker's own operations they call back (parse code a command runs, see
 * a command through, record a segment), and the helpers all of them use.
 */
import type { Flow } from './flow.js';
import type { Finding } from './risk.js';
import { DECODERS, NETWORK_FETCHERS } from './rules.js';
import type { Assignment, Feed, Redirect, Segment, Stdin, Word } from './segment.js';
import type { SyntaxNode } from './syntax.js';
import { soleValue } from './values.js';

export interface Context {
  readonly source: string;
  readonly depth: number;
  readonly via: readonly string[];
  readonly subDepth: number;
  readonly stdin: Stdin;
  /** Assignments and redirections of the command whose code this is (`FOO=1 bash -c '...' > f`). */
  readonly inherited: { readonly env: readonly Assignment[]; readonly redirects: readonly Redirect[] };
  /** The directory a wrapper runs the commands in (`env -C DIR cmd`). */
  readonly chdir?: Word;
  /** The commands at this depth are given further arguments at run time (`ls | parallel wc -l`). */
  readonly input?: { readonly depth: number; readonly subDepth: number; readonly append: boolean; readonly feed: Feed };
}

/** What the walker does for the modules that know particular commands (see decompose.ts). */
export interface Walker {
  /** Parses a script (a string some command runs) and walks it. */
  script(source: string, ctx: Context, top?: boolean): void;
  /** A command about to run: sees through wrappers and shells, then records the segment. */
  runCommand(ctx: Context, text: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): void;
  /** Records a segment. */
  emit(ctx: Context, parts: { text: string; words: readonly Word[]; env: readonly Assignment[]; redirects: Redirect[] }): Segment;
  /** What the line assigns to its variables (see flow.ts). */
  readonly flow: Flow;
  mark(): ReadonlySet<string>;
  restore(mark: ReadonlySet<string>): void;
}

export const NOTHING_INHERITED: Context['inherited'] = { env: [], redirects: [] };

export const INHERITED: Stdin = { kind: 'inherited' };

export const NO_SUBS: readonly Segment[] = [];

export function nest(ctx: Context, via: string): Context {
  return { ...ctx, via: [...ctx.via, via] };
}

/**
 * Words that a command runs as shell code (`eval ...`, `bash -c ...`, `watch ...`). Static code is
 * parsed again; dynamic code is judged by what produced it.
 */
export function runCode(
  walk: Walker,
  ctx: Context,
  via: string,
  code: readonly Word[],
  words: readonly Word[],
  env: readonly Assignment[],
  redirects: Redirect[],
): void {
  // Code the line shows (`x='rm -rf ~'; eval "$x"`) is read as the code it is.
  const values = code.map((w) => w.value ?? soleValue(w));
  if (values.every((v): v is string => v !== null)) {
    walk.script(values.join(' '), { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, via], stdin: ctx.stdin, inherited: inheritedFrom(ctx, env, redirects) });
    return;
  }
  const subs = code.flatMap((w) => w.subs);
  const segment = walk.emit(ctx, { text: joinText(words), words, env, redirects });
  segment.findings.push(dynamicCodeFinding(subs, via));
}

/** What the commands in code that a command runs inherit from it: its assignments and redirections. */
export function inheritedFrom(ctx: Context, env: readonly Assignment[], redirects: readonly Redirect[]): Context['inherited'] {
  if (env.length === 0 && redirects.length === 0) return ctx.inherited;
  return { env: [...ctx.inherited.env, ...env], redirects: [...ctx.inherited.redirects, ...redirects] };
}

export function joinText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

export function dynamicCodeFinding(subs: readonly Segment[], via: string): Finding {
  const fetcher = subs.find((s) => s.name !== null && NETWORK_FETCHERS.has(s.name));
  if (fetcher !== undefined) return { code: 'remote_code_execution', verdict: 'block', detail: ` (${fetcher.name} output run by ${via})` };
  const decoder = subs.find(isDecoder);
  if (decoder !== undefined) return { code: 'obfuscation', verdict: 'block', detail: ` (${decoder.name} output run by ${via})` };
  return { code: 'dynamic_code', verdict: 'confirm', detail: ` (${via})` };
}

/** Every segment that feeds the given ones through pipes, transitively. */
export function upstreamOf(from: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  const queue = [...from];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (out.includes(s)) continue;
    out.push(s);
    if (s.stdin.kind === 'pipe') queue.push(...s.stdin.from);
    for (const w of s.words) queue.push(...w.subs);
  }
  return out;
}

export function isDecoder(segment: Segment): boolean {
  if (segment.name === null) return false;
  const options = DECODERS[segment.name];
  if (options === undefined) return false;
  if (options.length === 0) return true;
  const values = segment.words.slice(1).map((w) => w.value ?? '');
  return options.some((o) => values.some((v) => v === o || v.includes(o)));
}

/** The text `echo`/`printf` prints, when it is static and plain. */
export function printedText(segment: Segment): string | null {
  const values = segment.words.slice(1).map((w) => w.value);
  if (values.some((v) => v === null)) return null;
  const args = values as string[];
  if (segment.name === 'echo') {
    const start = args.findIndex((a) => !/^-[neE]+$/.test(a));
    const words = start < 0 ? [] : args.slice(start);
    return args.slice(0, Math.max(0, start)).some((a) => a.includes('e')) ? null : words.join(' ');
  }
  if (segment.name === 'printf' && args.length === 1 && !/[%\\]/.test(args[0]!)) return args[0]!;
  if (segment.name === 'cat' && args.length === 0 && segment.stdin.kind === 'text') return segment.stdin.text;
  return null;
}

export function isNamed(node: SyntaxNode): boolean {
  return node.named;
}

/** The first start and last end of the positioned nodes at or under `node`. */
export function extent(node: SyntaxNode): [number, number] {
  if (node.start >= 0) return [node.start, node.end];
  let start = Infinity;
  let end = -1;
  for (const child of node.children) {
    const [s, e] = extent(child);
    start = Math.min(start, s);
    end = Math.max(end, e);
  }
  return [start, end];
}
