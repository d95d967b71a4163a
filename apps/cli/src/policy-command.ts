import { createInterface } from 'node:readline';
import { homedir } from 'node:os';
import { parseSecurityMode, type PolicyCheckResult, type SecurityMode, visibleText } from '@aleph/protocol';
import { CommandPolicy, toCheckResult, type EvaluateOptions, type Evaluation } from '@aleph/policy';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { alephHome, ExecutableCache, loadConfig } from '@aleph/gateway';
import { LineWriter } from './output.js';
import { styleFor, type Style } from './style.js';
import { EXIT, type Io } from './io.js';

export const POLICY_HELP = `Usage: aleph policy check [--mode safe|dev|unrestricted] [--cwd DIR] [--json] [--] <command>
       aleph policy check --json --stdin [--mode M] [--cwd DIR]

Explains how Aleph classifies a shell command: its verdict (safe, confirm, block), what the
gateway would do with it (run, prompt, auto_approve, reject), its risk and the reasons, and
the built-in policy rules that applied (docs/policy.md: Rules and their examples).

  --mode M     security mode to decide the action in (default: safe)
  --cwd DIR    the directory the command would run in (default: the current directory)
  --json       print one JSON object (the policy check contract)
  --stdin      with --json: read one JSON-encoded command string per line, write one result per line

Several command words are joined with spaces; quote the command as one argument to keep its
quoting exactly. User patterns come from the "policy" section of $ALEPH_HOME/exec-approvals.json.`;

export const command = defineCommand({
  help: POLICY_HELP,
  subcommands: ['check'],
  options: { mode: { value: true }, cwd: { value: true }, json: {}, stdin: {} },
  run: check,
});

async function check({ args, io }: Invocation<'check'>): Promise<number> {
  const mode = parseSecurityMode(value(args, 'mode') ?? 'safe');
  if (!mode.ok) return io.usage(mode.error.message);
  const json = flag(args, 'json');
  const stdin = flag(args, 'stdin');
  if (stdin && !json) return io.usage('--stdin needs --json: it reads and writes JSON lines.');
  if (stdin && args.operands.length > 0) return io.usage('Give either --stdin or a command, not both.');
  if (!stdin && args.operands.length === 0) return io.usage(`No command given.\n\n${POLICY_HELP}`);

  // Read only: checking a command never creates the configuration.
  const home = alephHome(io.env);
  const config = loadConfig(home, false);
  if (!config.ok) return io.fail(config.error, json);
  const cwd = value(args, 'cwd') ?? io.cwd;
  const options: EvaluateOptions = {
    mode: mode.value,
    cwd,
    home: io.env.HOME ?? homedir(),
    // The gateway's own directory, wherever it is: reading it unasked is never SAFE.
    alephHome: home,
    resolveExecutable: new ExecutableCache().resolver(cwd, io.env.PATH ?? ''),
    patterns: config.value.policy,
  };
  const policy = await CommandPolicy.load();
  if (stdin) return checkStream(policy, options, io);
  const result = policy.evaluate(args.operands.join(' '), options);
  io.out(json ? JSON.stringify(toCheckResult(result)) : explain(result, mode.value, styleFor(io.stdout, io.env)));
  return EXIT.ok;
}

/** One JSON string per line in, one result object per line out, in order. */
async function checkStream(policy: CommandPolicy, options: EvaluateOptions, io: Io): Promise<number> {
  const writer = new LineWriter(io.stdout);
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  let errors = 0;
  for await (const line of lines) {
    lineNumber++;
    let command: unknown;
    try {
      command = JSON.parse(line);
    } catch {
      command = undefined;
    }
    if (typeof command !== 'string') {
      errors++;
      await writer.line(JSON.stringify({ error: { code: 'invalid_line', message: `Line ${lineNumber} is not a JSON-encoded string.` }, line: lineNumber }));
      continue;
    }
    await writer.line(JSON.stringify(toCheckResult(policy.evaluate(command, options))));
  }
  await writer.flush();
  return errors > 0 ? EXIT.failure : EXIT.ok;
}

const VERDICT_LABEL: Readonly<Record<PolicyCheckResult['verdict'], string>> = { safe: 'SAFE', confirm: 'CONFIRM', block: 'BLOCK' };
const ACTION_TEXT: Readonly<Record<PolicyCheckResult['action'], string>> = {
  run: 'runs without asking',
  prompt: 'asks a human first',
  auto_approve: 'runs without asking, and is audited',
  reject: 'is refused',
};

/** A few readable lines: the decision, the risk and why, each segment, and the suggested rule. */
export function explain(result: Evaluation, mode: SecurityMode, style: Style): string {
  const colour = result.verdict === 'block' ? style.red : result.verdict === 'confirm' ? style.yellow : style.green;
  const lines: string[] = [];
  lines.push(`${colour(style.bold(VERDICT_LABEL[result.verdict]))}  ${visibleText(result.command)}`);
  const allowed = result.allowed_by.length > 0 ? ` (allowed by ${result.allowed_by.map((r) => `${r.kind} rule "${r.pattern}"`).join(', ')})` : '';
  lines.push(`In ${mode} mode it ${ACTION_TEXT[result.action]}${allowed}.`);
  lines.push(`Risk: ${result.risk.level} (${result.risk.score}/100)`);
  for (const reason of result.risk.reasons) lines.push(`  - ${reason.message} ${style.dim(`[${reason.code}]`)}`);
  if (result.segments.length > 1 || result.segments.some((s) => s.via.length > 0)) {
    lines.push('Runs:');
    for (const s of result.segments) {
      const via = s.via.length > 0 ? style.dim(` (via ${s.via.join(' > ')})`) : '';
      lines.push(`  ${s.verdict.padEnd(7)} ${s.text}${via}`);
    }
  }
  const applied = [...new Set(result.segments.flatMap((s) => s.rules ?? []))];
  if (applied.length > 0) lines.push(`Policy rules: ${applied.join(', ')}`);
  const rule = result.suggested_rule;
  lines.push(rule === null ? 'Allow Always: not possible; nothing overrides a block.' : `Allow Always would remember: ${rule.kind} "${rule.pattern}"`);
  return lines.join('\n');
}
