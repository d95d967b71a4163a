/**
 * Turns a command line into the simple commands it will run: through pipelines, lists, groups,
 * control flow, function bodies, substitutions, wrappers (`sudo`, `env`, `xargs`, `find -exec`),
 * and the strings given to `bash -c`, `eval`, `watch`, `git -c alias...` and friends, which are
 * parsed again (to a bounded depth).
 */
import type { Finding } from './risk.js';
import { INTERPRETERS, OPTION_EFFECTS, PAGERS, SSH_CLIENTS, VIM_EDITORS, VERSIONED_INTERPRETER } from './rules.js';
import type { Assignment, Redirect, Segment, Stdin, Word } from './segment.js';
import { MAX_SYNTAX_DEPTH, TOO_DEEP, type ParsedScript, type SyntaxNode } from './syntax.js';
import { hasBraceGroup, MAX_BRACE_LINE, mayHaveBraceGroup, rewriteScript } from './rewrite.js';
import { commandName, unescapeUnquoted } from './words.js';
import { environmentSecret } from './secrets.js';
import { awk } from './awk.js';
import { git } from './git.js';
import { printsNumber } from './listings.js';
import { gdbCommands, mayGiveEffect, optionEffects, pagerCommands, socat, sshOptions, vimCommands } from './programs.js';
import { sed } from './sed.js';
import { interpreter } from './shells.js';
import { mayHoldCode, unseenCode } from './unseen.js';
import { arithmeticOnData, EVALUATED_SUBSTITUTION, holdsSubstitution, VariablesWalker } from './variables.js';
import { dynamicCodeFinding, extent, INHERITED, isNamed, NOTHING_INHERITED, printedText, type Context, type Walker } from './walk.js';
import { execArgs, seeThrough } from './wrappers.js';
import { withParallelInput } from './xargs.js';

export interface Decomposition {
  readonly segments: readonly Segment[];
  /** Findings about the line as a whole (it does not parse, it hides characters, ...). */
  readonly findings: readonly Finding[];
}

/** How deep strings may nest (`bash -c "eval '...'"`) before the policy stops and asks a human. */
export const MAX_REPARSE_DEPTH = 4;
/** More simple commands than this in one line is not something an agent needs. */
export const MAX_SEGMENTS = 512;
/** Longer lines are not parsed at all. */
export const MAX_COMMAND_LENGTH = 100_000;

/** A `&` that may send a command to the background (not `&&`, `&>`, `>&`, `<&` or `|&`). */
const BACKGROUND = /(?:^|[^&<>|])&(?![&>])/;
/** Blanks enough to push what follows off a screen or a notification. */
const LONG_GAP = /[ \t]{64,}/;
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
/**
 * Builtins that evaluate arguments as arithmetic or as variable names, where an array subscript
 * runs its command substitutions (`let 'a[$(cmd)]=1'`, `test -v 'a[$(cmd)]'`, `read 'a[$(cmd)]'`),
 * or store text that a later evaluation runs (`read x <<< 'a[$(cmd)]'; echo $((x))`).
 */
const EVALUATES_ARGUMENTS = new Set([
  'let',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
  'unset',
  'test',
  '[',
  'read',
  'mapfile',
  'readarray',
  'getopts',
  'wait',
  'printf',
]);
/** Commands `inspect` looks into: interpreters and those with their own ways of running code. */
const INSPECTED_FOR_MORE = new Set([
  'source',
  '.',
  'git',
  'find',
  'fd',
  'fdfind',
  'awk',
  'gawk',
  'mawk',
  'nawk',
  'sed',
  'gsed',
  'alias',
  ...EVALUATES_ARGUMENTS,
  ...Object.keys(INTERPRETERS),
  ...PAGERS,
  ...VIM_EDITORS,
  ...SSH_CLIENTS,
  'socat',
  'gdb',
]);
const INSPECTED = new Set([...INSPECTED_FOR_MORE, ...Object.keys(OPTION_EFFECTS)]);

function isInspected(name: string): boolean {
  return INSPECTED.has(name) || (name.length > 4 && /\d/.test(name) && VERSIONED_INTERPRETER.test(name));
}

export function decompose(parse: (source: string) => ParsedScript, command: string): Decomposition {
  return new Decomposer(parse).run(command);
}

class Decomposer extends VariablesWalker implements Walker {
  /** Command substitutions whose commands were visited. */
  readonly judged = new Set<SyntaxNode>();
  /** Backquoted substitutions whose text was parsed again instead (see commandSubstitution). */
  readonly reread = new Set<SyntaxNode>();
  /** The last script text looked at for a command sent to the background, and whether it may have one. */
  private scanned: string | undefined;
  private background = false;

  constructor(private readonly parse: (source: string) => ParsedScript) {
    super();
  }

  run(command: string): Decomposition {
    if (command.length > MAX_COMMAND_LENGTH) {
      this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (${command.length} characters)` });
      return { segments: this.segments, findings: this.findings };
    }
    if (INVISIBLE.test(command)) {
      this.note({ code: 'obfuscation', verdict: 'confirm', detail: ' (invisible or control characters that can make the text look different from what runs)' });
    }
    if (LONG_GAP.test(command)) {
      this.note({ code: 'obfuscation', verdict: 'confirm', detail: ' (a long run of blanks that can push the rest of the line out of sight)' });
    }
    if (command.trim() === '') {
      this.note({ code: 'unparseable', verdict: 'confirm', detail: ' (it is empty)' });
      return { segments: this.segments, findings: this.findings };
    }
    this.script(command, { source: command, depth: 0, via: [], subDepth: 0, stdin: INHERITED, inherited: NOTHING_INHERITED }, true);
    const data = this.variableFacts?.dataUse() ?? null;
    if (data !== null)
      this.note(arithmeticOnData(data.name === '@' ? 'data read at run time' : `$${data.name}, a value read at run time or never shown`, data.where));
    return { segments: this.segments, findings: this.findings };
  }

  /** Statements run one after the other; one sent to the background (`x &`) runs apart. */
  private statements(children: readonly SyntaxNode[], ctx: Context): void {
    const source = ctx.source;
    if (source !== this.scanned) {
      this.scanned = source;
      this.background = source.includes('&') && BACKGROUND.test(source);
    }
    for (const child of children) {
      if (!this.background) {
        this.visit(child, ctx);
        continue;
      }
      let at = child.end >= 0 ? child.end : extent(child)[1];
      if (at < 0) at = source.length;
      while (at < source.length && (source[at] === ' ' || source[at] === '\t')) at++;
      if (source[at] === '&' && source[at + 1] !== '&' && source[at + 1] !== '>') this.apart(child, ctx);
      else this.visit(child, ctx);
    }
  }

  /** Visits a part of the line that may not run, or runs apart: what it surely assigns does not last (see values.ts). */
  private apart(node: SyntaxNode, ctx: Context): void {
    const mark = this.mark();
    this.visit(node, ctx);
    this.restore(mark);
  }

  /** Parses a script (the line itself or a string some command runs) and visits it. */
  script(source: string, ctx: Context, top = false): void {
    if (ctx.depth > MAX_REPARSE_DEPTH) {
      this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (shell code nested more than ${MAX_REPARSE_DEPTH} levels deep)` });
      return;
    }
    // Line continuations and brace expansion happen before bash parses words: `{rm,-rf,/}` is `rm -rf /`.
    if (source.length > MAX_BRACE_LINE && mayHaveBraceGroup(source)) {
      this.note({ code: 'too_complex', verdict: 'confirm', detail: ' (brace expansion in a very long line)' });
    }
    const rewritten = rewriteScript(source, source.length <= MAX_BRACE_LINE);
    if (rewritten?.tooDeep === true) this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (nested more than ${MAX_SYNTAX_DEPTH} levels deep)` });
    const text = rewritten?.text ?? source;
    const parsed = this.parse(text);
    if (parsed.hasError) {
      this.note({ code: 'unparseable', verdict: 'confirm', detail: top ? '' : ` (in ${ctx.via[ctx.via.length - 1] ?? 'a nested script'})` });
    }
    this.visit(parsed.root, { ...ctx, source: text });
    const unseen = mayHoldCode(text) ? unseenCode(this, parsed.root, text, 0, text.length, false) : null;
    if (unseen !== null) this.note({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${unseen})` });
  }

  protected visit(node: SyntaxNode, ctx: Context): void {
    if (this.segments.length >= MAX_SEGMENTS) {
      this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (more than ${MAX_SEGMENTS} commands)` });
      return;
    }
    switch (node.type) {
      case 'command':
        this.command(node, ctx, []);
        return;
      case 'pipeline':
        this.pipeline(node.children, ctx);
        return;
      case 'redirected_statement':
        this.redirected(node, ctx);
        return;
      case 'function_definition':
        this.functionDefinition(node, ctx);
        return;
      case 'variable_assignment':
        this.emit(ctx, { text: this.text(node, ctx), words: [], env: [this.assignment(node, ctx)], redirects: [] });
        return;
      case 'variable_assignments':
        this.emit(ctx, {
          text: this.text(node, ctx),
          words: [],
          env: node.children.filter((c) => c.type === 'variable_assignment').map((c) => this.assignment(c, ctx)),
          redirects: [],
        });
        return;
      case 'declaration_command':
      case 'unset_command':
        this.declaration(node, ctx);
        return;
      case 'command_substitution':
        this.commandSubstitution(node, ctx);
        return;
      case 'compound_statement':
        this.statements(node.children, ctx);
        if (ctx.source.startsWith('((', node.start)) this.arithmetic(ctx.source, node.start + 2, node.end - 2, '(( ))');
        return;
      case 'c_style_for_statement':
        this.cStyleFor(node, ctx);
        return;
      case 'for_statement':
        this.forIn(node, ctx);
        return;
      case 'test_command':
        for (const child of node.children) this.visit(child, ctx);
        this.testArithmetic(node, ctx);
        return;
      case 'process_substitution': {
        const before = this.segments.length;
        const mark = this.mark();
        for (const child of node.children) this.visit(child, { ...ctx, subDepth: ctx.subDepth + 1, stdin: INHERITED });
        this.restore(mark);
        this.flow.recordSubstitution(ctx.source, node.start, this.segments.slice(before));
        return;
      }
      case 'comment':
        return;
      case 'file_redirect': {
        // Outside a command: a function definition's, which applies whenever the function runs.
        const redirect = this.fileRedirect(node, ctx);
        if (redirect !== null) this.emit(ctx, { text: this.text(node, ctx), words: [], env: [], redirects: [redirect] });
        return;
      }
      case TOO_DEEP:
        this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (nested more than ${MAX_SYNTAX_DEPTH} levels deep)` });
        return;
      case 'program':
        this.statements(node.children, ctx);
        return;
      case 'list':
        // What follows `&&` or `||` may not run.
        for (let i = 0; i < node.children.length; i++) {
          if (i === 0) this.visit(node.children[0]!, ctx);
          else this.apart(node.children[i]!, ctx);
        }
        return;
      case 'if_statement': {
        // Each branch may run or not; the condition is read as part of the first one.
        const clauses = node.children.filter((c) => c.type === 'elif_clause' || c.type === 'else_clause');
        const mark = this.mark();
        this.statements(clauses.length === 0 ? node.children : node.children.filter((c) => !clauses.includes(c)), ctx);
        this.restore(mark);
        for (const clause of clauses) {
          this.statements(clause.children, ctx);
          this.restore(mark);
        }
        return;
      }
      case 'case_statement':
        for (const child of node.children) this.apart(child, ctx);
        return;
      case 'do_group':
        this.statements(node.children, ctx);
        return;
      case 'while_statement': {
        const loops = this.flow.enterLoop();
        const mark = this.mark();
        for (const child of node.children) this.visit(child, ctx);
        this.restore(mark);
        this.flow.leaveLoop(loops);
        return;
      }
      case 'subshell': {
        const mark = this.mark();
        this.statements(node.children, ctx);
        this.restore(mark);
        return;
      }
      default:
        for (const child of node.children) this.visit(child, ctx);
    }
  }

  /**
   * `$(...)` or a backquoted command. Inside backquotes, `\\`, `` \` `` and `\$` stand for `\`,
   * `` ` `` and `$` before the text is parsed, which tree-sitter-bash does not do
   * (`` `echo \`id\`` `` runs `id`): such text is parsed again once unescaped.
   */
  private commandSubstitution(node: SyntaxNode, ctx: Context): void {
    const inner = { ...ctx, subDepth: ctx.subDepth + 1, stdin: INHERITED };
    const text = this.text(node, ctx);
    const before = this.segments.length;
    if (text.startsWith('`') && /\\[\\`$]/.test(text)) {
      this.reread.add(node);
      const mark = this.mark();
      this.script(text.slice(1, -1).replace(/\\([\\`$])/g, '$1'), { ...inner, depth: ctx.depth + 1 });
      this.restore(mark);
      this.flow.recordSubstitution(ctx.source, node.start, this.segments.slice(before));
      return;
    }
    this.judged.add(node);
    const mark = this.mark();
    for (const child of node.children) this.visit(child, inner);
    this.restore(mark);
    const own = this.segments.slice(before);
    this.flow.recordSubstitution(ctx.source, node.start, own);
    if (printsNumber(own.filter((s) => s.subDepth === inner.subDepth))) {
      this.numericSubstitutions ??= new Map();
      let starts = this.numericSubstitutions.get(ctx.source);
      if (starts === undefined) this.numericSubstitutions.set(ctx.source, (starts = new Set()));
      starts.add(node.start);
    }
  }

  /** Each stage of a pipeline reads what the stage before it wrote. */
  private pipeline(children: readonly SyntaxNode[], ctx: Context, first?: readonly Segment[]): void {
    let previous: readonly Segment[] | undefined = first;
    for (const stage of children) {
      if (!isNamed(stage)) continue;
      const before = this.segments.length;
      // Each stage runs in a subshell of its own.
      this.apart(stage, previous === undefined ? ctx : { ...ctx, stdin: { kind: 'pipe', from: previous } });
      previous = this.segments.slice(before);
    }
  }

  private redirected(node: SyntaxNode, ctx: Context): void {
    const redirects: Redirect[] = [];
    let stdin: Stdin = ctx.stdin;
    let continuation: SyntaxNode[] | undefined;
    let body: SyntaxNode | undefined;
    for (const child of node.children) {
      if (child.type === 'file_redirect') {
        const r = this.fileRedirect(child, ctx);
        if (r !== null) redirects.push(r);
      } else if (child.type === 'heredoc_redirect') {
        const heredoc = this.heredoc(child, ctx);
        stdin = heredoc.stdin;
        continuation = heredoc.continuation;
        redirects.push(...heredoc.redirects);
      } else if (child.type === 'herestring_redirect') {
        stdin = this.herestring(child, ctx);
      } else if (body === undefined && isNamed(child)) {
        body = child;
      }
    }
    const before = this.segments.length;
    if (body === undefined) {
      // `> file` alone truncates or creates the file.
      this.emit(ctx, { text: this.text(node, ctx), words: [], env: [], redirects });
    } else {
      if (body.type === 'command') this.command(body, { ...ctx, stdin }, redirects);
      else {
        this.visit(body, { ...ctx, stdin });
        const own = this.segments.slice(before).filter((segment) => segment.subDepth === ctx.subDepth);
        for (const segment of own) segment.redirects.push(...redirects);
        // `[[ ... ]] > file` and `(( ... )) > file` run no command, but the file is still opened.
        if (own.length === 0 && redirects.length > 0) this.emit(ctx, { text: this.text(node, ctx), words: [], env: [], redirects });
      }
    }
    // `cat <<EOF | sh` parses with the rest of the pipeline inside the heredoc redirect.
    if (continuation !== undefined) {
      for (const part of continuation) {
        if (part.type === 'pipeline' && part.children[0]?.type === '|') this.pipeline(part.children, ctx, this.segments.slice(before));
        else this.visit(part, ctx);
      }
    }
  }

  private functionDefinition(node: SyntaxNode, ctx: Context): void {
    const nameNode = node.children.find((c) => c.type === 'word');
    const name = nameNode === undefined ? null : unescapeUnquoted(this.text(nameNode, ctx));
    const before = this.segments.length;
    const outside = this.flow.enterFunction();
    for (const child of node.children) if (child !== nameNode) this.visit(child, ctx);
    this.flow.leaveFunction(outside);
    if (name === null) return;
    const body = node.children[node.children.length - 1];
    const bodyText = body === undefined ? '' : this.text(body, ctx);
    const recursive = this.segments.slice(before).filter((s) => s.name === name);
    if (recursive.length > 0 && /[|&]/.test(bodyText)) {
      for (const s of recursive) s.findings.push({ code: 'fork_bomb', verdict: 'block', name });
    }
  }

  private command(node: SyntaxNode, ctx: Context, extraRedirects: readonly Redirect[]): void {
    const env: Assignment[] = [];
    const redirects: Redirect[] = [...extraRedirects];
    const words: Word[] = [];
    let stdin = ctx.stdin;
    let runs: boolean | undefined;
    for (const child of node.children) {
      switch (child.type) {
        case 'variable_assignment':
          // `x=1 cmd` assigns x for cmd alone; the shell's x is unchanged after it.
          runs ??= node.children.some((c) => c.type === 'command_name');
          env.push(this.assignment(child, ctx, !runs));
          break;
        case 'file_redirect': {
          const r = this.fileRedirect(child, ctx);
          if (r !== null) redirects.push(r);
          break;
        }
        case 'herestring_redirect':
          stdin = this.herestring(child, ctx);
          break;
        case 'command_name': {
          const inner = child.children[0];
          if (inner !== undefined) words.push(this.word(inner, ctx, true));
          break;
        }
        case 'subshell':
        case 'compound_statement':
          // tree-sitter-bash's reading of `coproc NAME (...)`: commands among the words.
          this.visit(child, ctx);
          break;
        default:
          if (isNamed(child) && child.type !== 'comment') words.push(this.word(child, ctx));
      }
    }
    // rewriteScript expanded every brace group bash would; one left means it lost its way.
    if (words.some((w) => w.text.includes('{') && hasBraceGroup(w.text))) {
      this.note({ code: 'too_complex', verdict: 'confirm', detail: ' (brace expansion the policy could not follow)' });
    }
    const input = ctx.input !== undefined && ctx.input.depth === ctx.depth && ctx.input.subDepth === ctx.subDepth;
    this.runCommand(
      stdin === ctx.stdin ? ctx : { ...ctx, stdin },
      this.text(node, ctx),
      input ? withParallelInput(words, ctx.input!.append, ctx.input!.feed) : words,
      env,
      redirects,
    );
  }

  /** A command about to run: sees through wrappers and shells, then records the segment. */
  runCommand(ctx: Context, text: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): void {
    const first = words[0];
    const name = first === undefined ? null : commandName(first.value);
    if (name !== null && seeThrough(this, ctx, name, words, env, redirects)) return;
    const segment = this.emit(ctx, { text, words, env, redirects });
    if (name !== null) this.inspect(segment, name, ctx);
  }

  emit(ctx: Context, parts: { text: string; words: readonly Word[]; env: readonly Assignment[]; redirects: Redirect[] }): Segment {
    const first = parts.words[0];
    const value = first === undefined ? null : first.value;
    const inherited = ctx.inherited;
    const segment: Segment = {
      text: parts.text,
      words: parts.words,
      name: first === undefined || first.glob ? null : commandName(value),
      path: value !== null && value.includes('/') ? value : null,
      env: inherited.env.length === 0 ? parts.env : [...inherited.env, ...parts.env],
      redirects: inherited.redirects.length === 0 ? parts.redirects : [...inherited.redirects, ...parts.redirects],
      stdin: ctx.stdin,
      via: ctx.via,
      subDepth: ctx.subDepth,
      findings: [],
    };
    if (ctx.chdir !== undefined) segment.cwd = ctx.chdir;
    this.segments.push(segment);
    const secret = !this.expandsVariables || segment.name === 'test' || segment.name === '[' ? null : this.printedSecret(parts.words, ctx.stdin);
    if (secret !== null) segment.findings.push(environmentSecret(secret));
    return segment;
  }

  /** Commands with their own ways of running code: interpreters, git, find, xargs, awk, sed, source. */
  private inspect(segment: Segment, name: string, ctx: Context): void {
    if (name === 'set') this.positionalParameters(segment.words.slice(1));
    if (!isInspected(name)) return;
    const words = segment.words;
    // Most tools are inspected only for their effect options, which most of their uses do not give.
    let effects = false;
    if (OPTION_EFFECTS[name] !== undefined) for (let i = 1; i < words.length && !effects; i++) effects = mayGiveEffect(name, words[i]!.value ?? '');
    if (!effects && !INSPECTED_FOR_MORE.has(name) && !VERSIONED_INTERPRETER.test(name)) return;
    const args = words.slice(1);
    const values = args.map((w) => w.value ?? '');
    if (effects) optionEffects(this, segment, name, args, values, ctx);
    if (PAGERS.has(name)) pagerCommands(this, segment, name, args, ctx);
    if (VIM_EDITORS.has(name)) vimCommands(this, segment, name, args, values, ctx);
    if (SSH_CLIENTS.has(name)) sshOptions(this, segment, name, args, values, ctx);
    if (name === 'socat') socat(this, segment, args, ctx);
    if (name === 'gdb') gdbCommands(this, segment, args, values, ctx);
    if (name === 'source' || name === '.') {
      const script = args[0];
      if (script === undefined) return;
      segment.findings.push(
        script.value === null && script.subs.length > 0
          ? dynamicCodeFinding(script.subs, name)
          : { code: 'script_execution', verdict: 'confirm', name, detail: script.value === null ? '' : ` (${script.value})` },
      );
      return;
    }
    if (name in INTERPRETERS || VERSIONED_INTERPRETER.test(name)) {
      interpreter(this, segment, name, args, values, ctx);
      return;
    }
    switch (name) {
      case 'git':
        git(this, segment, args, values, ctx);
        return;
      case 'find':
        execArgs(this, segment, values, args, ctx, ['-exec', '-execdir', '-ok', '-okdir'], 'find -exec');
        return;
      case 'fd':
      case 'fdfind':
        execArgs(this, segment, values, args, ctx, ['-x', '--exec', '-X', '--exec-batch'], 'fd --exec');
        return;
      case 'awk':
      case 'gawk':
      case 'mawk':
      case 'nawk':
        awk(this, segment, args, ctx);
        return;
      case 'sed':
      case 'gsed':
        sed(this, segment, args, ctx);
        return;
      case 'alias':
        for (const v of values) {
          const eq = v.indexOf('=');
          if (eq > 0) this.script(v.slice(eq + 1), { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `alias ${v.slice(0, eq)}`], stdin: INHERITED });
        }
        return;
    }
    if (EVALUATES_ARGUMENTS.has(name) && evaluatesSubstitution(segment, name, args)) segment.findings.push(EVALUATED_SUBSTITUTION);
    if (EVALUATES_ARGUMENTS.has(name)) this.builtinVariables(segment, name, args, values);
  }

  protected text(node: SyntaxNode, ctx: Context): string {
    return ctx.source.slice(node.start, node.end);
  }
}

/**
 * Whether one of EVALUATES_ARGUMENTS is given `$(` or a backquote as text: in an argument it
 * evaluates (for printf, the variable name after `-v`), or in the text `read` and `mapfile` store.
 */
function evaluatesSubstitution(segment: Segment, name: string, args: readonly Word[]): boolean {
  if (name === 'printf') {
    const v = args.findIndex((w) => w.value?.startsWith('-v') === true);
    return v >= 0 && (args[v]!.value === '-v' ? args[v + 1] : args[v])?.substitutionText === true;
  }
  if (args.some((w) => w.substitutionText === true)) return true;
  if (name !== 'read' && name !== 'mapfile' && name !== 'readarray') return false;
  const stdin = segment.stdin;
  const stored = stdin.kind === 'text' ? stdin.text : stdin.kind === 'pipe' && stdin.from.length === 1 ? printedText(stdin.from[0]!) : null;
  return stored !== null && holdsSubstitution(stored);
}
