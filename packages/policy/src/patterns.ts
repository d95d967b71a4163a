import { fail, ok, type Result } from '@aleph/protocol';
import type { UserPatterns } from './rule-match.js';

export const NO_USER_PATTERNS: UserPatterns = { block: [], confirm: [], safe: [] };

/**
 * The user's own patterns, from the `policy` section of exec-approvals.json:
 * `{"block": ["terraform destroy *"], "confirm": [...], "safe": ["make lint"]}`. User BLOCK joins the
 * built-in BLOCK list; user CONFIRM and SAFE are consulted before the built-in CONFIRM and SAFE
 * lists, so they can refine them but never lift a BLOCK.
 */
export function parseUserPatterns(value: unknown): Result<UserPatterns> {
  if (value === undefined || value === null) return ok(NO_USER_PATTERNS);
  if (typeof value !== 'object' || Array.isArray(value))
    return fail('invalid_patterns', '"policy" must be an object with "block", "confirm" and "safe" lists.');
  const section = value as Record<string, unknown>;
  const unknown = Object.keys(section).filter((k) => k !== 'block' && k !== 'confirm' && k !== 'safe');
  if (unknown.length > 0) return fail('invalid_patterns', `"policy" has unknown keys: ${unknown.join(', ')}; expected "block", "confirm" and "safe".`);
  const lists: Record<'block' | 'confirm' | 'safe', string[]> = { block: [], confirm: [], safe: [] };
  for (const key of ['block', 'confirm', 'safe'] as const) {
    const list = section[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return fail('invalid_patterns', `"policy.${key}" must be a list of patterns.`);
    for (const [i, p] of list.entries()) {
      if (typeof p !== 'string' || p.trim() === '' || p.trim() === '*') {
        return fail('invalid_patterns', `"policy.${key}[${i}]" must be a pattern such as "terraform destroy *", got ${JSON.stringify(p)}.`);
      }
      lists[key].push(p.trim());
    }
  }
  return ok(lists);
}
