// electron-builder's afterPack hook: flips Electron's fuses in the packaged binary, before it is
// signed. electron-builder 25 has no `electronFuses` option (it arrived in 26), so the hook does
// it with @electron/fuses. The fuses close what a same-user process could otherwise use to run
// its own code as the app: the binary as a plain Node (ELECTRON_RUN_AS_NODE), NODE_OPTIONS, the
// --inspect debugger, an app loaded from outside the checked asar; and cookies are encrypted at
// rest (the windows' session is in memory anyway).
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** Every fuse this Electron has, set: a new fuse in a later Electron fails the build until decided here. */
export const FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
  WasmTrapHandlers: true,
};

/** The fuse wire @electron/fuses writes, from FUSES. */
export function fuseConfig(platform) {
  const config = { version: FuseVersion.V1, strictlyRequireAllFuses: true, resetAdHocDarwinSignature: platform === 'darwin' };
  for (const [name, value] of Object.entries(FUSES)) {
    const index = FuseV1Options[name];
    if (index === undefined) throw new Error(`@electron/fuses knows no fuse ${name}`);
    config[index] = value;
  }
  return config;
}

/** The packaged Electron binary electron-builder just laid out. */
export function electronBinary(context) {
  const { electronPlatformName: platform, appOutDir, packager } = context;
  if (platform === 'darwin' || platform === 'mas') return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (platform === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName);
}

export async function afterPack(context) {
  await flipFuses(electronBinary(context), fuseConfig(context.electronPlatformName));
}
