/**
 * The owner's calls on modes and rules (the console's Policies screen): what is in force, and
 * changes to it. Each change returns the new configuration and the audit events that record it,
 * the same events `aleph mode set` and `aleph rules` record; writing both is the gateway's business.
 */
import { fail, ok, rationaleOf, type PolicyCall, type PolicyView, type Result, type RuleDraft, type RuleView } from '@aleph/protocol';
import { own, withMode, type GatewayConfig, type StoredRule } from '../config/config.js';
import { isExpired, ruleChangeEvent, withoutRule, withRule } from './agent-rules.js';

export interface PolicyChange {
  readonly config: GatewayConfig;
  readonly events: readonly Record<string, unknown>[];
  readonly result: unknown;
}

/** The default mode, each agent the configuration knows, and every rule in force now. */
export function policyView(config: GatewayConfig, now: number): PolicyView {
  const agents = Object.entries(config.agents).map(([agent, settings]) => ({ agent, mode: settings.mode ?? null }));
  const rules = Object.entries(config.agents).flatMap(([agent, settings]) => settings.rules.filter((r) => !isExpired(r, now)).map((r) => ruleView(agent, r)));
  return { default_mode: config.defaults.mode, agents, rules };
}

export function ruleView(agent: string, r: StoredRule): RuleView {
  return {
    id: r.id,
    agent,
    action: r.action,
    kind: r.kind,
    pattern: r.pattern,
    ...rationaleOf(r),
    message: r.message ?? null,
    session: r.session ?? null,
    source: r.source,
    created_at: r.created_at,
    last_used_at: r.last_used_at ?? null,
    expires_at: r.expires_at ?? null,
    ...(r.confinement === undefined ? {} : { confinement: r.confinement }),
  };
}

/** Applies one change to the configuration, made by `actor` (an identity id); nothing changes when it fails. */
export function applyPolicyCall(config: GatewayConfig, call: Exclude<PolicyCall, { method: 'policy.get' }>, now: number, actor: string): Result<PolicyChange> {
  switch (call.method) {
    case 'policy.set_mode': {
      const from = call.agent === undefined ? config.defaults.mode : (own(config.agents, call.agent)?.mode ?? config.defaults.mode);
      const next = withMode(config, call.agent, call.mode);
      const event = { event: 'security_mode_change', from, to: call.mode, actor, ...(call.agent === undefined ? {} : { agent: call.agent }) };
      return ok({ config: next, events: [event], result: { agent: call.agent ?? null, from, to: call.mode } });
    }
    case 'rules.add': {
      const added = addDrafts(config, [call], 'manual', now, actor);
      return added.ok ? ok({ ...added.value, result: { rule: added.value.added[0] } }) : added;
    }
    case 'rules.import': {
      const added = addDrafts(config, call.rules, 'import', now, actor);
      return added.ok ? ok({ ...added.value, result: { imported: added.value.added.length } }) : added;
    }
    case 'rules.remove': {
      const removed = withoutRule(config, call.id);
      if (removed === null) return fail('unknown_rule', `No rule has the ID ${call.id}.`);
      return ok({
        config: removed.config,
        events: [ruleChangeEvent('removed', removed.agent, removed.rule, actor)],
        result: { removed: ruleView(removed.agent, removed.rule) },
      });
    }
  }
}

/** Adds every draft or none: a draft that has already expired is refused by its place in the list. */
function addDrafts(
  config: GatewayConfig,
  drafts: readonly RuleDraft[],
  source: string,
  now: number,
  actor: string,
): Result<{ config: GatewayConfig; events: Record<string, unknown>[]; added: RuleView[] }> {
  const late = drafts.findIndex((d) => d.expires_at !== undefined && Date.parse(d.expires_at) <= now);
  if (late >= 0) return fail('invalid_params', `${drafts.length > 1 ? `rules[${late}]: ` : ''}the rule expired at ${drafts[late]!.expires_at}.`);
  let next = config;
  const events: Record<string, unknown>[] = [];
  const added: RuleView[] = [];
  for (const d of drafts) {
    const stored = withRule(
      next,
      d.agent,
      {
        kind: d.kind,
        pattern: d.pattern,
        ...rationaleOf(d),
        action: d.action,
        source,
        message: d.message ?? null,
        expires_at: d.expires_at ?? null,
        ...(d.confinement === undefined ? {} : { confinement: d.confinement }),
      },
      now,
    );
    next = stored.config;
    events.push(ruleChangeEvent('added', d.agent, stored.rule, actor));
    added.push(ruleView(d.agent, stored.rule));
  }
  return ok({ config: next, events, added });
}
