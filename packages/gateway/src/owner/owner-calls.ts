/**
 * The owner's calls (`call` messages): the audit log's search, verify and overview, the web
 * console's link, the policy and its rules, and the identity operations.
 */
import type { AuditStore } from '@aleph/audit';
import { fail, ok, type ClientMessage, type Result } from '@aleph/protocol';
import { sandboxAvailability } from '@aleph/sandbox';
import type { IdentityCalls } from '../admission/identity-calls.js';
import type { LiveConfig } from '../config/live-config.js';
import { policyView } from '../decision/policy-changes.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Peer, Reply } from '../transport/peer.js';
import { auditOverview, auditSearch, verifyChain } from './audit-calls.js';

/** What the owner's calls reach. */
export interface OwnerCallSteps {
  readonly outbox: Outbox;
  readonly audit: AuditStore;
  readonly config: LiveConfig;
  readonly identityCalls: IdentityCalls;
  /** A fresh one-time sign-in link to the web console, or null when it is not served. */
  readonly consoleLoginUrl: () => string | null;
}

/** One owner's call, answered (a change once it is durable). */
export function ownerCall(peer: Peer, m: Extract<ClientMessage, { type: 'call' }>, reply: Reply, steps: OwnerCallSteps): void {
  const call = m.call;
  const answer = (r: Result<unknown>): void =>
    reply(r.ok ? { type: 'result', id: m.id, result: r.value } : { type: 'error', code: r.error.code, message: r.error.message, id: m.id });
  switch (call.method) {
    case 'audit.search':
      // What was just appended is searchable at once, not a moment later.
      steps.outbox.flush();
      answer(auditSearch(steps.audit, call));
      return;
    case 'audit.verify':
      steps.outbox.flush();
      verifyChain(steps.audit, answer);
      return;
    case 'audit.overview':
      // What was just appended is counted too.
      steps.outbox.flush();
      auditOverview(steps.audit, { range: call.range, sandbox: sandboxAvailability(), sandboxSettings: steps.config.value.sandbox }, answer);
      return;
    case 'console.link': {
      const link = steps.consoleLoginUrl();
      answer(link === null ? fail('console_off', 'This gateway serves no web console; start it with --console.') : ok({ link }));
      return;
    }
    case 'policy.get':
      steps.config.refresh(true);
      reply({ type: 'result', id: m.id, result: policyView(steps.config.value, Date.now()) });
      return;
    case 'policy.set_mode':
    case 'rules.add':
    case 'rules.remove':
    case 'rules.import': {
      const changed = steps.config.changePolicy(call, peer.identity.identity_id, Date.now());
      steps.outbox.push({ deliver: () => answer(changed), refuse: (f) => answer(fail(f.code, f.message)) });
      return;
    }
    default:
      steps.identityCalls.call((identities, now) => identities.ownerCall(call, now, peer.identity.identity_id), answer);
  }
}
