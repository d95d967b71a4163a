import { AuditError } from '@aleph/audit';
import { isExpired, loadConfig, ruleChangeEvent, saveConfig, withoutRule, withRule, type StoredRule } from '@aleph/gateway';
import { formatDuration, parseDuration, parseRuleText, RULE_ACTIONS, type RuleAction } from '@aleph/protocol';
import { flag, parseArgs, value } from './args.js';
import { alephHome, recordEvent } from './home.js';
import { EXIT, type Io } from './io.js';
import { styleFor } from './style.js';

export const RULES_HELP = `Usage: aleph rules list [--agent ID] [--json]
       aleph rules add --agent ID --action deny|ask|allow KIND:PATTERN [--message TEXT] [--for DURATION] [--json]
       aleph rules remove RULE_ID [--json]

An agent's rules, evaluated deny first, then ask, then allow. A deny rule refuses a command when
any part of it matches, and its --message is told to the agent; an ask rule sends a command to a
person even when it would run; an allow rule lets a command that needs approval run (never one
the policy blocks). KIND is exact, prefix or path: 'prefix:git push *', 'path:/usr/local/bin/*'.
--for makes the rule expire (15m, 2h, 7d). A running gateway applies changes to the next request;
every change is recorded in the audit log.`;

export async function rulesCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(RULES_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const parsed = parseArgs(rest, { agent: { value: true }, action: { value: true }, message: { value: true }, for: { value: true }, json: {} }, true);
  if (!parsed.ok) return io.usage(`${parsed.error.message}\n\n${RULES_HELP}`);
  const args = parsed.value;
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
    for (const r of rows) io.out(`${style.bold(r.id)}  ${r.agent}  ${r.action} ${r.kind}:${r.pattern}${style.dim(details(r, now))}`);
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
    const config = loadConfig(home, true);
    if (!config.ok) return io.fail(config.error, json);
    const added = withRule(config.value, agent, {
      ...rule.value, action: action as RuleAction, source: 'manual', message: message ?? null,
      expires_at: lifetime === undefined ? null : new Date(now + lifetime.value).toISOString(),
    }, now);
    const saved = saveConfig(home, added.config);
    if (!saved.ok) return io.fail(saved.error, json);
    const audited = audit(home, 'added', agent, added.rule, io, json);
    if (audited !== EXIT.ok) return audited;
    io.out(json ? JSON.stringify({ agent, rule: added.rule }) : `Added ${added.rule.id}: ${agent} ${action} ${text}.`);
    return EXIT.ok;
  }

  if (sub === 'remove') {
    if (args.operands.length !== 1) return io.usage('Give the ID of one rule (see aleph rules list).');
    const config = loadConfig(home, false);
    if (!config.ok) return io.fail(config.error, json);
    const removed = withoutRule(config.value, args.operands[0]!);
    if (removed === null) return io.fail({ code: 'unknown_rule', message: `No rule has the ID ${args.operands[0]}.` }, json);
    const saved = saveConfig(home, removed.config);
    if (!saved.ok) return io.fail(saved.error, json);
    const audited = audit(home, 'removed', removed.agent, removed.rule, io, json);
    if (audited !== EXIT.ok) return audited;
    io.out(json ? JSON.stringify({ agent: removed.agent, removed: removed.rule.id }) : `Removed ${removed.rule.id} (${removed.agent} ${removed.rule.action} ${removed.rule.kind}:${removed.rule.pattern}).`);
    return EXIT.ok;
  }
  return io.usage(`Unknown rules command "${sub}".\n\n${RULES_HELP}`);
}

function audit(home: string, change: 'added' | 'removed', agent: string, rule: StoredRule, io: Io, json: boolean): number {
  try {
    recordEvent(home, ruleChangeEvent(change, agent, rule));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof AuditError) return io.fail(error, json);
    throw error;
  }
}

/** Where a rule came from, its limits and its last use, as one dim suffix. */
function details(r: StoredRule, now: number): string {
  const parts = [r.source];
  if (r.session) parts.push(`session ${r.session}`);
  if (r.expires_at) parts.push(`expires in ${formatDuration(Date.parse(r.expires_at) - now)}`);
  if (r.last_used_at) parts.push(`last used ${r.last_used_at.slice(0, 16).replace('T', ' ')}`);
  if (r.message) parts.push(`says "${r.message}"`);
  return `  (${parts.join(', ')})`;
}
