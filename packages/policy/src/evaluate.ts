import type { AllowRule, PolicyCheckResult, SecurityMode, SegmentReport, Verdict } from '@aleph/protocol';
import type { Parser } from 'web-tree-sitter';
import { allowingRules, matchingRule, suggestRule, type Classified } from './allowlist.js';
import { classifySegment, stricter, type ClassifyContext, type UserPatterns } from './classify.js';
import { decompose } from './decompose.js';
import { loadBashParser } from './grammar.js';
import { actionFor, devAutoApprovable } from './modes.js';
import { normalizePath } from './paths.js';
import { scoreRisk, type Finding } from './risk.js';
import { NETWORK_SENDERS } from './rules.js';
import { parseScript, type ParsedScript } from './syntax.js';
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

/**
 * The command policy. Load it once (the grammar is compiled WebAssembly); `evaluate` is then
 * synchronous and pure: the same command and options always give the same result.
 */
export class CommandPolicy {
  private readonly parseSource: (source: string) => ParsedScript;

  private constructor(parser: Parser) {
    this.parseSource = (source) => parseScript(parser, source);
  }

  static async load(): Promise<CommandPolicy> {
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

  evaluate(command: string, options: EvaluateOptions = {}): Evaluation {
    const mode = options.mode ?? 'safe';
    const { segments, findings: lineFindings } = this.decompose(command);

    let ctx: ClassifyContext = {
      cwd: options.cwd ?? null,
      root: options.cwd ?? null,
      home: options.home ?? null,
      patterns: options.patterns ?? NO_USER_PATTERNS,
      resolveExecutable: options.resolveExecutable,
    };
    const classified: Classified[] = [];
    for (const segment of segments) {
      classified.push({ segment, result: classifySegment(segment, ctx) });
      if (segment.name === 'cd' || segment.name === 'pushd') ctx = followCd(ctx, segment.words.slice(1).map((w) => w.value));
    }

    const allFindings: Finding[] = lineFindings.slice();
    let verdict: Verdict = 'safe';
    for (const c of classified) {
      for (const f of c.result.findings) allFindings.push(f);
      verdict = stricter(verdict, c.result.verdict);
    }
    const line = lineFindings.slice();
    // Secrets and a network sender in one line: the classic exfiltration.
    const sends = segments.find((s) => s.name !== null && NETWORK_SENDERS.has(s.name));
    if (sends !== undefined && allFindings.some((f) => f.code === 'sensitive_path' || f.code === 'sensitive_write')) {
      const f: Finding = { code: 'network_exfiltration', verdict: 'block', detail: ` (secrets and ${sends.name} in one command)`, score: 95 };
      line.push(f);
      allFindings.push(f);
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
    const allowedBy = verdict === 'confirm' && deniedBy === null && askedBy === null
      ? (allowingRules(options.allowlist ?? [], command, classified, lineClean, options.resolveExecutable) ?? [])
      : [];
    const action = deniedBy !== null ? 'reject'
      : askedBy !== null ? 'prompt'
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
  for (const f of result.findings) if (!reasons.includes(f.code)) reasons.push(f.code);
  return {
    text: segment.text,
    name: segment.name,
    argv: segment.words.map((w) => w.value),
    verdict: result.verdict,
    reasons,
    via: segment.via,
  };
}

/** `cd dir && touch x` writes in dir: later relative paths resolve against where `cd` went. */
function followCd(ctx: ClassifyContext, args: readonly (string | null)[]): ClassifyContext {
  const target = args.find((a) => a === null || !a.startsWith('-'));
  if (target === undefined) return { ...ctx, cwd: ctx.home ?? '~', cwdUnknown: false };
  if (target === null || target === '-') return { ...ctx, cwdUnknown: true };
  if (ctx.cwd === null && !target.startsWith('/') && !target.startsWith('~')) return { ...ctx, cwdUnknown: true };
  return { ...ctx, cwd: normalizePath(target, ctx), cwdUnknown: false };
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
