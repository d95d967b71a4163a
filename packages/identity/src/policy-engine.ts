/**
 * The PolicyEngine: one pure function deciding whether an identity may use a tool at all, before
 * any command policy runs. Owner always; Guest within an unexpired scope that names the tool (or
 * `*`); Anonymous never, unless authentication is explicitly off.
 */
import type { IdentityContext } from './context.js';
import { isExpiredAt } from './roles.js';

export type Authorization =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'anonymous' | 'no_scope' | 'scope_expired' | 'tool_not_allowed'; readonly reason: string };

export interface AuthorizeOptions {
  /** Epoch milliseconds. */
  readonly now: number;
  /** Off only when the owner turned authentication off; then anonymous callers act as the owner. */
  readonly authenticationRequired?: boolean;
}

export function authorize(ctx: IdentityContext, tool: string, options: AuthorizeOptions): Authorization {
  switch (ctx.role) {
    case 'owner':
      return { allowed: true };
    case 'anonymous':
      return options.authenticationRequired === false
        ? { allowed: true }
        : { allowed: false, code: 'anonymous', reason: 'Anonymous callers may not use tools: pair this device or accept a guest invitation first.' };
    case 'guest': {
      const scope = ctx.scope;
      if (scope === null) return { allowed: false, code: 'no_scope', reason: 'This guest has no scope, so it may not use any tool.' };
      if (isExpiredAt(scope.expires_at, options.now)) {
        return { allowed: false, code: 'scope_expired', reason: `This guest's access ended at ${new Date(scope.expires_at!).toISOString()}.` };
      }
      if (!scope.allowed_tools.includes('*') && !scope.allowed_tools.includes(tool)) {
        return { allowed: false, code: 'tool_not_allowed', reason: `This guest may use ${scope.allowed_tools.join(', ') || 'no tools'}, not ${tool}.` };
      }
      return { allowed: true };
    }
  }
}
