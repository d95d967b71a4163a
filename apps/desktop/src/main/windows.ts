/**
 * The app's windows, all locked down the same way (Electron's security checklist): an isolated,
 * sandboxed renderer without Node, a strict CSP (sent by the console server), navigation kept to
 * the console's own origin, new windows refused. Every window shows the console; none has IPC.
 */
import { BrowserWindow, globalShortcut, Notification, screen, shell, type BrowserWindowConstructorOptions } from 'electron';
import { join } from 'node:path';
import { sameOrigin } from './navigation';
import { PROMPT_SHORTCUTS, promptText, type PromptRequest, type PromptSurface } from './prompts';

export function lockedWindow(origin: string, options: BrowserWindowConstructorOptions): BrowserWindow {
  const window = new BrowserWindow({
    ...options,
    show: false,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: join(import.meta.dirname, '../preload/index.mjs') },
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
  shortcut: (decision: 'allow-once' | 'deny') => void;
}): PromptSurface {
  /** Prompt windows stack down the top right corner of the screen, one slot each. */
  const place = (slot: number): { x: number; y: number } => {
    const area = screen.getPrimaryDisplay().workArea;
    return { x: area.x + area.width - PROMPT_WIDTH - 16, y: area.y + 16 + slot * (PROMPT_HEIGHT + 12) };
  };
  return {
    show({ approval, style, actions, slot, answer, dismissed }: PromptRequest) {
      if (style === 'notification' && Notification.isSupported()) {
        const { title, body } = promptText(approval);
        const note = new Notification({
          title, body, silent: false, timeoutType: 'never', urgency: approval.risk.level === 'critical' ? 'critical' : 'normal',
          actions: actions.map((a) => ({ type: 'button' as const, text: a.label })),
        });
        note.on('action', (_event, index) => {
          const action = actions[index];
          if (action !== undefined) answer(action.decision);
        });
        note.on('click', () => options.openConsole());
        note.on('close', dismissed);
        note.show();
        return { close: () => note.close() };
      }
      const login = options.loginUrl();
      const window = lockedWindow(options.origin, {
        width: PROMPT_WIDTH, height: PROMPT_HEIGHT, ...place(slot), title: 'Aleph Console: approval', alwaysOnTop: true, skipTaskbar: true,
        resizable: false, minimizable: false, maximizable: false, fullscreenable: false,
      });
      window.setAlwaysOnTop(true, 'floating');
      window.once('ready-to-show', () => window.showInactive());
      window.on('closed', dismissed);
      if (login !== null) void window.loadURL(`${login}#prompt=${encodeURIComponent(approval.id)}`);
      return { close: () => (window.isDestroyed() ? undefined : window.close()) };
    },
    shortcuts(active: boolean) {
      if (!active) {
        globalShortcut.unregister(PROMPT_SHORTCUTS.allow);
        globalShortcut.unregister(PROMPT_SHORTCUTS.deny);
        return;
      }
      // Another app may hold a shortcut already: the prompt's buttons still work.
      globalShortcut.register(PROMPT_SHORTCUTS.allow, () => options.shortcut('allow-once'));
      globalShortcut.register(PROMPT_SHORTCUTS.deny, () => options.shortcut('deny'));
    },
  };
}
