/**
 * The hooks' own settings, `$ALEPH_HOME/hooks.json` (optional; absent means the defaults):
 *
 *   {"web": {"allow_domains": ["docs.python.org", "*.github.com"]},
 *    "mcp": {"rules": [{"server": "memory", "tool": "*", "action": "allow"},
 *                      {"server": "github", "tool": "delete_*", "action": "deny"}]}}
 *
 * Web tools are allowed only for a granted domain (default: none, so a person is asked); MCP tools
 * take the first rule that matches their server and tool (default: a person is asked). Kept apart
 * from exec-approvals.json, which the gateway owns and rewrites.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';

export const HOOK_CONFIG_FILE = 'hooks.json';

export type RuleAction = 'allow' | 'ask' | 'deny';

export interface McpRule {
  readonly server: string;
  readonly tool: string;
  readonly action: RuleAction;
}

export interface HookConfig {
  readonly allowDomains: readonly string[];
  readonly mcpRules: readonly McpRule[];
}

export const DEFAULT_HOOK_CONFIG: HookConfig = { allowDomains: [], mcpRules: [] };

const ACTIONS: readonly string[] = ['allow', 'ask', 'deny'];
/** A domain, or `*.` and a domain (its subdomains and itself). */
const DOMAIN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** A server or tool name pattern: letters, digits, `_`, `-`, `.`, and `*` for any run of them. */
const NAME_PATTERN = /^[A-Za-z0-9_.*-]+$/;

export function hookConfigFile(home: string): string {
  return join(home, HOOK_CONFIG_FILE);
}

/** The settings, the defaults when the file is absent, or why the file cannot be used. */
export function loadHookConfig(home: string): Result<HookConfig> {
  const file = hookConfigFile(home);
  let textValue: string;
  try {
    textValue = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok(DEFAULT_HOOK_CONFIG);
    return fail('hook_config_unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (error) {
    return fail('hook_config_invalid', `${file} is not valid JSON (${(error as Error).message}).`);
  }
  const parsed = parseHookConfig(value);
  return parsed.ok ? parsed : fail('hook_config_invalid', `${file}: ${parsed.error.message}`);
}

export function parseHookConfig(value: unknown): Result<HookConfig> {
  if (!isObject(value)) return fail('hook_config_invalid', 'the settings must be a JSON object.');
  for (const key of Object.keys(value))
    if (key !== 'web' && key !== 'mcp') return fail('hook_config_invalid', `unknown key "${key}" (there are "web" and "mcp").`);
  const web = value.web ?? {};
  const mcp = value.mcp ?? {};
  if (!isObject(web)) return fail('hook_config_invalid', '"web" must be an object.');
  if (!isObject(mcp)) return fail('hook_config_invalid', '"mcp" must be an object.');
  const domains = web.allow_domains ?? [];
  if (!Array.isArray(domains) || !domains.every((d) => typeof d === 'string' && DOMAIN.test(d))) {
    return fail('hook_config_invalid', '"web.allow_domains" must be a list of lower-case domains, each perhaps starting with "*.".');
  }
  const rules = mcp.rules ?? [];
  if (!Array.isArray(rules)) return fail('hook_config_invalid', '"mcp.rules" must be a list.');
  const mcpRules: McpRule[] = [];
  for (const [i, rule] of rules.entries()) {
    if (
      !isObject(rule) ||
      typeof rule.server !== 'string' ||
      typeof rule.tool !== 'string' ||
      typeof rule.action !== 'string' ||
      !NAME_PATTERN.test(rule.server) ||
      !NAME_PATTERN.test(rule.tool) ||
      !ACTIONS.includes(rule.action)
    ) {
      return fail(
        'hook_config_invalid',
        `"mcp.rules[${i}]" must be {"server", "tool", "action": "allow" | "ask" | "deny"}, names of letters, digits, "_", "-", "." and "*".`,
      );
    }
    mcpRules.push({ server: rule.server, tool: rule.tool, action: rule.action as RuleAction });
  }
  return ok({ allowDomains: domains as string[], mcpRules });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
