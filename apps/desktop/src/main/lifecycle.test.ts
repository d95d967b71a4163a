import { describe, expect, it } from 'vitest';
import { QuitPolicy } from './lifecycle.js';

describe('quitting', () => {
  it('asked by the person: holds the quit until the gateway has stopped, once, then lets it go', () => {
    const quit = new QuitPolicy();
    expect(quit.beforeQuit()).toBe('stop-then-quit');
    // Cmd-Q again while the gateway stops: still held, no second stop.
    expect(quit.beforeQuit()).toBe('hold');
    quit.stopped();
    expect(quit.beforeQuit()).toBe('proceed');
  });

  it('asked by the system (logout, shutdown): never held, so a macOS logout is not cancelled; the stop still starts', () => {
    const quit = new QuitPolicy();
    expect(quit.systemShutdown()).toBe('stop-and-proceed');
    expect(quit.beforeQuit()).toBe('proceed');
    const during = new QuitPolicy();
    expect(during.beforeQuit()).toBe('stop-then-quit');
    // The system ends while a quit the person asked for waits for the gateway: it is let go.
    expect(during.systemShutdown()).toBe('proceed');
    expect(during.beforeQuit()).toBe('proceed');
  });
});
