import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { bindingDrift, currentBinding } from '@aleph/gateway/requester';
import type { GatewayMessage } from '@aleph/protocol';
import { value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { EXIT_REFUSED, reportResult, runConfined, type Ran } from './confined-run.js';
import { tryConnect } from './connect.js';
import type { Io } from './io.js';

export const RUN_HELP = `Usage: aleph run --ticket TICKET -- <command>

Runs a command the gateway allowed, as an agent's hook rewrote it: the run ticket that came with
the allow is redeemed at the gateway, which checks that it is live (a ticket lasts 30 s), unused,
and was issued for exactly this command in this directory. Then the command runs with bash in the
sandbox the allow chose (the agent profile, no network unless granted), standard input and output
passed through, and aleph exits with its exit code; how it ended goes to the audit log. A ticket
that cannot be redeemed, or an executable or script that changed since the allow, runs nothing:
the reason on standard error, exit 126. No gateway to redeem at: exit 2, nothing run.`;

export const command = defineCommand({
  help: RUN_HELP,
  options: { ticket: { value: true } },
  run: runTicket,
});

/** The directory the agent's shell is in, as the hook was told it: $PWD when it is this directory (a path through a symlink), else the real one. */
function workingDirectory(io: Io): string {
  const pwd = io.env.PWD;
  try {
    if (pwd !== undefined && pwd.startsWith('/') && realpathSync(pwd) === realpathSync(io.cwd)) return pwd;
  } catch {
    // $PWD gone or unreadable: the real directory it is.
  }
  return io.cwd;
}

async function runTicket({ args, io }: Invocation): Promise<number> {
  const ticket = value(args, 'ticket');
  if (ticket === undefined || ticket === '') return io.usage(`No --ticket given.\n\n${RUN_HELP}`);
  if (args.operands.length === 0) return io.usage(`No command given.\n\n${RUN_HELP}`);
  const command = args.operands.join(' ');
  const cwd = workingDirectory(io);
  const connected = await tryConnect(io);
  if (!connected.ok) return io.fail({ code: connected.error.code, message: `${connected.error.message} The command was not run.` }, false);
  const client = connected.value;
  const id = randomBytes(8).toString('hex');
  client.send({ type: 'redeem_ticket', id, ticket, command, cwd });
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'ticket_redeemed' | 'error' }> =>
      (m.type === 'ticket_redeemed' && m.id === id) || m.type === 'error',
    10_000,
  );
  if (answer === null || answer.type === 'error') {
    client.close();
    const why = answer?.type === 'error' ? `${answer.message} (${answer.code})` : (client.failure?.message ?? 'the gateway did not answer.');
    io.err(`aleph: refused: ${why}`);
    return EXIT_REFUSED;
  }
  const started = Date.now();
  const drift = bindingDrift(answer.binding, currentBinding(answer.binding, cwd, io.env.PATH ?? ''));
  let outcome: Ran;
  if (drift === null) outcome = await runConfined(command, cwd, answer.confinement, io);
  else {
    io.err(`aleph: refused: ${drift}.`);
    outcome = { code: EXIT_REFUSED, signal: null };
  }
  // The audit log learns how the run ended, under the request that was judged.
  await reportResult(client, id, outcome, started);
  return outcome.code;
}
