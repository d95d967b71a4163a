import { globToRegExp } from './glob.js';
import { commandName } from './words.js';

/**
 * Argument patterns (`npm run test:*`, `terraform destroy *`): space-separated tokens matched one
 * to one against a command's arguments. `*` inside a token matches any characters of that token;
 * a final lone `*` matches any further arguments (including none). The first token is a command
 * name and matches however the command was spelled (`/usr/bin/npm` is `npm`).
 */
interface CompiledTokens {
  readonly tokens: readonly (string | RegExp)[];
  readonly anyRest: boolean;
}

const cache = new Map<string, CompiledTokens>();

function compile(pattern: string): CompiledTokens {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    const parts = pattern.trim().split(/\s+/);
    const anyRest = parts.length > 1 && parts[parts.length - 1] === '*';
    if (anyRest) parts.pop();
    if (parts[0] !== undefined) parts[0] = commandName(parts[0]) ?? parts[0];
    compiled = { tokens: parts.map((t) => (/[*?]/.test(t) ? globToRegExp(t, null) : t)), anyRest };
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled;
}

/**
 * `argv[0]` must already be the normalised command name. A null argument is one whose value is
 * not known before the command runs (`$X`, `$(...)`): `unknown: 'no-match'` lets it match only the
 * trailing `*` (an allow rule must not cover what it cannot see); `unknown: 'match'` lets it match
 * any token (a deny or ask rule must catch what it cannot rule out).
 */
export function matchTokens(pattern: string, argv: readonly (string | null)[], unknown: 'match' | 'no-match' = 'no-match'): boolean {
  const { tokens, anyRest } = compile(pattern);
  if (argv.length < tokens.length || (!anyRest && argv.length !== tokens.length)) return false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const a = argv[i]!;
    if (a === null) {
      if (unknown === 'no-match') return false;
      continue;
    }
    if (typeof t === 'string' ? t !== a : !t.test(a)) return false;
  }
  return true;
}
