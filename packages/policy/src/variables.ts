/**
 * What the walker knows of words and variables: the value of each word (quotes, escapes, the
 * substitutions it runs, where its value comes from, see values.ts), heredocs, herestrings and
 * redirection targets; what the line assigns and declares (see flow.ts), what it evaluates as
 * arithmetic and whether data reaches it (see arithmetic.ts), which variables hold credentials, and
 * the builtins that assign (`read`, `mapfile`, `printf -v`, `set`). The walker (decompose.ts)
 * extends it.
 */
import { arithmeticRefs, Variables } from './arithmetic.js';
import { HARMLESS_VALUE } from './expand.js';
import { Flow } from './flow.js';
import { positionals } from './options.js';
import type { Finding } from './risk.js';
import { ASSIGNING_BUILTINS, PROGRAM_ENV } from './rules.js';
import { isCredentialVariable } from './secrets.js';
import type { Assignment, ExpansionMode, Origin, Redirect, Segment, Stdin, ValueSet, Word } from './segment.js';
import { MAX_SYNTAX_DEPTH, TOO_DEEP, type SyntaxNode } from './syntax.js';
import { EVALUATED_TEXT } from './unseen.js';
import { appended, assignedValues, inputItems, inputOf, printfOutput, unionOf } from './values.js';
import { extent, INHERITED, isNamed, NO_SUBS, type Context } from './walk.js';
import { decodeAnsiC, hasUnquotedGlob, NO_SCAN, scanWord, unescapeUnquoted, unquoteDouble, type WordScan } from './words.js';

/** `[[ ]]` operators whose operands are arithmetic. */
export const ARITHMETIC_TESTS: ReadonlySet<string> = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

export function arithmeticOnData(what: string, where: string): Finding {
  return { code: 'dynamic_code', verdict: 'confirm', detail: ` (${where} evaluates ${what} as arithmetic, which runs the command substitutions in it)` };
}

export const EVALUATED_SUBSTITUTION: Finding = { code: 'dynamic_code', verdict: 'confirm', detail: ` (${EVALUATED_TEXT})` };

export const NO_NAMES: ReadonlySet<string> = new Set();

/** Whether text holds a command substitution that would run if bash evaluated the text again. */
export function holdsSubstitution(text: string): boolean {
  return text.includes('$(') || text.includes('`');
}

const SUBSTITUTION_TEXT = { substitutionText: true } as const;

function unquotedParts(node: SyntaxNode, ctx: { source: string }): string {
  if (node.type === 'word') return ctx.source.slice(node.start, node.end);
  if (node.type === 'concatenation')
    return node.children
      .filter((c) => c.type === 'word')
      .map((c) => ctx.source.slice(c.start, c.end))
      .join('');
  return '';
}

export abstract class VariablesWalker {
  protected readonly segments: Segment[] = [];
  /** Whether any word or heredoc seen so far expands a variable (most lines expand none). */
  protected expandsVariables = false;
  protected readonly findings: Finding[] = [];
  /** Variables assigned a credential's value in this line (`x=$AWS_SECRET_ACCESS_KEY`). */
  protected secretNames: Set<string> | undefined;
  /** What the line assigns to its variables and which of them reach arithmetic (made on first use: most lines have none). */
  protected variableFacts: Variables | undefined;
  /** Command substitutions whose output is a number (`$(wc -l < f)`), by source text and start. */
  protected numericSubstitutions: Map<string, Set<number>> | undefined;
  /** What the line assigns to its variables and what its substitutions print (see values.ts); made on first use. */
  protected flowState: Flow | undefined;

  protected abstract visit(node: SyntaxNode, ctx: Context): void;
  protected abstract text(node: SyntaxNode, ctx: Context): string;
  abstract script(source: string, ctx: Context, top?: boolean): void;
  abstract runCommand(ctx: Context, text: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): void;

  protected get variables(): Variables {
    return (this.variableFacts ??= new Variables());
  }

  get flow(): Flow {
    return (this.flowState ??= new Flow());
  }

  /** Where the line's sure assignments stand, before a part that may not run (see Flow.mark). */
  mark(): ReadonlySet<string> {
    return this.flowState?.mark() ?? NO_NAMES;
  }

  restore(mark: ReadonlySet<string>): void {
    this.flowState?.restore(mark);
  }

  /** Records a finding about the line as a whole, once. */
  protected note(finding: Finding): void {
    if (this.findings.some((f) => f.code === finding.code && f.detail === finding.detail)) return;
    this.findings.push(finding);
  }

  /**
   * Arithmetic text at `start..end` of `source`: the variables it uses are judged at the end of the
   * line (see Variables); a command substitution whose output is not surely a number is data now.
   */
  protected arithmetic(source: string, start: number, end: number, where: string): void {
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
  protected wordArithmetic(scan: WordScan, source: string, offset: number): void {
    for (const span of scan.arithmetic) {
      if (span.array !== undefined && this.variables.associative.has(span.array)) continue;
      this.arithmetic(source, offset + span.start, offset + span.end, span.array === undefined ? '$(( ))' : `the subscript of ${span.array}`);
    }
    for (const v of scan.variables) if (v.use === 'indirect') this.variables.use(v.name, `\${!${v.name}}`, true);
  }

  /** `for ((init; test; step))`: the header is arithmetic, judged before the body runs. */
  protected cStyleFor(node: SyntaxNode, ctx: Context): void {
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
  protected forIn(node: SyntaxNode, ctx: Context): void {
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
  protected testArithmetic(node: SyntaxNode, ctx: Context): void {
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
  protected variableName(source: string, start: number, end: number, where: string): void {
    const text = source.slice(start, end);
    const open = text.indexOf('[');
    if (open >= 0) {
      const name = text.slice(0, open).replace(/^["']/, '');
      if (!this.variables.associative.has(name)) this.arithmetic(source, start + open + 1, start + Math.max(open + 1, text.lastIndexOf(']')), where);
    }
    for (const v of scanWord(open < 0 ? text : text.slice(0, open)).variables) this.variables.use(v.name, where, true);
  }

  /** Whether a word's value comes from a command whose output is not surely a number. */
  protected holdsData(word: Word, node: SyntaxNode, ctx: Context): boolean {
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

  protected declaration(node: SyntaxNode, ctx: Context): void {
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
  protected assignment(node: SyntaxNode, ctx: Context, definite = true): Assignment {
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
  protected environmentProgram(name: string, value: Word, ctx: Context): void {
    if (value.value === null) return;
    // LESSOPEN and LESSCLOSE: `|cmd %s`, `||cmd %s` or `|-cmd %s`.
    const command = name.startsWith('LESS') ? value.value.replace(/^\|{1,2}-?/, '') : value.value;
    if (command.trim() === '') return;
    this.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, name], stdin: INHERITED });
  }

  /** What an assignment gives a variable: data, or a value made of literals, numbers and other variables. */
  protected recordAssignment(name: string, valueNode: SyntaxNode | undefined, value: Word | null, ctx: Context): void {
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

  /** A credential variable whose value a command is given as an argument or as its input. */
  protected printedSecret(words: readonly Word[], stdin: Stdin): string | null {
    for (const w of words) {
      if (w.scan === undefined) continue;
      const found = this.secretIn(w.scan);
      if (found !== null) return found;
    }
    return stdin.kind === 'text' && stdin.scan !== undefined ? this.secretIn(stdin.scan) : null;
  }

  /** The first variable in `scan` whose value is a credential (by its name, or assigned from one). */
  protected secretIn(scan: WordScan): string | null {
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

  /** What `read` and `mapfile` store in `names` is the segment's input, line by line and field by field. */
  protected readInto(segment: Segment, names: readonly string[]): void {
    const read = (): ValueSet => inputItems(inputOf(segment.stdin, segment.redirects));
    for (const n of names) if (/^[A-Za-z_][A-Za-z0-9_]*/.test(n)) this.flow.assign(n.replace(/\[.*$/s, ''), read);
  }

  /** `set -- a b` (or `set a b`): the positional parameters are the words after the options. */
  protected positionalParameters(args: readonly Word[]): void {
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
  protected builtinVariables(segment: Segment, name: string, args: readonly Word[], values: readonly string[]): void {
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

  /** A heredoc: what it feeds the command, the redirections written after its delimiter, and the rest of the line. */
  protected heredoc(node: SyntaxNode, ctx: Context): { stdin: Stdin; redirects: Redirect[]; continuation: SyntaxNode[] } {
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

  protected herestring(node: SyntaxNode, ctx: Context): Stdin {
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

  protected fileRedirect(node: SyntaxNode, ctx: Context): Redirect | null {
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

  /** A name assembled from pieces (`r''m`, `"r"m`, `$'\x72m'`, `r\m`) hides what it runs. */
  protected noteObfuscatedName(text: string): void {
    this.note({ code: 'obfuscation', verdict: 'confirm', detail: ` (the command name ${JSON.stringify(text)} is assembled from quoted or escaped pieces)` });
  }

  /** A word's static value, with the segments of any substitutions inside it. */
  protected word(node: SyntaxNode, ctx: Context, isName = false, mode: ExpansionMode = 'word'): Word {
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
  protected wordValue(node: SyntaxNode, ctx: Context, text = this.text(node, ctx)): { text: string; dynamic: boolean } {
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

  protected visitSubstitutions(node: SyntaxNode, ctx: Context): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') {
      this.visit(node, ctx);
      return;
    }
    for (const child of node.children) this.visitSubstitutions(child, ctx);
  }
}
