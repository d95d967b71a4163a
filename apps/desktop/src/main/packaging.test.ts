import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGED_HELPER, TRAY_ICON } from './paths.js';

const desktop = fileURLToPath(new URL('../../', import.meta.url));

interface BuilderConfig {
  readonly files: readonly string[];
  readonly extraResources: readonly { readonly from: string; readonly to: string }[];
  readonly asarUnpack: readonly string[];
  readonly npmRebuild: boolean;
  readonly mac: { readonly extendInfo: Readonly<Record<string, unknown>> };
  readonly deb: { readonly depends: readonly string[] };
}

/** electron-builder's own reading and schema check of the configuration (no build, no download). */
const require = createRequire(join(desktop, 'package.json'));
const builder = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('the packaging configuration', () => {
  it('passes electron-builder\'s schema, and a wrong key does not', async () => {
    const config = await builder.getConfig(desktop, null, null);
    await expect(builder.validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(builder.validateConfiguration({ ...config, notifications: true }, new DebugLogger(false))).rejects.toThrow(/unknown property 'notifications'/);
  });

  it('ships the sandbox helper where the app looks for it, the tray icon, and the build; rebuilds better-sqlite3 for Electron', async () => {
    const config = JSON.parse(readFileSync(join(desktop, 'electron-builder.json'), 'utf8')) as BuilderConfig;
    const helper = config.extraResources.find((r) => r.to === PACKAGED_HELPER);
    expect(helper).toBeDefined();
    accessSync(resolve(desktop, helper!.from), constants.X_OK);
    expect(existsSync(join(desktop, TRAY_ICON))).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['out/**', TRAY_ICON]));
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    // Notification buttons on macOS need the alert style; the Linux package needs bubblewrap.
    expect(config.mac.extendInfo.NSUserNotificationAlertStyle).toBe('alert');
    expect(config.deb.depends).toContain('bubblewrap');
    const pkg = JSON.parse(readFileSync(join(desktop, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main).toBe('out/main/index.js');
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['@aleph/gateway']));
  });
});
