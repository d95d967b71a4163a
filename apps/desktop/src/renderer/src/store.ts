/** The console's state: what waits for a person, the link to the gateway, and a clock for countdowns. */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { ConnectionState, ConsoleApi, DeviceView, GatewayEvent, PairingView, PendingApproval, RiskLevel, AuditEventType } from '@aleph/protocol';

/** The console's screens, in the order of its tabs; the first is where it opens. */
export const VIEWS = ['overview', 'approvals', 'pairing', 'policies', 'timeline'] as const;
export type View = (typeof VIEWS)[number];

/** The screen an address names (`#approvals`), so that a link or a reload opens it. */
export function viewOf(hash: string): View | null {
  const name = hash.replace(/^#/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : null;
}

/** A search another screen opens the timeline with. */
export interface TimelineSearch {
  readonly text?: string;
  readonly event?: AuditEventType;
  readonly decision?: string;
  readonly risk?: RiskLevel;
  /** Epoch milliseconds: from (inclusive), to (exclusive). */
  readonly since?: number;
  readonly until?: number;
}

export interface ConsoleState {
  connection: ConnectionState;
  connectionReason: string | null;
  approvals: PendingApproval[];
  pairings: PairingView[];
  devices: DeviceView[];
  /** Counts pairing events and reconnections, so that views showing devices know to look again. */
  pairingVersion: number;
  /** Ticks every second, for countdowns. */
  now: number;
  /** The approval the keyboard acts on. */
  selected: string | null;
  /**
   * Why the gateway's configuration file cannot be used, while it cannot: the gateway runs on the
   * last one that parsed and refuses every change. Known only over a live link.
   */
  configProblem: { file: string; message: string } | null;
  /** The screen on show. */
  view: View;
  /** The search the timeline opens with, when another screen sent the person there. */
  timelineSearch: TimelineSearch | null;
  /** A passing message: what was just done, or what went wrong, on the screen it came from. */
  notice: { text: string; tone: 'ok' | 'error'; view: View } | null;
  setConnection(state: ConnectionState, reason?: string): void;
  setApprovals(approvals: readonly PendingApproval[]): void;
  setPairings(pairings: readonly PairingView[]): void;
  setDevices(devices: readonly DeviceView[]): void;
  apply(event: GatewayEvent): void;
  select(id: string | null): void;
  tell(text: string, tone?: 'ok' | 'error'): void;
  /** Shows `view` (the timeline with `search`, if given); a notice stays with the screen it came from. */
  go(view: View, search?: TimelineSearch): void;
  tick(now: number): void;
}

export const useConsole = create<ConsoleState>((set) => ({
  connection: 'connecting',
  connectionReason: null,
  approvals: [],
  pairings: [],
  devices: [],
  pairingVersion: 0,
  now: Date.now(),
  selected: null,
  configProblem: null,
  notice: null,
  // The screen the address names from the first frame: no other screen starts loading first.
  view: (typeof window === 'undefined' ? null : viewOf(window.location.hash)) ?? 'overview',
  timelineSearch: null,
  // What waits is known only over a live link: once it drops, a request may have ended (a gateway
  // that stopped denies everything), so none stays answerable; once it opens, all is fetched again.
  setConnection: (connection, reason) =>
    set((s) =>
      connection === 'open'
        ? { connection, connectionReason: null, pairingVersion: s.pairingVersion + 1 }
        : { connection, connectionReason: reason ?? null, approvals: [], pairings: [], selected: null, configProblem: null },
    ),
  setApprovals: (approvals) => set((s) => ({ approvals: [...approvals], selected: s.selected ?? approvals[0]?.id ?? null })),
  setPairings: (pairings) => set({ pairings: [...pairings] }),
  setDevices: (devices) => set({ devices: [...devices] }),
  apply: (event) =>
    set((s) => {
      switch (event.type) {
        case 'approval_pending':
          if (s.approvals.some((a) => a.id === event.approval.id)) return {};
          return { approvals: [...s.approvals, event.approval], selected: s.selected ?? event.approval.id };
        case 'approval_resolved': {
          const approvals = s.approvals.filter((a) => a.id !== event.id);
          return { approvals, selected: s.selected === event.id ? (approvals[0]?.id ?? null) : s.selected };
        }
        case 'pairing_pending':
          return { pairings: [...s.pairings.filter((p) => p.code !== event.pairing.code), event.pairing], pairingVersion: s.pairingVersion + 1 };
        case 'pairing_resolved':
          return { pairings: s.pairings.filter((p) => p.code !== event.code || event.outcome === 'approved'), pairingVersion: s.pairingVersion + 1 };
        case 'config_invalid':
          return { configProblem: { file: event.file, message: event.message } };
        case 'config_recovered':
          return { configProblem: null };
      }
    }),
  select: (selected) => set({ selected }),
  tell: (text, tone = 'ok') => set((s) => ({ notice: { text, tone, view: s.view } })),
  go: (view, search) =>
    set((s) => ({
      view,
      timelineSearch: view === 'timeline' ? (search ?? null) : s.timelineSearch,
      notice: s.notice?.view === view ? s.notice : null,
    })),
  tick: (now) => set({ now }),
}));

/** "4:05" or "12 s": time left until an ISO time. */
export function timeLeft(iso: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Keeps the store in step with the gateway: the link's state, what waits, and the clock. */
export function useGatewayLink(api: ConsoleApi): void {
  useEffect(() => {
    const { setConnection, setApprovals, apply, tell, tick } = useConsole.getState();
    api.onConnection((state, reason) => {
      setConnection(state, reason);
      if (state === 'open') void api.subscribe(apply).then(setApprovals, (e: Error) => tell(e.message, 'error'));
    });
    const clock = setInterval(() => tick(Date.now()), 1000);
    return () => clearInterval(clock);
  }, [api]);
}

/**
 * An action on the gateway as a screen runs it: does it, says what was done (from its result),
 * then looks again with `refresh`; a failure is told instead. Resolves to whether it worked.
 */
export function useAct(refresh: () => Promise<unknown>) {
  const tell = useConsole((s) => s.tell);
  return async <T>(what: () => Promise<T>, done: string | ((result: T) => string)): Promise<boolean> => {
    try {
      const result = await what();
      tell(typeof done === 'string' ? done : done(result));
      await refresh();
      return true;
    } catch (error) {
      tell((error as Error).message, 'error');
      return false;
    }
  };
}

/** A time as the person reads it: local, to the minute (`seconds` adds them). */
export function localTime(iso: string, seconds = false): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', ...(seconds ? { timeStyle: 'medium' } : { timeStyle: 'short' }) });
}
