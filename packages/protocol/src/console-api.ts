/**
 * ConsoleApi: everything the console's window may ask of the gateway. The renderer holds one
 * ConsoleApi and nothing else; in the browser it speaks JSON-RPC over the console's WebSocket, in
 * the desktop app the preload provides it. Both are the owner's calls, checked by the gateway.
 */
import type { ChainCheck, DeviceView, GuestView, PairingView, PolicyView, RuleDraft, RulesFile, RuleView, TimelinePage, TimelineQuery } from './calls.js';
import type { AllowRule, SecurityMode } from './policy.js';
import type { Decision, GatewayEvent, GrantScope, PendingApproval } from './messages.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ResolveOptions {
  readonly rule?: AllowRule;
  readonly reason?: string;
  readonly duration_ms?: number;
  readonly scope?: GrantScope;
}

export interface GuestInvitation {
  readonly guest: GuestView;
  readonly invitation: string;
  /** ISO 8601. */
  readonly accept_by: string;
}

export interface ConsoleApi {
  /** Hears of pending approvals and pairings as they come and go; resolves to what waits now. */
  subscribe(listener: (event: GatewayEvent) => void): Promise<readonly PendingApproval[]>;
  resolve(id: string, decision: Decision, options?: ResolveOptions): Promise<void>;
  pairings(): Promise<readonly PairingView[]>;
  approvePairing(code: string): Promise<void>;
  rejectPairing(code: string): Promise<void>;
  devices(): Promise<readonly DeviceView[]>;
  revokeDevice(id: string): Promise<void>;
  guests(): Promise<readonly GuestView[]>;
  /** The invitation is shown once: the guest accepts it within `accept_by`. */
  inviteGuest(name: string, tools: readonly string[], expiresInMs?: number): Promise<GuestInvitation>;
  revokeGuest(id: string): Promise<void>;
  policy(): Promise<PolicyView>;
  /** No agent: the default mode. */
  setMode(mode: SecurityMode, agent?: string): Promise<void>;
  addRule(rule: RuleDraft): Promise<RuleView>;
  removeRule(id: string): Promise<void>;
  /** All or nothing; resolves to how many rules were added. */
  importRules(file: RulesFile): Promise<number>;
  searchTimeline(query: TimelineQuery): Promise<TimelinePage>;
  verifyChain(): Promise<ChainCheck>;
  /** The link to the gateway: told at once, then on each change. */
  onConnection(listener: (state: ConnectionState, reason?: string) => void): void;
}
