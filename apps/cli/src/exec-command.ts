import { randomBytes } from 'node:crypto';
import { alephHome, bindingDrift, configFile, currentBinding, DEFAULT_SANDBOX, loadConfig, sandboxOf } from '@aleph/gateway/requester';
import { CONFINED, type Confinement, type GatewayMessage } from '@aleph/protocol';
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
nothing and exits 2. --dry-run only prints the
decision; --json prints it as JSON (on standard error when the command also runs).
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
  client.send({ type: 'approval_request', id, request, ...(timeout === undefined ? {} : { timeout_ms: timeout }) });
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
  if (answer === null || answer.type === 'error' || answer.decision === 'deny' || dryRun) client.close();
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
  if (json && dryRun) io.out(JSON.stringify(answer));
  else if (json) io.err(JSON.stringify(answer));
  if (answer.decision === 'deny') {
    if (!json) io.err(`aleph: denied: ${answer.reason}`);
    return EXIT_DENIED;
  }
  if (dryRun) {
    if (!json) io.out(`allowed (${answer.decision}): ${answer.reason}`);
    return EXIT.ok;
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
