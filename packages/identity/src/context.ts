/**
 * IdentityContext: who is asking, fixed when the request arrives and frozen, so that nothing along
 * the way can change who a request belongs to.
 */
import type { GuestScope, Role } from './roles.js';

export interface IdentityContext {
  readonly request_id: string;
  readonly session_key: string;
  readonly role: Role;
  /** The device id, guest id, or `owner`/`anonymous`. */
  readonly identity_id: string;
  /** A guest's scope; null for owner and anonymous. */
  readonly scope: GuestScope | null;
  /** Epoch milliseconds. */
  readonly created_at: number;
  /** Where the request came from: `unix-socket`, `websocket`, a chat channel. */
  readonly source_channel: string;
}

/** A frozen context, its scope (and the scope's tool list) frozen too. */
export function identityContext(fields: IdentityContext): IdentityContext {
  const scope = fields.scope === null ? null : Object.freeze({ ...fields.scope, allowed_tools: Object.freeze([...fields.scope.allowed_tools]) });
  return Object.freeze({ ...fields, scope });
}
