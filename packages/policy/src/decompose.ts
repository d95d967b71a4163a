/**
 * Turns a command line into the simple commands it will run: through pipelines, lists, groups,
 * control flow, function bodies, substitutions, wrappers (`sudo`, `env`, `xargs`, `find -exec`),
 * and the strings given to `bash -c`, `eval`, `watch`, `git -c alias...` and friends, which are
 * parsed again (to a bounded depth).
 */
import type { Finding } from './risk.js';
import {
  ASSIGNING_BUILTINS,
  DECODERS,
  GIT_PROGRAM_KEYS,
  INTERPRETERS,
  NETWORK_FETCHERS,
  OPTION_EFFECTS,
  OPTION_STYLES,
  PAGERS,
  PROGRAM_ENV,
  SHELLS,
  SHELL_OPTIONS_WITH_VALUE,
  SOCAT_ADDRESSES,
  SSH_CLIENTS,
  SSH_PROGRAM_OPTIONS,
  VIM_EDITORS,
  INTERPRETER_VERSION_OPTIONS,
  NO_VERSION_OPTIONS,
  VERSION_OPTIONS,
  VERSIONED_INTERPRETER,
  WRAPPERS,
  type WrapperSpec,
} from './rules.js';
import { commandStart, hasOption, optionValues, positionals, takesValue } from './options.js';
import type { Assignment, ExpansionMode, Feed, Origin, Redirect, Segment, Stdin, ValueSet, Word } from './segment.js';
import { MAX_SYNTAX_DEPTH, TOO_DEEP, type ParsedScript, type SyntaxNode } from './syntax.js';
import {
  commandName,
  decodeAnsiC,
  hasBraceGroup,
  hasUnquotedGlob,
  MAX_BRACE_LINE,
  mayHaveBraceGroup,
  NO_SCAN,
  rewriteScript,
  scanWord,
  unescapeUnquoted,
  unquoteDouble,
  type WordScan,
} from './words.js';
import { environmentSecret, isCredentialVariable } from './secrets.js';
import { arithmeticRefs, Variables } from './arithmetic.js';
import { globToRegExp } from './glob.js';
import { HARMLESS_VALUE } from './expand.js';
import { Flow } from './flow.js';
import { printsNumber } from './listings.js';
import { appended, assignedValues, inputItems, inputOf, printfOutput, unionOf } from './values.js';

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
/** Wrappers that are commands of their own for the policy (they change who runs the command). */
const PRIVILEGED_WRAPPERS = new Set(['sudo', 'doas', 'su', 'runuser', 'pkexec', 'run0', 'gosu', 'su-exec', 'chroot']);
/** git -c keys whose value git runs through the shell. */
const GIT_SHELL_KEYS = [
  'core.pager',
  'core.editor',
  'core.sshcommand',
  'core.fsmonitor',
  'sequence.editor',
  'pager.*',
  'alias.*',
  'credential.helper',
  'credential.*.helper',
  'diff.external',
  'diff.*.command',
  'diff.*.textconv',
  'filter.*.clean',
  'filter.*.smudge',
  'filter.*.process',
  'merge.*.driver',
  'mergetool.*.cmd',
  'difftool.*.cmd',
  'interactive.difffilter',
  'core.askpass',
  'core.gitproxy',
  'gpg.program',
  'gpg.*.program',
];
const GIT_PROGRAM_KEY_PATTERNS = GIT_PROGRAM_KEYS.map((k) => globToRegExp(k, null));
const GIT_SHELL_KEY_PATTERNS = GIT_SHELL_KEYS.map((k) => globToRegExp(k, null));
/** Commands that run other commands: wrappers, shells, `eval`, `trap`. */
const RUNS_OTHERS = new Set([...Object.keys(WRAPPERS), ...SHELLS, 'busybox', 'coproc', 'eval', 'trap']);
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
const GIT_FILTER_OPTIONS = ['--env-filter', '--tree-filter', '--index-filter', '--parent-filter', '--msg-filter', '--commit-filter', '--tag-name-filter'];

interface Context {
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

const NOTHING_INHERITED: Context['inherited'] = { env: [], redirects: [] };

const INHERITED: Stdin = { kind: 'inherited' };
const NO_NAMES: ReadonlySet<string> = new Set();
const NO_SUBS: readonly Segment[] = [];

export function decompose(parse: (source: string) => ParsedScript, command: string): Decomposition {
  return new Decomposer(parse).run(command);
}

class Decomposer {
  private readonly segments: Segment[] = [];
  private readonly findings: Finding[] = [];
  /** Command substitutions whose commands were visited. */
  private readonly judged = new Set<SyntaxNode>();
  /** Backquoted substitutions whose text was parsed again instead (see commandSubstitution). */
  private readonly reread = new Set<SyntaxNode>();
  /** Variables assigned a credential's value in this line (`x=$AWS_SECRET_ACCESS_KEY`). */
  private secretNames: Set<string> | undefined;
  /** Whether any word or heredoc seen so far expands a variable (most lines expand none). */
  private expandsVariables = false;
  /** What the line assigns to its variables and which of them reach arithmetic (made on first use: most lines have none). */
  private variableFacts: Variables | undefined;
  /** Command substitutions whose output is a number (`$(wc -l < f)`), by source text and start. */
  private numericSubstitutions: Map<string, Set<number>> | undefined;
  /** What the line assigns to its variables and what its substitutions print (see values.ts); made on first use. */
  private flowState: Flow | undefined;
  /** The last script text looked at for a command sent to the background, and whether it may have one. */
  private scanned: string | undefined;
  private background = false;

  private get variables(): Variables {
    return (this.variableFacts ??= new Variables());
  }

  private get flow(): Flow {
    return (this.flowState ??= new Flow());
  }

  /** Where the line's sure assignments stand, before a part that may not run (see Flow.mark). */
  private mark(): ReadonlySet<string> {
    return this.flowState?.mark() ?? NO_NAMES;
  }

  private restore(mark: ReadonlySet<string>): void {
    this.flowState?.restore(mark);
  }

  constructor(private readonly parse: (source: string) => ParsedScript) {}

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

  /** Records a finding about the line as a whole, once. */
  private note(finding: Finding): void {
    if (this.findings.some((f) => f.code === finding.code && f.detail === finding.detail)) return;
    this.findings.push(finding);
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
  private script(source: string, ctx: Context, top = false): void {
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
    const unseen = mayHoldCode(text) ? this.unseenCode(parsed.root, text, 0, text.length, false) : null;
    if (unseen !== null) this.note({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${unseen})` });
  }

  private visit(node: SyntaxNode, ctx: Context): void {
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

  /**
   * Arithmetic text at `start..end` of `source`: the variables it uses are judged at the end of the
   * line (see Variables); a command substitution whose output is not surely a number is data now.
   */
  private arithmetic(source: string, start: number, end: number, where: string): void {
    if (start < 0 || end <= start) return;
    const refs = arithmeticRefs(source, start, end);
    const numeric = this.numericSubstitutions?.get(source);
    if (refs.substitutions.some((at) => numeric === undefined || !numeric.has(at))) this.note(arithmeticOnData('the output of a command', where));
    for (const name of refs.uses) this.variables.use(name, where);
    for (const name of refs.assigns) {
      this.variables.assign(name, false);
      this.flow.assign(name, () => HARMLESS_VALUE);
    }
  }

  /** The arithmetic a word holds (`$((...))`, `${a[i]}`, `${x:i:n}`) and the variables it names indirectly (`${!x}`). */
  private wordArithmetic(scan: WordScan, source: string, offset: number): void {
    for (const span of scan.arithmetic) {
      if (span.array !== undefined && this.variables.associative.has(span.array)) continue;
      this.arithmetic(source, offset + span.start, offset + span.end, span.array === undefined ? '$(( ))' : `the subscript of ${span.array}`);
    }
    for (const v of scan.variables) if (v.use === 'indirect') this.variables.use(v.name, `\${!${v.name}}`, true);
  }

  /** `for ((init; test; step))`: the header is arithmetic, judged before the body runs. */
  private cStyleFor(node: SyntaxNode, ctx: Context): void {
    let start = Infinity;
    let end = -1;
    const body: SyntaxNode[] = [];
    for (const child of node.children) {
      if (child.type === 'do_group' || child.type === 'compound_statement') {
        body.push(child);
        continue;
      }
      this.visit(child, ctx);
      const [s, e] = extent(child);
      start = Math.min(start, s);
      end = Math.max(end, e);
    }
    if (end > start) this.arithmetic(ctx.source, start, end, 'for (( ))');
    const loops = this.flow.enterLoop();
    const mark = this.mark();
    for (const child of body) this.visit(child, ctx);
    this.restore(mark);
    this.flow.leaveLoop(loops);
  }

  /** `for NAME in WORDS`: NAME holds each word in turn, data when a word is (`for x in $(cat f)`). */
  private forIn(node: SyntaxNode, ctx: Context): void {
    const nameNode = node.children.find((c) => c.type === 'variable_name');
    let dirty = true;
    const deps: string[] = [];
    let items = false;
    const words: Word[] = [];
    for (const child of node.children) {
      if (child === nameNode || child.type === 'do_group' || child.type === 'compound_statement' || child.type === 'comment' || !isNamed(child)) continue;
      items = true;
      const word = this.word(child, ctx);
      words.push(word);
      // `for v in ${!AWS_*}` or `for t in $TOKEN`: what the loop variable holds tells of secrets.
      if (word.scan !== undefined && nameNode !== undefined && this.secretIn(word.scan) !== null)
        (this.secretNames ??= new Set()).add(this.text(nameNode, ctx));
      if (word.value !== null) {
        if (word.glob) deps.push('@');
        continue;
      }
      if (this.holdsData(word, child, ctx)) deps.push('@');
      for (const v of word.scan?.variables ?? []) deps.push(v.name);
    }
    if (items) dirty = false;
    const name = nameNode === undefined ? null : this.text(nameNode, ctx);
    if (name !== null) this.variables.assign(name, dirty, deps);
    // The body runs once for each word of the list (`for f` alone: each positional parameter).
    const point = this.flow.point();
    const loops = this.flow.enterLoop();
    const mark = this.mark();
    if (name !== null) this.flow.assign(name, () => (items ? unionOf(words) : this.flow.variable('@', point)));
    for (const child of node.children) if (child.type === 'do_group' || child.type === 'compound_statement') this.visit(child, ctx);
    this.restore(mark);
    this.flow.leaveLoop(loops);
  }

  /**
   * `[[ ... ]]`: the operands of `-eq`, `-ne`, `-lt`, `-le`, `-gt`, `-ge` are arithmetic; `-v NAME`
   * evaluates NAME's subscript and uses the variables that name it; and the operands' own
   * expansions (`$((...))`, `${a[i]}`) are arithmetic wherever they stand.
   */
  private testArithmetic(node: SyntaxNode, ctx: Context): void {
    const source = ctx.source;
    // tree-sitter-bash reads `[ ... ]` as a test command too; there `-eq` compares integers without evaluating them.
    let before = extent(node)[0] - 1;
    while (before > 0 && (source[before] === ' ' || source[before] === '\t')) before--;
    const doubleBracket = source[before] === '[' && source[before - 1] === '[';
    const walk = (n: SyntaxNode): void => {
      const operator = n.children.find((c) => c.type === 'test_operator');
      const op = operator === undefined ? '' : this.text(operator, ctx);
      for (const child of n.children) {
        if (child === operator) continue;
        if (child.start < 0) {
          walk(child);
          continue;
        }
        if (doubleBracket && ARITHMETIC_TESTS.has(op)) this.arithmetic(source, child.start, child.end, `[[ ${op} ]]`);
        else if (op === '-v') this.variableName(source, child.start, child.end, '[[ -v ]]');
        const text = this.text(child, ctx);
        if (text.includes('$')) this.wordArithmetic(scanWord(text), source, child.start);
      }
    };
    walk(node);
  }

  /** A variable name that bash evaluates (`-v a[i]`, `unset 'a[i]'`): its subscript is arithmetic, and what expands in it names the variable. */
  private variableName(source: string, start: number, end: number, where: string): void {
    const text = source.slice(start, end);
    const open = text.indexOf('[');
    if (open >= 0) {
      const name = text.slice(0, open).replace(/^["']/, '');
      if (!this.variables.associative.has(name)) this.arithmetic(source, start + open + 1, start + Math.max(open + 1, text.lastIndexOf(']')), where);
    }
    for (const v of scanWord(open < 0 ? text : text.slice(0, open)).variables) this.variables.use(v.name, where, true);
  }

  /** Whether a word's value comes from a command whose output is not surely a number. */
  private holdsData(word: Word, node: SyntaxNode, ctx: Context): boolean {
    if (word.subs.length === 0 && !ctx.source.slice(node.start, node.end).includes('`')) return false;
    const numeric = this.numericSubstitutions?.get(ctx.source);
    let data = false;
    const find = (n: SyntaxNode): void => {
      if (data) return;
      if (n.type === 'command_substitution') data = numeric === undefined || !numeric.has(n.start);
      else for (const c of n.children) find(c);
    };
    find(node);
    return data;
  }

  /**
   * What in `start..end` of `node` would run code that no segment stands for: a command
   * substitution the tree does not show as one (tree-sitter-bash leaves some in heredoc bodies and
   * in `${...}` as text) or that was not visited, and a `${x@P}` (the value is expanded as a
   * prompt, substitutions included). In `evaluated` text (arithmetic, array subscripts, `[[ ... ]]`)
   * bash evaluates the words again, so a `$(` counts even when quoted. Returns what was found.
   */
  private unseenCode(node: SyntaxNode, source: string, start: number, end: number, evaluated: boolean, skip?: (child: SyntaxNode) => boolean): string | null {
    let at = start;
    for (const [child, childEvaluated] of positionedChildren(node, evaluated, [])) {
      const found = codeIn(source, at, child.start, evaluated) ?? (skip?.(child) === true ? null : this.unseenCodeIn(child, source, childEvaluated));
      if (found !== null) return found;
      at = child.end;
    }
    return codeIn(source, at, end, evaluated);
  }

  private unseenCodeIn(node: SyntaxNode, source: string, evaluated: boolean): string | null {
    switch (node.type) {
      case 'comment':
        return null;
      case 'raw_string':
      case 'ansi_c_string':
        return evaluated ? codeIn(source, node.start, node.end, true) : null;
      case 'command_substitution':
        if (this.reread.has(node)) return null;
        if (!this.judged.has(node)) return 'a command substitution the policy did not read';
        return this.unseenCode(node, source, node.start + (source.startsWith('$(', node.start) ? 2 : 1), node.end - 1, false);
      case 'arithmetic_expansion': {
        const long = source.startsWith('$((', node.start);
        return this.unseenCode(node, source, node.start + (long ? 3 : 2), node.end - (long ? 2 : 1), true);
      }
      case 'subscript':
        return this.unseenCode(node, source, node.start, node.end, true);
      case 'compound_statement':
        if (source.startsWith('((', node.start)) return this.unseenCode(node, source, node.start + 2, node.end - 2, true);
        break;
      case 'heredoc_redirect': {
        const start = node.children.find((c) => c.type === 'heredoc_start');
        if (start !== undefined && /["'\\]/.test(source.slice(start.start, start.end))) {
          return this.unseenCode(node, source, node.start, node.end, evaluated, (c) => c.type === 'heredoc_body');
        }
        break;
      }
    }
    return this.unseenCode(node, source, node.start, node.end, evaluated);
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

  /** A heredoc: what it feeds the command, the redirections written after its delimiter, and the rest of the line. */
  private heredoc(node: SyntaxNode, ctx: Context): { stdin: Stdin; redirects: Redirect[]; continuation: SyntaxNode[] } {
    const continuation: SyntaxNode[] = [];
    const redirects: Redirect[] = [];
    let text: string | null = null;
    let scan: WordScan | undefined;
    let body: Word | undefined;
    const before = this.segments.length;
    const start = node.children.find((c) => c.type === 'heredoc_start');
    const quoted = start !== undefined && /["'\\]/.test(this.text(start, ctx));
    for (const child of node.children) {
      if (child.type === 'heredoc_body') {
        text = this.text(child, ctx);
        if (!quoted && text.includes('$')) {
          scan = scanWord(text, true);
          this.expandsVariables = true;
          this.wordArithmetic(scan, ctx.source, child.start);
        }
        for (const part of child.children) this.visit(part, { ...ctx, subDepth: ctx.subDepth + 1, stdin: INHERITED });
        if (!quoted && /[$`]/.test(text)) {
          const origin = { kind: 'text' as const, text, source: ctx.source, start: child.start, mode: 'heredoc' as const, point: this.flow.point() };
          body = { text, value: null, glob: false, subs: this.segments.slice(before), origin };
        }
      } else if (child.type === 'file_redirect') {
        // `cat <<EOF > file` parses with `> file` inside the heredoc redirect.
        const redirect = this.fileRedirect(child, ctx);
        if (redirect !== null) redirects.push(redirect);
      } else if (isNamed(child) && child.type !== 'heredoc_start' && child.type !== 'heredoc_end') {
        continuation.push(child);
      }
    }
    return {
      stdin: { kind: 'text', text, subs: this.segments.slice(before), ...(scan === undefined ? {} : { scan }), ...(body === undefined ? {} : { word: body }) },
      redirects,
      continuation,
    };
  }

  private herestring(node: SyntaxNode, ctx: Context): Stdin {
    const target = node.children.find(isNamed);
    if (target === undefined) return { kind: 'text', text: null, subs: NO_SUBS };
    const word = this.word(target, ctx, false, 'herestring');
    return {
      kind: 'text',
      text: word.value,
      subs: word.subs,
      ...(word.scan === undefined ? {} : { scan: word.scan }),
      ...(word.origin === undefined ? {} : { word }),
    };
  }

  private fileRedirect(node: SyntaxNode, ctx: Context): Redirect | null {
    let operator = '';
    let target: Word | undefined;
    for (const child of node.children) {
      if (child.type === 'file_descriptor') continue;
      if (!isNamed(child)) operator = child.type;
      else target ??= this.word(child, ctx);
    }
    if (target === undefined) return null;
    const duplicates =
      (operator === '>&' || operator === '<&' || operator === '>&-' || operator === '<&-') && (target.value === null ? false : /^(\d+|-)$/.test(target.value));
    const kind = duplicates ? 'dup' : operator === '<' ? 'read' : 'write';
    return { operator, kind, target };
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

  private declaration(node: SyntaxNode, ctx: Context): void {
    const keyword = node.children[0];
    const words: Word[] = [{ text: keyword?.type ?? '', value: keyword?.type ?? '', glob: false, subs: NO_SUBS }];
    const env: Assignment[] = [];
    // `declare -i x=...` evaluates the value as arithmetic, and every later assignment to x; `-A` makes subscripts strings.
    let integer = false;
    let associative = false;
    for (const child of node.children.slice(1)) {
      if (child.type === 'variable_assignment' || child.type === 'variable_name') {
        const nameNode = child.type === 'variable_name' ? child : child.children[0];
        const name = nameNode === undefined ? '' : this.text(nameNode, ctx).replace(/\[.*$/s, '');
        if (integer) this.variables.integers.add(name);
        if (associative) this.variables.associative.add(name);
        if (child.type === 'variable_assignment') env.push(this.assignment(child, ctx));
        else {
          if (keyword?.type !== 'unset') this.variables.assign(name, false);
          words.push(this.word(child, ctx));
        }
      } else if (isNamed(child)) {
        const word = this.word(child, ctx);
        words.push(word);
        if (keyword?.type === 'unset') {
          if (word.value === null || word.value.includes('[')) this.variableName(ctx.source, child.start, child.end, 'unset');
        } else if (word.value !== null && /^-[a-zA-Z]+$/.test(word.value)) {
          integer ||= word.value.includes('i');
          associative ||= word.value.includes('A');
        }
      }
    }
    this.runCommand(ctx, this.text(node, ctx), words, env, []);
  }

  /**
   * `NAME=value` or `NAME[subscript]=value`. The subscript is arithmetic, so its substitutions run.
   * A value holding `$(` or a backquote as text runs too once the variable is evaluated (`$((x))`,
   * `${a[x]}`, `[[ x -eq 1 ]]` and `${!x}` evaluate `a[$(cmd)]`).
   */
  private assignment(node: SyntaxNode, ctx: Context, definite = true): Assignment {
    const nameNode = node.children[0];
    if (nameNode !== undefined) this.visitSubstitutions(nameNode, ctx);
    const name = nameNode === undefined ? '' : this.text(nameNode, ctx).replace(/\[.*$/, '');
    const valueNode = node.children.slice(1).find(isNamed);
    const point = this.flow.point();
    const value = valueNode === undefined ? null : this.word(valueNode, ctx, false, 'assignment');
    if (value?.substitutionText === true) this.note(EVALUATED_SUBSTITUTION);
    if (value?.scan !== undefined && this.secretIn(value.scan) !== null) (this.secretNames ??= new Set()).add(name);
    // `a[i]=v` evaluates the subscript (an indexed array's), and the elements of `a=([i]=v)`.
    if (nameNode?.type === 'subscript') this.variableName(ctx.source, nameNode.start, nameNode.end, `the subscript of ${name}`);
    if (valueNode?.type === 'array' && !this.variables.associative.has(name)) {
      for (const element of valueNode.children) {
        if (element.start >= 0 && ctx.source[element.start] === '[') this.variableName(ctx.source, element.start, element.end, `the subscript of ${name}`);
      }
    }
    this.recordAssignment(name, valueNode, value, ctx);
    const append = nameNode !== undefined && ctx.source.startsWith('+=', nameNode.end);
    const elements =
      valueNode?.type === 'array' ? valueNode.children.filter((c) => c.start >= 0).map((c) => ({ text: this.text(c, ctx), start: c.start })) : null;
    const values = this.variables.integers.has(name) ? () => HARMLESS_VALUE : assignedValues(value, elements, ctx.source, point);
    this.flow.assign(name, append ? appended(this.flow, name, point, values, elements !== null) : values, definite);
    if (PROGRAM_ENV.has(name) && value !== null) this.environmentProgram(name, value, ctx);
    return { name, value };
  }

  /** A variable whose value something runs (`GIT_SSH_COMMAND`, `PAGER`, `LESSOPEN`): the value is judged as the command it is. */
  private environmentProgram(name: string, value: Word, ctx: Context): void {
    if (value.value === null) return;
    // LESSOPEN and LESSCLOSE: `|cmd %s`, `||cmd %s` or `|-cmd %s`.
    const command = name.startsWith('LESS') ? value.value.replace(/^\|{1,2}-?/, '') : value.value;
    if (command.trim() === '') return;
    this.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, name], stdin: INHERITED });
  }

  /** What an assignment gives a variable: data, or a value made of literals, numbers and other variables. */
  private recordAssignment(name: string, valueNode: SyntaxNode | undefined, value: Word | null, ctx: Context): void {
    if (valueNode === undefined || value === null) {
      this.variables.assign(name, false);
    } else if (this.variables.integers.has(name)) {
      this.arithmetic(ctx.source, valueNode.start, valueNode.end, `the integer variable ${name}`);
      this.variables.assign(name, false);
    } else if (value.value !== null) {
      this.variables.assign(name, false, value.value);
    } else {
      const deps = (value.scan?.variables ?? []).map((v) => v.name);
      this.variables.assign(name, this.holdsData(value, valueNode, ctx), deps);
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
  private runCommand(ctx: Context, text: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): void {
    const first = words[0];
    const name = first === undefined ? null : commandName(first.value);
    if (name !== null && this.seeThrough(ctx, name, words, env, redirects)) return;
    const segment = this.emit(ctx, { text, words, env, redirects });
    if (name !== null) this.inspect(segment, name, ctx);
  }

  private emit(ctx: Context, parts: { text: string; words: readonly Word[]; env: readonly Assignment[]; redirects: Redirect[] }): Segment {
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

  /** A credential variable whose value a command is given as an argument or as its input. */
  private printedSecret(words: readonly Word[], stdin: Stdin): string | null {
    for (const w of words) {
      if (w.scan === undefined) continue;
      const found = this.secretIn(w.scan);
      if (found !== null) return found;
    }
    return stdin.kind === 'text' && stdin.scan !== undefined ? this.secretIn(stdin.scan) : null;
  }

  /** The first variable in `scan` whose value is a credential (by its name, or assigned from one). */
  private secretIn(scan: WordScan): string | null {
    for (const v of scan.variables) {
      if (isCredentialVariable(v.name) || this.secretNames?.has(v.name) === true) return `the variable ${v.name}`;
      // `${!name}` is the variable `name` names: any of them, credentials included.
      if (v.use === 'indirect') return `the variable named by $${v.name}`;
    }
    // A credential's length, and the names of the environment's variables (`${!AWS_*}`), tell of secrets too.
    const length = scan.lengths?.find((name) => isCredentialVariable(name) || this.secretNames?.has(name) === true);
    if (length !== undefined) return `the length of the variable ${length}`;
    if (scan.names !== undefined) return `the names of the variables starting with ${scan.names[0]}, credentials' among them`;
    return null;
  }

  /**
   * Wrappers, shells and `eval` run other commands. Returns true when the wrapper itself is not a
   * segment of its own (what it runs is).
   */
  private seeThrough(ctx: Context, name: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): boolean {
    if (!RUNS_OTHERS.has(name)) return false;
    const wrapper = WRAPPERS[name];
    const args = words.slice(1);
    if (name === 'busybox' || name === 'coproc') {
      // `coproc NAME { ...; }` names the coprocess; tree-sitter-bash reads the group's `{` as a word.
      const inner = name === 'coproc' ? args.slice(args[0]?.value === '{' ? 1 : args[1]?.value === '{' ? 2 : 0) : args;
      if (inner.length === 0) return false;
      this.runCommand(this.nest(ctx, name), joinText(inner), inner, env, redirects);
      return true;
    }
    if (wrapper !== undefined) return this.wrapper(ctx, name, wrapper, words, env, redirects);
    if (name === 'eval' || (name === 'trap' && args.length > 1)) {
      const code = name === 'eval' ? args : args.slice(0, 1);
      this.code(ctx, name, code, words, env, redirects);
      return name === 'eval';
    }
    if (SHELLS.has(name))
      return this.shell(
        ctx,
        name,
        args,
        args.map((w) => w.value ?? ''),
        words,
        env,
        redirects,
      );
    return false;
  }

  private nest(ctx: Context, via: string): Context {
    return { ...ctx, via: [...ctx.via, via] };
  }

  private wrapper(ctx: Context, name: string, spec: WrapperSpec, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): boolean {
    const args = words.slice(1);
    const values = args.map((w) => w.value ?? '\0dynamic');
    const privileged = PRIVILEGED_WRAPPERS.has(name);
    const start = commandStart(values, [...spec.optionsWithValue, ...(spec.commandOptions ?? [])], spec.skip ?? 0, spec.assignments ?? false);
    const own = values.slice(0, start);
    if (spec.stopOptions !== undefined && spec.stopOptions.some((o) => hasOption(own, o, false))) return false;
    let ran = false;
    for (const { option, code } of commandOptionCode(spec, own, args)) {
      this.code(ctx, `${name} ${option}`, [code], words, env, redirects);
      ran = true;
    }
    // GNU parallel's input sources follow `:::`, `::::`, `:::+` and `::::+`; they are not part of the command.
    const sources = name === 'parallel' ? args.findIndex((w, i) => i >= start && w.value !== null && /^::::?\+?$/.test(w.value)) : -1;
    const commandWords = sources < 0 ? args.slice(start) : args.slice(start, sources);
    const inner = name === 'xargs' ? withXargsInput(own, commandWords, xargsFeed(own, args, ctx.stdin, redirects)) : commandWords;
    const innerEnv = spec.assignments === true ? [...env, ...assignmentsIn(args.slice(0, start))] : env;
    if (inner.length > 0) {
      if (spec.joinsIntoShell !== undefined && !spec.joinsIntoShell.unless.some((o) => hasOption(own, o, false))) {
        // Parallel appends its input unless the command holds a replacement string (`{}`) somewhere.
        const append = !inner.some((w) => PARALLEL_REPLACEMENT.test(w.text));
        this.code(
          name === 'parallel'
            ? {
                ...ctx,
                input: {
                  depth: ctx.depth + 1,
                  subDepth: ctx.subDepth,
                  append,
                  feed: parallelFeed(args.slice(Math.max(sources, 0)), sources >= 0, ctx.stdin, redirects),
                },
              }
            : ctx,
          name,
          inner,
          words,
          innerEnv,
          redirects,
        );
      } else {
        const chdir = name === 'env' ? envDirectory(own, args) : undefined;
        this.runCommand(
          chdir === undefined ? this.nest(ctx, name) : { ...this.nest(ctx, name), chdir },
          joinText(args.slice(start)),
          inner,
          innerEnv,
          redirects,
        );
      }
      ran = true;
    }
    if (spec.ownOptions?.some((o) => hasOption(own, o, true)) === true) {
      const itself = words.slice(0, start + 1);
      const segment = this.emit(ctx, { text: joinText(itself), words: itself, env, redirects: [] });
      if (OPTION_EFFECTS[name] !== undefined) this.optionEffects(segment, name, args.slice(0, start), own, ctx);
      ran = true;
    }
    // `sudo` is a command of its own (it is blocked); the others only matter for what they run.
    if (privileged) {
      this.emit(ctx, { text: joinText(words), words, env, redirects: [] });
      return true;
    }
    return ran;
  }

  /**
   * Words that a command runs as shell code (`eval ...`, `bash -c ...`, `watch ...`). Static code is
   * parsed again; dynamic code is judged by what produced it.
   */
  private code(ctx: Context, via: string, code: readonly Word[], words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): void {
    const values = code.map((w) => w.value);
    if (values.every((v): v is string => v !== null)) {
      this.script(values.join(' '), { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, via], stdin: ctx.stdin, inherited: inheritedFrom(ctx, env, redirects) });
      return;
    }
    const subs = code.flatMap((w) => w.subs);
    const segment = this.emit(ctx, { text: joinText(words), words, env, redirects });
    segment.findings.push(dynamicCodeFinding(subs, via));
  }

  private shell(
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
      const mark = this.mark();
      if (name0 !== undefined) this.flow.assign('0', () => unionOf([name0]));
      this.flow.assign('@', () => unionOf(rest));
      this.code(ctx, `${name} -c`, [code], words, env, redirects);
      this.restore(mark);
      return true;
    }
    const script = readsStdin ? undefined : args[i];
    const emit = (): Segment => this.emit(ctx, { text: joinText(words), words, env, redirects });
    if (script === undefined) {
      // `bash <<EOF > file`: the shell's redirections and environment apply to what it reads.
      this.stdinCode({ ...ctx, inherited: inheritedFrom(ctx, env, redirects) }, name, true, emit);
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
  private stdinCode(ctx: Context, name: string, isShell: boolean, emit: () => Segment): void {
    const stdin = ctx.stdin;
    if (stdin.kind === 'inherited') {
      emit().findings.push({ code: 'interactive_shell', verdict: 'confirm', name, context: true });
      return;
    }
    if (stdin.kind === 'text') {
      if (stdin.text !== null && isShell) this.script(stdin.text, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} <<`], stdin: INHERITED });
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
      this.script(printed, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${producer!.name} | ${name}`], stdin: INHERITED });
      return;
    }
    emit().findings.push({
      code: 'shell_stdin',
      verdict: 'confirm',
      detail: ` (${stdin.from.map((s) => s.name ?? 'a dynamic command').join(', ')} into ${name})`,
      context: true,
    });
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
    if (effects) this.optionEffects(segment, name, args, values, ctx);
    if (PAGERS.has(name)) this.pagerCommands(segment, name, args, ctx);
    if (VIM_EDITORS.has(name)) this.vimCommands(segment, name, args, values, ctx);
    if (SSH_CLIENTS.has(name)) this.sshOptions(segment, name, args, values, ctx);
    if (name === 'socat') this.socat(segment, args, ctx);
    if (name === 'gdb') this.gdbCommands(segment, args, values, ctx);
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
      this.interpreter(segment, name, args, values, ctx);
      return;
    }
    switch (name) {
      case 'git':
        this.git(segment, args, values, ctx);
        return;
      case 'find':
        this.execArgs(segment, values, args, ctx, ['-exec', '-execdir', '-ok', '-okdir'], 'find -exec');
        return;
      case 'fd':
      case 'fdfind':
        this.execArgs(segment, values, args, ctx, ['-x', '--exec', '-X', '--exec-batch'], 'fd --exec');
        return;
      case 'awk':
      case 'gawk':
      case 'mawk':
      case 'nawk':
        this.awk(segment, args, ctx);
        return;
      case 'sed':
      case 'gsed':
        this.sed(segment, args, ctx);
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

  /**
   * The options whose values a tool acts on (see OPTION_EFFECTS): a program is parsed and judged as
   * the command it is, a written file is judged where it lands.
   */
  private optionEffects(segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
    const effects = OPTION_EFFECTS[name]!;
    for (const option in effects) {
      const effect = effects[option]!;
      for (const { index, attached } of optionValues(values, option, OPTION_STYLES[name])) {
        const word = args[index]!;
        const value = attached ?? word.value;
        if (effect === 'writes') {
          // `strace -o '|cmd'` and `-o '!cmd'` pipe to a command instead.
          if (value !== null && (value.startsWith('|') || value.startsWith('!'))) this.optionProgram(segment, name, option, value.slice(1), ctx);
          else (segment.writes ??= []).push(attached === null ? word : { ...word, value: attached, text: attached });
        } else if (effect === 'program') {
          if (value === null) segment.findings.push(dynamicCodeFinding(word.subs, `${name} ${option}`));
          else this.optionProgram(segment, name, option, value, ctx);
        }
      }
    }
  }

  /**
   * ssh's `-o Key=Value` (or `-o 'Key Value'`): ProxyCommand, LocalCommand, KnownHostsCommand and
   * RemoteCommand are commands, judged as the commands they are; PKCS11Provider and its kin load code.
   */
  private sshOptions(segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
    for (const { index, attached } of optionValues(values, '-o')) {
      const word = args[index]!;
      const setting = attached ?? word.value;
      if (setting === null) {
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ' (an -o option known only at run time)' });
        continue;
      }
      const m = /^\s*([A-Za-z0-9]+)\s*(?:=|\s)\s*(.*)$/s.exec(setting);
      if (m === null) continue;
      const effect = SSH_PROGRAM_OPTIONS[m[1]!.toLowerCase()];
      const value = m[2]!.trim();
      if (effect === undefined || value === '' || value.toLowerCase() === 'none') continue;
      if (effect === 'program') this.optionProgram(segment, name, `-o ${m[1]}`, value, ctx);
      else segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (-o ${m[1]} loads ${value})` });
    }
  }

  /**
   * socat's addresses: `EXEC:cmd` and `SYSTEM:cmd` run a program, judged as the command it is; with
   * a network address on the other side it is a remote or bind shell (BLOCK). `OPEN:`, `CREATE:`,
   * `GOPEN:` and `FILE:` read and write files.
   */
  private socat(segment: Segment, args: readonly Word[], ctx: Context): void {
    let program = false;
    let network = false;
    for (const word of args) {
      const v = word.value;
      if (v === null) {
        if (/^["']?(exec|system)/i.test(word.text)) segment.findings.push(dynamicCodeFinding(word.subs, 'socat'));
        continue;
      }
      if (v.startsWith('-') && v.length > 1) continue;
      if (SOCAT_ADDRESSES.program.test(v)) {
        program = true;
        const body = v.slice(v.search(/[:,]/) + 1);
        const command = body.split(/(?<!\\),/)[0]!.replace(/\\,/g, ',');
        if (command.trim() !== '') this.optionProgram(segment, 'socat', v.slice(0, v.search(/[:,]/)).toUpperCase() + ':', command, ctx);
      } else if (SOCAT_ADDRESSES.network.test(v)) {
        network = true;
      } else if (SOCAT_ADDRESSES.file.test(v)) {
        const file = v.slice(v.search(/[:,]/) + 1).split(',')[0]!;
        const target: Word = { text: file, value: file, glob: false, subs: NO_SUBS };
        (segment.writes ??= []).push(target);
        (segment.reads ??= []).push(target);
      }
    }
    if (program && network)
      segment.findings.push({ code: 'remote_code_execution', verdict: 'block', detail: ' (socat connects a program to the network: a remote or bind shell)' });
  }

  /**
   * Vim's `-c CMD`, `--cmd CMD` and `+CMD` are Ex commands: a `:!` or `:r !` runs the shell (judged
   * as the command it is), `:call system()`, `:py`, `:lua`, `:source` and their kin run code, and
   * `:w FILE` writes. `-u FILE` loads a vimrc. In Ex mode (`ex`, `vim -e`) what arrives on standard
   * input is Ex commands too.
   */
  private vimCommands(segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
    const commands: (string | null)[] = [];
    for (const option of ['-c', '--cmd']) for (const { index, attached } of optionValues(values, option)) commands.push(attached ?? args[index]!.value);
    for (const word of args) {
      if (word.value === null ? word.text.replace(/^["']/, '').startsWith('+') : word.value.startsWith('+'))
        commands.push(word.value === null ? null : word.value.slice(1));
    }
    for (const { index, attached } of optionValues(values, '-u')) {
      const vimrc = attached ?? args[index]!.value;
      if (vimrc === null || !/^(NONE|NORC|DEFAULTS)$/.test(vimrc))
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (-u ${vimrc ?? 'a file named at run time'} loads Vim script)` });
    }
    const exMode = name === 'ex' || values.some((v) => /^-[a-zA-Z]*[eE]/.test(v) && !v.startsWith('--'));
    const stdin = ctx.stdin;
    if (exMode && stdin.kind !== 'inherited') commands.push(stdin.kind === 'text' ? stdin.text : null);
    for (const command of commands) {
      if (command === null) {
        segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs Ex commands known only at run time)` });
        continue;
      }
      for (const line of command.split('\n')) this.exCommand(segment, name, line, ctx, 0);
    }
  }

  private exCommand(segment: Segment, name: string, text: string, ctx: Context, depth: number): void {
    if (depth > 8) return;
    let rest = text;
    while (rest.trim() !== '') {
      // Leading colons and blanks, then a range (`%`, `1,$`, `'a,'b`, `/re/`).
      rest = rest.replace(/^[\s:]+/, '').replace(/^(?:[%.$]|\d+|'[a-zA-Z<>]|\/(?:[^/\\]|\\.)*\/|\?(?:[^?\\]|\\.)*\?|[,;+-]\d*)*/, '');
      const modifier =
        /^(?:sil|sile|silen|silent|uns|unsi|unsil|unsile|unsilent|keepa|keepalt|keepj|keepjumps|noa|noautocmd|verb|verbose|lockm|lockmarks|hid|hide|vert|vertical|tab|bel|belowright|abo|aboveleft|to|topleft|bo|botright|sandbox|sa|san|sand|sandb|sandbo)!?(?=[\s!]|$)\s*/.exec(
          rest,
        );
      if (modifier !== null && modifier[0].length > 0) {
        rest = rest.slice(modifier[0].length);
        continue;
      }
      const shell = /^(?:(?:r|re|rea|read|w|wr|wri|writ|write|up|upd|upda|updat|update)!?\s*)?!(.*)$/s.exec(rest);
      if (shell !== null) {
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:!${shell[1]!.trim()})` });
        if (shell[1]!.trim() !== '') this.script(shell[1]!, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} :!`], stdin: INHERITED });
        return;
      }
      const terminal = /^ter(?:m|mi|min|mina|minal)?!?\s+((?:\+\+\S+\s+)*)(.*)$/s.exec(rest);
      if (terminal !== null && terminal[2]!.trim() !== '') {
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:terminal ${terminal[2]!.trim()})` });
        this.script(terminal[2]!, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} :terminal`], stdin: INHERITED });
        return;
      }
      const global = /^(?:g|gl|glo|glob|globa|global|v|vg|vgl|vglo|vglob|vgloba|vglobal)!?\s*([^\w\s"|])((?:(?!\1)[^\\]|\\.)*)\1(.*)$/s.exec(rest);
      if (global !== null) {
        this.exCommand(segment, name, global[3]!, ctx, depth + 1);
        return;
      }
      const bar = rest.search(/(?<!\\)\|/);
      const command = bar < 0 ? rest : rest.slice(0, bar);
      rest = bar < 0 ? '' : rest.slice(bar + 1);
      const word = /^[A-Za-z]+/.exec(command)?.[0] ?? '';
      if (EX_CODE.test(word) || /\bsystem(list)?\s*\(|\blibcall|\bjob_start|\bjobstart|\bterm_start/.test(command)) {
        segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs Vim script: ${JSON.stringify(command.trim())})` });
      } else if (EX_WRITE.test(word)) {
        const file = command.replace(/^[A-Za-z]+!?\s*(?:>>?\s*)?/, '').trim();
        if (file !== '') (segment.writes ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
      } else if (EX_SHELL.test(word)) {
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:${command.trim()} runs a program)` });
      }
    }
  }

  /** gdb's `-ex`/`-iex` commands: `shell CMD`, `!CMD` and `pipe ... | CMD` run the shell; `python` and its kin run code. */
  private gdbCommands(segment: Segment, args: readonly Word[], values: readonly string[], ctx: Context): void {
    for (const option of ['-ex', '--ex', '-eval-command', '--eval-command', '-iex', '--iex', '-init-eval-command', '--init-eval-command']) {
      for (const { index, attached } of optionValues(values, option, 'words')) {
        const command = attached ?? args[index]!.value;
        if (command === null) {
          segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (gdb runs a command known only at run time)' });
          continue;
        }
        const shell = /^\s*(?:shell\s+|!\s*|pipe\s+[^|]*\|\s*|\|[^|]*\|\s*)(.*)$/s.exec(command);
        if (shell !== null) this.optionProgram(segment, 'gdb', option, shell[1]!, ctx);
        else if (/^\s*(python|py|pi|python-interactive|guile|gu|source|so|define|compile|call|print\s+\$_shell|eval)\b/.test(command))
          segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (gdb runs code: ${JSON.stringify(command.trim())})` });
      }
    }
  }

  /** A command line an option gives a tool to run, judged as the command it is. */
  private optionProgram(segment: Segment, name: string, option: string, value: string, ctx: Context): void {
    const command = name === 'tar' || name === 'bsdtar' ? (/^exec=/.test(value) ? value.slice(5) : option === '--checkpoint-action' ? '' : value) : value;
    if (command.trim() === '') return;
    segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (${option} ${JSON.stringify(command)})` });
    this.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} ${option}`], stdin: INHERITED });
  }

  /**
   * A pager's `+cmd` arguments run as if typed: `+G` or `+/pattern` move, but `!cmd` and `|Xcmd`
   * run shell commands, `s FILE` and `-o FILE` write the input to a file, `v` starts an editor,
   * `:e FILE` and `E FILE` open another file. Each typed line (`$'+!cmd\n'`) is one command.
   */
  private pagerCommands(segment: Segment, name: string, args: readonly Word[], ctx: Context): void {
    for (const word of args) {
      const v = word.value;
      if (v === null ? !word.text.replace(/^["']/, '').startsWith('+') : !v.startsWith('+')) continue;
      if (v === null) {
        segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs the commands of ${word.text}, known only at run time)` });
        continue;
      }
      const typed = v.replace(/^\++/, '');
      // Movement and search: a count and one of less's moving commands, or a search to the end of the word.
      if (/^\d*[GgFpPjkJKdubfeyYNnmR%]?$/.test(typed) || /^\d*[/?&][^\n\r]*$/.test(typed)) continue;
      for (const line of typed.split(/[\n\r]/)) {
        const command = line.replace(/^\d+/, '');
        if (command === '' || /^[GgFpPjkJKdubfeyYNnmR%]+$/.test(command) || /^[/?&]/.test(command)) continue;
        if (command.startsWith('!') || command.startsWith('|')) {
          const shell = command.startsWith('!') ? command.slice(1) : command.slice(2);
          segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (${JSON.stringify(v)} runs a shell command)` });
          if (shell.trim() !== '') this.script(shell, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} +${command[0]}`], stdin: INHERITED });
        } else if (/^(s|-o|-O)\s*\S/.test(command)) {
          const file = command.replace(/^(s|-o|-O)\s*/, '').trim();
          (segment.writes ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
        } else if (/^(:e|E)\s*\S/.test(command)) {
          const file = command.replace(/^(:e|E)\s*/, '').trim();
          (segment.reads ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
        } else {
          segment.findings.push({
            code: 'runs_program',
            verdict: 'confirm',
            name,
            detail: ` (${JSON.stringify(v)}: a command the policy does not know to be harmless)`,
          });
        }
      }
    }
  }

  /** What `read` and `mapfile` store in `names` is the segment's input, line by line and field by field. */
  private readInto(segment: Segment, names: readonly string[]): void {
    const read = (): ValueSet => inputItems(inputOf(segment.stdin, segment.redirects));
    for (const n of names) if (/^[A-Za-z_][A-Za-z0-9_]*/.test(n)) this.flow.assign(n.replace(/\[.*$/s, ''), read);
  }

  /** `set -- a b` (or `set a b`): the positional parameters are the words after the options. */
  private positionalParameters(args: readonly Word[]): void {
    const end = args.findIndex((w) => w.value === '--');
    const first = args[0];
    if (end < 0 && (first === undefined || first.value === null || /^[-+]/.test(first.value))) return;
    const words = args.slice(end < 0 ? 0 : end + 1);
    this.flow.assign('@', () => unionOf(words));
  }

  /**
   * Builtins that evaluate arithmetic (`let`), evaluate variable names (`test -v`), or assign
   * variables from their input (`read`, `mapfile`) or arguments (`printf -v`).
   */
  private builtinVariables(segment: Segment, name: string, args: readonly Word[], values: readonly string[]): void {
    const assigned = (names: readonly string[], dirty: boolean): void => {
      for (const n of names) if (/^[A-Za-z_][A-Za-z0-9_]*/.test(n)) this.variables.assign(n.replace(/\[.*$/s, ''), dirty);
    };
    switch (name) {
      case 'let':
        for (const word of args) this.arithmetic(word.text, 0, word.text.length, 'let');
        return;
      case 'test':
      case '[':
        values.forEach((v, i) => {
          const operand = args[i + 1];
          if (v === '-v' && operand !== undefined) this.variableName(operand.text, 0, operand.text.length, `${name} -v`);
        });
        return;
      case 'read': {
        const spec = ASSIGNING_BUILTINS.read!;
        const names = positionals(values, spec.optionsWithValue);
        // Reading into a `declare -i` variable evaluates what is read.
        const integer = names.find((n) => this.variableFacts?.integers.has(n) === true);
        if (integer !== undefined) this.note(arithmeticOnData('the input it reads', `read into the integer variable ${integer}`));
        assigned(names, true);
        this.readInto(segment, names.length === 0 ? ['REPLY'] : names);
        values.forEach((v, i) => {
          if (/^-[a-zA-Z]*a$/.test(v) && values[i + 1] !== undefined) {
            assigned([values[i + 1]!], true);
            this.readInto(segment, [values[i + 1]!]);
          }
        });
        return;
      }
      case 'mapfile':
      case 'readarray': {
        const names = positionals(values, ASSIGNING_BUILTINS[name]!.optionsWithValue);
        assigned(names.length === 0 ? ['MAPFILE'] : names, true);
        this.readInto(segment, names.length === 0 ? ['MAPFILE'] : names);
        return;
      }
      case 'printf': {
        const v = values.findIndex((a) => a.startsWith('-v'));
        if (v < 0) return;
        const target = values[v] === '-v' ? values[v + 1] : values[v]!.slice(2);
        if (target !== undefined) {
          assigned(
            [target],
            args.some((w) => w.value === null),
          );
          const printedArgs = args.slice(values[v] === '-v' ? v + 2 : v + 1);
          if (/^[A-Za-z_][A-Za-z0-9_]*/.test(target)) this.flow.assign(target.replace(/\[.*$/s, ''), () => printfOutput(printedArgs));
        }
        return;
      }
      case 'getopts':
        assigned(positionals(values, []).slice(1, 2), false);
        return;
    }
  }

  private interpreter(segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
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
          this.runCommand(this.nest(ctx, `${name} -m`), joinText(inner), inner, segment.env, segment.redirects);
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
    this.stdinCode(ctx, name, false, () => segment);
  }

  private git(segment: Segment, args: readonly Word[], values: readonly string[], ctx: Context): void {
    let i = 0;
    for (; i < values.length; i++) {
      const v = values[i]!;
      if (!v.startsWith('-')) break;
      if (v === '-c' || v.startsWith('-c')) {
        const setting = v === '-c' ? values[++i] : v.slice(2);
        if (setting !== undefined) this.gitConfig(segment, setting, ctx);
      } else if (v === '--config-env' || v.startsWith('--config-env=') || v.startsWith('--exec-path=')) {
        segment.findings.push({ code: 'git_runs_program', verdict: 'confirm', detail: ` (${v})` });
        if (v === '--config-env') i++;
      } else if (takesValue(v, ['-C', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--attr-source', '--list-cmds'])) {
        i++;
      }
    }
    const sub = values[i];
    const rest = values.slice(i + 1);
    const restWords = args.slice(i + 1);
    const reparse = (via: string, code: string | undefined): void => {
      if (code !== undefined) this.script(code, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, via], stdin: INHERITED });
    };
    if (sub === 'config' && rest.length >= 2 && !rest[0]!.startsWith('-')) {
      this.gitConfig(segment, `${rest[0]}=${rest[1]}`, ctx);
    } else if (sub === 'clone') {
      // `git clone -c key=value` and `--config key=value` set configuration for the new repository, used at once.
      for (const option of ['-c', '--config'])
        for (const { index, attached } of optionValues(rest, option)) this.gitConfig(segment, attached ?? rest[index]!, ctx);
    } else if (sub === 'rebase' || sub === 'difftool') {
      rest.forEach((v, j) => {
        if (v === '-x' || v === '--exec' || v === '--extcmd') reparse(`git ${sub} ${v}`, rest[j + 1]);
        else if (v.startsWith('--exec=') || v.startsWith('--extcmd=')) reparse(`git ${sub}`, v.slice(v.indexOf('=') + 1));
      });
    } else if (sub === 'bisect' && rest[0] === 'run' && restWords.length > 1) {
      const inner = restWords.slice(1);
      this.runCommand(this.nest(ctx, 'git bisect run'), joinText(inner), inner, segment.env, segment.redirects);
    } else if (sub === 'submodule' && rest.includes('foreach')) {
      const code = positionals(rest.slice(rest.indexOf('foreach') + 1), [])[0];
      reparse('git submodule foreach', code);
    } else if (sub === 'filter-branch') {
      rest.forEach((v, j) => {
        if (GIT_FILTER_OPTIONS.includes(v)) reparse(`git filter-branch ${v}`, rest[j + 1]);
      });
    }
  }

  private gitConfig(segment: Segment, setting: string, ctx: Context): void {
    const eq = setting.indexOf('=');
    const key = (eq < 0 ? setting : setting.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : setting.slice(eq + 1);
    if (!GIT_PROGRAM_KEY_PATTERNS.some((p) => p.test(key))) return;
    segment.findings.push({ code: 'git_runs_program', verdict: 'confirm', detail: ` (${key})` });
    if (value === '' || !GIT_SHELL_KEY_PATTERNS.some((p) => p.test(key))) return;
    // Aliases and helpers run through the shell when they start with `!`.
    const code = value.startsWith('!') ? value.slice(1) : key.startsWith('alias.') ? null : value;
    if (code !== null) this.script(code, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `git -c ${key}`], stdin: INHERITED });
  }

  /** `find -exec CMD ... ;` and `fd -x CMD ...`: the command between the option and `;`/`+`. */
  private execArgs(segment: Segment, values: readonly string[], args: readonly Word[], ctx: Context, options: readonly string[], via: string): void {
    for (let i = 0; i < values.length; i++) {
      if (!options.includes(values[i]!)) continue;
      let end = i + 1;
      while (end < values.length && values[end] !== ';' && values[end] !== '+') end++;
      // `{}` is each path the listing finds (fd's `{/}`, `{.}` and their kin are parts of it). Under
      // static roots the listing command is judged as a recursive read already.
      let inner = args.slice(i + 1, end);
      if (args.slice(0, i).some((w) => w.value === null)) {
        inner = inner.map((w): Word => {
          const placeholder = w.value === null ? null : (/\{[/.]*\}/.exec(w.value)?.[0] ?? null);
          return placeholder === null ? w : { ...w, value: null, origin: { kind: 'listing', of: segment, replace: placeholder, text: w.value! } };
        });
      }
      if (inner.length > 0) this.runCommand(this.nest(ctx, via), joinText(inner), inner, [], []);
      i = end;
    }
  }

  private awk(segment: Segment, args: readonly Word[], ctx: Context): void {
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
        this.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, input === undefined ? 'awk system()' : 'awk print |'], stdin });
      }
      if (effects.dynamic) segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (awk builds a shell command)' });
      if (effects.dynamicWrite) segment.findings.push({ code: 'file_write', verdict: 'confirm', detail: ' (awk writes a file named at run time)' });
      for (const load of effects.loads) segment.findings.push({ code: 'script_execution', verdict: 'confirm', name, detail: ` (${load})` });
      if (effects.reads.length > 0) (segment.reads ??= []).push(...effects.reads);
      if (effects.writes.length > 0) (segment.writes ??= []).push(...effects.writes);
    }
  }

  private sed(segment: Segment, args: readonly Word[], ctx: Context): void {
    const { programs, scriptFile } = sedCommandLine(args);
    if (scriptFile) {
      segment.findings.push({ code: 'script_execution', verdict: 'confirm', name: 'sed', detail: ' (a sed script file)' });
      return;
    }
    if (programs.includes(null)) segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (a sed program known only at run time)' });
    for (const program of programs) {
      if (program === null) continue;
      for (const effect of sedEffects(program)) {
        if (effect.kind === 'exec') {
          if (effect.command !== '') this.script(effect.command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, 'sed e'], stdin: INHERITED });
          else segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (sed executes text as a shell command)' });
        } else if (effect.file !== '' && effect.file !== '/dev/stdout' && effect.file !== '/dev/stderr') {
          const file: Word = { text: effect.file, value: effect.file, glob: false, subs: NO_SUBS };
          if (effect.kind === 'read') (segment.reads ??= []).push(file);
          else (segment.writes ??= []).push(file);
        }
      }
    }
  }

  /** A name assembled from pieces (`r''m`, `"r"m`, `$'\x72m'`, `r\m`) hides what it runs. */
  private noteObfuscatedName(text: string): void {
    this.note({ code: 'obfuscation', verdict: 'confirm', detail: ` (the command name ${JSON.stringify(text)} is assembled from quoted or escaped pieces)` });
  }

  /** A word's static value, with the segments of any substitutions inside it. */
  private word(node: SyntaxNode, ctx: Context, isName = false, mode: ExpansionMode = 'word'): Word {
    const text = this.text(node, ctx);
    if (node.literal === true) return { text, value: text, glob: false, subs: NO_SUBS };
    if (node.type === 'word') {
      // The common case: a bare word has no substitutions and needs no recursion.
      if (isName && text.slice(1).includes('\\')) this.noteObfuscatedName(text);
      if (text.includes('IFS') && /\$\{?IFS\b/.test(text)) this.note({ code: 'obfuscation', verdict: 'confirm', detail: ' ($IFS used to hide spaces)' });
      const value = unescapeUnquoted(text);
      return { text, value, glob: hasUnquotedGlob(text), subs: NO_SUBS, ...(holdsSubstitution(value) ? SUBSTITUTION_TEXT : {}) };
    }
    const before = this.segments.length;
    const { text: own, dynamic } = this.wordValue(node, ctx, text);
    const value = dynamic ? null : own;
    const subs = this.segments.length > before ? this.segments.slice(before) : NO_SUBS;
    const glob = node.type === 'concatenation' && hasUnquotedGlob(unquotedParts(node, ctx));
    if (isName && value !== null && (node.type === 'concatenation' || node.type === 'ansi_c_string')) this.noteObfuscatedName(text);
    if (text.includes('IFS') && /\$\{?IFS\b/.test(text)) this.note({ code: 'obfuscation', verdict: 'confirm', detail: ' ($IFS used to hide spaces)' });
    if (node.type === TOO_DEEP) this.note({ code: 'too_complex', verdict: 'confirm', detail: ` (nested more than ${MAX_SYNTAX_DEPTH} levels deep)` });
    const scan = value === null && text.includes('$') ? scanWord(text) : NO_SCAN;
    if (scan !== NO_SCAN) {
      if (scan.variables.length > 0 || scan.lengths !== undefined || scan.names !== undefined) this.expandsVariables = true;
      if (node.start >= 0) this.wordArithmetic(scan, ctx.source, node.start);
    }
    // What the word expands is followed where the line shows it (see values.ts).
    if (value === null && node.start >= 0) {
      const origin: Origin = { kind: 'text', text, source: ctx.source, start: node.start, mode, point: this.flow.point() };
      if (scan === NO_SCAN) return holdsSubstitution(own) ? { text, value, glob, subs, substitutionText: true, origin } : { text, value, glob, subs, origin };
      return holdsSubstitution(own) ? { text, value, glob, subs, substitutionText: true, scan, origin } : { text, value, glob, subs, scan, origin };
    }
    if (scan !== NO_SCAN) return holdsSubstitution(own) ? { text, value, glob, subs, substitutionText: true, scan } : { text, value, glob, subs, scan };
    return holdsSubstitution(own) ? { text, value, glob, subs, substitutionText: true } : { text, value, glob, subs };
  }

  /**
   * A word's static text, and whether parts of it are only known at run time (those are left out
   * of the text, so a dynamic word's text is what it holds beside its expansions).
   */
  private wordValue(node: SyntaxNode, ctx: Context, text = this.text(node, ctx)): { text: string; dynamic: boolean } {
    switch (node.type) {
      case 'word':
      case 'number':
      case 'variable_name':
        return { text: unescapeUnquoted(text), dynamic: false };
      case 'raw_string':
        return { text: text.slice(1, -1), dynamic: false };
      case 'ansi_c_string':
        return { text: decodeAnsiC(text.slice(2, -1)), dynamic: false };
      case 'string':
      case 'translated_string': {
        for (const child of node.children) this.visitSubstitutions(child, ctx);
        const body = node.type === 'string' ? text.slice(1, -1) : text.slice(2, -1);
        const value = unquoteDouble(body);
        if (value !== null) return { text: value, dynamic: false };
        const pieces = node.children.filter((c) => c.type === 'string_content').map((c) => unquoteDouble(this.text(c, ctx)) ?? '');
        return { text: pieces.join(''), dynamic: true };
      }
      case 'concatenation': {
        let out = '';
        let dynamic = false;
        for (const part of node.children) {
          const v = this.wordValue(part, ctx);
          out += v.text;
          dynamic ||= v.dynamic;
        }
        return { text: out, dynamic };
      }
      default:
        this.visitSubstitutions(node, ctx);
        return { text: '', dynamic: true };
    }
  }

  private visitSubstitutions(node: SyntaxNode, ctx: Context): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') {
      this.visit(node, ctx);
      return;
    }
    for (const child of node.children) this.visitSubstitutions(child, ctx);
  }

  private text(node: SyntaxNode, ctx: Context): string {
    return ctx.source.slice(node.start, node.end);
  }
}

function isNamed(node: SyntaxNode): boolean {
  return node.named;
}

/** Per tool, the letters of its one-letter effect options, and its other effect options (see mayGiveEffect). */
const EFFECT_OPTION_SHAPES = new Map<string, { readonly letters: string; readonly long: readonly string[]; readonly words: ReadonlySet<string> }>(
  Object.entries(OPTION_EFFECTS).map(([tool, effects]) => {
    const options = Object.keys(effects);
    return [
      tool,
      {
        letters: options
          .filter((o) => o.length === 2 && o[0] === '-')
          .map((o) => o[1])
          .join(''),
        long: options.filter((o) => o.startsWith('--')),
        words: new Set(options.filter((o) => o.length > 2 && o[1] !== '-')),
      },
    ];
  }),
);

/** Whether an argument may give one of a tool's effect options: a cheap test before reading the options properly. */
function mayGiveEffect(tool: string, arg: string): boolean {
  if (arg.length < 2 || arg.charCodeAt(0) !== 45) return false;
  const shape = EFFECT_OPTION_SHAPES.get(tool)!;
  if (arg.charCodeAt(1) === 45) {
    // A long option, or a GNU abbreviation of one (`--to-com`).
    const eq = arg.indexOf('=');
    const given = eq < 0 ? arg : arg.slice(0, eq);
    return given.length > 2 && shape.long.some((o) => o.startsWith(given));
  }
  if (shape.words.has(arg) || (shape.words.size > 0 && arg.includes('='))) return true;
  for (let i = 1; i < arg.length; i++) if (shape.letters.includes(arg[i]!)) return true;
  return false;
}

/** Ex commands that run Vim script or another language's code, write files, or run a program. */
const EX_CODE =
  /^(exe|exec|execu|execut|execute|norm|norma|normal|cal|call|py|pyt|pyth|pytho|python|py3|python3|pyx|pythonx|pyf|pyfile|py3f|py3file|pyxf|pyxfile|pydo|py3do|pyxdo|lua|luado|luafile|luaf|rub|ruby|rubydo|rubyf|rubyfile|perl|perldo|pe|mz|mzscheme|mzf|mzfile|tcl|tcldo|tclf|tclfile|ter|term|termi|termin|termina|terminal|so|sou|sour|sourc|source|ru|run|runt|runti|runtim|runtime|let|com|comm|comma|comman|command|au|aut|auto|autoc|autocm|autocmd|fu|fun|func|funct|functi|functio|function|def|vim9|vim9cmd|[nvxsoilc]?(nore)?map|no|nor|nore|norem|noremap|ab|abb|abbr|abbrev|abbreviate|ia|iab|ca|cab|argdo|bufdo|windo|tabdo|cdo|cfdo|ldo|lfdo|redir|redi|wsh|wshada|wv|wviminfo|mks|mksession|mkv|mkvimrc|mkvie|mkview)$/;
const EX_WRITE = /^(w|wr|wri|writ|write|wq|x|xi|xit|exi|exit|sav|save|savea|saveas|up|upd|upda|updat|update|wa|wall|wqa|wqall|xa|xall)$/;
const EX_SHELL = /^(sh|she|shel|shell|mak|make|lmak|lmake|gr|gre|grep|lgr|lgre|lgrep|grepa|grepadd|cs|cscope|scs|scscope|lcs|lcscope)$/;

/** `[[ ]]` operators whose operands are arithmetic. */
const ARITHMETIC_TESTS: ReadonlySet<string> = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

function arithmeticOnData(what: string, where: string): Finding {
  return { code: 'dynamic_code', verdict: 'confirm', detail: ` (${where} evaluates ${what} as arithmetic, which runs the command substitutions in it)` };
}

/** The first start and last end of the positioned nodes at or under `node`. */
function extent(node: SyntaxNode): [number, number] {
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

/** Whether text holds a command substitution that would run if bash evaluated the text again. */
function holdsSubstitution(text: string): boolean {
  return text.includes('$(') || text.includes('`');
}

const SUBSTITUTION_TEXT = { substitutionText: true } as const;
const EVALUATED_TEXT = '`$(` in text that bash evaluates as arithmetic or as a variable name';
const EVALUATED_SUBSTITUTION: Finding = { code: 'dynamic_code', verdict: 'confirm', detail: ` (${EVALUATED_TEXT})` };

/** Whether a script's text may hold what `unseenCode` looks for. */
function mayHoldCode(text: string): boolean {
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

function unquotedParts(node: SyntaxNode, ctx: { source: string }): string {
  if (node.type === 'word') return ctx.source.slice(node.start, node.end);
  if (node.type === 'concatenation')
    return node.children
      .filter((c) => c.type === 'word')
      .map((c) => ctx.source.slice(c.start, c.end))
      .join('');
  return '';
}

/**
 * The code a wrapper's command options give (`su -c CODE`, `env -S CODE`), read as getopt reads
 * them: attached (`-SCODE`, `--split-string=CODE`), at the end of a cluster (`-iS CODE`) or
 * abbreviated (`--split CODE`).
 */
function commandOptionCode(spec: WrapperSpec, own: readonly string[], args: readonly Word[]): { option: string; code: Word }[] {
  const options = spec.commandOptions ?? [];
  const out: { option: string; code: Word }[] = [];
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    let option: string | undefined;
    let attached: string | undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const given = eq < 0 ? v : v.slice(0, eq);
      option = given.length > 2 ? options.find((o) => o.startsWith('--') && o.startsWith(given)) : undefined;
      if (eq >= 0) attached = v.slice(eq + 1);
    } else if (v.startsWith('-')) {
      for (let j = 1; j < v.length; j++) {
        const letter = '-' + v[j];
        if (options.includes(letter)) option = letter;
        else if (!spec.optionsWithValue.includes(letter)) continue;
        if (j + 1 < v.length) attached = v.slice(j + 1);
        break;
      }
    }
    if (option === undefined) continue;
    const code = attached !== undefined ? { ...args[i]!, value: attached } : args[++i];
    if (code !== undefined) out.push({ option, code });
  }
  return out;
}

/** The word xargs or parallel adds from its input: known only at run time, unless the line shows the input. */
function inputWord(feed: Feed): Word {
  return { text: '', value: null, glob: false, subs: NO_SUBS, origin: { kind: 'input', feed } };
}

/** `env -C DIR` and `env --chdir=DIR`: the directory env runs its command in. */
function envDirectory(own: readonly string[], args: readonly Word[]): Word | undefined {
  let dir: Word | undefined;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    const word = args[i]!;
    const origin = word.origin;
    if (v === '-C' || v === '--chdir') dir = args[++i];
    else if (v.startsWith('--chdir=')) dir = { ...word, text: v.slice(8), value: v.slice(8) };
    else if (word.value === null && origin?.kind === 'text' && origin.text.startsWith('--chdir='))
      dir = { ...word, text: word.text.slice(8), origin: { ...origin, text: origin.text.slice(8), start: origin.start + 8 } };
    else if (/^-[iv0]*C./.test(v)) dir = { ...args[i]!, text: v.slice(v.indexOf('C') + 1), value: v.slice(v.indexOf('C') + 1) };
  }
  return dir;
}

/** Where xargs reads its items: standard input or `-a FILE`, separated by blanks, lines (`-I`, `-L`), NUL (`-0`) or `-d`'s character. */
function xargsFeed(own: readonly string[], args: readonly Word[], stdin: Stdin, redirects: readonly Redirect[]): Feed {
  let delimiter: Feed['delimiter'] = 'blank';
  let file: Word | null = null;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    const attached = (at: number): Word => ({ ...args[i]!, text: v.slice(at), value: v.slice(at) });
    if (v === '--null' || /^-[rtpx]*0/.test(v)) delimiter = 'nul';
    else if (v === '-d' || v === '--delimiter') delimiter = decodeAnsiC(own[++i] ?? ' ') || ' ';
    else if (v.startsWith('--delimiter=')) delimiter = decodeAnsiC(v.slice(12)) || ' ';
    else if (/^-[0rtpx]*d./.test(v)) delimiter = decodeAnsiC(v.slice(v.indexOf('d') + 1)) || ' ';
    else if (v === '-a' || v === '--arg-file') file = args[++i] ?? null;
    else if (v.startsWith('--arg-file=')) file = attached(11);
    else if (/^-[0rtpx]*a./.test(v)) file = attached(v.indexOf('a') + 1);
    else if (delimiter === 'blank' && (/^-[0rtpx]*[IiLl]/.test(v) || v.startsWith('--replace') || v.startsWith('--max-lines'))) delimiter = 'line';
  }
  if (delimiter === '\n') delimiter = 'line';
  return { stdin, redirects, file, words: null, delimiter };
}

/** Where parallel reads its items: the words after `:::`, a file after `::::`, or its standard input. */
function parallelFeed(sources: readonly Word[], given: boolean, stdin: Stdin, redirects: readonly Redirect[]): Feed {
  if (!given) return { stdin, redirects, file: null, words: null, delimiter: 'line' };
  const words: Word[] = [];
  let file: Word | null = null;
  let separator = '';
  for (const w of sources) {
    if (w.value !== null && /^::::?\+?$/.test(w.value)) separator = w.value;
    else if (separator.startsWith('::::')) file ??= w;
    else words.push(w);
  }
  return { stdin, redirects, file, words: file === null ? words : null, delimiter: 'line' };
}

/**
 * The command xargs runs, with its input: appended as arguments, or with `-I R` (`-iR`,
 * `--replace=R`) in place of each word holding `R`. An input word may be any option
 * (`echo -delete | xargs find .`).
 */
function withXargsInput(own: readonly string[], command: readonly Word[], feed: Feed): Word[] {
  if (command.length === 0) return [];
  let replace: string | null = null;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    if (v === '-I') replace = own[i + 1] ?? null;
    else if (/^-[0rtpx]*I./.test(v)) replace = v.slice(v.indexOf('I') + 1);
    else if (/^-[0rtpx]*i/.test(v)) replace = v.slice(v.indexOf('i') + 1) || '{}';
    else if (v === '--replace' || v.startsWith('--replace=')) replace = v.slice(10) || '{}';
  }
  if (replace === null) return [...command, inputWord(feed)];
  const input = replace;
  return command.map((w) =>
    w.value === null
      ? w.text.includes(input)
        ? { ...w, origin: { kind: 'input', feed } }
        : w
      : w.value.includes(input)
        ? { ...w, value: null, origin: { kind: 'input', feed, replace: input, text: w.value } }
        : w,
  );
}

/** GNU parallel's replacement strings: `{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{#}`, `{%}`, `{2}`, `{= perl =}`. */
const PARALLEL_REPLACEMENT = /\{(\d*(\.|\/\/?|\/\.)?|#|%|=.*=)\}/s;

/**
 * A command GNU parallel runs, with its input: in place of each replacement string, however it is
 * quoted (parallel substitutes into the text), or appended when the command has none.
 */
function withParallelInput(command: readonly Word[], append: boolean, feed: Feed): Word[] {
  const words = command.map((w): Word => (PARALLEL_REPLACEMENT.test(w.text) ? { ...w, value: null, origin: { kind: 'input', feed } } : w));
  return append ? [...words, inputWord(feed)] : words;
}

/** What the commands in code that a command runs inherit from it: its assignments and redirections. */
function inheritedFrom(ctx: Context, env: readonly Assignment[], redirects: readonly Redirect[]): Context['inherited'] {
  if (env.length === 0 && redirects.length === 0) return ctx.inherited;
  return { env: [...ctx.inherited.env, ...env], redirects: [...ctx.inherited.redirects, ...redirects] };
}

function joinText(words: readonly Word[]): string {
  return words.map((w) => w.text).join(' ');
}

function assignmentsIn(words: readonly Word[]): Assignment[] {
  const out: Assignment[] = [];
  for (const w of words) {
    const m = w.value === null ? null : /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
    if (m !== null) out.push({ name: m[1]!, value: { text: m[2]!, value: m[2]!, glob: false, subs: NO_SUBS } });
  }
  return out;
}

function dynamicCodeFinding(subs: readonly Segment[], via: string): Finding {
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

function isDecoder(segment: Segment): boolean {
  if (segment.name === null) return false;
  const options = DECODERS[segment.name];
  if (options === undefined) return false;
  if (options.length === 0) return true;
  const values = segment.words.slice(1).map((w) => w.value ?? '');
  return options.some((o) => values.some((v) => v === o || v.includes(o)));
}

/** The text `echo`/`printf` prints, when it is static and plain. */
function printedText(segment: Segment): string | null {
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

type SedEffect = { kind: 'exec'; command: string } | { kind: 'write' | 'read'; file: string };

/**
 * What a sed command line runs, read as GNU sed's getopt reads it: the programs given with `-e`
 * (`-e P`, `-eP`, `-neP`, `--expression=P`, `--expr P`), or else the first operand, each null
 * when only known at run time; and whether a program comes from a file (`-f`, `--file`).
 * `-i` takes the rest of its word as a suffix (`-ie` is `-i` with suffix `e`).
 */
function sedCommandLine(args: readonly Word[]): { programs: (string | null)[]; scriptFile: boolean } {
  const programs: (string | null)[] = [];
  let scriptFile = false;
  let operand: Word | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === '--') {
      operand ??= args[i + 1];
      break;
    }
    if (v === null || v.length < 2 || !v.startsWith('-')) {
      operand ??= args[i];
      continue;
    }
    let option: string | undefined;
    let attached: string | undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const given = eq < 0 ? v : v.slice(0, eq);
      option = SED_LONG_OPTIONS.find((o) => o.startsWith(given));
      if (eq >= 0) attached = v.slice(eq + 1);
    } else {
      for (let j = 1; j < v.length && option === undefined; j++) {
        if (v[j] === 'i') break;
        if ('efl'.includes(v[j]!)) {
          option = '-' + v[j];
          if (j + 1 < v.length) attached = v.slice(j + 1);
        }
      }
    }
    if (option === undefined || !SED_OPTIONS_WITH_VALUE.includes(option)) continue;
    const value = attached !== undefined ? attached : args[++i]?.value;
    if (option === '-e' || option === '--expression') {
      if (value !== undefined) programs.push(value);
    } else if (option === '-f' || option === '--file') {
      scriptFile = true;
    }
  }
  if (programs.length === 0 && operand !== undefined) programs.push(operand.value);
  return { programs, scriptFile };
}

/** GNU sed's long options, in the order an abbreviation is resolved (`--expr` is `--expression`). */
const SED_LONG_OPTIONS = [
  '--expression',
  '--file',
  '--line-length',
  '--in-place',
  '--null-data',
  '--zero-terminated',
  '--quiet',
  '--silent',
  '--regexp-extended',
  '--separate',
  '--unbuffered',
  '--debug',
  '--posix',
  '--sandbox',
  '--follow-symlinks',
  '--binary',
  '--help',
  '--version',
];
const SED_OPTIONS_WITH_VALUE = ['-e', '--expression', '-f', '--file', '-l', '--line-length'];

/**
 * The sed commands that reach outside sed: `e [command]` and the `e` flag of `s` execute shell
 * commands; `w file`, `W file` and the `w` flag of `s` write files; `r file` and `R file` read them.
 */
export function sedEffects(program: string): SedEffect[] {
  const effects: SedEffect[] = [];
  let i = 0;
  const n = program.length;
  const skipSpace = (): void => {
    while (i < n && /[ \t;]/.test(program[i]!)) i++;
  };
  const readToEol = (): string => {
    const start = i;
    while (i < n && program[i] !== '\n') i++;
    return program.slice(start, i).trim();
  };
  // A label, exit code or line length ends at `;` as well (and at `}`: ending early only makes
  // more of the program read as commands).
  const readArgument = (): void => {
    while (i < n && program[i] !== '\n' && program[i] !== ';' && program[i] !== '}') i++;
  };
  const skipDelimited = (delimiter: string): void => {
    while (i < n && program[i] !== delimiter) {
      if (program[i] === '\\') i++;
      i++;
    }
    i++;
  };
  while (i < n) {
    skipSpace();
    if (program[i] === '\n' || program[i] === '}' || program[i] === '{') {
      i++;
      continue;
    }
    // Addresses: numbers, `$`, `/re/`, `\cREc`, ranges, steps and negation.
    for (;;) {
      if (i < n && /[0-9$~+,!]/.test(program[i]!)) i++;
      else if (program[i] === '/') {
        i++;
        skipDelimited('/');
      } else if (program[i] === '\\' && i + 1 < n) {
        const d = program[i + 1]!;
        i += 2;
        skipDelimited(d);
      } else break;
      while (i < n && /[IM ]/.test(program[i]!)) i++;
    }
    const cmd = program[i++];
    if (cmd === undefined) break;
    if (cmd === 's' || cmd === 'y') {
      const d = program[i++] ?? '/';
      skipDelimited(d);
      skipDelimited(d);
      if (cmd === 's') {
        const start = i;
        while (i < n && /[gpiImMe0-9w]/.test(program[i]!)) {
          if (program[i] === 'w') break;
          i++;
        }
        const flags = program.slice(start, i);
        if (flags.includes('e')) effects.push({ kind: 'exec', command: '' });
        if (program[i] === 'w') {
          i++;
          effects.push({ kind: 'write', file: readToEol() });
        }
      }
    } else if (cmd === 'e') {
      effects.push({ kind: 'exec', command: readToEol() });
    } else if (cmd === 'w' || cmd === 'W') {
      effects.push({ kind: 'write', file: readToEol() });
    } else if (cmd === 'r' || cmd === 'R') {
      effects.push({ kind: 'read', file: readToEol() });
    } else if ('aic#'.includes(cmd)) {
      readToEol();
    } else if ('btT:qQlLv'.includes(cmd)) {
      readArgument();
    }
  }
  return effects;
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
