/** How an allowed shell command runs when no person chose it: what the agent's rules grant, or confined. */
import { CONFINED, type AllowRule, type Confinement, type NetworkGrant } from '@aleph/protocol';

/**
 * The confinement of a command the agent's allow rules let run: each rule grants its own part
 * (absent: confined, no network), and the one sandbox they run in gets the union of their
 * networks. Unconfined only when every rule that allowed it says so: a part allowed confined
 * keeps the whole command in the sandbox. No rule: confined, no network.
 */
export function ruleConfinement(rules: readonly AllowRule[]): Confinement {
  const given = rules.map((r) => r.confinement ?? CONFINED);
  if (given.length > 0 && given.every((c) => c.kind === 'unconfined')) return { kind: 'unconfined' };
  let network: NetworkGrant = { kind: 'deny' };
  for (const c of given) if (c.kind === 'sandbox') network = widest(network, c.network);
  return network.kind === 'deny' ? CONFINED : { kind: 'sandbox', network };
}

function widest(a: NetworkGrant, b: NetworkGrant): NetworkGrant {
  if (a.kind === 'allow_all' || b.kind === 'allow_all') return { kind: 'allow_all' };
  if (a.kind === 'deny') return b;
  if (b.kind === 'deny') return a;
  return { kind: 'allow_domains', domains: [...new Set([...a.domains, ...b.domains])] };
}
