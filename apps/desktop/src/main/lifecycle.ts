/**
 * How the app ends, as a small state machine the main process feeds with Electron's events.
 *
 * A quit the person asks for (the tray's Quit, Cmd-Q, Playwright closing the app) waits for the
 * gateway to stop as SIGTERM does: everything waiting denied, the audit log flushed, the socket
 * removed. A quit the system asks for (logout, restart, shutdown) is never held up: on macOS
 * holding `before-quit` would cancel the logout. There the gateway's stop is started and the quit
 * goes on: what stop does first (deny what waits, flush the log) happens at once, and what is left
 * undone (a socket file) the next start cleans up after checking that nobody listens.
 */

export type QuitStep =
  /** Let Electron quit now. */
  | 'proceed'
  /** Hold the quit (preventDefault), stop the gateway, then quit again. */
  | 'stop-then-quit'
  /** Let Electron quit now, having started the gateway's stop. */
  | 'stop-and-proceed'
  /** Hold the quit: the stop under way quits when it is done. */
  | 'hold';

export class QuitPolicy {
  private state: 'running' | 'stopping' | 'stopped' = 'running';
  private systemEnding = false;

  /** The system is logging out or shutting down (powerMonitor's `shutdown`). */
  systemShutdown(): QuitStep {
    this.systemEnding = true;
    if (this.state !== 'running') return 'proceed';
    this.state = 'stopping';
    return 'stop-and-proceed';
  }

  /** Electron's `before-quit`. */
  beforeQuit(): QuitStep {
    if (this.state === 'stopped') return 'proceed';
    if (this.state === 'stopping') return this.systemEnding ? 'proceed' : 'hold';
    this.state = 'stopping';
    return this.systemEnding ? 'stop-and-proceed' : 'stop-then-quit';
  }

  /** The gateway has stopped (or was never started). */
  stopped(): void {
    this.state = 'stopped';
  }
}
