import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; point those names at the TypeScript sources so a test
// run never depends on a stale build.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const alias = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@aleph/${name}`, `${packagesDir}${name}/src/index.ts`]),
);

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
