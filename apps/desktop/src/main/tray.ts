/**
 * The tray menu as data, from the gateway's state: a pure function, so it is tested without
 * Electron. The main process turns each item into a MenuItem and each action into a call.
 */
import { visibleText, type PairingView, type PendingApproval, type SecurityMode } from '@aleph/protocol';
import type { PromptPreference } from './prompts';

export type TrayAction =
  | { readonly kind: 'approve_pairing' | 'reject_pairing'; readonly code: string }
  | { readonly kind: 'show_approval'; readonly id: string }
  | { readonly kind: 'open_console' }
  | { readonly kind: 'set_mode'; readonly mode: SecurityMode }
  | { readonly kind: 'set_prompts'; readonly prompts: PromptPreference }
  | { readonly kind: 'quit' };

export type TrayItem =
  | { readonly type: 'label'; readonly label: string }
  | { readonly type: 'separator' }
  | { readonly type: 'action'; readonly label: string; readonly action: TrayAction; readonly checked?: boolean }
  | { readonly type: 'submenu'; readonly label: string; readonly items: readonly TrayItem[] };

export interface TrayState {
  readonly approvals: readonly PendingApproval[];
  readonly pairings: readonly PairingView[];
  readonly mode: SecurityMode;
  readonly prompts: PromptPreference;
  /** What the person should know and the app could not show otherwise (a shortcut not had). */
  readonly notices?: readonly string[];
}

const PROMPT_LABELS: Readonly<Record<PromptPreference, string>> = { auto: 'As the system does best', notification: 'Notifications', window: 'A prompt window' };

const MODES: readonly SecurityMode[] = ['safe', 'dev', 'unrestricted'];
/** Long commands are cut in the menu; the window shows them whole. */
const MAX_LABEL = 60;

/** Shown escaped (see visibleText), then cut. */
const cut = (text: string): string => {
  const shown = visibleText(text);
  return shown.length > MAX_LABEL ? `${shown.slice(0, MAX_LABEL - 1)}…` : shown;
};

/** How many things wait for the person: approvals, and pairing codes not yet approved. */
export function waiting(state: TrayState): number {
  return state.approvals.length + state.pairings.filter((p) => !p.approved).length;
}

/** The tray's title beside the icon: the number waiting, or nothing when all is calm. */
export function trayTitle(state: TrayState): string {
  const n = waiting(state);
  return n === 0 ? '' : String(n);
}

/**
 * The tray as shown: on macOS a template icon (the menu bar draws it in its own colours, so it
 * carries no badge) with the count as its title; elsewhere the count drawn on the icon, and no
 * title. The count shows once either way.
 */
export interface TrayView {
  /** The number drawn on the icon; 0 for none. */
  readonly badge: number;
  readonly template: boolean;
  readonly title: string;
  readonly tooltip: string;
  readonly menu: readonly TrayItem[];
}

export function trayView(state: TrayState, platform: NodeJS.Platform): TrayView {
  const mac = platform === 'darwin';
  const n = state.approvals.length;
  return {
    badge: mac ? 0 : waiting(state),
    template: mac,
    title: mac ? trayTitle(state) : '',
    tooltip: n === 0 ? 'Aleph Console: nothing waiting' : `Aleph Console: ${n} waiting`,
    menu: trayMenu(state),
  };
}

/** What differs between two views, so that only that is set again (a menu rebuilt closes it if open). */
export function trayChanges(before: TrayView | null, after: TrayView): { image: boolean; title: boolean; tooltip: boolean; menu: boolean } {
  return {
    image: before === null || before.badge !== after.badge || before.template !== after.template,
    title: before === null || before.title !== after.title,
    tooltip: before === null || before.tooltip !== after.tooltip,
    menu: before === null || JSON.stringify(before.menu) !== JSON.stringify(after.menu),
  };
}

export function trayMenu(state: TrayState): TrayItem[] {
  const items: TrayItem[] = [];
  for (const notice of state.notices ?? [])
    items.push({ type: 'label', label: notice.length > 2 * MAX_LABEL ? `${notice.slice(0, 2 * MAX_LABEL - 1)}…` : notice });
  if ((state.notices ?? []).length > 0) items.push({ type: 'separator' });
  const codes = state.pairings.filter((p) => !p.approved);
  if (codes.length > 0) {
    items.push({ type: 'label', label: 'Pairing codes' });
    for (const p of codes) {
      items.push({
        type: 'submenu',
        label: `${p.code}  ${cut(p.name)} (${p.type})`,
        items: [
          { type: 'action', label: 'Approve', action: { kind: 'approve_pairing', code: p.code } },
          { type: 'action', label: 'Reject', action: { kind: 'reject_pairing', code: p.code } },
        ],
      });
    }
    items.push({ type: 'separator' });
  }
  if (state.approvals.length > 0) {
    items.push({ type: 'label', label: `Waiting for you (${state.approvals.length})` });
    for (const a of state.approvals)
      items.push({ type: 'action', label: `${a.risk.level}: ${cut(a.request.command)}`, action: { kind: 'show_approval', id: a.id } });
    items.push({ type: 'separator' });
  } else {
    items.push({ type: 'label', label: 'Nothing waiting' }, { type: 'separator' });
  }
  items.push(
    { type: 'action', label: 'Open Console', action: { kind: 'open_console' } },
    {
      type: 'submenu',
      label: `Mode: ${state.mode}`,
      items: MODES.map((mode) => ({ type: 'action', label: mode, action: { kind: 'set_mode', mode }, checked: mode === state.mode })),
    },
    {
      type: 'submenu',
      label: 'Ask me with',
      items: (Object.keys(PROMPT_LABELS) as PromptPreference[]).map((prompts) => ({
        type: 'action',
        label: PROMPT_LABELS[prompts],
        action: { kind: 'set_prompts', prompts },
        checked: prompts === state.prompts,
      })),
    },
    { type: 'separator' },
    { type: 'action', label: 'Quit Aleph Console', action: { kind: 'quit' } },
  );
  return items;
}
