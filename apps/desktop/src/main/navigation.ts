/** Where the app's windows may go: the console's own origin and nowhere else. */

/** Whether `url` is on exactly `origin` (scheme, host and port); an unparseable URL is not. */
export function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
