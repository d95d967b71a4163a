import type { AllowRule, PolicyCheckResult, SecurityMode, SegmentReport, Verdict } from '@aleph/protocol';
import type { Parser } from 'web-tree-sitter';
import { allowingRules, matchingRule, suggestRule, type Classified } from './allowlist.js';
import { suggestConfinement, type ConfinementSuggestion } from './confinement.js';
import { classifySegment, recursiveRoots, stricter, type ClassifyContext, type SegmentVerdict } from './classify.js';
import type { UserPatterns } from './rule-match.js';
import { decompose } from './decompose.js';
import { upstreamOf } from './walk.js';
import { loadBashParser } from './grammar.js';
import { actionFor, devAutoApprovable } from './modes.js';
import { normalizePath } from './paths.js';
import { knownValues } from './values.js';
import { scoreRisk, type Finding } from './risk.js';
import { FILE_LISTERS, METADATA_READERS, NETWORK_SENDERS, PATH_VARIABLES, RECURSIVE_READERS } from './rules.js';
import type { Segment, Word } from './segment.js';
import { parseScript, type ParsedScript } from './syntax.js';
import { checkRuleExamples, TABLE_RULES } from './rule-examples.js';
import { NO_USER_PATTERNS } from './patterns.js';
import { gitLocations, repositoryFindings, type GitLocation, type RepositoryContext } from './repository.js';

export interface EvaluateOptions {
  /** Default: `safe`. */
  readonly mode?: SecurityMode;
  /**
   * The agent's rules, evaluated deny first, then ask, then allow. A deny rule rejects a command
   * when any part of it matches; an ask rule sends it to a person even when it would run; an allow
   * ("Allow Always") rule lets a CONFIRM command run.
   */
  readonly denylist?: readonly AllowRule[];
  readonly asklist?: readonly AllowRule[];
  readonly allowlist?: readonly AllowRule[];
  /** The directory the command will run in; writes elsewhere are flagged. */
  readonly cwd?: string | null;
  /** The user's home directory, so that `/home/me/.ssh` is recognised as `~/.ssh`. */
  readonly home?: string | null;
  /**
   * Aleph's own directory (the gateway's `$ALEPH_HOME`), which holds its secrets: nothing under it
   * is readable by a SAFE command. `~/.aleph` and the literal `$ALEPH_HOME` are always treated so.
   */
  readonly alephHome?: string | null;
  /** Resolves a command name as the shell would (PATH lookup); used by path rules and to distrust look-alikes. */
  readonly resolveExecutable?: (name: string) => string | null;
  /** The user's own block / confirm / safe argument patterns. */
  readonly patterns?: UserPatterns;
  /** What was found where the command's git invocations look for their repository (see `gitLocations`); absent: not considered. */
  readonly repositories?: RepositoryContext;
}

/** The contract result plus which of the agent's rules (if any) decided it. */
export interface Evaluation extends PolicyCheckResult {
  readonly denied_by: AllowRule | null;
  readonly asked_by: AllowRule | null;
  readonly allowed_by: readonly AllowRule[];
}

/** Whether the tables' examples held, once in this process (they do not change while it runs). */
let tablesChecked = false;

/** The rule names a command's evaluation reports as applied. */
export function appliedRules(policy: CommandPolicy, command: string): readonly string[] {
  return policy.evaluate(command).segments.flatMap((s) => s.rules ?? []);
}

/**
 * Checks the tables' examples in a thread of its own: some 400 unlike commands evaluated here
 * would leave this thread's compiled classifier slower for every command after them (about 13%
 * of the throughput, measured). Run from the sources (the policy's own tests), in this thread.
 */
async function checkTables(policy: CommandPolicy): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return checkRuleExamples(TABLE_RULES, (command) => appliedRules(policy, command));
  const { Worker } = await import('node:worker_threads');
  const failure = await new Promise<string | null>((resolve, reject) => {
    const worker = new Worker(new URL('./examples-worker.js', import.meta.url));
    worker.once('message', (message: string | null) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  if (failure !== null) throw new Error(failure);
}

/**
 * The command policy. Load it once (the grammar is compiled WebAssembly); `evaluate` is then
 * synchronous and pure: the same command and options always give the same result.
 */
export class CommandPolicy {
  private readonly parseSource: (source: string) => ParsedScript;

  private constructor(parser: Parser) {
    this.parseSource = (source) => parseScript(parser, source);
  }

  /**
   * Loads the grammar and, the first time in a process, checks every table rule against its
   * examples: a rule whose example fails refuses the policy (the promise rejects, naming it).
   */
  static async load(): Promise<CommandPolicy> {
    const policy = await CommandPolicy.loadUnchecked();
    if (!tablesChecked) {
      await checkTables(policy);
      tablesChecked = true;
    }
    return policy;
  }

  /** Loads the grammar only: for the thread that checks the tables' examples. */
  static async loadUnchecked(): Promise<CommandPolicy> {
    return new CommandPolicy(await loadBashParser());
  }

  /** The last command decomposed: the gateway asks for its git locations, then evaluates it. */
  private last: { readonly command: string; readonly decomposition: ReturnType<typeof decompose> } | null = null;

  private decompose(command: string): ReturnType<typeof decompose> {
    if (this.last?.command !== command) this.last = { command, decomposition: decompose(this.parseSource, command) };
    return this.last.decomposition;
  }

  /** Where each git invocation in the command will look for its repository. */
  gitLocations(command: string, options: Pick<EvaluateOptions, 'cwd' | 'home'> = {}): readonly GitLocation[] {
    return gitLocations(this.decompose(command).segments, options.cwd ?? null, options.home ?? null);
  }

  /** The narrowest confinement the command needs to run (see `suggestConfinement`); `repositories` gives its remotes. */
  suggestConfinement(command: string, options: Pick<EvaluateOptions, 'cwd' | 'home' | 'repositories'> = {}): ConfinementSuggestion {
    const { segments } = this.decompose(command);
    return suggestConfinement(segments, gitLocations(segments, options.cwd ?? null, options.home ?? null), options.repositories);
  }

  evaluate(command: string, options: EvaluateOptions = {}): Evaluation {
    const mode = options.mode ?? 'safe';
    const { segments, findings: lineFindings } = this.decompose(command);

    let ctx: ClassifyContext = {
      cwd: options.cwd ?? null,
      root: options.cwd ?? null,
      home: options.home ?? null,
      alephHome: options.alephHome ?? null,
      patterns: options.patterns ?? NO_USER_PATTERNS,
      resolveExecutable: options.resolveExecutable,
    };
    const classified: Classified[] = [];
    // Listings seen so far, with the context they ran in; judged only when something reads what they name.
    let listings: Map<Segment, ClassifyContext> | undefined;
    for (const segment of segments) {
      // `env -C DIR cmd` runs cmd in DIR, as `cd DIR && cmd` would.
      let result = classifySegment(segment, segment.cwd === undefined ? ctx : followCd(ctx, [segment.cwd]));
      if (listings !== undefined && readsListedFiles(segment, listings)) result = withFinding(result, LISTED_SECRETS);
      if (segment.name !== null && FILE_LISTERS.has(segment.name)) (listings ??= new Map()).set(segment, ctx);
      classified.push({ segment, result });
      if (segment.name === 'cd' || segment.name === 'pushd') ctx = followCd(ctx, segment.words.slice(1));
    }

    const allFindings: Finding[] = lineFindings.slice();
    let verdict: Verdict = 'safe';
    for (const c of classified) {
      for (const f of c.result.findings) allFindings.push(f);
      verdict = stricter(verdict, c.result.verdict);
    }
    const line = lineFindings.slice();
    const exfiltration = exfiltrationOf(classified, allFindings);
    if (exfiltration !== null) {
      line.push(exfiltration);
      allFindings.push(exfiltration);
    }

    if (options.repositories !== undefined) {
      for (const f of repositoryFindings(gitLocations(segments, options.cwd ?? null, options.home ?? null), options.repositories)) {
        line.push(f);
        allFindings.push(f);
      }
    }

    let lineVerdict: Verdict = 'safe';
    for (const f of line) lineVerdict = stricter(lineVerdict, f.verdict);
    verdict = stricter(verdict, lineVerdict);
    const lineClean = lineVerdict === 'safe';
    const deniedBy = matchingRule(options.denylist ?? [], command, classified, options.resolveExecutable);
    const askedBy = deniedBy === null && verdict !== 'block' ? matchingRule(options.asklist ?? [], command, classified, options.resolveExecutable) : null;
    const allowedBy =
      verdict === 'confirm' && deniedBy === null && askedBy === null
        ? (allowingRules(options.allowlist ?? [], command, classified, lineClean, options.resolveExecutable) ?? [])
        : [];
    const action =
      deniedBy !== null
        ? 'reject'
        : askedBy !== null
          ? 'prompt'
          : actionFor(verdict, mode, allowedBy.length > 0, mode === 'dev' && verdict === 'confirm' && devAutoApprovable(classified, lineClean));
    if (segments.length === 0 && line.length === 0) allFindings.push({ code: 'read_only', verdict: 'safe' });

    return {
      command,
      mode,
      verdict,
      action,
      risk: scoreRisk(allFindings, verdict),
      segments: classified.map(report),
      suggested_rule: verdict === 'block' ? null : suggestRule(command, classified, lineClean),
      denied_by: deniedBy,
      asked_by: askedBy,
      allowed_by: allowedBy,
    };
  }
}

function report({ segment, result }: Classified): SegmentReport {
  const reasons: string[] = [];
  const rules: string[] = [];
  for (const f of result.findings) {
    if (!reasons.includes(f.code)) reasons.push(f.code);
    if (f.rule !== undefined && !rules.includes(f.rule)) rules.push(f.rule);
  }
  return {
    text: segment.text,
    name: segment.name,
    argv: segment.words.map((w) => w.value),
    verdict: result.verdict,
    reasons,
    via: segment.via,
    rules,
  };
}

/**
 * Secrets and a network sender in one line: the classic exfiltration. Secret files count wherever
 * they are read in the line; secret values (a token, the environment) when the sender reads what
 * printed them, through a pipe or a substitution.
 */
function exfiltrationOf(classified: readonly Classified[], findings: readonly Finding[]): Finding | null {
  let files = false;
  let values = false;
  for (const f of findings) {
    if ((f.code === 'reads_secrets' && f.secret === 'file') || f.code === 'sensitive_write') files = true;
    else if (f.code === 'reads_secrets') values = true;
  }
  if (!files && !values) return null;
  let sends: Segment[] | undefined;
  for (const c of classified) if (sendsOverNetwork(c.segment)) (sends ??= []).push(c.segment);
  if (sends === undefined) return null;
  const block = (name: string | null): Finding => ({
    code: 'network_exfiltration',
    verdict: 'block',
    detail: ` (secrets and ${name} in one command)`,
    score: 95,
  });
  if (files) return block(sends[0]!.name);
  const printers = new Set(classified.filter((c) => c.result.findings.some((f) => f.code === 'reads_secrets')).map((c) => c.segment));
  if (printers.size === 0) return null;
  for (const send of sends) {
    const inputs = [
      ...(send.stdin.kind === 'pipe' ? send.stdin.from : send.stdin.kind === 'text' ? send.stdin.subs : []),
      ...send.words.flatMap((w) => w.subs),
    ];
    if (upstreamOf(inputs).some((s) => printers.has(s))) return block(send.name);
  }
  return null;
}

/** Copying tools send only when an operand is on another host (`host:path`, `rsync://`); the others always may. */
function sendsOverNetwork(segment: Segment): boolean {
  const name = segment.name;
  if (name === null || !NETWORK_SENDERS.has(name)) return false;
  if (name !== 'rsync' && name !== 'scp' && name !== 'rclone') return true;
  return segment.words.slice(1).some((w) => w.value === null || /^(?:[\w.-]+@)?[\w.-]+:(?!\/\/)|^rsync:\/\//.test(w.value));
}

const LISTED_SECRETS: Finding = {
  code: 'reads_secrets',
  verdict: 'confirm',
  secret: 'file',
  detail: ' (files named by a listing of a tree that holds credential stores)',
};

function withFinding(result: SegmentVerdict, finding: Finding): SegmentVerdict {
  return {
    ...result,
    verdict: stricter(result.verdict, finding.verdict),
    argvVerdict: stricter(result.argvVerdict, finding.verdict),
    findings: [...result.findings, finding],
  };
}

/** A listing (`find ~`, `fd . /etc`, `locate x`, `rg --files ~`) whose names include credential stores. */
function listsSecrets(segment: Segment, ctx: ClassifyContext): boolean {
  const name = segment.name;
  if (name === null || !FILE_LISTERS.has(name)) return false;
  if (name === 'locate' || name === 'mlocate' || name === 'plocate') return true;
  if ((name === 'rg' || name === 'ripgrep') && !segment.words.some((w) => w.value === '--files')) return false;
  const spec = RECURSIVE_READERS[name === 'fdfind' ? 'fd' : name];
  if (spec === undefined) return false;
  const words = segment.words.slice(1);
  const paths = ctx.cwdUnknown === true ? { cwd: null, root: null, home: ctx.home, alephHome: ctx.alephHome } : ctx;
  return (
    recursiveRoots(
      name,
      spec,
      words,
      words.map((w) => w.value ?? ''),
      paths,
      ctx.cwdUnknown === true,
      true,
    ) !== null
  );
}

/**
 * A command that reads files (not only their names) whose names come from such a listing: as
 * arguments added by `xargs` or `parallel`, or through a command substitution (`cat $(find ~)`).
 */
function readsListedFiles(segment: Segment, listings: ReadonlyMap<Segment, ClassifyContext>): boolean {
  const name = segment.name;
  if (name === null || METADATA_READERS.has(name)) return false;
  const fed = (from: readonly Segment[]): boolean =>
    upstreamOf(from).some((s) => {
      const ctx = listings.get(s);
      return ctx !== undefined && listsSecrets(s, ctx);
    });
  const runTimeArgs = segment.words.some((w, i) => i > 0 && w.value === null);
  if (runTimeArgs && segment.stdin.kind === 'pipe' && segment.via.some((v) => v === 'xargs' || v === 'parallel') && fed(segment.stdin.from)) return true;
  if (name === 'cpio' && segment.stdin.kind === 'pipe' && fed(segment.stdin.from)) return true;
  return segment.words.some((w) => w.value === null && w.subs.length > 0 && fed(w.subs));
}

/** `cd dir && touch x` writes in dir: later relative paths resolve against where `cd` went. */
function followCd(ctx: ClassifyContext, args: readonly Word[]): ClassifyContext {
  const word = args.find((a) => a.value === null || !a.value.startsWith('-'));
  if (word === undefined) return { ...ctx, cwd: ctx.home ?? '~', cwdUnknown: false };
  // `cd "$HOME/x"`, `cd $ALEPH_HOME`: a variable that names a known place; `d=~/.ssh; cd $d`: a value the line shows.
  const shown = word.value === null ? knownValues(word) : null;
  const target = word.value ?? (shown?.length === 1 && !shown[0]!.glob ? shown[0]!.text : knownPlace(word.text.replace(/^"|"$/g, ''), ctx));
  if (target === null || target === '-') return { ...ctx, cwdUnknown: true };
  if (ctx.cwd === null && !target.startsWith('/') && !target.startsWith('~')) return { ...ctx, cwdUnknown: true };
  return { ...ctx, cwd: normalizePath(target, ctx), cwdUnknown: false };
}

function knownPlace(text: string, ctx: ClassifyContext): string | null {
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?(\/[^$`"'\\]*)?$/.exec(text);
  return m !== null && m[1]! in PATH_VARIABLES ? normalizePath(text, ctx) : null;
}

/** The `aleph policy check --json` object: exactly the contract's fields. */
export function toCheckResult(e: Evaluation): PolicyCheckResult {
  return {
    command: e.command,
    mode: e.mode,
    verdict: e.verdict,
    action: e.action,
    risk: e.risk,
    segments: e.segments,
    suggested_rule: e.suggested_rule,
  };
}
