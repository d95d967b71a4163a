/**
 * A run started from inside another sandbox. An agent may run its commands in a sandbox of its own
 * (Claude Code's sandbox mode uses bubblewrap, as Aleph does), or in a container. bubblewrap then
 * cannot make Aleph's: the enclosing one forbids new user namespaces (Aleph's own, and any started
 * with `--disable-userns`: ENOSPC), or its /proc is partly covered, so the kernel refuses a new
 * one (EPERM on mounting proc), or the container's seccomp profile refuses the namespace outright.
 * The way around each (binding the enclosing /proc, or going without a pid namespace) would let
 * the run reach the enclosing sandbox's processes, and through /proc/PID/root its files: so the
 * run is refused, and its error says where it is and what to do, instead of a bare bwrap line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fail, type Result } from '@aleph/protocol';

/** The run's error when the sandbox cannot be made because another one encloses this process. */
export const NESTED_SANDBOX = 'sandbox_nested';

/** What this process can see of an enclosing sandbox. */
export interface EnclosingHints {
  /** The name of pid 1 in this process's pid namespace (`bwrap` inside bubblewrap). */
  readonly pid1: string | null;
  /** Marker files that exist (`/.dockerenv`, `/run/.containerenv`, `/.flatpak-info`, Aleph's helper). */
  readonly markers: readonly string[];
  /** The environment's markers (`container`, `SANDBOX_RUNTIME`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const MARKERS: ReadonlyArray<readonly [string, string]> = [
  ['/run/aleph/sandbox-helper', "Aleph's own sandbox"],
  ['/.flatpak-info', 'a Flatpak sandbox'],
  ['/run/.containerenv', 'a Podman container'],
  ['/.dockerenv', 'a Docker container'],
];

/** This process's hints, read from /proc and the file system. */
export function enclosingHints(env: Readonly<Record<string, string | undefined>> = process.env): EnclosingHints {
  let pid1: string | null = null;
  try {
    pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
  } catch {
    // No /proc to read: no hint from it.
  }
  return { pid1, markers: MARKERS.map(([path]) => path).filter((p) => existsSync(p)), env: { container: env.container, SANDBOX_RUNTIME: env.SANDBOX_RUNTIME } };
}

/** The enclosing sandbox, in words, or null when nothing says there is one. */
export function enclosingSandbox(hints: EnclosingHints): string | null {
  const marker = MARKERS.find(([path]) => hints.markers.includes(path));
  if (marker !== undefined && marker[0] === '/run/aleph/sandbox-helper') return marker[1];
  if (hints.env.SANDBOX_RUNTIME === '1') return "an agent's sandbox (sandbox-runtime, as Claude Code's sandbox mode uses)";
  if (hints.pid1 === 'bwrap') return "a bubblewrap sandbox (an agent's sandbox mode, or Flatpak)";
  if (marker !== undefined) return marker[1];
  if (hints.env.container !== undefined && hints.env.container !== '') return `a ${hints.env.container} container`;
  return null;
}

/** bubblewrap's words when an enclosing sandbox is what stopped it. */
const NESTING_SIGNS = [
  /max_\*_namespaces exceeded|ENOSPC|No space left on device/,
  /Can't mount proc on \/newroot\/proc: Operation not permitted/,
  /Creating new namespace failed: Operation not permitted|No permissions to create(ing)? new namespace/,
];

/**
 * Why bubblewrap could not make a sandbox, from its first line of error output: a nested sandbox
 * when that is what its words and this process's surroundings say, otherwise the machine's setting.
 */
export function bubblewrapRefused(said: string, status: number | null, hints: EnclosingHints): Result<never> {
  const enclosing = enclosingSandbox(hints);
  const nestedSign = NESTING_SIGNS.some((sign) => sign.test(said));
  if (enclosing !== null && nestedSign) {
    return fail(
      NESTED_SANDBOX,
      `This command already runs inside ${enclosing}, which does not let another sandbox be made inside it (bubblewrap: ${said}). ` +
        "Aleph does not run commands unconfined, so nothing was run: run the agent (and Aleph) outside that sandbox, where Aleph's sandbox takes its place" +
        ' (Claude Code: turn its sandbox mode off for commands Aleph confines).',
    );
  }
  if (/max_\*_namespaces exceeded|ENOSPC/.test(said)) {
    return fail(
      NESTED_SANDBOX,
      `bubblewrap may not make a user namespace here (${said}): this process is likely inside a sandbox that forbids them, or user.max_user_namespaces is 0. Nothing was run.`,
    );
  }
  return fail('sandbox_unavailable', `bubblewrap cannot create a sandbox here (${said || `exit ${status}`}); unprivileged user namespaces may be disabled.`);
}
