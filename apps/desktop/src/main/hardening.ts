/**
 * How the app's windows hold their session, as data the main process applies and tests read.
 *
 * The console signs a window in with a 12-hour owner cookie. In Electron's default session that
 * cookie is written to the user-data directory, readable by any process of the user's (the agents
 * among them): the windows use an in-memory partition instead (a name without `persist:`), so the
 * cookie dies with the app. And a page in them is granted no permission (camera, notifications,
 * geolocation, ...) but writing to the clipboard, which the console's Copy buttons use, and only
 * for the console's own origin.
 */

/** The in-memory partition every window of the app shares: nothing of it reaches the disk. */
export const CONSOLE_PARTITION = 'aleph-console';

/** The permissions the console's own page may use. */
export const GRANTED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

/** Whether a page at `url` (a URL or an origin) may have `permission`: only the console, only what it uses. */
export function permissionAllowed(permission: string, url: string, consoleOrigin: string): boolean {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return false;
  }
  return origin === consoleOrigin && GRANTED_PERMISSIONS.includes(permission);
}
