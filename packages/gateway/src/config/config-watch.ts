/**
 * Hears of changes to the configuration file as they happen (a hand edit, `aleph mode set`), so
 * that the gateway takes a good file up, or says that a bad one cannot be used, at once rather
 * than at the next request. It watches the directory, not the file: every save replaces the file
 * by a rename, which a watch on the file itself would not survive.
 */
import { watch, type FSWatcher } from 'node:fs';
import { CONFIG_FILE } from './config.js';

/** How long the file must be left alone before it is read: an editor that writes in place empties it first. */
const SETTLE_MS = 50;

/** Calls `changed` shortly after the configuration file in `home` changes; returns the way to stop. */
export function watchConfig(home: string, changed: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const stop = (): void => {
    clearTimeout(timer);
    watcher?.close();
  };
  try {
    watcher = watch(home, { persistent: false }, (_event, name) => {
      // Some platforms do not say which file changed: then it may have been this one.
      if (name !== null && name !== CONFIG_FILE) return;
      clearTimeout(timer);
      timer = setTimeout(changed, SETTLE_MS);
    });
    watcher.on('error', stop);
  } catch {
    // A file system that cannot be watched: the file is still read before each decision and each change.
  }
  return stop;
}
