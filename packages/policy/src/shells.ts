/**
 * Shells and interpreters: the code they are given (`bash -c`, a script, `python -c`) and the code
 * they read on their standard input (a heredoc, `echo '...' |`, what a network fetcher prints).
 */
import { INTERPRETERS, INTERPRETER_VERSION_OPTIONS, NETWORK_FETCHERS, NO_VERSION_OPTIONS, SHELL_OPTIONS_WITH_VALUE, VERSION_OPTIONS } from './rules.js';
import { positionals } from './options.js';
import type { Assignment, Redirect, Segment, Word } from './segment.js';
import { unionOf } from './values.js';
import {
  runCode,
  dynamicCodeFinding,
  INHERITED,
  inheritedFrom,
  isDecoder,
  joinText,
  nest,
  printedText,
  upstreamOf,
  type Context,
  type Walker,
} from './walk.js';

export function shell(
  walk: Walker,
  ctx: Context,
  name: string,
  args: readonly Word[],
  values: readonly string[],
  words: readonly Word[],
  env: readonly Assignment[],
  redirects: Redirect[],
): boolean {
  let commandIndex = -1;
  let readsStdin = false;
  let i = 0;
  for (; i < values.length; i++) {
    const v = values[i]!;
    if (v === '--' || v === '-') {
      i++;
      break;
    }
    if (!/^[-+]/.test(v) || v.length < 2 || args[i]!.value === null) break;
    if (SHELL_OPTIONS_WITH_VALUE.includes(v)) {
      i++;
      continue;
    }
    if (v.startsWith('--')) continue;
    if (v.slice(1).includes('c')) commandIndex = i;
    if (v.slice(1).includes('s')) readsStdin = true;
  }
  if (commandIndex >= 0) {
    const code = args[i];
    if (code === undefined) return false;
    // `bash -c CODE NAME ARGS...`: the code's `$0` is NAME, its positional parameters ARGS.
    const name0 = args[i + 1];
    const rest = args.slice(i + 2);
    const mark = walk.mark();
    if (name0 !== undefined) walk.flow.assign('0', () => unionOf([name0]));
    walk.flow.assign('@', () => unionOf(rest));
    runCode(walk, ctx, `${name} -c`, [code], words, env, redirects);
    walk.restore(mark);
    return true;
  }
  const script = readsStdin ? undefined : args[i];
  const emit = (): Segment => walk.emit(ctx, { text: joinText(words), words, env, redirects });
  if (script === undefined) {
    // `bash <<EOF > file`: the shell's redirections and environment apply to what it reads.
    stdinCode(walk, { ...ctx, inherited: inheritedFrom(ctx, env, redirects) }, name, true, emit);
  } else if (script.subs.length > 0 && script.value === null) {
    emit().findings.push(dynamicCodeFinding(script.subs, name));
  } else {
    emit().findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: script.value === null ? '' : ` (${script.value})` });
  }
  return true;
}

/**
 * A shell or interpreter reading its program from standard input. Code that can be read (a
 * heredoc, `echo '...' |`) is parsed as a script of its own; `emit` records the reading command
 * itself when there is something to say about it.
 */
export function stdinCode(walk: Walker, ctx: Context, name: string, isShell: boolean, emit: () => Segment): void {
  const stdin = ctx.stdin;
  if (stdin.kind === 'inherited') {
    emit().findings.push({ code: 'interactive_shell', verdict: 'confirm', name, context: true });
    return;
  }
  if (stdin.kind === 'text') {
    if (stdin.text !== null && isShell) walk.script(stdin.text, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} <<`], stdin: INHERITED });
    else if (stdin.text !== null) emit().findings.push({ code: 'inline_code', verdict: 'confirm', name, detail: ' from standard input', context: true });
    else emit().findings.push({ ...dynamicCodeFinding(stdin.subs, name), context: true });
    return;
  }
  const upstream = upstreamOf(stdin.from);
  const fetcher = upstream.find((s) => s.name !== null && NETWORK_FETCHERS.has(s.name));
  if (fetcher !== undefined) {
    emit().findings.push({ code: 'remote_code_execution', verdict: 'block', detail: ` (${fetcher.name} piped into ${name})`, context: true });
    return;
  }
  const decoder = upstream.find(isDecoder);
  if (decoder !== undefined) {
    emit().findings.push({ code: 'obfuscation', verdict: 'block', detail: ` (${decoder.name} output piped into ${name})`, context: true });
    return;
  }
  const producer = stdin.from.length === 1 ? stdin.from[0]! : undefined;
  const printed = producer === undefined ? null : printedText(producer);
  if (printed !== null && isShell) {
    walk.script(printed, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${producer!.name} | ${name}`], stdin: INHERITED });
    return;
  }
  emit().findings.push({
    code: 'shell_stdin',
    verdict: 'confirm',
    detail: ` (${stdin.from.map((s) => s.name ?? 'a dynamic command').join(', ')} into ${name})`,
    context: true,
  });
}

export function interpreter(walk: Walker, segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
  const inline = INTERPRETERS[name] ?? INTERPRETERS[name.replace(/\d+(\.\d+)*$/, '')] ?? ['-c', '-e'];
  const inlineIndex = values.findIndex(
    (v) => inline.includes(v) || inline.some((o) => o.length === 2 && v.startsWith(o) && v.length > 2 && !v.startsWith('--')),
  );
  if (inlineIndex >= 0) {
    segment.findings.push({ code: 'inline_code', verdict: 'confirm', name, detail: ` (${values[inlineIndex]})` });
    return;
  }
  if (name.startsWith('python') || name.startsWith('pypy')) {
    const m = values.indexOf('-m');
    if (m >= 0 && values[m + 1] !== undefined) {
      const module = values[m + 1]!;
      // `python -m pip install x` is pip.
      if (['pip', 'venv', 'http.server', 'pytest', 'unittest', 'json.tool', 'site', 'ensurepip', 'pydoc', 'timeit', 'compileall'].includes(module)) {
        const inner = args.slice(m + 1);
        walk.runCommand(nest(ctx, `${name} -m`), joinText(inner), inner, segment.env, segment.redirects);
      } else {
        segment.findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: ` (module ${module})` });
      }
      return;
    }
  }
  const script = positionals(values, ['-W', '-X', '--check-hash-based-pycs', '-r', '--require', '--import', '--loader', '--env-file', '-I', '-M', '-x'])[0];
  if (script !== undefined && script !== '-') {
    segment.findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: ` (${script})` });
    return;
  }
  // Only a query of the interpreter's own version or help reads no code from its input (`python3 -v` is verbose, and reads it).
  const base = name in INTERPRETERS ? name : name.replace(/\d+(\.\d+)*$/, '');
  const queries = [...(NO_VERSION_OPTIONS.includes(base) ? [] : VERSION_OPTIONS), ...(INTERPRETER_VERSION_OPTIONS[base] ?? [])];
  if (values.length > 0 && values.every((v) => queries.includes(v))) return;
  stdinCode(walk, ctx, name, false, () => segment);
}
