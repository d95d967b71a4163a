import { readFileSync } from 'node:fs';
import { approvalsCommand } from './approvals-command.js';
import { auditCommand } from './audit-command.js';
import { devicesCommand } from './devices-command.js';
import { guestsCommand } from './guests-command.js';
import { pairingCommand } from './pairing-command.js';
import { execCommand } from './exec-command.js';
import { gatewayCommand } from './gateway-command.js';
import { hookCommand } from './hook-command.js';
import { modeCommand } from './mode-command.js';
import { policyCommand } from './policy-command.js';
import { rulesCommand } from './rules-command.js';
import { sandboxCommand } from './sandbox-command.js';
import { toolsCommand } from './tools-command.js';
import { EXIT, processIo, type Io } from './io.js';

const HELP = `Aleph Console: the approval console between AI agents and your machine.

Usage: aleph <command> [options]

Commands:
  gateway        run the gateway (--headless) that agents ask and people answer through
  exec           ask the gateway to run a command, and run it if allowed
  approvals      list, allow, deny or watch the commands waiting for approval
  hook           agent integrations: Claude Code and Codex PreToolUse hooks
  mode           show or set the security mode (safe, dev, unrestricted), per agent
  rules          list, add or remove an agent's deny, ask and allow rules
  pairing        approve or reject pairing codes; pair this machine with a gateway (request)
  devices        list, revoke or rotate the tokens of paired devices
  guests         invite guests with a scope of tools, list and revoke them
  sandbox        run a command with exactly the capabilities given; print sandbox profiles
  tools          run tools through the gateway under their capability contracts; their trust
  policy check   classify a shell command: verdict, action, risk and reasons
  audit          search, tail, verify, export, import and prune the audit log

Run "aleph <command> --help" for a command's options. Every command takes --json.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.out(HELP);
      return EXIT.ok;
    case '--version':
    case '-V':
      io.out(version());
      return EXIT.ok;
    case 'policy':
      return policyCommand(rest, io);
    case 'audit':
      return auditCommand(rest, io);
    case 'gateway':
      return gatewayCommand(rest, io);
    case 'exec':
      return execCommand(rest, io);
    case 'approvals':
      return approvalsCommand(rest, io);
    case 'hook':
      return hookCommand(rest, io);
    case 'mode':
      return modeCommand(rest, io);
    case 'rules':
      return rulesCommand(rest, io);
    case 'pairing':
      return pairingCommand(rest, io);
    case 'devices':
      return devicesCommand(rest, io);
    case 'guests':
      return guestsCommand(rest, io);
    case 'sandbox':
      return sandboxCommand(rest, io);
    case 'tools':
      return toolsCommand(rest, io);
    default:
      return io.usage(`Unknown command "${command}".\n\n${HELP}`);
  }
}

export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
