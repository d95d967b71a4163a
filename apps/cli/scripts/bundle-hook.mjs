// Bundles the two commands an agent runs for every tool call into one CommonJS file each: `aleph
// hook` (dist/hooks/main.js, into dist/hook-bundle.cjs) and `aleph run` (dist/run-main.js, into
// dist/run-bundle.cjs), the workspace packages they import included. Node then reads and compiles
// one module instead of dozens. Run by `npm run build` after `tsc -b`.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
for (const [input, bundle] of [
  ['hooks/main.js', 'hook-bundle.cjs'],
  ['run-main.js', 'run-bundle.cjs'],
]) {
  const file = `${dist}${bundle}`;
  // A bundle that cannot be built must not be left stale: bin/aleph.js falls back to the modules.
  await rm(file, { force: true });
  await build({
    input: `${dist}${input}`,
    platform: 'node',
    logLevel: 'warn',
    output: { file, format: 'cjs', sourcemap: false, minify: true, codeSplitting: false },
  });
}
