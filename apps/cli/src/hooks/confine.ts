/**
 * Confined by default on the hook path: where an agent's hook may rewrite the command it allows
 * (Claude Code's PreToolUse `updatedInput`), Aleph allows a shell command only as a confined run
 * of exactly that command, `aleph run --ticket T -- '<command>'`. The gateway issues the ticket
 * with the allow (single use, seconds long, bound to the command, its directory, the agent, the
 * session, the resolved programs and the confinement); `aleph run` redeems it and runs the command
 * in the sandbox. Approval decides whether a command runs; confinement decides what it can reach.
 */
import { realpathSync } from 'node:fs';
import { resolveExecutable } from '@aleph/gateway/requester';
import type { Io } from '../io.js';
import { askGateway, type GatewayQuestion } from './gateway-ask.js';
import type { Verdict } from './verdict.js';

/** A word as bash reads it back unchanged: bare when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * How to start the `aleph` this hook runs as: the `aleph` PATH finds, by its absolute path, where
 * that is this very program (what an install puts there), otherwise the absolute node and entry
 * that started it. Never a bare name: the agent's shell may find another `aleph` first by the
 * time it runs the command (a PATH a command changed, a repository's own bin directory).
 */
export function alephProgram(io: Io, argv: readonly string[] = process.argv, node: string = process.execPath): string[] {
  const entry = argv[1] ?? '';
  const onPath = resolveExecutable('aleph', io.cwd, io.env.PATH ?? '');
  try {
    if (onPath !== null && realpathSync(onPath) === realpathSync(entry)) return [onPath];
  } catch {
    // One of them is gone: name the entry itself.
  }
  return [node, entry];
}

/** The command that runs `command` confined under `ticket`, as the agent's shell will read it. */
export function confinedCommand(program: readonly string[], ticket: string, command: string): string {
  return [...program, 'run', '--ticket', ticket, '--'].map(shellWord).join(' ') + ' ' + shellWord(command);
}

/**
 * Asks the gateway for a run ticket with its verdict; an allow becomes an allow of the confined
 * run (`updatedCommand`). An allow without a ticket is the hook's own `--when-unreachable allow`
 * (no gateway to issue one), which the owner chose.
 */
export async function askConfined(q: Omit<GatewayQuestion, 'runTicket'>, io: Io): Promise<Verdict> {
  const verdict = await askGateway({ ...q, runTicket: true }, io);
  if (verdict.decision !== 'allow' || verdict.runTicket === undefined) return verdict;
  const { runTicket, ...rest } = verdict;
  return { ...rest, updatedCommand: confinedCommand(alephProgram(io), runTicket, q.command) };
}
