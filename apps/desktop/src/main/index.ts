/**
 * The Electron main process: a thin shell over the gateway. It hosts the gateway in-process (the
 * same package the headless mode runs), shows the console (the renderer, served by the gateway's
 * console server) in a locked-down window, asks about each pending approval with a notification
 * or a prompt window, and keeps the tray in step with what waits. The decisions are in small
 * modules tested without Electron (prompts, tray, lifecycle, display, hardening); this file only
 * wires them to Electron's events.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, globalShortcut, Menu, nativeImage, powerMonitor, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { alephHome, Gateway, GatewayError, loadConfig, type GatewayOptions } from '@aleph/gateway';
import { withBadge } from './badge';
import { chromiumFeatures, displayServer, promptPlacement } from './display';
import { QuitPolicy } from './lifecycle';
import { PACKAGED_HELPER, TRAY_ICON } from './paths';
import { Prompts, promptStyle } from './prompts';
import { loadSettings, saveSettings, type DesktopSettings } from './settings';
import { trayChanges, trayView, type TrayAction, type TrayItem, type TrayView } from './tray';
import { electronPrompts, hardenSession, lockedWindow } from './windows';

const home = alephHome();
let gateway: Gateway | null = null;
let window: BrowserWindow | null = null;
let tray: Tray | null = null;
let prompts: Prompts | null = null;
let settings: DesktopSettings;
let consoleOrigin = '';
const notices: string[] = [];
const quit = new QuitPolicy();
const display = displayServer(process.platform, process.env, app.commandLine.getSwitchValue('ozone-platform'));

// One instance per user: a second one hands over to the first (which shows its window) and ends
// here and now, before it starts anything of its own.
if (!app.requestSingleInstanceLock()) app.exit(0);
else start();

function start(): void {
  // Wayland: global shortcuts go through the desktop portal (before ready, as Chromium reads it then).
  const features = chromiumFeatures(display);
  if (features.length > 0) app.commandLine.appendSwitch('enable-features', features.join(','));
  app.on('second-instance', () => showWindow());
  // macOS: the Dock icon clicked while no window is open.
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // The gateway keeps serving from the tray.
  });
  app.on('before-quit', (event) => {
    const step = quit.beforeQuit();
    if (step === 'proceed') return;
    if (step === 'hold') {
      event.preventDefault();
      return;
    }
    const stopping = stopGateway();
    if (step === 'stop-then-quit') {
      event.preventDefault();
      void stopping.finally(() => app.quit());
    }
  });
  app
    .whenReady()
    .then(ready)
    .catch((error: unknown) => {
      console.error(`Aleph Console could not start: ${(error as Error).message}`);
      app.exit(1);
    });
}

/**
 * As SIGTERM does: pending requests are denied and the audit log flushed at once (before the
 * first await of Gateway.stop), then the socket and the stores are closed.
 */
function stopGateway(): Promise<void> {
  prompts?.closeAll();
  globalShortcut.unregisterAll();
  const g = gateway;
  if (g === null) {
    quit.stopped();
    return Promise.resolve();
  }
  return g
    .stop()
    .catch((error: unknown) => console.warn(`Aleph Console: the gateway did not stop cleanly: ${(error as Error).message}`))
    .finally(() => quit.stopped());
}

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

function notice(text: string): void {
  console.warn(`Aleph Console: ${text}`);
  if (!notices.includes(text)) notices.push(text);
  refreshTray();
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
      gateway.identityCall(
        (ids, now) => ids.ownerCall({ method: action.kind === 'approve_pairing' ? 'pairing.approve' : 'pairing.reject', code: action.code }, now, 'owner'),
        () => refreshTray(),
      );
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

/** The tray's icon as loaded, and what it shows now: only what changed is set again. */
let icon: NativeImage | null = null;
let shown: TrayView | null = null;

function refreshTray(): void {
  if (gateway === null || tray === null || icon === null) return;
  const state = {
    approvals: gateway.pendingApprovals(),
    pairings: gateway.identities.pendingPairings(Date.now()),
    mode: gateway.mode,
    prompts: settings.prompts,
    notices,
  };
  const view = trayView(state, process.platform);
  const changed = trayChanges(shown, view);
  if (changed.image) tray.setImage(trayImage(icon, view));
  if (changed.title) tray.setTitle(view.title);
  if (changed.tooltip) tray.setToolTip(view.tooltip);
  if (changed.menu) tray.setContextMenu(Menu.buildFromTemplate(toMenu(view.menu)));
  shown = view;
}

/** macOS: the icon as a template (the menu bar colours it), 16 points from its 32 pixels; elsewhere the count drawn on it. */
function trayImage(base: NativeImage, view: TrayView): NativeImage {
  const { width, height } = base.getSize();
  if (view.template) {
    const image = nativeImage.createFromBuffer(base.toPNG(), { scaleFactor: 2 });
    image.setTemplateImage(true);
    return image;
  }
  if (view.badge === 0) return base;
  const drawn = withBadge({ width, height, pixels: base.toBitmap() }, view.badge, 'bgra');
  return nativeImage.createFromBitmap(Buffer.from(drawn.pixels), { width, height });
}

async function ready(): Promise<void> {
  const loaded = loadSettings(home);
  settings = loaded.settings;
  if (loaded.problem !== null) console.warn(`Aleph Console: ${loaded.problem}`);
  const config = loadConfig(home, true);
  if (!config.ok) throw new Error(config.error.message);
  const options = (port: number): GatewayOptions => ({
    home,
    network: { port },
    console: { port: 0, root: join(import.meta.dirname, '../renderer') },
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
  for (const n of g.notices) console.warn(`Aleph Console: ${n}`);
  // Only the console's own origin may load in the app's windows.
  if (g.consoleOrigin === null) throw new Error('the gateway does not serve the console');
  consoleOrigin = g.consoleOrigin;
  hardenSession(consoleOrigin);
  // The system logging out or shutting down: the gateway's stop starts, the quit is not held.
  powerMonitor.on('shutdown', () => {
    if (quit.systemShutdown() === 'stop-and-proceed') void stopGateway();
  });
  prompts = new Prompts(
    electronPrompts({
      origin: consoleOrigin,
      loginUrl: () => g.consoleLoginUrl(),
      openConsole: showWindow,
      deny: () => prompts?.shortcut(),
      placement: promptPlacement(display),
    }),
    promptStyle(process.platform, settings.prompts),
    (id, decision, channel) =>
      void g.resolveAsOwner(id, decision, channel).then((r) => {
        if (!r.ok) console.warn(`Aleph Console: ${r.error.message}`);
      }),
    notice,
  );
  g.watch((event) => {
    prompts?.apply(event);
    refreshTray();
  });
  prompts.sync(g.pendingApprovals());
  icon = nativeImage.createFromPath(join(import.meta.dirname, '../..', TRAY_ICON));
  tray = new Tray(icon);
  refreshTray();
  // Pairing codes expire on their own: the menu follows within seconds, set again only if it changed.
  setInterval(refreshTray, 5000).unref();
  showWindow();
}
