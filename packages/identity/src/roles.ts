/** Who a caller is, as the seed's table defines it. */
export const ROLES = ['owner', 'guest', 'anonymous'] as const;
export type Role = (typeof ROLES)[number];

/** What a guest may do: tools (`*` for any), until when, under which name. */
export interface GuestScope {
  readonly allowed_tools: readonly string[];
  /** Epoch milliseconds; null: no expiry. */
  readonly expires_at: number | null;
  readonly display_name: string | null;
}

/**
 * The one boundary rule for every expiry in Aleph's identity layer: a thing that expires at `t`
 * is valid strictly before `t`, and expired from `t` on.
 */
export function isExpiredAt(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && now >= expiresAt;
}
