/**
 * The Electron main process: a thin shell over the gateway. It hosts the gateway in-process (the
 * same package the headless mode runs), shows the console (the renderer, served by the gateway's
 * console server) in a locked-down window, and keeps the tray in step with what waits.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, Menu, nativeImage, shell, Tray, type MenuItemConstructorOptions } from 'electron';
import { Gateway } from '@aleph/gateway';
import type { PendingApproval } from '@aleph/protocol';
import { trayMenu, trayTitle, type TrayAction, type TrayItem } from './tray';

const home = process.env.ALEPH_HOME ?? join(homedir(), '.aleph');
let gateway: Gateway | null = null;
let window: BrowserWindow | null = null;
let tray: Tray | null = null;
let consoleOrigin = '';

if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', () => showWindow());

function showWindow(): void {
  if (gateway === null) return;
  if (window !== null) {
    window.show();
    window.focus();
    return;
  }
  window = new BrowserWindow({
    width: 1100, height: 760, title: 'Aleph Console', show: false,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: join(import.meta.dirname, '../preload/index.mjs') },
  });
  // Nothing but the console itself: other pages open in the browser, never in this window.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(consoleOrigin)) event.preventDefault();
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  const login = gateway.consoleLoginUrl();
  if (login !== null) void window.loadURL(login);
}

function toMenu(items: readonly TrayItem[]): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'label':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: toMenu(item.items) };
      case 'action':
        return { label: item.label, ...(item.checked === undefined ? {} : { type: 'radio', checked: item.checked }), click: () => void act(item.action) };
    }
  });
}

async function act(action: TrayAction): Promise<void> {
  if (gateway === null) return;
  switch (action.kind) {
    case 'approve_pairing':
    case 'reject_pairing':
      gateway.identityCall((ids, now) => ids.ownerCall({ method: action.kind === 'approve_pairing' ? 'pairing.approve' : 'pairing.reject', code: action.code }, now), () => refreshTray());
      return;
    case 'show_approval':
    case 'open_console':
      showWindow();
      return;
    case 'set_mode':
      gateway.setMode(action.mode);
      refreshTray();
      return;
    case 'quit':
      app.quit();
  }
}

function refreshTray(): void {
  if (gateway === null || tray === null) return;
  const approvals: readonly PendingApproval[] = gateway.pendingApprovals();
  const state = { approvals, pairings: gateway.identities.pendingPairings(Date.now()), mode: gateway.mode };
  tray.setTitle(trayTitle(state));
  tray.setToolTip(approvals.length === 0 ? 'Aleph Console: nothing waiting' : `Aleph Console: ${approvals.length} waiting`);
  tray.setContextMenu(Menu.buildFromTemplate(toMenu(trayMenu(state))));
}

app.whenReady().then(async () => {
  gateway = await Gateway.start({ home, network: { port: 0 }, console: { port: 0, root: join(import.meta.dirname, '../renderer') } });
  consoleOrigin = new URL(gateway.consoleLoginUrl() ?? 'http://127.0.0.1').origin;
  tray = new Tray(nativeImage.createFromPath(join(import.meta.dirname, '../../resources/tray.png')));
  refreshTray();
  setInterval(refreshTray, 1000).unref();
  showWindow();
}).catch((error: unknown) => {
  console.error(`Aleph Console could not start: ${(error as Error).message}`);
  app.exit(1);
});

app.on('window-all-closed', () => {
  // The gateway keeps serving from the tray.
});

let quitting = false;
app.on('before-quit', (event) => {
  if (quitting || gateway === null) return;
  event.preventDefault();
  quitting = true;
  // As SIGTERM does: pending requests are denied, the audit log flushed, the socket removed.
  void gateway.stop().finally(() => app.quit());
});
