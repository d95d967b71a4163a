import { flag } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { ownerCall } from './connect.js';
import { EXIT } from './io.js';

export const CONSOLE_HELP = `Usage: aleph console [--json]

Prints a new one-time sign-in link to the web console of the gateway running here (started with
--console), for a link already used or expired, or a browser signed out by a restart. Each link
signs in once, within 10 minutes. --json prints {"link"}.`;

export const command = defineCommand({
  help: CONSOLE_HELP,
  options: { json: {} },
  run: consoleLink,
});

async function consoleLink({ args, io }: Invocation): Promise<number> {
  const json = flag(args, 'json');
  if (args.operands.length > 0) return io.usage(`aleph console takes no arguments.\n\n${CONSOLE_HELP}`);
  const made = await ownerCall<{ link: string }>(io, 'console.link');
  if (!made.ok) return io.fail(made.error, json);
  io.out(json ? JSON.stringify(made.value) : made.value.link);
  return EXIT.ok;
}
