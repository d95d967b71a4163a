import { randomBytes } from 'node:crypto';
import { GatewayError } from '@aleph/gateway/requester';
import type { GatewayMessage } from '@aleph/protocol';
import { value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { connectGateway } from './connect.js';
import { EXIT, type Io } from './io.js';

export const HOOK_HELP = `Usage: aleph hook claude-code|codex [--timeout-ms N] [--when-unreachable deny|ask|allow]

A PreToolUse hook for the shell tool of Claude Code or Codex. Reads the hook's JSON on standard
input, asks the gateway, and answers in the agent's hook format: allow, or deny with the reason
(the agent sees it). When no gateway answers it fails closed (deny) unless --when-unreachable says
otherwise.

Claude Code: add to .claude/settings.json

  {"hooks": {"PreToolUse": [{"matcher": "Bash",
    "hooks": [{"type": "command", "command": "aleph hook claude-code"}]}]}}

Codex: add to ~/.codex/hooks.json (or a project's .codex/hooks.json), then trust it in /hooks

  {"hooks": {"PreToolUse": [{"matcher": "^Bash$",
    "hooks": [{"type": "command", "command": "aleph hook codex", "timeout": 600}]}]}}

Codex hooks cannot ask or allow outright: there, an allowed command (and "ask") goes on to
Codex's own approval settings, and a denied one is blocked with Aleph's reason.`;

type HookDecision = 'allow' | 'deny' | 'ask';

/** One agent's hook dialect: its default patience, and how a decision is printed. */
interface HookAgent {
  /** How long to wait for a person, within the agent's own hook timeout. */
  readonly timeoutMs: number;
  /** What to print for a decision; '' prints nothing (the agent's own rules decide). */
  readonly render: (decision: HookDecision, reason: string) => string;
}

function preToolUse(permission: HookDecision, reason: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: permission, permissionDecisionReason: reason } });
}

const AGENTS: Readonly<Record<string, HookAgent>> = {
  // Claude Code gives a hook 60 s by default.
  'claude-code': { timeoutMs: 55_000, render: preToolUse },
  // Codex gives a hook 600 s by default, and accepts only deny (an allow or ask is an error there).
  codex: { timeoutMs: 590_000, render: (decision, reason) => (decision === 'deny' ? preToolUse('deny', reason) : '') },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

export const command = defineCommand({
  help: HOOK_HELP,
  subcommands: Object.keys(AGENTS),
  unknown: (name) => `Unknown agent "${name}"; aleph hook knows ${Object.keys(AGENTS).join(' and ')}.`,
  options: { 'timeout-ms': { value: true }, 'when-unreachable': { value: true } },
  run: hook,
});

async function hook({ sub: name, args, io }: Invocation): Promise<number> {
  const agent = AGENTS[name]!;
  const unreachable = (value(args, 'when-unreachable') ?? 'deny') as HookDecision;
  if (!['deny', 'ask', 'allow'].includes(unreachable)) return io.usage('--when-unreachable must be deny, ask or allow.');
  const timeout = Number(value(args, 'timeout-ms') ?? agent.timeoutMs);
  if (!Number.isInteger(timeout) || timeout < 1) return io.usage('--timeout-ms needs a whole number of milliseconds.');
  const say = (decision: HookDecision, reason: string): number => {
    const text = agent.render(decision, reason);
    if (text !== '') io.out(text);
    return EXIT.ok;
  };

  // Codex runs the tool anyway when a hook crashes: every failure must still print a decision.
  try {
    return await decide(name, timeout, unreachable, say, io);
  } catch (error) {
    return say('deny', `Aleph could not decide (${(error as Error).message}), so it fails closed.`);
  }
}

async function decide(name: string, timeout: number, unreachable: HookDecision, say: (d: HookDecision, reason: string) => number, io: Io): Promise<number> {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(await readAll(io.stdin)) as Record<string, unknown>;
  } catch {
    return say('deny', 'Aleph could not read the hook input, so it cannot vouch for this command.');
  }
  const toolInput = (input.tool_input ?? {}) as Record<string, unknown>;
  // Only shell commands are Aleph's to judge; any other tool follows the agent's own rules.
  if (input.tool_name !== 'Bash') return EXIT.ok;
  const command = toolInput.command;
  if (typeof command !== 'string' || command.trim() === '') return say('deny', 'The Bash tool call has no command.');
  const cwd = typeof input.cwd === 'string' && input.cwd.startsWith('/') ? input.cwd : io.cwd;
  const session = typeof input.session_id === 'string' && input.session_id !== '' ? input.session_id : name;

  let client;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return say(unreachable, `The Aleph gateway is unreachable (${error.message}).`);
  }
  const id = randomBytes(8).toString('hex');
  client.send({ type: 'approval_request', id, request: { command, cwd, agent_id: name, session_key: session, path: io.env.PATH ?? '' }, timeout_ms: timeout });
  const answer = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' | 'error' }> => (m.type === 'approval_decision' && m.id === id) || m.type === 'error', timeout + 2_000);
  client.close();
  // A gateway that answers with something unreadable, or refuses the request, is not a gateway out of reach: deny.
  if (answer === null && client.failure !== null) return say('deny', `Aleph: ${client.failure.message}`);
  if (answer === null) return say(unreachable, 'The Aleph gateway did not answer in time.');
  if (answer.type === 'error') return say('deny', `Aleph refused the request: ${answer.message}`);
  return say(answer.decision === 'deny' ? 'deny' : 'allow', `Aleph: ${answer.reason} (risk ${answer.risk.level}, decided by ${answer.resolved_by})`);
}
