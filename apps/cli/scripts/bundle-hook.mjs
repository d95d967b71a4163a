// Bundles `aleph hook` (dist/hooks/main.js and what it imports, the workspace packages included)
// into one CommonJS file, dist/hook-bundle.cjs: Node then reads and compiles one module instead of dozens
// before every tool call an agent makes. Run by `npm run build` after `tsc -b`.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const file = `${dist}hook-bundle.cjs`;
// A bundle that cannot be built must not be left stale: bin/aleph.js falls back to the modules.
await rm(file, { force: true });
await build({
  input: `${dist}hooks/main.js`,
  platform: 'node',
  logLevel: 'warn',
  output: { file, format: 'cjs', sourcemap: false, minify: true },
});
