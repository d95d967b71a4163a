/**
 * The hook's two ways through the running gateway, on the socket `aleph exec` uses: ask it to
 * decide (the policy, the agent's rules, a person when they say so), or have it record what the
 * hook decided by itself. Either way the call is in the audit log before the hook answers. A
 * gateway out of reach answers as the hook was told (`--when-unreachable`, deny by default); a
 * gateway that answers with something unreadable, or refuses, is no gateway out of reach: deny.
 */
import { randomBytes } from 'node:crypto';
import { GatewayError, type GatewayClient } from '@aleph/gateway/requester';
import type { ClientMessage, GatewayMessage } from '@aleph/protocol';
import { connectGateway } from '../connect.js';
import type { Io } from '../io.js';
import { allow, deny, type Decision, type Verdict } from './verdict.js';

export interface GatewayQuestion {
  /** What the owner is shown and the audit log keeps: a shell command, or `Write /path` for a file tool. */
  readonly command: string;
  readonly cwd: string;
  readonly agent: string;
  readonly session: string;
  readonly timeoutMs: number;
  readonly unreachable: Decision;
  /** Ask for a run ticket with an allow (confine.ts): an allow without one is refused. */
  readonly runTicket?: boolean;
}

/** Who asks, from where, and how long to wait: all of a question but the command. */
export type GatewayContext = Omit<GatewayQuestion, 'command'>;

/** A tool call the hook decided by itself: the tool, and the path, URL or `server/tool` it names. */
export interface HookRecord {
  readonly tool: string;
  readonly target: string;
}

type Answer = Extract<GatewayMessage, { type: 'approval_decision' | 'result_recorded' | 'error' }>;

/**
 * Sends one message and waits for its answer; a verdict instead when there is none to read: the
 * gateway out of reach or silent (as the hook was told), or its connection broken (deny).
 */
async function exchange(q: GatewayContext, io: Io, message: (id: string) => ClientMessage): Promise<Answer | Verdict> {
  let client: GatewayClient;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { decision: q.unreachable, reason: `The Aleph gateway is unreachable (${error.message}).` };
  }
  const id = randomBytes(8).toString('hex');
  client.send(message(id));
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Answer => ((m.type === 'approval_decision' || m.type === 'result_recorded') && m.id === id) || m.type === 'error',
    q.timeoutMs + 2_000,
  );
  client.close();
  if (answer === null && client.failure !== null) return deny(`Aleph: ${client.failure.message}`);
  if (answer === null) return { decision: q.unreachable, reason: 'The Aleph gateway did not answer in time.' };
  return answer;
}

export async function askGateway(q: GatewayQuestion, io: Io): Promise<Verdict> {
  const answer = await exchange(q, io, (id) => ({
    type: 'approval_request',
    id,
    request: { command: q.command, cwd: q.cwd, agent_id: q.agent, session_key: q.session, path: io.env.PATH ?? '' },
    timeout_ms: q.timeoutMs,
    ...(q.runTicket === true ? { run_ticket: true } : {}),
  }));
  if (!('type' in answer)) return answer;
  if (answer.type === 'error') return deny(`Aleph refused the request: ${answer.message}`);
  if (answer.type !== 'approval_decision') return deny('Aleph: the gateway answered something other than a decision.');
  const reason = `Aleph: ${answer.reason} (risk ${answer.risk.level}, decided by ${answer.resolved_by})`;
  if (answer.decision === 'deny') return deny(reason);
  if (q.runTicket !== true) return allow(reason, answer.decision === 'allow-always');
  if (answer.run_ticket === undefined) return deny(`${reason}, but the gateway issued no run ticket, and Aleph does not let the command run unconfined.`);
  return { ...allow(reason, answer.decision === 'allow-always'), runTicket: answer.run_ticket };
}

/**
 * Has the gateway write the hook's own allow or deny to the audit log, and answers it once it is
 * written. An allow the gateway cannot record is not given: it becomes what the hook does when the
 * gateway is out of reach (deny by default), or a deny when the gateway refuses it.
 */
export async function recordVerdict(q: GatewayContext, record: HookRecord, verdict: Verdict, io: Io): Promise<Verdict> {
  const decision = verdict.decision;
  if (decision === 'ask') throw new Error('a verdict for a person is asked, not recorded');
  const answer = await exchange(q, io, (id) => ({
    type: 'hook_decision',
    id,
    decision: {
      agent_id: q.agent,
      session_key: q.session,
      cwd: q.cwd,
      tool: record.tool,
      target: record.target,
      decision,
      reason: verdict.reason,
    },
  }));
  if (decision === 'deny') return verdict;
  if (!('type' in answer)) return answer.decision === 'allow' ? verdict : { decision: answer.decision, reason: `${verdict.reason} ${answer.reason}` };
  if (answer.type === 'result_recorded') return verdict;
  return deny(`${verdict.reason} Aleph could not record it (${answer.type === 'error' ? answer.message : 'an unexpected answer'}), so it is refused.`);
}
