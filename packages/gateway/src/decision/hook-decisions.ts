/**
 * What an agent's hook decided by itself, written to the audit log: a file, web or MCP tool call
 * judged on the spot (inside the project, a credential, a granted domain, an MCP rule). The hook
 * waits for `result_recorded` before it lets the call through, so nothing it allows goes
 * unrecorded; a call it puts to a person comes as an approval_request instead.
 *
 * Why the hook judges and the gateway records, rather than the gateway judging: the judgement
 * needs the agent's own view of the machine (the project directory the agent names for its hooks,
 * where each path leads from the agent's cwd) and the hooks' settings, and it is no shell command
 * for the policy to classify; what a person is asked about does reach the gateway's queue, its
 * rules and the console.
 */
import type { ClientMessage } from '@aleph/protocol';
import { whenDurable, type Outbox } from '../outbox/outbox.js';
import type { Peer, Reply } from '../transport/peer.js';
import { agentOf } from './automatic.js';

export function recordHookDecision(outbox: Outbox, peer: Peer, m: Extract<ClientMessage, { type: 'hook_decision' }>, reply: Reply): void {
  const d = m.decision;
  const agent = agentOf(peer, d.agent_id);
  outbox.push({
    event: {
      event: 'hook_decision',
      request_id: m.id,
      tool: d.tool,
      target: d.target,
      decision: d.decision,
      reason: d.reason,
      agent,
      cwd: d.cwd,
      session: d.session_key,
      actor: agent,
    },
    ...whenDurable(reply, { type: 'result_recorded', id: m.id }),
  });
}
