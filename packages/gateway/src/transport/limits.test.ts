import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionDescriptors, DEFAULT_LIMITS, FALLBACK_OPEN_FILES, openFileLimit, sizeLimits } from './limits.js';

describe("the connection caps under the process's descriptor limit", () => {
  it.each([256, 1024, 4096, 20_000, 1_048_576])('keep every way in together well under %i open files, the socket the largest share', (openFiles) => {
    const limits = sizeLimits(openFiles);
    expect(connectionDescriptors(limits)).toBeLessThan(openFiles * 0.75);
    expect(limits.maxConnections).toBeGreaterThanOrEqual(limits.maxNetworkConnections);
    expect(limits.maxConnections).toBeGreaterThanOrEqual(limits.maxConsoleConnections);
    expect(limits.maxAnonymousConnections).toBeLessThanOrEqual(limits.maxNetworkConnections);
    for (const cap of [limits.maxConnections, limits.maxNetworkConnections, limits.maxAnonymousConnections, limits.maxConsoleConnections])
      expect(cap).toBeGreaterThan(0);
  });

  it("keeps the defaults where descriptors are plenty, and lowers a caller's cap where they are not", () => {
    expect(sizeLimits(1_048_576)).toEqual(DEFAULT_LIMITS);
    expect(sizeLimits(1024, { maxConnections: 100_000 }).maxConnections).toBeLessThan(512);
    expect(sizeLimits(1_048_576, { maxConnections: 3 }).maxConnections).toBe(3);
  });

  it('reads the soft limit, and falls back to a safe number when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'allim-'));
    try {
      const file = join(dir, 'limits');
      writeFileSync(
        file,
        'Limit                     Soft Limit           Hard Limit           Units\nMax open files            2048                 4096                 files\n',
      );
      expect(openFileLimit(file)).toBe(2048);
      writeFileSync(file, 'Max open files            unlimited            unlimited            files\n');
      expect(openFileLimit(file)).toBe(FALLBACK_OPEN_FILES);
      expect(openFileLimit(join(dir, 'missing'))).toBe(FALLBACK_OPEN_FILES);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
