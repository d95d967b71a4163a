/**
 * The preload exposes nothing of Node or Electron to the page. The window shows the web console,
 * served by the gateway this app hosts, and talks to it over the console's WebSocket: the same
 * ConsoleApi, checked by the same origin, cookie and owner authorization as in a browser.
 */
export {};
