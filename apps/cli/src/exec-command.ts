import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { GatewayError } from '@aleph/gateway';
import type { GatewayMessage } from '@aleph/protocol';
import { flag, parseArgs, value } from './args.js';
import { connectGateway } from './connect.js';
import { EXIT, type Io } from './io.js';

export const EXEC_HELP = `Usage: aleph exec [--json] [--agent ID] [--session KEY] [--cwd DIR] [--timeout-ms N] [--dry-run] -- <command...>

Asks the gateway whether the command may run. Allowed: runs it with the shell in --cwd, passing
standard input and output through, and exits with its exit code. Denied: prints the reason on
standard error and exits 126. No gateway running: says so and exits 2. --dry-run only prints the
decision; --json prints it as JSON (on standard error when the command also runs).
The agent defaults to $ALEPH_AGENT or "cli", the session to $ALEPH_SESSION or this shell.`;

/** Exit code for a denied command, as shells use for "cannot execute". */
export const EXIT_DENIED = 126;

export async function execCommand(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseArgs(argv, { json: {}, agent: { value: true }, session: { value: true }, cwd: { value: true }, 'timeout-ms': { value: true }, 'dry-run': {}, help: {} });
  if (!parsed.ok) return io.usage(`${parsed.error.message}\n\n${EXEC_HELP}`);
  const args = parsed.value;
  if (flag(args, 'help')) {
    io.out(EXEC_HELP);
    return EXIT.ok;
  }
  if (args.operands.length === 0) return io.usage(`No command given.\n\n${EXEC_HELP}`);
  const command = args.operands.join(' ');
  const cwd = value(args, 'cwd') ?? io.cwd;
  const timeoutText = value(args, 'timeout-ms');
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) return io.usage('--timeout-ms needs a whole number of milliseconds.');
  const json = flag(args, 'json');
  const dryRun = flag(args, 'dry-run');

  let client;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  const id = randomBytes(8).toString('hex');
  const request = {
    command,
    cwd: cwd.startsWith('/') ? cwd : `${io.cwd}/${cwd}`,
    agent_id: value(args, 'agent') ?? io.env.ALEPH_AGENT ?? 'cli',
    session_key: value(args, 'session') ?? io.env.ALEPH_SESSION ?? `shell-${process.ppid}`,
  };
  client.send({ type: 'approval_request', id, request, ...(timeout === undefined ? {} : { timeout_ms: timeout }) });
  const answer = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' | 'error' }> => (m.type === 'approval_decision' && m.id === id) || m.type === 'error');
  client.close();
  if (answer === null) return io.fail({ code: 'gateway_gone', message: 'The gateway closed the connection before deciding; treat the command as denied.' }, json);
  if (answer.type === 'error') return io.fail({ code: answer.code, message: answer.message }, json);
  const allowed = answer.decision !== 'deny';
  if (json && dryRun) io.out(JSON.stringify(answer));
  else if (json) io.err(JSON.stringify(answer));
  if (!allowed) {
    if (!json) io.err(`aleph: denied: ${answer.reason}`);
    return EXIT_DENIED;
  }
  if (dryRun) {
    if (!json) io.out(`allowed (${answer.decision}): ${answer.reason}`);
    return EXIT.ok;
  }
  return run(command, request.cwd);
}

/** Runs the command with the shell, passing stdio through; its exit code, or 128 + signal. */
function run(command: string, cwd: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : signalNumber(signal))));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
