/** Types of after-pack.mjs (plain JavaScript, so that electron-builder loads it without a build step). */
import type { FuseConfig } from '@electron/fuses';

export declare const FUSES: Readonly<Record<string, boolean>>;
export declare function fuseConfig(platform: string): FuseConfig;
export interface AfterPackContext {
  readonly electronPlatformName: string;
  readonly appOutDir: string;
  readonly packager: { readonly appInfo: { readonly productFilename: string }; readonly executableName: string };
}
export declare function electronBinary(context: AfterPackContext): string;
export declare function afterPack(context: AfterPackContext): Promise<void>;
