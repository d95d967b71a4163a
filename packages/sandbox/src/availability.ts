/** Whether this machine can sandbox a run: Seatbelt on macOS, a working bubblewrap on Linux. */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fail, ok, type Result } from '@aleph/protocol';
import { bubblewrapArgs, MIN_BUBBLEWRAP } from './bubblewrap.js';
import type { SandboxPlatform } from './launch.js';
import { bubblewrapRefused, enclosingHints } from './nesting.js';
import { BASE_CAPABILITIES } from './presets.js';
import { unixSocketFilter } from './seccomp.js';

export interface SandboxAvailability {
  readonly platform: SandboxPlatform;
  readonly launcher: string;
}

let availability: Result<SandboxAvailability> | undefined;

/**
 * Whether this machine can sandbox a run, and if not, a sentence saying why and what to do.
 * bubblewrap is tried once for real: installed is not enough where user namespaces are off.
 */
export function sandboxAvailability(): Result<SandboxAvailability> {
  availability ??= probe();
  return availability;
}

function probe(): Result<SandboxAvailability> {
  if (process.platform === 'darwin') {
    try {
      accessSync('/usr/bin/sandbox-exec', constants.X_OK);
      return ok({ platform: 'macos', launcher: '/usr/bin/sandbox-exec' });
    } catch {
      return fail('sandbox_unavailable', 'sandbox-exec is missing from /usr/bin, so runs cannot be sandboxed on this Mac.');
    }
  }
  if (process.platform !== 'linux')
    return fail('sandbox_unavailable', `There is no sandbox for ${process.platform}: runs are sandboxed on Linux (bubblewrap) and macOS (Seatbelt).`);
  // The arguments of a real run (a private /tmp, no network, so the seccomp filter too): a
  // bubblewrap too old for one of them fails here, not on every run.
  const seccomp = unixSocketFilter(process.arch);
  const args = bubblewrapArgs(BASE_CAPABILITIES, { cwd: '/', ...(seccomp === null ? {} : { seccompFd: 0 }) });
  if (!args.ok) return args;
  const r = spawnSync('bwrap', [...args.value, '--', '/bin/true'], { encoding: 'utf8', timeout: 10_000, ...(seccomp === null ? {} : { input: seccomp }) });
  const error = r.error as NodeJS.ErrnoException | undefined;
  // EPIPE: bwrap ended before it read the filter; how it ended says why.
  if (error !== undefined && error.code !== 'EPIPE') {
    return fail(
      'sandbox_unavailable',
      error.code === 'ENOENT'
        ? 'bubblewrap (bwrap) is not installed, so runs cannot be sandboxed: install it (Debian and Ubuntu: apt install bubblewrap; Fedora: dnf install bubblewrap).'
        : `bubblewrap could not be started: ${error.message}`,
    );
  }
  const said = r.stderr.trim().split('\n')[0] ?? '';
  if (r.status !== 0 && said.includes('Unknown option')) {
    return fail('sandbox_unavailable', `This bubblewrap is too old for the sandbox (${said}): bubblewrap ${MIN_BUBBLEWRAP} or newer is needed.`);
  }
  // Inside another sandbox (an agent's own, a container), the error says so (nesting.ts).
  if (r.status !== 0) return bubblewrapRefused(said, r.status, enclosingHints());
  return ok({ platform: 'linux', launcher: 'bwrap' });
}
