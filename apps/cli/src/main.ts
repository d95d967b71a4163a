import { readFileSync } from 'node:fs';
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

/**
 * Runs one command. Each command's module is loaded when it is run: `aleph hook` and `aleph exec`
 * run before every command an agent makes, and must not wait for the server, the audit store or
 * the shell grammar to load.
 */
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
      return (await import('./policy-command.js')).policyCommand(rest, io);
    case 'audit':
      return (await import('./audit-command.js')).auditCommand(rest, io);
    case 'gateway':
      return (await import('./gateway-command.js')).gatewayCommand(rest, io);
    case 'exec':
      return (await import('./exec-command.js')).execCommand(rest, io);
    case 'approvals':
      return (await import('./approvals-command.js')).approvalsCommand(rest, io);
    case 'hook':
      return (await import('./hook-command.js')).hookCommand(rest, io);
    case 'mode':
      return (await import('./mode-command.js')).modeCommand(rest, io);
    case 'rules':
      return (await import('./rules-command.js')).rulesCommand(rest, io);
    case 'pairing':
      return (await import('./pairing-command.js')).pairingCommand(rest, io);
    case 'devices':
      return (await import('./devices-command.js')).devicesCommand(rest, io);
    case 'guests':
      return (await import('./guests-command.js')).guestsCommand(rest, io);
    case 'sandbox':
      return (await import('./sandbox-command.js')).sandboxCommand(rest, io);
    case 'tools':
      return (await import('./tools-command.js')).toolsCommand(rest, io);
    default:
      return io.usage(`Unknown command "${command}".\n\n${HELP}`);
  }
}

export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
