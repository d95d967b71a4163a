import { randomBytes } from 'node:crypto';
import { alephHome, bindingDrift, configFile, currentBinding, DEFAULT_SANDBOX, loadConfig, sandboxOf, type GatewayClient } from '@aleph/gateway/requester';
import { CONFINED, type ClientMessage, type Confinement, type GatewayMessage } from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { EXIT_REFUSED, reportResult, runConfined, runUnconfined, type Ran } from './confined-run.js';
import { tryConnect } from './connect.js';
import { EXIT, type Io } from './io.js';

export const EXEC_HELP = `Usage: aleph exec [--json] [--agent ID] [--session KEY] [--cwd DIR] [--timeout-ms N] [--dry-run] -- <command...>

Asks the gateway whether the command may run. Allowed: runs it with the shell (bash) in --cwd,
passing standard input and output through, reports how it ended to the audit log, and exits with
its exit code. It runs in the agent profile unless the allow or the agent's configuration says
otherwise: the project (the git repository around --cwd, or --cwd) read-write, the home readable
with secret stores hidden, its tool caches and a private /tmp writable, no network (see "sandbox"
in exec-approvals.json); where this machine cannot sandbox it is refused (126) unless configured,
and so is a --cwd inside a credential location or $ALEPH_HOME. Denied: prints the reason on standard error and exits 126. If an executable or
script the approval was bound to changed since, it refuses (126) instead of running something
else than what was approved. No gateway running, or an answer it cannot read: says so, runs
nothing and exits 2. --dry-run runs nothing and asks nobody: it prints at once what the gateway
would decide (allow, deny or ask a person, why, the risk, the mode or rule that decides, and what
the ask fallback would do) and exits 0 (allow), 126 (deny) or 1 (a person would be asked); --json
prints the decision as JSON (on standard error when the command also runs).
The agent defaults to $ALEPH_AGENT or "cli", the session to $ALEPH_SESSION or this shell.`;

/** Exit code for a denied command, as shells use for "cannot execute". */
export const EXIT_DENIED = EXIT_REFUSED;

/** How long `exec` waits for a decision before it says that a person is being asked. */
const WAITING_NOTICE_MS = 1000;

export const command = defineCommand({
  help: EXEC_HELP,
  options: { json: {}, agent: { value: true }, session: { value: true }, cwd: { value: true }, 'timeout-ms': { value: true }, 'dry-run': {} },
  run: exec,
});

async function exec({ args, io }: Invocation): Promise<number> {
  if (args.operands.length === 0) return io.usage(`No command given.\n\n${EXEC_HELP}`);
  const command = args.operands.join(' ');
  const cwd = value(args, 'cwd') ?? io.cwd;
  const timeoutText = value(args, 'timeout-ms');
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) return io.usage('--timeout-ms needs a whole number of milliseconds.');
  const json = flag(args, 'json');
  const dryRun = flag(args, 'dry-run');

  const connected = await tryConnect(io);
  if (!connected.ok) return io.fail(connected.error, json);
  const client = connected.value;
  const id = randomBytes(8).toString('hex');
  const request = {
    command,
    cwd: cwd.startsWith('/') ? cwd : `${io.cwd}/${cwd}`,
    agent_id: value(args, 'agent') ?? io.env.ALEPH_AGENT ?? 'cli',
    session_key: value(args, 'session') ?? io.env.ALEPH_SESSION ?? `shell-${process.ppid}`,
    path: io.env.PATH ?? '',
  };
  const asking = { type: 'approval_request', id, request, ...(timeout === undefined ? {} : { timeout_ms: timeout }) } as const;
  if (dryRun) return preview(client, { ...asking, dry_run: true }, json, io);
  client.send(asking);
  // No answer within a moment: a person is being asked. Say so, rather than seem to hang.
  const waiting = json
    ? undefined
    : setTimeout(
        () => io.err('aleph: waiting for a person to approve this command (aleph approvals watch, the desktop app or the web console)...'),
        WAITING_NOTICE_MS,
      );
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' | 'error' }> =>
      (m.type === 'approval_decision' && m.id === id) || m.type === 'error',
  );
  clearTimeout(waiting);
  if (answer === null || answer.type === 'error' || answer.decision === 'deny') client.close();
  if (answer === null) {
    const broken = client.failure;
    return io.fail(
      broken === null
        ? { code: 'gateway_gone', message: 'The gateway closed the connection before deciding; treat the command as denied.' }
        : { code: broken.code, message: `${broken.message} The command was not run.` },
      json,
    );
  }
  if (answer.type === 'error') return io.fail({ code: answer.code, message: answer.message }, json);
  if (json) io.err(JSON.stringify(answer));
  if (answer.decision === 'deny') {
    if (!json) io.err(`aleph: denied: ${answer.reason}`);
    return EXIT_DENIED;
  }
  const started = Date.now();
  const drift = bindingDrift(answer.binding, currentBinding(answer.binding, request.cwd, request.path));
  let outcome: Ran;
  if (drift === null) outcome = await runApproved(command, request.cwd, request.agent_id, answer.confinement, io);
  else {
    io.err(`aleph: refused: ${drift}.`);
    outcome = { code: EXIT_DENIED, signal: null };
  }
  // The audit log learns how the run ended; a gateway gone meanwhile does not change the exit code.
  await reportResult(client, id, outcome, started);
  return outcome.code;
}

/**
 * A dry run: the gateway says at once what it would decide (allow, deny, or ask a person, and
 * then what the fallback does), asks nobody and records nothing. Exits 0 for an allow, 126 for a
 * deny, 1 when a person would be asked.
 */
async function preview(client: GatewayClient, message: Extract<ClientMessage, { type: 'approval_request' }>, json: boolean, io: Io): Promise<number> {
  client.send(message);
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_preview' | 'error' }> =>
      (m.type === 'approval_preview' && m.id === message.id) || m.type === 'error',
  );
  const broken = client.failure;
  client.close();
  if (answer === null) return io.fail(broken ?? { code: 'gateway_gone', message: 'The gateway closed the connection before answering the dry run.' }, json);
  if (answer.type === 'error') return io.fail({ code: answer.code, message: answer.message }, json);
  if (json) io.out(JSON.stringify(answer));
  else {
    const risk = `${answer.verdict}, risk ${answer.risk.level}${answer.risk.reasons.length === 0 ? '' : `: ${answer.risk.reasons.map((r) => r.code).join(', ')}`}`;
    const fallback =
      answer.fallback === undefined
        ? ''
        : `\nUnanswered within ${answer.fallback.after_ms} ms, the ask fallback would ${answer.fallback.decision === 'deny' ? 'deny it' : 'allow it once'}.`;
    io.out(
      `Dry run (nothing was run or asked): would ${answer.decision === 'ask' ? 'ask a person' : answer.decision} in ${answer.mode} mode: ${answer.reason}\n${risk}${answer.rule_id === undefined ? '' : `\nDecided by rule ${answer.rule_id}.`}${fallback}`,
    );
  }
  return answer.decision === 'allow' ? EXIT.ok : answer.decision === 'deny' ? EXIT_DENIED : EXIT_ASKS;
}

/** Exit code of a dry run whose command would wait for a person. */
const EXIT_ASKS = 1;

/**
 * How an approved command runs: as the allow says (the gateway weighs the person's choice, the
 * agent's rules and its sandbox settings), confined with no network when it says nothing. Where
 * this machine cannot sandbox, the run is refused unless the owner chose to run unsandboxed.
 */
async function runApproved(command: string, cwd: string, agent: string, chosen: Confinement | undefined, io: Io): Promise<Ran> {
  const home = alephHome(io.env);
  const config = loadConfig(home, false);
  const settings = config.ok ? sandboxOf(config.value, agent) : DEFAULT_SANDBOX;
  const confinement: Confinement = chosen ?? CONFINED;
  if (confinement.kind === 'sandbox') {
    const { sandboxAvailability } = await import('@aleph/sandbox');
    const available = sandboxAvailability();
    if (!available.ok && settings.when_unavailable === 'run_unsandboxed') {
      io.err(`aleph: warning: running without a sandbox, as configured: ${available.error.message}`);
      return runUnconfined(command, cwd);
    }
    if (!available.ok) {
      io.err(
        `aleph: refused: ${available.error.message} To run approved commands without a sandbox on this machine, set "sandbox": {"when_unavailable": "run_unsandboxed"} in ${configFile(home)}.`,
      );
      return { code: EXIT_DENIED, signal: null };
    }
  }
  return runConfined(command, cwd, confinement, io);
}
