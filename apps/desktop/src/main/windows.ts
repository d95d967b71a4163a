/**
 * The app's windows, all locked down the same way (Electron's security checklist): an isolated,
 * sandboxed renderer without Node and without a preload, a strict CSP (sent by the console
 * server), navigation kept to the console's own origin, new windows refused, an in-memory session
 * that grants no permission but the console's clipboard write (hardening.ts). Every window shows
 * the console; none has IPC.
 */
import { BrowserWindow, globalShortcut, Notification, screen, session, shell, type BrowserWindowConstructorOptions } from 'electron';
import type { PromptPlacement } from './display';
import { CONSOLE_PARTITION, permissionAllowed } from './hardening';
import { sameOrigin } from './navigation';
import { PROMPT_SHORTCUTS, promptText, type PromptRequest, type PromptSurface } from './prompts';

/** Applies the permission policy to the windows' session; once, before the first window. */
export function hardenSession(origin: string): void {
  const ses = session.fromPartition(CONSOLE_PARTITION);
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl, origin)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, origin));
}

export function lockedWindow(origin: string, options: BrowserWindowConstructorOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...options,
    show: false,
    // No preload: the page needs nothing from Node or Electron, and Electron cannot load an ES
    // module preload in a sandboxed renderer anyway.
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, partition: CONSOLE_PARTITION },
  });
  // Nothing but the console itself: other pages open in the browser, never in this window.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    // The exact origin: a prefix test would let 127.0.0.1:80 through as 127.0.0.1:8.
    if (!sameOrigin(url, origin)) event.preventDefault();
  });
  return window;
}

const PROMPT_WIDTH = 440;
const PROMPT_HEIGHT = 330;

/**
 * Prompts as Electron shows them: a native notification with buttons, or a small always-on-top
 * window showing the console's prompt view, shown without taking the focus from what the person
 * is doing. `loginUrl` gives a fresh one-time sign-in link for each window.
 */
export function electronPrompts(options: {
  origin: string;
  loginUrl: () => string | null;
  openConsole: () => void;
  /** The deny shortcut was pressed. */
  deny: () => void;
  placement: PromptPlacement;
}): PromptSurface {
  /** Prompt windows stack down the top right corner of the screen, one slot each. */
  const place = (slot: number): { x: number; y: number } => {
    const area = screen.getPrimaryDisplay().workArea;
    return { x: area.x + area.width - PROMPT_WIDTH - 16, y: area.y + 16 + slot * (PROMPT_HEIGHT + 12) };
  };
  return {
    show({ approval, style, actions, slot, answer, dismissed, failed }: PromptRequest) {
      if (style === 'notification' && Notification.isSupported()) {
        const { title, body } = promptText(approval);
        const note = new Notification({
          title,
          body,
          silent: false,
          timeoutType: 'never',
          urgency: approval.risk.level === 'critical' ? 'critical' : 'normal',
          actions: actions.map((a) => ({ type: 'button' as const, text: a.label })),
        });
        note.on('action', (details) => {
          const action = actions[details.actionIndex];
          if (action !== undefined) answer(action.decision);
        });
        note.on('click', () => options.openConsole());
        note.on('close', dismissed);
        // macOS refuses an unsigned app's notifications, and says so only here.
        note.on('failed', (_event, error) => failed(error));
        note.show();
        return { close: () => note.close() };
      }
      const login = options.loginUrl();
      const window = lockedWindow(options.origin, {
        width: PROMPT_WIDTH,
        height: PROMPT_HEIGHT,
        ...(options.placement.place ? place(slot) : {}),
        title: 'Aleph Console: approval',
        alwaysOnTop: options.placement.onTop,
        skipTaskbar: true,
        resizable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
      });
      if (options.placement.onTop) window.setAlwaysOnTop(true, 'floating');
      window.once('ready-to-show', () => window.showInactive());
      window.on('closed', dismissed);
      if (login !== null) void window.loadURL(`${login}#prompt=${encodeURIComponent(approval.id)}`);
      let announced: Notification | null = null;
      if (options.placement.announce && Notification.isSupported()) {
        // The window may open behind others: a notification (without buttons) says it is there.
        const { title } = promptText(approval);
        announced = new Notification({
          title,
          body: 'Waiting in the Aleph Console prompt window.',
          urgency: approval.risk.level === 'critical' ? 'critical' : 'normal',
        });
        announced.on('click', () => (window.isDestroyed() ? undefined : window.show()));
        announced.show();
      }
      return {
        close: () => {
          announced?.close();
          if (!window.isDestroyed()) window.close();
        },
      };
    },
    shortcuts(active: boolean): boolean {
      if (!active) {
        globalShortcut.unregister(PROMPT_SHORTCUTS.deny);
        return true;
      }
      // Another app may hold it, or the desktop (Wayland's portal) refuse it: the caller says so.
      return globalShortcut.register(PROMPT_SHORTCUTS.deny, options.deny);
    },
  };
}
