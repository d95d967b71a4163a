import { describe, expect, it } from 'vitest';
import { chromiumFeatures, displayServer, promptPlacement } from './display.js';

describe('the display server', () => {
  it('is Wayland in a Wayland session on Linux unless Electron was told x11', () => {
    expect(displayServer('linux', { XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' }, '')).toBe('wayland');
    expect(displayServer('linux', { WAYLAND_DISPLAY: 'wayland-0' }, '')).toBe('wayland');
    expect(displayServer('linux', { XDG_SESSION_TYPE: 'wayland' }, 'x11')).toBe('x11');
    expect(displayServer('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' }, '')).toBe('x11');
    expect(displayServer('darwin', { WAYLAND_DISPLAY: 'wayland-0' }, '')).toBe('other');
  });

  it('on Wayland: no placement or always-on-top is relied on, a notification announces each prompt, shortcuts go through the portal', () => {
    expect(promptPlacement('wayland')).toEqual({ place: false, onTop: false, announce: true });
    expect(promptPlacement('x11')).toEqual({ place: true, onTop: true, announce: false });
    expect(promptPlacement('other')).toEqual({ place: true, onTop: true, announce: false });
    expect(chromiumFeatures('wayland')).toEqual(['GlobalShortcutsPortal']);
    expect(chromiumFeatures('x11')).toEqual([]);
  });
});
