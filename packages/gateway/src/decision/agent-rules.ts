/**
 * Agents' rules in the configuration: which apply to a request now, and changes to them. Every
 * change returns a new configuration; writing it is the caller's (gateway or CLI) business.
 */
import { randomBytes } from 'node:crypto';
import { rationaleOf, type AllowRule, type RuleAction, type RuleRationale } from '@aleph/protocol';
import { own, type GatewayConfig, type StoredRule } from '../config/config.js';

/** An agent's rules that apply now to a request of this session: unexpired, and session grants only for their session. */
export function liveRules(config: GatewayConfig, agent: string, session: string, now: number): StoredRule[] {
  const rules = own(config.agents, agent)?.rules ?? [];
  return rules.filter((r) => !isExpired(r, now) && (r.session === null || r.session === undefined || r.session === session));
}

export function isExpired(rule: StoredRule, now: number): boolean {
  return rule.expires_at !== null && rule.expires_at !== undefined && Date.parse(rule.expires_at) <= now;
}

export interface NewRule extends AllowRule, RuleRationale {
  readonly action: RuleAction;
  readonly source: string;
  readonly message?: string | null;
  readonly session?: string | null;
  readonly expires_at?: string | null;
}

/**
 * Adds a rule for the agent, dropping expired ones on the way. A rule with the same match, action
 * and session replaces the old one (a new grant renews an old grant rather than piling up).
 */
export function withRule(config: GatewayConfig, agent: string, rule: NewRule, now: number): { config: GatewayConfig; rule: StoredRule } {
  const stored: StoredRule = {
    kind: rule.kind,
    pattern: rule.pattern,
    ...rationaleOf(rule),
    id: randomBytes(6).toString('hex'),
    action: rule.action,
    message: rule.message ?? null,
    session: rule.session ?? null,
    source: rule.source,
    created_at: new Date(now).toISOString(),
    last_used_at: null,
    expires_at: rule.expires_at ?? null,
    ...(rule.confinement === undefined ? {} : { confinement: rule.confinement }),
  };
  const settings = own(config.agents, agent) ?? { rules: [] };
  const same = (r: StoredRule): boolean =>
    r.kind === stored.kind && r.pattern === stored.pattern && r.action === stored.action && (r.session ?? null) === stored.session;
  const rules = [...settings.rules.filter((r) => !isExpired(r, now) && !same(r)), stored];
  return { config: { ...config, agents: { ...config.agents, [agent]: { ...settings, rules } } }, rule: stored };
}

/** Removes the rule with this id from whichever agent has it; null when no agent does. */
export function withoutRule(config: GatewayConfig, id: string): { config: GatewayConfig; agent: string; rule: StoredRule } | null {
  for (const [agent, settings] of Object.entries(config.agents)) {
    const rule = settings.rules.find((r) => r.id === id);
    if (rule === undefined) continue;
    return { config: { ...config, agents: { ...config.agents, [agent]: { ...settings, rules: settings.rules.filter((r) => r !== rule) } } }, agent, rule };
  }
  return null;
}

/** The audit event that records a rule's coming or going. */
export function ruleChangeEvent(change: 'added' | 'removed', agent: string, rule: StoredRule, actor: string): Record<string, unknown> {
  return { event: 'rule_change', change, agent, rule: { ...rule }, actor };
}

/** Notes that these rules were used at `at` (ISO time). */
export function withRulesUsed(config: GatewayConfig, agent: string, used: readonly StoredRule[], at: string): GatewayConfig {
  const settings = own(config.agents, agent);
  if (settings === undefined || used.length === 0) return config;
  const rules = settings.rules.map((r) => (used.includes(r) ? { ...r, last_used_at: at } : r));
  return { ...config, agents: { ...config.agents, [agent]: { ...settings, rules } } };
}

/** How a rule reads in a sentence: `prefix rule "npm run test:*"`. */
export function describeRule(rule: AllowRule): string {
  return `${rule.kind} rule "${rule.pattern}"`;
}
