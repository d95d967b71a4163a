import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterPack, FUSES } from '../../packaging/after-pack.mjs';
import { PACKAGED_HELPER, TRAY_ICON } from './paths.js';

const desktop = fileURLToPath(new URL('../../', import.meta.url));

interface BuilderConfig {
  readonly executableName: string;
  readonly afterPack: string;
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
  it("passes electron-builder's schema, and a wrong key does not", async () => {
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

  it("flips Electron's fuses after packing: no running as Node, no NODE_OPTIONS, no --inspect, only the checked asar, cookies encrypted", async () => {
    const config = JSON.parse(readFileSync(join(desktop, 'electron-builder.json'), 'utf8')) as BuilderConfig;
    expect(resolve(desktop, config.afterPack)).toBe(join(desktop, 'packaging', 'after-pack.mjs'));
    expect(FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
    });
    // Every fuse @electron/fuses knows is decided here, none left to the binary's default.
    expect(Object.keys(FUSES).sort()).toEqual(
      Object.keys(FuseV1Options)
        .filter((k) => Number.isNaN(Number(k)))
        .sort(),
    );
    // A stand-in binary with Electron's fuse wire (sentinel, version 1, 9 fuses, all as shipped): the hook flips it.
    const dir = mkdtempSync(join(tmpdir(), 'alfuse-'));
    try {
      const wire = Buffer.from([0x31, 0x30, 0x31, 0x31, 0x30, 0x30, 0x30, 0x31, 0x31]);
      writeFileSync(
        join(dir, config.executableName),
        Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire, Buffer.alloc(4096, 7)]),
      );
      await afterPack({
        electronPlatformName: 'linux',
        appOutDir: dir,
        packager: { appInfo: { productFilename: 'Aleph Console' }, executableName: config.executableName },
      });
      const flipped = await getCurrentFuseWire(join(dir, config.executableName));
      const state = (name: keyof typeof FuseV1Options) => String.fromCharCode(Number(flipped[FuseV1Options[name]]));
      expect(Object.fromEntries(Object.keys(FUSES).map((name) => [name, state(name as keyof typeof FuseV1Options)]))).toEqual(
        Object.fromEntries(Object.entries(FUSES).map(([name, on]) => [name, on ? '1' : '0'])),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names its .desktop file for Linux, so that Wayland's portal knows the app and grants its shortcut", async () => {
    const config = JSON.parse(readFileSync(join(desktop, 'electron-builder.json'), 'utf8')) as BuilderConfig;
    const pkg = JSON.parse(readFileSync(join(desktop, 'package.json'), 'utf8')) as { desktopName: string };
    // electron-builder's deb installs /usr/share/applications/<executableName>.desktop.
    expect(pkg.desktopName).toBe(`${config.executableName}.desktop`);
  });
});
