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
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    pool: 'forks',
    // Many tests start real processes (gateway, aleph, sqlite3); a busy machine must not fail them.
    testTimeout: 20_000,
    globalSetup: ['scripts/vitest-global-setup.ts'],
  },
});
