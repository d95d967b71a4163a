/**
 * ConsoleApi: everything the console's window may ask of the gateway. The renderer holds one
 * ConsoleApi and nothing else: JSON-RPC over the console's WebSocket, in a browser and in the
 * desktop app's window alike. Every call is the owner's, checked by the gateway.
 */
import type { ChainCheck, DeviceView, GuestView, PairingView, PolicyView, RuleDraft, RulesFile, RuleView, TimelinePage, TimelineQuery } from './calls.js';
import type { Confinement } from './capabilities.js';
import type { AllowRule, RiskLevel, SecurityMode } from './policy.js';
import type { Decision, GatewayEvent, GrantScope, PendingApproval } from './messages.js';
import { fail, ok, type Result } from './result.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ResolveOptions {
  readonly rule?: AllowRule;
  readonly reason?: string;
  readonly duration_ms?: number;
  readonly scope?: GrantScope;
  /** A shell command's allow: how it runs (default: the approval's suggested confinement). */
  readonly confinement?: Confinement;
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
  /** The Overview screen's figures, counted by the gateway over the whole log. */
  overview(range: OverviewRange): Promise<Overview>;
  verifyChain(): Promise<ChainCheck>;
  /** The link to the gateway: told at once, then on each change. */
  onConnection(listener: (state: ConnectionState, reason?: string) => void): void;
}

/** The spans the Overview's chart shows: the last hour, day or week. */
export const OVERVIEW_RANGES = ['hour', 'day', 'week'] as const;
export type OverviewRange = (typeof OVERVIEW_RANGES)[number];

/** Each range's length and how it is cut into buckets (the bucket divides the range, and a day). */
export const OVERVIEW_SPANS: Readonly<Record<OverviewRange, { readonly range_ms: number; readonly bucket_ms: number }>> = {
  hour: { range_ms: 3_600_000, bucket_ms: 60_000 },
  day: { range_ms: 86_400_000, bucket_ms: 30 * 60_000 },
  week: { range_ms: 7 * 86_400_000, bucket_ms: 3_600_000 },
};

/** How many of the commands most often asked for (and most often denied) the Overview lists. */
export const OVERVIEW_TOP = 8;

/** Decisions on commands in one span of time: by outcome, and by risk. */
export interface OverviewBucket {
  /** Epoch milliseconds: the bucket's start (inclusive); it ends where the next starts. */
  readonly start: number;
  readonly allowed: number;
  readonly denied: number;
  /** Requests that waited for a person (a subset of the decisions, counted when they were asked). */
  readonly asked: number;
  readonly risk: Readonly<Record<RiskLevel, number>>;
}

/** One agent as the log knows it: every decision on its commands, ever. */
export interface OverviewAgent {
  readonly agent: string;
  readonly decisions: number;
  readonly allowed: number;
  readonly denied: number;
  readonly asked: number;
  /** ISO 8601: its latest decision. */
  readonly last_seen: string;
}

/** A command (its exact text) and how often it was decided on, over the whole log. */
export interface OverviewCommand {
  readonly command: string;
  readonly decisions: number;
  readonly allowed: number;
  readonly denied: number;
  /** The agent that asked for it most recently: a one-click rule is that agent's. */
  readonly agent: string | null;
  readonly last_seen: string;
}

/** Whether the gateway can confine the commands it lets run, and with what. */
export interface SandboxStatus {
  readonly available: boolean;
  /** `linux` (bubblewrap) or `macos` (Seatbelt); null when unavailable. */
  readonly platform: string | null;
  readonly launcher: string | null;
  /** Why it is unavailable, in words; null when available. */
  readonly reason: string | null;
  /** The configuration: confine `aleph exec` runs, and what to do where the machine cannot. */
  readonly enabled: boolean;
  readonly when_unavailable: 'refuse' | 'run_unsandboxed';
}

/** `audit.overview`: what the Overview screen draws. Every figure is counted in the log by SQL. */
export interface Overview {
  readonly range: OverviewRange;
  /** Epoch milliseconds: the first bucket's start, and the end of the last. */
  readonly since: number;
  readonly until: number;
  readonly bucket_ms: number;
  /** Oldest first, one per bucket (empty ones too). */
  readonly buckets: readonly OverviewBucket[];
  /** The sums of the buckets. */
  readonly totals: { readonly allowed: number; readonly denied: number; readonly asked: number };
  readonly agents: readonly OverviewAgent[];
  /** Most decided on first. */
  readonly most_asked: readonly OverviewCommand[];
  /** Most denied first; only commands denied at least once. */
  readonly most_denied: readonly OverviewCommand[];
  readonly sandbox: SandboxStatus;
}

/** Validates `audit.overview`'s parameters: a range (default `day`). */
export function parseOverviewQuery(params: Readonly<Record<string, unknown>>): Result<{ readonly method: 'audit.overview'; readonly range: OverviewRange }> {
  const range = params.range ?? 'day';
  if (typeof range !== 'string' || !(OVERVIEW_RANGES as readonly string[]).includes(range)) {
    return fail('invalid_params', `"range" must be one of ${OVERVIEW_RANGES.join(', ')}.`);
  }
  return ok({ method: 'audit.overview', range: range as OverviewRange });
}

/** The sandbox's state for the Overview, from the probe's answer and the configuration. */
export function sandboxStatus(
  probe: Result<{ readonly platform: string; readonly launcher: string }>,
  settings: { readonly enabled: boolean; readonly when_unavailable: 'refuse' | 'run_unsandboxed' },
): SandboxStatus {
  const { enabled, when_unavailable } = settings;
  return probe.ok
    ? { available: true, platform: probe.value.platform, launcher: probe.value.launcher, reason: null, enabled, when_unavailable }
    : { available: false, platform: null, launcher: null, reason: probe.error.message, enabled, when_unavailable };
}

/** A pairing code as the device prints it, `NFLD-2D7C`; anything else as it is. */
export function formatPairingCode(code: string): string {
  const plain = code.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{8}$/.test(plain) ? `${plain.slice(0, 4)}-${plain.slice(4)}` : code;
}
