/**
 * The Electron main process: a thin shell over the gateway. It hosts the gateway in-process (the
 * same package the headless mode runs), shows the console (the renderer, served by the gateway's
 * console server) in a locked-down window, asks about each pending approval with a notification
 * or a prompt window, and keeps the tray in step with what waits.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, globalShortcut, Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { alephHome, Gateway, GatewayError, loadConfig, type GatewayOptions } from '@aleph/gateway';
import { withBadge } from './badge';
import { PACKAGED_HELPER, TRAY_ICON } from './paths';
import { Prompts, promptStyle } from './prompts';
import { loadSettings, saveSettings, type DesktopSettings } from './settings';
import { trayMenu, trayTitle, waiting, type TrayAction, type TrayItem } from './tray';
import { electronPrompts, lockedWindow } from './windows';

const home = alephHome();
let gateway: Gateway | null = null;
let window: BrowserWindow | null = null;
let tray: Tray | null = null;
let prompts: Prompts | null = null;
let settings: DesktopSettings;
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
  window = lockedWindow(consoleOrigin, { width: 1100, height: 760, title: 'Aleph Console' });
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
        return { label: item.label, ...(item.checked === undefined ? {} : { type: 'radio', checked: item.checked }), click: () => act(item.action) };
    }
  });
}

function act(action: TrayAction): void {
  if (gateway === null) return;
  switch (action.kind) {
    case 'approve_pairing':
    case 'reject_pairing':
      gateway.identityCall((ids, now) => ids.ownerCall({ method: action.kind === 'approve_pairing' ? 'pairing.approve' : 'pairing.reject', code: action.code }, now, 'owner'), () => refreshTray());
      return;
    case 'show_approval':
    case 'open_console':
      showWindow();
      return;
    case 'set_mode':
      gateway.setMode(action.mode);
      refreshTray();
      return;
    case 'set_prompts':
      settings = { ...settings, prompts: action.prompts };
      try {
        saveSettings(home, settings);
      } catch (error) {
        dialog.showErrorBox('Aleph Console', `Cannot save the preference: ${(error as Error).message}`);
      }
      prompts?.restyle(promptStyle(process.platform, settings.prompts), gateway.pendingApprovals());
      refreshTray();
      return;
    case 'quit':
      app.quit();
  }
}

/** The tray icon as drawn, and the count it shows, so it is drawn again only when that changes. */
let icon: { base: NativeImage; count: number } | null = null;

function refreshTray(): void {
  if (gateway === null || tray === null || icon === null) return;
  const approvals = gateway.pendingApprovals();
  const state = { approvals, pairings: gateway.identities.pendingPairings(Date.now()), mode: gateway.mode, prompts: settings.prompts };
  const count = waiting(state);
  if (count !== icon.count) {
    const { width, height } = icon.base.getSize();
    const drawn = withBadge({ width, height, pixels: icon.base.toBitmap() }, count, 'bgra');
    tray.setImage(nativeImage.createFromBitmap(Buffer.from(drawn.pixels), { width, height }));
    icon.count = count;
  }
  // macOS also shows the count as text beside the icon.
  tray.setTitle(trayTitle(state));
  tray.setToolTip(approvals.length === 0 ? 'Aleph Console: nothing waiting' : `Aleph Console: ${approvals.length} waiting`);
  tray.setContextMenu(Menu.buildFromTemplate(toMenu(trayMenu(state))));
}

app.whenReady().then(async () => {
  const loaded = loadSettings(home);
  settings = loaded.settings;
  if (loaded.problem !== null) console.warn(`Aleph Console: ${loaded.problem}`);
  const config = loadConfig(home, true);
  if (!config.ok) throw new Error(config.error.message);
  const options = (port: number): GatewayOptions => ({
    home, network: { port }, console: { port: 0, root: join(import.meta.dirname, '../renderer') },
    onProblem: (problem) => console.warn(`Aleph Console: ${problem}`),
    // The packaged app ships its sandbox helper in resources; in development the package's own is used.
    ...(app.isPackaged ? { sandboxHelper: join(process.resourcesPath, PACKAGED_HELPER) } : {}),
  });
  // Paired devices find the gateway on the configured port; if another program holds it, any
  // free port still serves this machine's console.
  const g = await Gateway.start(options(config.value.network.port)).catch((error: unknown) => {
    if (!(error instanceof GatewayError) || error.code !== 'port_in_use') throw error;
    console.warn(`Aleph Console: ${error.message}; serving on a free port instead.`);
    return Gateway.start(options(0));
  });
  gateway = g;
  for (const notice of g.notices) console.warn(`Aleph Console: ${notice}`);
  // Only the console's own origin may load in the app's windows.
  if (g.consoleOrigin === null) throw new Error('the gateway does not serve the console');
  consoleOrigin = g.consoleOrigin;
  prompts = new Prompts(
    electronPrompts({ origin: consoleOrigin, loginUrl: () => g.consoleLoginUrl(), openConsole: showWindow, shortcut: (d) => prompts?.shortcut(d) }),
    promptStyle(process.platform, settings.prompts),
    (id, decision, channel) => void g.resolveAsOwner(id, decision, channel).then((r) => {
      if (!r.ok) console.warn(`Aleph Console: ${r.error.message}`);
    }),
  );
  g.watch((event) => {
    prompts?.apply(event);
    refreshTray();
  });
  prompts.sync(g.pendingApprovals());
  const base = nativeImage.createFromPath(join(import.meta.dirname, '../..', TRAY_ICON));
  icon = { base, count: 0 };
  tray = new Tray(base);
  refreshTray();
  // Pairing codes expire on their own; the menu follows within seconds.
  setInterval(refreshTray, 5000).unref();
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
  prompts?.closeAll();
  globalShortcut.unregisterAll();
  // As SIGTERM does: pending requests are denied, the audit log flushed, the socket removed.
  void gateway.stop().finally(() => app.quit());
});
