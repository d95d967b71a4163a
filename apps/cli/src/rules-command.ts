import { alephHome, isExpired, loadConfig, ruleExampleFailure, type StoredRule } from '@aleph/gateway';
import { CommandPolicy } from '@aleph/policy';
import {
  describeConfinement,
  formatDuration,
  parseDuration,
  parseRuleRationale,
  parseRuleText,
  RULE_ACTIONS,
  type RuleAction,
  type RuleView,
  visibleText,
} from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { changePolicy } from './changes.js';
import { EXIT } from './io.js';
import { styleFor } from './style.js';

export const RULES_HELP = `Usage: aleph rules list [--agent ID] [--json]
       aleph rules add --agent ID --action deny|ask|allow KIND:PATTERN [--message TEXT] [--for DURATION]
                       [--why TEXT] [--example COMMAND]... [--not-example COMMAND]... [--json]
       aleph rules remove RULE_ID [--json]

An agent's rules, evaluated deny first, then ask, then allow. A deny rule refuses a command when
any part of it matches, and its --message is told to the agent; an ask rule sends a command to a
person even when it would run; an allow rule lets a command that needs approval run (never one
the policy blocks). KIND is exact, prefix or path: 'prefix:git push *', 'path:/usr/local/bin/*'.
--for makes the rule expire (15m, 2h, 7d). --why says what the rule is for; --example gives a
command the rule must decide and --not-example a near one it must leave alone (each may be given
several times): they are checked now, and a rule whose example fails is not added. A running
gateway applies changes to the next request; every change is recorded in the audit log.`;

export const command = defineCommand({
  help: RULES_HELP,
  subcommands: ['list', 'add', 'remove'],
  options: {
    agent: { value: true },
    action: { value: true },
    message: { value: true },
    for: { value: true },
    why: { value: true },
    example: { value: true, multiple: true },
    'not-example': { value: true, multiple: true },
    json: {},
  },
  optionsAnywhere: true,
  run: rules,
});

async function rules({ sub, args, io }: Invocation<'list' | 'add' | 'remove'>): Promise<number> {
  const json = flag(args, 'json');
  const home = alephHome(io.env);
  const agent = value(args, 'agent');
  const now = Date.now();

  if (sub === 'list') {
    const config = loadConfig(home, false);
    if (!config.ok) return io.fail(config.error, json);
    const rows = Object.entries(config.value.agents)
      .filter(([id]) => agent === undefined || id === agent)
      .flatMap(([id, settings]) => settings.rules.filter((r) => !isExpired(r, now)).map((rule) => ({ agent: id, ...rule })));
    if (json) {
      io.out(JSON.stringify({ rules: rows }));
      return EXIT.ok;
    }
    if (rows.length === 0) io.out('No rules.');
    const style = styleFor(io.stdout, io.env);
    for (const r of rows) io.out(`${style.bold(r.id)}  ${r.agent}  ${r.action} ${r.kind}:${visibleText(r.pattern)}${style.dim(details(r, now))}`);
    return EXIT.ok;
  }

  if (sub === 'add') {
    if (agent === undefined) return io.usage('--agent is required: rules belong to one agent.');
    const action = value(args, 'action');
    if (action === undefined || !(RULE_ACTIONS as readonly string[]).includes(action)) return io.usage(`--action must be one of ${RULE_ACTIONS.join(', ')}.`);
    if (args.operands.length !== 1) return io.usage(`Give one rule as KIND:PATTERN.\n\n${RULES_HELP}`);
    const text = args.operands[0]!;
    const rule = parseRuleText(text);
    if (!rule.ok) return io.usage(rule.error.message);
    const message = value(args, 'message');
    if (message !== undefined && action !== 'deny') return io.usage('--message goes with --action deny.');
    const forText = value(args, 'for');
    const lifetime = forText === undefined ? undefined : parseDuration(forText);
    if (lifetime !== undefined && !lifetime.ok) return io.usage(lifetime.error.message);
    const match = args.options.get('example');
    const notMatch = args.options.get('not-example');
    const rationale = parseRuleRationale({
      justification: value(args, 'why'),
      examples: match === undefined && notMatch === undefined ? undefined : { match: match ?? [], not_match: notMatch },
    });
    if (!rationale.ok)
      return io.usage(
        rationale.error.message.replace('"justification"', '--why').replace('"examples.match"', '--example').replace('"examples.not_match"', '--not-example'),
      );
    if (rationale.value.examples !== undefined) {
      const failure = ruleExampleFailure(await CommandPolicy.load(), { ...rule.value, ...rationale.value, action: action as RuleAction });
      if (failure !== null) return io.fail({ code: 'invalid_params', message: `${failure} The rule was not added.` }, json);
    }
    const added = changePolicy(home, {
      method: 'rules.add',
      agent,
      ...rule.value,
      ...rationale.value,
      action: action as RuleAction,
      ...(message === undefined ? {} : { message }),
      ...(lifetime === undefined ? {} : { expires_at: new Date(now + lifetime.value).toISOString() }),
    });
    if (!added.ok) return io.fail(added.error, json);
    const { rule: stored } = added.value as { rule: RuleView };
    io.out(json ? JSON.stringify({ agent, rule: stored }) : `Added ${stored.id}: ${agent} ${action} ${text}.`);
    return EXIT.ok;
  }

  if (args.operands.length !== 1) return io.usage('Give the ID of one rule (see aleph rules list).');
  const removed = changePolicy(home, { method: 'rules.remove', id: args.operands[0]! }, false);
  if (!removed.ok) return io.fail(removed.error, json);
  const { removed: r } = removed.value as { removed: RuleView };
  io.out(json ? JSON.stringify({ agent: r.agent, removed: r.id }) : `Removed ${r.id} (${r.agent} ${r.action} ${r.kind}:${r.pattern}).`);
  return EXIT.ok;
}

/** Where a rule came from, its limits and its last use, as one dim suffix. */
function details(r: StoredRule, now: number): string {
  const parts = [r.source];
  if (r.session) parts.push(`session ${r.session}`);
  if (r.expires_at) parts.push(`expires in ${formatDuration(Date.parse(r.expires_at) - now)}`);
  if (r.last_used_at) parts.push(`last used ${r.last_used_at.slice(0, 16).replace('T', ' ')}`);
  if (r.message) parts.push(`says "${r.message}"`);
  if (r.confinement) parts.push(`runs ${describeConfinement(r.confinement)}`);
  if (r.justification) parts.push(`why: ${r.justification}`);
  return `  (${parts.join(', ')})`;
}
