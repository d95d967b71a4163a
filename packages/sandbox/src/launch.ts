/**
 * How one run is started: the platform launcher (bwrap or sandbox-exec), its profile, and the
 * helper that sets the limits inside before it becomes the tool. Pure: the runner does the I/O.
 */
import { fail, ok, type Result } from '@aleph/protocol';
import { bubblewrapArgs, type HiddenPath } from './bubblewrap.js';
import { isWithin, type Capabilities } from './capabilities.js';
import { sandboxEnvironment } from './environment.js';
import { seatbeltProfile } from './seatbelt.js';

export const SANDBOX_PLATFORMS = ['linux', 'macos'] as const;
export type SandboxPlatform = (typeof SANDBOX_PLATFORMS)[number];

/** Where the helper and the run's cgroup file appear inside a bubblewrap sandbox. */
export const HELPER_IN_SANDBOX = '/run/aleph/sandbox-helper';
export const CGROUP_FILE_IN_SANDBOX = '/run/aleph/cgroup';

/**
 * Tasks (processes and threads) a run may have at once unless it declared no_fork: enough for a
 * compiler or a test runner, far too few for a fork bomb to hurt the machine.
 */
export const MAX_TASKS = 256;

export interface LaunchPlan {
  readonly platform: SandboxPlatform;
  /** Resolved: absolute paths only. */
  readonly capabilities: Capabilities;
  readonly command: readonly string[];
  /** Where the tool starts: inside a declared path (or, on macOS, the run's temporary directory). */
  readonly cwd: string;
  /** The caller's environment, filtered by the profile's environment grant. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The helper executable on the host. */
  readonly helper: string;
  /**
   * The file through which the helper joins the run's pids cgroup, when the task limit is kept
   * there (runs by root): v1's `tasks` (joining it is cheap), or v2's `cgroup.procs`.
   */
  readonly cgroupFile: string | null;
  /** macOS: the run's temporary directory, standing for the temporary workspace. */
  readonly tmp: string;
  /** macOS: where the runner writes the Seatbelt profile. */
  readonly profilePath: string;
  /** Credential locations inside the granted paths, hidden from the tool. */
  readonly hide: readonly HiddenPath[];
}

export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  /** The environment the launcher starts with and passes on: what the profile allows, nothing else. */
  readonly env: Readonly<Record<string, string>>;
  /** macOS: the Seatbelt profile to write to `profilePath` first. */
  readonly profile: string | null;
}

/** The task limit a profile asks for: one task when it may not fork. */
export function taskLimit(caps: Capabilities): number {
  return caps.process.no_fork ? 1 : MAX_TASKS;
}

export function sandboxLaunch(plan: LaunchPlan): Result<Launch> {
  const caps = plan.capabilities;
  if (plan.command.length === 0) return fail('no_command', 'Nothing to run: give the command after --.');
  // On Linux the temporary workspace is a fresh /tmp inside the sandbox, no host directory at all.
  const inside = insideProfile(caps, plan.cwd, plan.platform === 'linux' ? null : plan.tmp);
  if (!inside) return fail('cwd_outside_profile', `The working directory ${plan.cwd} is not one the profile grants; the tool could not even start there.`);
  const dataKb = String(caps.process.max_memory_mb * 1024);
  const temp = caps.filesystem.some((e) => e.kind === 'temp_workspace');
  // The launcher starts with the allowed environment only, and passes it on.
  const env = sandboxEnvironment(caps.environment, plan.env, temp ? (plan.platform === 'linux' ? '/tmp' : plan.tmp) : null);
  if (plan.platform === 'linux') {
    const args = bubblewrapArgs(caps, { cwd: plan.cwd, hide: plan.hide });
    if (!args.ok) return args;
    const binds = ['--ro-bind', plan.helper, HELPER_IN_SANDBOX];
    if (plan.cgroupFile !== null) binds.push('--bind', plan.cgroupFile, CGROUP_FILE_IN_SANDBOX);
    return ok({
      file: 'bwrap',
      args: [...args.value, ...binds, '--', HELPER_IN_SANDBOX, dataKb, String(taskLimit(caps)), plan.cgroupFile === null ? '' : CGROUP_FILE_IN_SANDBOX, '--', ...plan.command],
      env,
      profile: null,
    });
  }
  const profile = seatbeltProfile(caps, { tmp: plan.tmp, helper: plan.helper, hide: plan.hide });
  if (!profile.ok) return profile;
  // macOS counts processes per user, not per sandbox, so no_fork is the profile's to enforce.
  return ok({
    file: '/usr/bin/sandbox-exec',
    args: ['-f', plan.profilePath, plan.helper, dataKb, '-', '', '--', ...plan.command],
    env,
    profile: profile.value,
  });
}

/** Whether a path is one of the profile's declared paths (or `tmp`) or below one; normal absolute paths. */
export function insideProfile(caps: Capabilities, path: string, tmp: string | null): boolean {
  const roots = caps.filesystem.flatMap((e) => (e.kind !== 'temp_workspace' ? [e.path] : tmp === null ? [] : [tmp]));
  return roots.some((root) => isWithin(root, path));
}
