/**
 * The environment a sandboxed tool sees. `restricted` keeps what programs need to behave (where
 * commands are, the locale, the terminal) and nothing that tends to hold a secret.
 */
import type { EnvironmentGrant } from './capabilities.js';

export const RESTRICTED_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TZ',
  'COLORTERM',
  'NO_COLOR',
  'SHELL',
  // Where toolchains and their caches live, so that an agent's builds find what they find outside.
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'VIRTUAL_ENV',
  'PYENV_ROOT',
  'NVM_DIR',
  'JAVA_HOME',
] as const;

/** The variables a run gets, from the caller's environment. */
export function sandboxEnvironment(grant: EnvironmentGrant, env: Readonly<Record<string, string | undefined>>, tmp: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (grant === 'full') {
    for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  } else if (grant === 'restricted') {
    for (const k of RESTRICTED_VARIABLES) if (env[k] !== undefined) out[k] = env[k]!;
  }
  // The run's own temporary directory, whatever the caller's TMPDIR says: the caller's (macOS's
  // /var/folders/...) is not one the profile grants, and heredocs and mktemp would fail there.
  if (tmp !== null) out.TMPDIR = tmp;
  return out;
}
