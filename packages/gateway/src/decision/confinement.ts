/**
 * How an allowed shell command runs when no person chose it: what the agent's rules grant, widened
 * by what the owner set for the agent's sandbox in the configuration; confined otherwise.
 */
import { CONFINED, type AllowRule, type Confinement, type NetworkGrant } from '@aleph/protocol';
import type { SandboxSettings } from '../config/config.js';

/**
 * The owner's standing choice for an agent (`sandbox` in the configuration): no sandbox where they
 * turned it off, all of the network where they granted it, else confined with no network.
 */
export function settingsConfinement(settings: Pick<SandboxSettings, 'enabled' | 'network'>): Confinement {
  if (!settings.enabled) return { kind: 'unconfined' };
  return settings.network === 'all' ? { kind: 'sandbox', network: { kind: 'allow_all' } } : CONFINED;
}

/** The wider of two confinements: unconfined if either is, else one sandbox with both networks. */
export function wider(a: Confinement, b: Confinement): Confinement {
  if (a.kind === 'unconfined' || b.kind === 'unconfined') return { kind: 'unconfined' };
  const network = widest(a.network, b.network);
  return network.kind === 'deny' ? CONFINED : { kind: 'sandbox', network };
}

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
