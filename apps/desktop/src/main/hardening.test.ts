import { describe, expect, it } from 'vitest';
import { CONSOLE_PARTITION, permissionAllowed } from './hardening.js';

describe("the windows' session", () => {
  it("is kept in memory: the owner's sign-in cookie never reaches the user-data directory", () => {
    expect(CONSOLE_PARTITION.startsWith('persist:')).toBe(false);
    expect(CONSOLE_PARTITION).not.toBe('');
  });

  it("grants a page no permission but the clipboard write the console's Copy uses, and only to the console", () => {
    const origin = 'http://127.0.0.1:4515';
    expect(permissionAllowed('clipboard-sanitized-write', `${origin}/#pairing`, origin)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', origin, origin)).toBe(true);
    for (const permission of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem', 'hid', 'usb', 'unknown']) {
      expect(permissionAllowed(permission, origin, origin), permission).toBe(false);
    }
    for (const other of ['http://127.0.0.1:4516/', 'http://localhost:4515/', 'https://example.com/', 'file:///etc/passwd', '']) {
      expect(permissionAllowed('clipboard-sanitized-write', other, origin), other).toBe(false);
    }
  });
});
