import { randomBytes } from 'node:crypto';
import { GatewayError } from '@aleph/gateway';
import type { GatewayMessage } from '@aleph/protocol';
import { parseArgs, value } from './args.js';
import { connectGateway } from './connect.js';
import { EXIT, type Io } from './io.js';

export const HOOK_HELP = `Usage: aleph hook claude-code [--timeout-ms N] [--when-unreachable deny|ask|allow]

A PreToolUse hook for Claude Code's Bash tool. Reads the hook's JSON on standard input, asks the
gateway, and prints the hook decision: allow, or deny with the reason (Claude sees it). When no
gateway answers it fails closed (deny) unless --when-unreachable says otherwise. Add to
.claude/settings.json:

  {"hooks": {"PreToolUse": [{"matcher": "Bash",
    "hooks": [{"type": "command", "command": "aleph hook claude-code"}]}]}}`;

type HookDecision = 'allow' | 'deny' | 'ask';

function decision(permission: HookDecision, reason: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: permission, permissionDecisionReason: reason } });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text;
}

export async function hookCommand(argv: readonly string[], io: Io): Promise<number> {
  const [agent, ...rest] = argv;
  if (agent === undefined || agent === '--help' || agent === 'help') {
    io.out(HOOK_HELP);
    return agent === undefined ? EXIT.usage : EXIT.ok;
  }
  if (agent !== 'claude-code') return io.usage(`Unknown agent "${agent}"; aleph hook knows claude-code.\n\n${HOOK_HELP}`);
  const parsed = parseArgs(rest, { 'timeout-ms': { value: true }, 'when-unreachable': { value: true } });
  if (!parsed.ok) return io.usage(parsed.error.message);
  const unreachable = (value(parsed.value, 'when-unreachable') ?? 'deny') as HookDecision;
  if (!['deny', 'ask', 'allow'].includes(unreachable)) return io.usage('--when-unreachable must be deny, ask or allow.');
  // Claude Code gives a hook 60 s by default: decide before it gives up on us.
  const timeout = Number(value(parsed.value, 'timeout-ms') ?? 55_000);
  if (!Number.isInteger(timeout) || timeout < 1) return io.usage('--timeout-ms needs a whole number of milliseconds.');

  let input: Record<string, unknown>;
  try {
    input = JSON.parse(await readAll(io.stdin)) as Record<string, unknown>;
  } catch {
    io.out(decision('deny', 'Aleph could not read the hook input, so it cannot vouch for this command.'));
    return EXIT.ok;
  }
  const toolInput = (input.tool_input ?? {}) as Record<string, unknown>;
  // Only shell commands are Aleph's to judge; any other tool follows Claude Code's own rules.
  if (input.tool_name !== 'Bash') return EXIT.ok;
  const command = toolInput.command;
  if (typeof command !== 'string' || command.trim() === '') {
    io.out(decision('deny', 'The Bash tool call has no command.'));
    return EXIT.ok;
  }
  const cwd = typeof input.cwd === 'string' && input.cwd.startsWith('/') ? input.cwd : io.cwd;
  const session = typeof input.session_id === 'string' && input.session_id !== '' ? input.session_id : 'claude-code';

  let client;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    io.out(decision(unreachable, `The Aleph gateway is unreachable (${error.message}).`));
    return EXIT.ok;
  }
  const id = randomBytes(8).toString('hex');
  client.send({ type: 'approval_request', id, request: { command, cwd, agent_id: 'claude-code', session_key: session }, timeout_ms: timeout });
  const answer = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision' && m.id === id, timeout + 2_000);
  client.close();
  if (answer === null) io.out(decision(unreachable, 'The Aleph gateway did not answer in time.'));
  else io.out(decision(answer.decision === 'deny' ? 'deny' : 'allow', `Aleph: ${answer.reason} (risk ${answer.risk.level}, decided by ${answer.resolved_by})`));
  return EXIT.ok;
}
