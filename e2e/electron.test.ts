/**
 * The desktop app launched for real, with Playwright's Electron support: the window shows the
 * console, locked down; the gateway it hosts serves the socket; quitting stops the gateway.
 * Electron fetches its binary on first launch; where there is none (no network to fetch it), this
 * suite is skipped and says so loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { skipLoudly } from '../scripts/skip-notice.js';

const MAIN = fileURLToPath(new URL('../apps/desktop/out/main/index.js', import.meta.url));

/** The Electron binary, without triggering its download (requiring `electron` would try). */
function electronBinary(): string | null {
  const pkg = dirname(createRequire(fileURLToPath(new URL('../apps/desktop/package.json', import.meta.url))).resolve('electron/package.json'));
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH !== undefined ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative) : join(pkg, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/**
 * Why the gateway's SQLite cannot load inside Electron, or null when it can. `npm ci` builds
 * better-sqlite3 for Node, whose native modules Electron (another ABI) refuses; the packaged app is
 * rebuilt for Electron by electron-builder, a checkout by `npx electron-rebuild`.
 */
function sqliteProblem(electron: string): string | null {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const loaded = spawnSync(electron, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  return loaded.status === 0 ? null : (/NODE_MODULE_VERSION[^\n]*/.exec(loaded.stderr)?.[0] ?? loaded.stderr.trim().split('\n')[0] ?? `exit ${loaded.status}`);
}

const binary = electronBinary();
const sqlite = binary === null ? null : sqliteProblem(binary);
if (binary === null) {
  skipLoudly(
    'electron',
    'No Electron binary is installed here, and Electron fetches it on first launch.',
    'Run `npx electron --version` on a machine with network access to fetch it; the test then runs (CI requires it).',
  );
} else if (sqlite !== null) {
  skipLoudly(
    'electron',
    `better-sqlite3 is built for Node, not for this Electron (${sqlite}).`,
    'Run `npx electron-rebuild -f -o better-sqlite3` first, and `npm rebuild better-sqlite3` afterwards to go back to Node (CI does both around this test).',
  );
}

describe.skipIf(binary === null || sqlite !== null)(
  `the desktop app${binary === null ? ' (SKIPPED: no Electron binary)' : sqlite !== null ? ' (SKIPPED: SQLite built for Node)' : ''}`,
  () => {
    let root: string | undefined;
    afterEach(() => {
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    });

    it('opens the console in a locked-down window, hosts the gateway, and stops it on quit', async () => {
      root = mkdtempSync(join(tmpdir(), 'aleph-electron-'));
      const home = join(root, 'home');
      const app = await electron.launch({ executablePath: binary!, args: [MAIN], env: { ...process.env, ALEPH_HOME: home } as Record<string, string> });
      try {
        const page = await app.firstWindow();
        await page.getByText('All calm').waitFor();
        expect(await page.title()).toBe('Aleph Console');
        // No Node in the page (sandboxed, isolated, no integration, no preload).
        expect(await page.evaluate('[typeof require, typeof process]')).toEqual(['undefined', 'undefined']);
        // The owner's sign-in cookie lives in memory only, and the page is granted no permission it did not need.
        expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.session.isPersistent())).toBe(false);
        expect(await page.evaluate(`navigator.permissions.query({ name: 'geolocation' }).then((p) => p.state)`)).not.toBe('granted');
        const url = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL());
        expect(new URL(url).hostname).toBe('127.0.0.1');
        const socket = join(home, 'exec-approvals.sock');
        expect(statSync(socket).mode & 0o777).toBe(0o600);
        // A second instance hands over to this one and ends at once, starting nothing of its own.
        const second = spawnSync(binary!, [MAIN], { env: { ...process.env, ALEPH_HOME: home }, timeout: 30_000 });
        expect(second.status).toBe(0);
        // Closing the window leaves the gateway serving (from the tray); the Dock's activate brings a window back.
        await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
        await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(0);
        expect(statSync(socket).isSocket()).toBe(true);
        await app.evaluate(({ app: running }) => running.emit('activate'));
        await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
        await app.close();
        expect(existsSync(socket)).toBe(false);
      } finally {
        await app.close().catch(() => undefined);
      }
    }, 60_000);
  },
);
