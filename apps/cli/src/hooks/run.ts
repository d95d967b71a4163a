/**
 * `aleph hook AGENT`: one tool call in, one verdict out, in the agent's dialect. It runs before
 * every tool call an agent makes, so it loads only what it needs (no command table, no policy, no
 * audit store), and it never fails open: every error, a broken input of any shape, and a usage
 * error in its own flags, is a deny with the reason. It never prints help on standard output,
 * which the agent reads as the answer.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { alephHome } from '@aleph/gateway/requester';
import { parseArgs, value } from '../args.js';
import { EXIT, type Io } from '../io.js';
import { AGENT_NAMES, DIALECTS, eventOf, isAgentName, type AgentName, type Call, type Dialect } from './dialects.js';
import { askConfined, shellWord } from './confine.js';
import { askGateway, recordVerdict, type GatewayContext } from './gateway-ask.js';
import { HOOK_HELP } from './help.js';
import { loadHookConfig } from './hook-config.js';
import { object, parseInput, readInput, text, type HookInput } from './input.js';
import { judgeFile } from './judge-files.js';
import { judgeMcp } from './judge-mcp.js';
import { judgeFetch, judgeSearch } from './judge-web.js';
import { deny, type Decision, type Verdict } from './verdict.js';

const OPTIONS = { 'timeout-ms': { value: true }, 'when-unreachable': { value: true }, help: {} } as const;

interface Settings {
  readonly timeoutMs: number;
  readonly unreachable: Decision;
}

export async function runHook(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'help' || argv.includes('--help')) {
    io.out(HOOK_HELP);
    return EXIT.ok;
  }
  const [name, ...rest] = argv;
  // No agent to answer in the dialect of: exit 2 with the reason on standard error, which every
  // agent here documents as a block.
  if (!isAgentName(name)) {
    io.err(
      `aleph hook: ${name === undefined ? 'no agent named' : `unknown agent "${name}"`}; aleph hook knows ${AGENT_NAMES.join(', ')}. The tool call is refused.`,
    );
    return EXIT.usage;
  }
  const dialect = DIALECTS[name];
  const settings = parseSettings(rest, dialect);
  const say = (event: string, verdict: Verdict | null, input: HookInput): number => {
    const out = dialect.render(event, verdict, input);
    if (out !== '') io.out(out);
    return EXIT.ok;
  };
  let event = dialect.events[0]!;
  let input: HookInput = {};
  // An agent may run the tool when a hook crashes: every failure still prints a decision.
  try {
    const read = await readInput(io.stdin);
    const parsed = read.ok ? parseInput(read.value) : read;
    if (parsed.ok) input = parsed.value;
    if (!settings.ok) {
      io.err(`aleph hook: ${settings.reason}`);
      return say(eventOf(dialect, input) ?? event, deny(`Aleph refuses the call: its hook is misconfigured (${settings.reason})`), input);
    }
    if (!parsed.ok) return say(event, deny(`Aleph could not read the hook input (${parsed.error.message}), so it cannot vouch for this call.`), input);
    const named = eventOf(dialect, input);
    if (named === undefined)
      return say(
        event,
        deny(
          `Aleph answers ${dialect.events.join(' and ')} hooks; the input names ${JSON.stringify(input.hook_event_name ?? null)}, so it cannot vouch for this call.`,
        ),
        input,
      );
    event = named;
    return say(event, await decide(name, dialect, settings.value, input, io), input);
  } catch (error) {
    return say(event, deny(`Aleph could not decide (${(error as Error).message}), so it fails closed.`), input);
  }
}

function parseSettings(argv: readonly string[], dialect: Dialect): { ok: true; value: Settings } | { ok: false; reason: string } {
  const parsed = parseArgs(argv, OPTIONS);
  if (!parsed.ok) return { ok: false, reason: parsed.error.message };
  if (parsed.value.operands.length > 0) return { ok: false, reason: `unexpected argument "${parsed.value.operands[0]}".` };
  const unreachable = value(parsed.value, 'when-unreachable') ?? 'deny';
  if (unreachable !== 'deny' && unreachable !== 'ask' && unreachable !== 'allow')
    return { ok: false, reason: '--when-unreachable must be deny, ask or allow.' };
  const timeout = Number(value(parsed.value, 'timeout-ms') ?? dialect.timeoutMs);
  if (!Number.isInteger(timeout) || timeout < 1) return { ok: false, reason: '--timeout-ms needs a whole number of milliseconds.' };
  return { ok: true, value: { timeoutMs: timeout, unreachable } };
}

async function decide(agent: AgentName, dialect: Dialect, settings: Settings, input: HookInput, io: Io): Promise<Verdict | null> {
  const tool = text(input, 'tool_name');
  if (tool === undefined || tool === '') return deny('The hook input names no tool, so Aleph cannot vouch for this call.');
  const toolInput = object(input, 'tool_input') ?? {};
  const call = dialect.classify(tool, toolInput);
  if (call.kind === 'other') return null;
  const given = text(input, 'cwd');
  const cwd = given !== undefined && isAbsolute(given) ? given : io.cwd;
  const session = text(input, 'session_id') || agent;
  const context: GatewayContext = { cwd, agent, session, timeoutMs: settings.timeoutMs, unreachable: settings.unreachable };
  const ask = (command: string, dir = cwd): Promise<Verdict> => askGateway({ ...context, command, cwd: dir }, io);

  if (call.kind === 'shell') {
    if (typeof call.command !== 'string' || call.command.trim() === '') return deny(`The ${tool} tool call has no command.`);
    const dir = typeof call.dir === 'string' && call.dir !== '' ? resolve(cwd, call.dir) : cwd;
    const event = eventOf(dialect, input);
    if (event !== undefined && dialect.confinesOn?.includes(event) === true) return askConfined({ ...context, command: call.command, cwd: dir }, io);
    return ask(call.command, dir);
  }
  const local = judgeLocally(tool, call, cwd, dialect, io);
  // Decided on the spot: the gateway writes it to the audit log before the hook answers.
  if (local.decision !== 'ask') return recordVerdict(context, { tool, target: targetOf(call) }, local, io);
  // A person decides, through the gateway, which also writes it to the audit log; the command
  // the owner is shown names the tool and what it touches.
  const answer = await ask(describe(tool, call, toolInput));
  return answer.decision === 'deny' ? deny(`${local.reason} ${answer.reason}`) : answer;
}

function judgeLocally(tool: string, call: Exclude<Call, { kind: 'shell' | 'other' }>, cwd: string, dialect: Dialect, io: Io): Verdict {
  if (call.kind === 'file') {
    const variable = dialect.projectVariable === undefined ? undefined : io.env[dialect.projectVariable];
    const project = variable !== undefined && isAbsolute(variable) ? variable : cwd;
    return judgeFile(tool, call.path, call.access, { project, cwd, home: io.env.HOME ?? homedir(), alephHome: alephHome(io.env) });
  }
  const config = loadHookConfig(alephHome(io.env));
  if (!config.ok) return deny(`Aleph cannot read its hook settings: ${config.error.message}`);
  if (call.kind === 'fetch') return judgeFetch(tool, call.url, config.value.allowDomains);
  if (call.kind === 'search') return judgeSearch(tool, call.query, call.domains, config.value.allowDomains);
  return judgeMcp(call.name, config.value.mcpRules);
}

/** What a call names: the path, the URL, the search, or the MCP server and tool (`memory/create_entities`). */
function targetOf(call: Exclude<Call, { kind: 'shell' | 'other' }>): string {
  const subject =
    call.kind === 'file' ? call.path : call.kind === 'fetch' ? call.url : call.kind === 'search' ? call.query : `${call.name.server}/${call.name.tool}`;
  return typeof subject === 'string' && subject !== '' ? subject : JSON.stringify(subject ?? null);
}

/** The request the owner sees, e.g. `Write /home/me/notes.txt`: the tool, then what it names (an MCP tool's arguments), shell-quoted. */
function describe(tool: string, call: Exclude<Call, { kind: 'shell' | 'other' }>, toolInput: HookInput): string {
  return `${tool} ${shellWord(call.kind === 'mcp' ? JSON.stringify(toolInput).slice(0, 4096) : targetOf(call))}`;
}
