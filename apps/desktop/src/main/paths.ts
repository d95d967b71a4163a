/** Where the packaged app finds what it ships beside its code (see electron-builder.json). */

/** The sandbox helper, copied into the app's resources directory. */
export const PACKAGED_HELPER = 'aleph-sandbox-helper';
/** The tray icon, relative to the app's root (`apps/desktop`, or the asar archive). */
export const TRAY_ICON = 'resources/tray.png';
