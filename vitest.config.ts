import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; point those names at the TypeScript sources so a test
// run never depends on a stale build. A subpath (`@aleph/gateway/requester`) is the source file of
// that name, as each package's exports map it.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const alias = [
  { find: /^@aleph\/([^/]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@aleph\/([^/]+)\/([^/]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/*.test.ts'],
    pool: 'forks',
    // Many tests start real processes (gateway, aleph, sqlite3, Chromium), and a first run on a cold
    // machine or one whose cores are busy elsewhere is slow: every wait is for a state, with room
    // to spare, so that only a state that never comes fails a test. Playwright's own waits (30 s)
    // end inside a test's time, so that their error names what never appeared.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    expect: { requireAssertions: true, poll: { timeout: 30_000 } },
    globalSetup: ['scripts/vitest-global-setup.ts'],
  },
});
