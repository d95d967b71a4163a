/**
 * MCP tools (`mcp__<server>__<tool>`) judged by the first rule of hooks.json that matches their
 * server and tool (`*` stands for any run of characters); without one, a person is asked.
 */
import type { McpRule } from './hook-config.js';
import { ask, allow, deny, type Verdict } from './verdict.js';

export interface McpName {
  readonly server: string;
  readonly tool: string;
}

/** `mcp__memory__create_entities` is server `memory`, tool `create_entities`; null for any other name. */
export function parseMcpName(name: string): McpName | null {
  const match = /^mcp__(.+?)__(.+)$/.exec(name);
  return match === null ? null : { server: match[1]!, tool: match[2]! };
}

function matches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

export function judgeMcp(name: McpName, rules: readonly McpRule[]): Verdict {
  const rule = rules.find((r) => matches(r.server, name.server) && matches(r.tool, name.tool));
  const what = `MCP tool ${name.tool} of server ${name.server}`;
  if (rule === undefined) return ask(`Aleph: ${what}: no rule in $ALEPH_HOME/hooks.json (mcp.rules) decides it.`);
  const by = `by the rule {"server": "${rule.server}", "tool": "${rule.tool}"}`;
  if (rule.action === 'allow') return allow(`Aleph: ${what} allowed ${by}.`);
  if (rule.action === 'deny') return deny(`Aleph: ${what} refused ${by}.`);
  return ask(`Aleph: ${what}: ${by}, a person decides.`);
}
