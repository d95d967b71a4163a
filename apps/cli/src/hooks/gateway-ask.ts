/**
 * Asks the running gateway, as `aleph exec` does: the policy, the agent's rules, and a person when
 * they say so. The request is written to the audit log either way. A gateway out of reach answers
 * as the hook was told (`--when-unreachable`, deny by default); a gateway that answers with
 * something unreadable, or refuses, is no gateway out of reach: deny.
 */
import { randomBytes } from 'node:crypto';
import { GatewayError } from '@aleph/gateway/requester';
import type { GatewayMessage } from '@aleph/protocol';
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

export async function askGateway(q: GatewayQuestion, io: Io): Promise<Verdict> {
  let client;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { decision: q.unreachable, reason: `The Aleph gateway is unreachable (${error.message}).` };
  }
  const id = randomBytes(8).toString('hex');
  client.send({
    type: 'approval_request',
    id,
    request: { command: q.command, cwd: q.cwd, agent_id: q.agent, session_key: q.session, path: io.env.PATH ?? '' },
    timeout_ms: q.timeoutMs,
    ...(q.runTicket === true ? { run_ticket: true } : {}),
  });
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' | 'error' }> =>
      (m.type === 'approval_decision' && m.id === id) || m.type === 'error',
    q.timeoutMs + 2_000,
  );
  client.close();
  if (answer === null && client.failure !== null) return deny(`Aleph: ${client.failure.message}`);
  if (answer === null) return { decision: q.unreachable, reason: 'The Aleph gateway did not answer in time.' };
  if (answer.type === 'error') return deny(`Aleph refused the request: ${answer.message}`);
  const reason = `Aleph: ${answer.reason} (risk ${answer.risk.level}, decided by ${answer.resolved_by})`;
  if (answer.decision === 'deny') return deny(reason);
  if (q.runTicket !== true) return allow(reason, answer.decision === 'allow-always');
  if (answer.run_ticket === undefined) return deny(`${reason}, but the gateway issued no run ticket, and Aleph does not let the command run unconfined.`);
  return { ...allow(reason, answer.decision === 'allow-always'), runTicket: answer.run_ticket };
}
