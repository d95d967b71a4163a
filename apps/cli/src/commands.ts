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
  { name: 'run', summary: "run a command an agent's hook allowed, confined, by its run ticket", load: () => import('./run-command.js') },
  { name: 'console', summary: "print a new one-time sign-in link to the running gateway's web console", load: () => import('./console-command.js') },
  { name: 'approvals', summary: 'list, allow, deny or watch the commands waiting for approval', load: () => import('./approvals-command.js') },
  { name: 'install', summary: "put Aleph's hook into an agent's settings (claude-code, codex, gemini)", load: () => import('./install-command.js') },
  {
    name: 'uninstall',
    summary: "take Aleph's hook out of an agent's settings again",
    load: async () => ({ command: (await import('./install-command.js')).uninstallCommand }),
  },
  { name: 'doctor', summary: 'check the whole chain: gateway, installed hooks end to end, sandbox, audit log', load: () => import('./doctor-command.js') },
  { name: 'hook', summary: 'the hook an agent runs before each tool call (Claude Code, Codex, Gemini CLI)', load: () => import('./hook-command.js') },
  { name: 'mode', summary: 'show or set the security mode (safe, dev, unrestricted), per agent', load: () => import('./mode-command.js') },
  { name: 'rules', summary: "list, add or remove an agent's deny, ask and allow rules", load: () => import('./rules-command.js') },
  { name: 'pairing', summary: 'approve or reject pairing codes; pair this machine with a gateway (request)', load: () => import('./pairing-command.js') },
  { name: 'devices', summary: 'list, revoke or rotate the tokens of paired devices', load: () => import('./devices-command.js') },
  { name: 'guests', summary: 'invite guests with a scope of tools, list and revoke them', load: () => import('./guests-command.js') },
  { name: 'sandbox', summary: 'run a command with exactly the capabilities given; print sandbox profiles', load: () => import('./sandbox-command.js') },
  { name: 'tools', summary: 'run tools through the gateway under their capability contracts; their trust', load: () => import('./tools-command.js') },
  {
    name: 'policy',
    listedAs: 'policy check',
    summary: 'classify a shell command: verdict, action, risk and reasons',
    load: () => import('./policy-command.js'),
  },
  { name: 'audit', summary: 'search, tail, verify, export, import and prune the audit log', load: () => import('./audit-command.js') },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * The command a mistyped name most likely meant: the nearest by edit distance (a swap of two
 * neighbouring letters counts once), when it is near enough to be a slip, or the only command the
 * name begins; otherwise null.
 */
export function suggestCommand(name: string): string | null {
  const typed = name.toLowerCase();
  const names = [...COMMANDS.map((c) => c.name), 'help', 'version'];
  let best: { name: string; distance: number } | null = null;
  for (const candidate of names) {
    const distance = editDistance(typed, candidate);
    if (best === null || distance < best.distance) best = { name: candidate, distance };
  }
  if (best !== null && best.distance <= Math.max(1, Math.floor(best.name.length / 3))) return best.name;
  const starting = names.filter((n) => typed.length >= 2 && n.startsWith(typed));
  return starting.length === 1 ? (starting[0] ?? null) : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const above = d[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export const HELP = `Aleph Console: the approval console between AI agents and your machine.

Usage: aleph <command> [options]

Commands:
${COMMANDS.map((c) => `  ${(c.listedAs ?? c.name).padEnd(15)}${c.summary}`).join('\n')}

Run "aleph help <command>" (or "aleph <command> --help") for a command's options. Every command takes --json.`;
