import type { Risk, RiskLevel, RiskReason, Verdict } from '@aleph/protocol';

/**
 * Every reason the policy can give, with its base score (0-100) and the sentence a person reads.
 * Codes are stable: the UI, filters and other tools key on them. `{name}` and `{detail}` are filled
 * in from the finding.
 */
export const REASONS = {
  fork_bomb: { score: 100, message: 'Defines a function that calls itself in a pipeline or in the background: a fork bomb that exhausts the machine.' },
  disk_overwrite: { score: 95, message: '{name} writes raw disks or filesystems{detail}; data on them is destroyed.' },
  remote_code_execution: { score: 95, message: 'Runs code fetched from the network{detail} without letting anyone read it first.' },
  mass_delete: { score: 95, message: '{name} deletes recursively or by wildcard at a broad target{detail}.' },
  privilege_escalation: { score: 90, message: "{name} runs commands with another user's (usually root's) privileges." },
  system_path_write: { score: 85, message: 'Writes to a system location{detail}.' },
  sensitive_write: { score: 85, message: 'Writes to a location that holds credentials or keys{detail}.' },
  network_exfiltration: { score: 80, message: 'Sends local data over the network{detail}.' },
  obfuscation: { score: 75, message: 'Hides what it runs{detail}; obfuscated commands are how policies get bypassed.' },
  persistence: { score: 75, message: 'Changes what runs automatically later{detail}.' },
  system_modification: { score: 75, message: '{name} changes system services, devices, users or the firewall.' },
  destructive_delete: { score: 70, message: '{name} deletes files permanently{detail}.' },
  git_remote_write: { score: 70, message: 'git {detail} publishes to or changes a remote repository.' },
  reads_secrets: { score: 70, message: 'Reads secrets{detail}.' },
  system_package_install: { score: 70, message: 'Installs or removes software system-wide with {name}.' },
  risky_env: { score: 65, message: 'Sets {detail}, which changes which code runs or how.' },
  permission_change: { score: 65, message: '{name} changes file ownership or permissions.' },
  repository_runs_program: { score: 80, message: "The repository's own configuration makes git run a program{detail}." },
  repository_unchecked: {
    score: 50,
    message: 'Git may run a program the configuration of a repository names, and that repository could not be checked{detail}.',
  },
  git_runs_program: { score: 65, message: "Makes git run a program of the caller's choosing{detail}." },
  runs_program: { score: 65, message: '{name} runs a program named in its options{detail}.' },
  process_kill: { score: 60, message: '{name} stops running processes.' },
  dynamic_command: { score: 60, message: 'The program to run is only known at run time{detail}.' },
  dynamic_code: { score: 60, message: 'Runs shell code that is only known at run time{detail}.' },
  shell_stdin: { score: 60, message: 'Pipes data into a shell or interpreter{detail}; whatever arrives is executed.' },
  inline_code: { score: 55, message: '{name} runs inline code{detail}.' },
  git_history_rewrite: { score: 55, message: 'git {detail} can discard commits or uncommitted work.' },
  write_outside_cwd: { score: 50, message: 'Writes outside the working directory{detail}.' },
  too_complex: { score: 50, message: 'Too deeply nested or too long to analyse fully{detail}.' },
  interactive_shell: { score: 45, message: '{name} starts an interactive shell or interpreter; the commands it will run cannot be seen.' },
  script_execution: { score: 45, message: '{name} runs a script file{detail} whose content the policy cannot see.' },
  reads_unknown_files: {
    score: 45,
    message: '{name} reads files named by data it cannot see{detail}; they could be any file, credential stores included.',
  },
  package_install: { score: 45, message: '{name} downloads and installs packages, which can run install scripts.' },
  network_access: { score: 40, message: '{name} talks to the network.' },
  unparseable: { score: 40, message: 'The command is not valid shell syntax{detail}, so it cannot be analysed with confidence.' },
  untrusted_binary: { score: 40, message: 'Runs {detail} from outside the system directories, which may not be what its name says.' },
  runs_project_code: { score: 35, message: "{name} runs the project's own build or test scripts." },
  in_place_edit: { score: 35, message: '{name} edits files in place{detail}.' },
  git_state_change: { score: 30, message: 'git {detail} changes the repository or working tree.' },
  unknown_command: { score: 30, message: '{name} is not a known command; it needs a human to look at it.' },
  file_write: { score: 25, message: 'Creates, changes or moves files{detail}.' },
  user_rule: { score: 30, message: 'Matches your {detail} pattern.' },
  read_only: { score: 0, message: '{name} only reads; it changes nothing.' },
} as const satisfies Record<string, { score: number; message: string }>;

export type ReasonCode = keyof typeof REASONS;

/** One thing the policy noticed about a segment, with the verdict it demands at least. */
export interface Finding {
  readonly code: ReasonCode;
  readonly verdict: Verdict;
  /** The command name the sentence is about. */
  readonly name?: string;
  /** Specifics appended to the sentence, e.g. ` (~/.ssh/id_rsa)`. */
  readonly detail?: string;
  /** Overrides the catalogue's base score. */
  readonly score?: number;
  /** The name of the built-in rule (CommandRule) that made the finding. */
  readonly rule?: string;
  /**
   * For `reads_secrets`: `file` when the secrets are files (any network sender in the same line can
   * carry them off), `value` when they are printed values (a token, the environment) that leave only
   * through what reads the output.
   */
  readonly secret?: 'file' | 'value';
  /**
   * The finding comes from the segment's surroundings (what feeds its standard input), not its
   * arguments, so an allowlist rule for the command line does not cover it.
   */
  readonly context?: boolean;
}

export function findingScore(finding: Finding): number {
  return finding.score ?? REASONS[finding.code].score;
}

/** Cache of sentences by code, then by name and detail: the same findings recur constantly. */
const described = new Map<ReasonCode, Map<string, RiskReason>>();
let describedSize = 0;

/** The reason as a person reads it. */
export function describe(finding: Finding): RiskReason {
  let byCode = described.get(finding.code);
  if (byCode === undefined) described.set(finding.code, (byCode = new Map()));
  const key = finding.detail === undefined ? (finding.name ?? '') : `${finding.name ?? ''}\0${finding.detail}`;
  let reason = byCode.get(key);
  if (reason === undefined) {
    reason = sentence(finding);
    if (++describedSize > 4096) {
      described.clear();
      describedSize = 0;
    }
    byCode.set(key, reason);
  }
  return reason;
}

function sentence(finding: Finding): RiskReason {
  const template: string = REASONS[finding.code].message;
  const message = template.replace('{name}', finding.name ?? 'this command').replace('{detail}', finding.detail ?? '');
  // Command names keep their case (`rm deletes ...`); sentences start with a capital.
  const startsWithName = (template.startsWith('{name}') && finding.name !== undefined) || template.startsWith('git ');
  return { code: finding.code, message: startsWithName ? message : message.charAt(0).toUpperCase() + message.slice(1) };
}

/** Each additional distinct concern adds a little to the worst one. */
const EXTRA_REASON_WEIGHT = 4;

/** Minimum scores so that the level never contradicts the verdict. */
const VERDICT_FLOOR: Readonly<Record<Verdict, number>> = { safe: 0, confirm: 25, block: 50 };

export function levelOf(score: number): RiskLevel {
  if (score >= 80) return 'critical';
  if (score >= 50) return 'high';
  if (score >= 25) return 'medium';
  return 'low';
}

/**
 * Scores a whole command: the worst finding, plus a small amount per further distinct reason,
 * never below what the verdict implies. Reasons are listed worst first, one per code.
 */
export function scoreRisk(findings: readonly Finding[], verdict: Verdict): Risk {
  // One finding per code, the worst of each, in order of first appearance.
  let distinct: Finding[] = [];
  for (const f of findings) {
    const i = distinct.findIndex((d) => d.code === f.code);
    if (i < 0) distinct.push(f);
    else if (findingScore(f) > findingScore(distinct[i]!)) distinct[i] = f;
  }
  if (distinct.length > 1) distinct.sort((a, b) => findingScore(b) - findingScore(a));
  // "Only reads" is true of a command only when nothing else was found.
  if (distinct.length > 1) distinct = distinct.filter((f) => f.code !== 'read_only');
  const worst = distinct.length > 0 ? findingScore(distinct[0]!) : 0;
  const score = Math.min(100, Math.max(VERDICT_FLOOR[verdict], worst + EXTRA_REASON_WEIGHT * Math.max(0, distinct.length - 1)));
  return { level: levelOf(score), score, reasons: distinct.map(describe) };
}
