import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const desktop = resolve(import.meta.dirname, 'apps/desktop');

/**
 * The desktop app: the main process and the renderer (which is also the web console). There is no
 * preload: the window needs nothing from Node or Electron (it talks to the gateway over the
 * console's WebSocket), and a sandboxed renderer cannot load an ES module preload anyway.
 */
export default defineConfig({
  main: {
    // The gateway and its native modules load from node_modules at run time, as in the headless mode.
    build: {
      outDir: resolve(desktop, 'out/main'),
      rollupOptions: { input: resolve(desktop, 'src/main/index.ts'), external: [/^@aleph\//, 'better-sqlite3', 'ws', 'web-tree-sitter'] },
    },
  },
  renderer: {
    root: resolve(desktop, 'src/renderer'),
    base: './',
    plugins: [react()],
    // Minified: the same bundle is served to browsers by the web console.
    build: { outDir: resolve(desktop, 'out/renderer'), emptyOutDir: true, minify: true, rollupOptions: { input: resolve(desktop, 'src/renderer/index.html') } },
  },
});
