import type { CommandDefinition } from './command.js';

/** A command of `aleph`: its name and line in the general help, and where the rest of it is. */
export interface CommandEntry {
  readonly name: string;
  /** How the general help lists it, where that is more than its name. */
  readonly listedAs?: string;
  readonly summary: string;
  /**
   * Its module, loaded when the command is run or its help asked for: `aleph hook` and `aleph
   * exec` run before every command an agent makes, and must not wait for the server, the audit
   * store or the shell grammar to load.
   */
  readonly load: () => Promise<{ readonly command: CommandDefinition }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'gateway', summary: 'run the gateway (--headless) that agents ask and people answer through', load: () => import('./gateway-command.js') },
  { name: 'exec', summary: 'ask the gateway to run a command, and run it if allowed', load: () => import('./exec-command.js') },
  { name: 'approvals', summary: 'list, allow, deny or watch the commands waiting for approval', load: () => import('./approvals-command.js') },
  { name: 'install', summary: "put Aleph's hook into an agent's settings (claude-code, codex, gemini)", load: () => import('./install-command.js') },
  { name: 'uninstall', summary: "take Aleph's hook out of an agent's settings again", load: async () => ({ command: (await import('./install-command.js')).uninstallCommand }) },
  { name: 'doctor', summary: 'check the whole chain: gateway, installed hooks end to end, sandbox, audit log', load: () => import('./doctor-command.js') },
  { name: 'hook', summary: 'the hook an agent runs before each tool call (Claude Code, Codex, Gemini CLI)', load: () => import('./hook-command.js') },
  { name: 'mode', summary: 'show or set the security mode (safe, dev, unrestricted), per agent', load: () => import('./mode-command.js') },
  { name: 'rules', summary: "list, add or remove an agent's deny, ask and allow rules", load: () => import('./rules-command.js') },
  { name: 'pairing', summary: 'approve or reject pairing codes; pair this machine with a gateway (request)', load: () => import('./pairing-command.js') },
  { name: 'devices', summary: 'list, revoke or rotate the tokens of paired devices', load: () => import('./devices-command.js') },
  { name: 'guests', summary: 'invite guests with a scope of tools, list and revoke them', load: () => import('./guests-command.js') },
  { name: 'sandbox', summary: 'run a command with exactly the capabilities given; print sandbox profiles', load: () => import('./sandbox-command.js') },
  { name: 'tools', summary: 'run tools through the gateway under their capability contracts; their trust', load: () => import('./tools-command.js') },
  { name: 'policy', listedAs: 'policy check', summary: 'classify a shell command: verdict, action, risk and reasons', load: () => import('./policy-command.js') },
  { name: 'audit', summary: 'search, tail, verify, export, import and prune the audit log', load: () => import('./audit-command.js') },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export const HELP = `Aleph Console: the approval console between AI agents and your machine.

Usage: aleph <command> [options]

Commands:
${COMMANDS.map((c) => `  ${(c.listedAs ?? c.name).padEnd(15)}${c.summary}`).join('\n')}

Run "aleph help <command>" (or "aleph <command> --help") for a command's options. Every command takes --json.`;
