/**
 * What the desktop can do for the app's prompts, by platform and display server, as data.
 *
 * Electron runs natively on Wayland on Linux since Electron 38 (when the session is Wayland).
 * There a window cannot place itself or stay on top (the compositor decides), so a prompt window
 * may open behind others: a plain notification announces it. Global shortcuts go through the
 * desktop portal (`GlobalShortcutsPortal`), which knows the app by its `desktopName` and may ask
 * the person's consent first, or refuse.
 */

export type DisplayServer = 'wayland' | 'x11' | 'other';

/**
 * The display server Electron uses: Wayland when the session is Wayland and no
 * `--ozone-platform=x11` said otherwise.
 */
export function displayServer(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>, ozonePlatform: string): DisplayServer {
  if (platform !== 'linux') return 'other';
  if (ozonePlatform === 'x11') return 'x11';
  if (ozonePlatform === 'wayland') return 'wayland';
  return env.XDG_SESSION_TYPE === 'wayland' || (env.WAYLAND_DISPLAY ?? '') !== '' ? 'wayland' : 'x11';
}

export interface PromptPlacement {
  /** The app may set a prompt window's position (a slot down the top right corner). */
  readonly place: boolean;
  /** Always-on-top is honoured. */
  readonly onTop: boolean;
  /** A plain notification also announces the prompt, since its window may open out of sight. */
  readonly announce: boolean;
}

export function promptPlacement(display: DisplayServer): PromptPlacement {
  return display === 'wayland' ? { place: false, onTop: false, announce: true } : { place: true, onTop: true, announce: false };
}

/** Chromium features the app turns on for this display server: the shortcut portal on Wayland. */
export function chromiumFeatures(display: DisplayServer): string[] {
  return display === 'wayland' ? ['GlobalShortcutsPortal'] : [];
}
