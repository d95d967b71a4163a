/**
 * Places that hold credentials: keys, cloud and cluster logins, keychains, browser profiles,
 * `.env` files. A sandbox hides them even inside a granted directory, and a run that names one
 * asks the owner again.
 */
import { posix } from 'node:path';
import { isWithin } from './capabilities.js';

/** Below the home directory (the same layout on Linux and macOS unless noted). */
export const SENSITIVE_HOME_PATHS = [
  '.ssh', '.gnupg', '.aws', '.kube', '.docker', '.azure', '.config/gcloud', '.config/gh', '.netrc', '.npmrc', '.pypirc',
  '.pgpass', '.git-credentials', '.password-store', '.vault-token', '.terraform.d',
  '.local/share/keyrings', 'Library/Keychains',
  '.mozilla', '.config/google-chrome', '.config/chromium', '.config/BraveSoftware', '.config/microsoft-edge',
  'Library/Application Support/Google/Chrome', 'Library/Application Support/Firefox', 'Library/Application Support/BraveSoftware', 'Library/Safari', 'Library/Cookies',
] as const;

/** `.env`, `.env.local`, `.env.production`, ... wherever they are. */
export const ENV_FILE = /^\.env(\.[^/]+)?$/;

/**
 * Why a path is sensitive, or null. Both arguments are absolute and normal (real paths where
 * symlinks matter: the caller resolves them first).
 */
export function sensitiveReason(path: string, home: string): string | null {
  for (const rel of SENSITIVE_HOME_PATHS) {
    const location = posix.join(home, rel);
    if (isWithin(location, path)) return `~/${rel} holds credentials`;
  }
  if (ENV_FILE.test(posix.basename(path))) return `${posix.basename(path)} files hold secrets`;
  return null;
}

/** The sensitive home locations below `dir` (or `dir` itself inside one), for a sandbox to hide. */
export function sensitiveBelow(dir: string, home: string): string[] {
  return SENSITIVE_HOME_PATHS.map((rel) => posix.join(home, rel)).filter((location) => isWithin(dir, location));
}
