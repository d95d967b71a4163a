/**
 * Places that hold credentials: keys, cloud and cluster logins, package-registry and forge tokens,
 * keychains and keyrings, browser profiles, coding agents' logins, agent sockets, `.env` files. A sandbox hides them even inside a granted directory, and a run that
 * names one asks the owner again.
 */
import { posix } from 'node:path';
import { isWithin } from './capabilities.js';

/** Below the home directory (the same layout on Linux and macOS unless noted). */
export const SENSITIVE_HOME_PATHS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.kube',
  '.docker',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.pgpass',
  '.git-credentials',
  '.git-credential-cache',
  '.cache/git/credential',
  '.password-store',
  '.vault-token',
  '.terraform.d',
  '.1password',
  'Library/Group Containers/2BUA8C4S2C.com.1password',
  '.config/op',
  '.config/hub',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  // git's credential store in its XDG place, and other tools' tokens and passwords.
  '.config/git/credentials',
  '.gem/credentials',
  '.my.cnf',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  '.cache/huggingface/token',
  '.huggingface/token',
  '.config/rclone',
  '.config/doctl',
  '.s3cfg',
  '.boto',
  '.oci',
  '.terraformrc',
  '.gnome2/keyrings',
  '.local/share/kwalletd',
  '.kde/share/apps/kwallet',
  '.thunderbird',
  '.electrum',
  '.bitcoin',
  '.ethereum',
  // What was typed at a prompt: passwords and tokens given on a command line.
  '.bash_history',
  '.zsh_history',
  '.python_history',
  '.node_repl_history',
  '.psql_history',
  '.mysql_history',
  // Coding agents' own logins: a command an agent runs must not read the agent's credentials.
  '.claude/.credentials.json',
  '.codex/auth.json',
  '.gemini/oauth_creds.json',
  '.config/github-copilot',
  '.local/share/keyrings',
  'Library/Keychains',
  '.mozilla',
  '.config/google-chrome',
  '.config/chromium',
  '.config/BraveSoftware',
  '.config/microsoft-edge',
  'Library/Application Support/Google/Chrome',
  'Library/Application Support/Firefox',
  'Library/Application Support/BraveSoftware',
  'Library/Safari',
  'Library/Cookies',
] as const;

/** A `.env` file's name (`.env`, `.env.local`, `.envrc`, ...), as regular-expression source: Seatbelt matches it too. */
export const ENV_FILE_PATTERN = String.raw`\.env(rc)?(\.[^/]+)?`;

/** `.env`, `.env.local`, `.env.production`, `.envrc`, ... wherever they are. */
export const ENV_FILE = new RegExp(`^${ENV_FILE_PATTERN}$`);

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

/**
 * Why no run may be given `path` unless a person says so, or null: a credential location, or a
 * place inside the gateway's own directory (`$ALEPH_HOME`: its socket secret, rules and audit log).
 * Real paths.
 */
export function protectedReason(path: string, home: string, gatewayHome: string): string | null {
  if (isWithin(gatewayHome, path)) return "$ALEPH_HOME, the gateway's own directory, holds its secrets";
  return sensitiveReason(path, home);
}

/** The sensitive home locations below `dir` (or `dir` itself inside one), for a sandbox to hide. */
export function sensitiveBelow(dir: string, home: string): string[] {
  return SENSITIVE_HOME_PATHS.map((rel) => posix.join(home, rel)).filter((location) => isWithin(dir, location));
}
