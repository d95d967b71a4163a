/**
 * How one run is started: the platform launcher (bwrap or sandbox-exec), its profile, and the
 * helper that sets the limits inside before it becomes the tool. Pure: the runner does the I/O.
 */
import { fail, ok, type Result } from '@aleph/protocol';
import { bubblewrapArgs, type HiddenPath, type RunFile } from './bubblewrap.js';
import { isWithin, PROXY_MISSING, type Capabilities } from './capabilities.js';
import type { ProxyEndpoint } from './domain-proxy.js';
import { sandboxEnvironment } from './environment.js';
import { bridgeCommand, PROXY_PORT_IN_SANDBOX, PROXY_SOCKET_IN_SANDBOX, proxyEnvironment } from './network-bridge.js';
import { unixSocketFilter } from './seccomp.js';
import { seatbeltProfile } from './seatbelt.js';

export const SANDBOX_PLATFORMS = ['linux', 'macos'] as const;
export type SandboxPlatform = (typeof SANDBOX_PLATFORMS)[number];

/** Where the helper and the run's cgroup file appear inside a bubblewrap sandbox. */
export const HELPER_IN_SANDBOX = '/run/aleph/sandbox-helper';
export const CGROUP_FILE_IN_SANDBOX = '/run/aleph/cgroup';

/**
 * The descriptors through which bubblewrap gets what the runner hands it: the seccomp filter, and
 * from FIRST_GRANT_FD on the granted paths, one each in the profile's order.
 */
export const SECCOMP_FD = 3;
export const FIRST_GRANT_FD = 4;

/**
 * The line the helper writes to its error output just before it becomes the tool: what comes
 * before it is the sandbox's (a setup failure), what comes after is the tool's.
 */
export const HELPER_READY = 'aleph-sandbox-helper: starting the tool';

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
  /**
   * Linux: the runner opened the granted paths and hands them to bwrap as descriptors, from
   * FIRST_GRANT_FD on in the profile's order; otherwise they are bound by path.
   */
  readonly pinned: boolean;
  /** The machine's architecture, as Node names it (`x64`, `arm64`): the seccomp filter is per architecture. */
  readonly arch: string;
  /**
   * A domain grant's proxy, started for this run: its Unix socket on Linux (bridged into the
   * sandbox), its loopback port on macOS. A domain grant without one is refused.
   */
  readonly proxy?: ProxyEndpoint | null;
}

export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  /** The environment the launcher starts with and passes on: what the profile allows, nothing else. */
  readonly env: Readonly<Record<string, string>>;
  /** macOS: the Seatbelt profile to write to `profilePath` first. */
  readonly profile: string | null;
  /** Linux: the seccomp filter to write to SECCOMP_FD, when the run has one. */
  readonly seccomp: Buffer | null;
  /** Limits the launch goes without on this machine, and why (never silently). */
  readonly unenforced: readonly string[];
  /**
   * Where the launcher starts: macOS, the tool's working directory (sandbox-exec has no option
   * for it, so the runner spawns it there); null on Linux, where bwrap's `--chdir` takes it.
   */
  readonly cwd: string | null;
}

/**
 * What Seatbelt cannot hold a run to, said on every macOS run's record. macOS refuses RLIMIT_DATA
 * (EINVAL since macOS 12 on Apple silicon) and where it takes it does not enforce it; it counts
 * processes per user, not per sandbox.
 */
export const MACOS_UNENFORCED = {
  memory: "memory: macOS does not enforce a memory limit on a process (RLIMIT_DATA is refused or ignored), so the run's memory is not limited",
  processes: "processes: macOS counts processes per user, not per sandbox, so the run's task limit is not enforced (only no_fork is)",
} as const;

/** The task limit a profile asks for: one task when it may not fork. */
export function taskLimit(caps: Capabilities): number {
  return caps.process.no_fork ? 1 : MAX_TASKS;
}

export function sandboxLaunch(plan: LaunchPlan): Result<Launch> {
  const caps = plan.capabilities;
  if (plan.command.length === 0) return fail('no_command', 'Nothing to run: give the command after --.');
  const temp = caps.filesystem.some((e) => e.kind === 'temp_workspace');
  // On Linux the temporary workspace is a fresh /tmp inside the sandbox, no host directory at all:
  // a run starts there only at its top.
  const inside = (temp && plan.cwd === plan.tmp) || insideProfile(caps, plan.cwd, plan.platform === 'linux' ? null : plan.tmp);
  if (!inside) return fail('cwd_outside_profile', `The working directory ${plan.cwd} is not one the profile grants; the tool could not even start there.`);
  const dataKb = String(caps.process.max_memory_mb * 1024);
  // The launcher starts with the allowed environment only, and passes it on; a domain grant adds
  // the variables that name its proxy, whatever the environment grant (they hold no secret).
  const domains = caps.network.kind === 'allow_domains';
  const proxy = plan.proxy ?? null;
  if (domains && (proxy === null || 'path' in proxy !== (plan.platform === 'linux'))) return fail(PROXY_MISSING.code, PROXY_MISSING.message);
  const proxyPort = proxy === null || 'path' in proxy ? PROXY_PORT_IN_SANDBOX : proxy.port;
  const env = {
    ...sandboxEnvironment(caps.environment, plan.env, temp ? (plan.platform === 'linux' ? '/tmp' : plan.tmp) : null),
    ...(domains ? proxyEnvironment(proxyPort) : {}),
  };
  if (plan.platform === 'linux') {
    // Without network, no Unix sockets either (seccomp.ts); with a domain grant, none but the
    // bridge's to the proxy; with the whole network, the network is the run's.
    const seccomp = caps.network.kind !== 'allow_all' ? unixSocketFilter(plan.arch) : null;
    const unenforced =
      caps.network.kind !== 'allow_all' && seccomp === null
        ? [`network: there is no seccomp filter for ${plan.arch} here, so Unix sockets inside the granted paths stay reachable`]
        : [];
    const grants = caps.filesystem.filter((e) => e.kind !== 'temp_workspace').length;
    const runFiles: RunFile[] = [{ source: plan.helper, dest: HELPER_IN_SANDBOX, writable: false }];
    if (plan.cgroupFile !== null) runFiles.push({ source: plan.cgroupFile, dest: CGROUP_FILE_IN_SANDBOX, writable: true });
    // The bridge loads the filter itself once socat runs (network-bridge.ts); bwrap loads it otherwise.
    const bridge = domains ? bridgeCommand(plan.arch, seccomp !== null) : [];
    if (bridge === null) return fail('bridge_unsupported', `The domain proxy's bridge cannot load the seccomp filter on ${plan.arch}.`);
    if (domains && proxy !== null && 'path' in proxy) runFiles.push({ source: proxy.path, dest: PROXY_SOCKET_IN_SANDBOX, writable: false });
    const args = bubblewrapArgs(caps, {
      cwd: plan.cwd,
      hide: plan.hide,
      runFiles,
      ...(plan.pinned ? { grantFds: Array.from({ length: grants }, (_, i) => FIRST_GRANT_FD + i) } : {}),
      ...(seccomp === null || domains ? {} : { seccompFd: SECCOMP_FD }),
    });
    if (!args.ok) return args;
    return ok({
      file: 'bwrap',
      args: [
        ...args.value,
        '--',
        ...bridge,
        HELPER_IN_SANDBOX,
        dataKb,
        String(taskLimit(caps)),
        plan.cgroupFile === null ? '' : CGROUP_FILE_IN_SANDBOX,
        '--',
        ...plan.command,
      ],
      env,
      profile: null,
      seccomp,
      unenforced,
      cwd: null,
    });
  }
  const profile = seatbeltProfile(caps, { tmp: plan.tmp, helper: plan.helper, hide: plan.hide, ...(domains ? { proxyPort } : {}) });
  if (!profile.ok) return profile;
  // Neither memory nor the task count can be limited here (see MACOS_UNENFORCED): the helper is
  // told "-" for both instead of failing every run, and the record says so. no_fork is the
  // profile's to enforce.
  const unenforced = [MACOS_UNENFORCED.memory, ...(caps.process.no_fork ? [] : [MACOS_UNENFORCED.processes])];
  return ok({
    file: '/usr/bin/sandbox-exec',
    args: ['-f', plan.profilePath, plan.helper, '-', '-', '', '--', ...plan.command],
    env: withGitGlobalConfig(caps, env, plan.env.HOME),
    profile: profile.value,
    seccomp: null,
    unenforced,
    cwd: plan.cwd,
  });
}

/**
 * Git dies on a global config it can see but not read (`unable to access ~/.gitconfig`), and on
 * macOS a file outside the grants is refused, not absent as under bubblewrap. When the home's
 * `.gitconfig` is not granted, git is pointed at an empty one instead, unless the run's
 * environment names one already.
 */
function withGitGlobalConfig(caps: Capabilities, env: Readonly<Record<string, string>>, home: string | undefined): Record<string, string> {
  if (home === undefined || home === '' || env.GIT_CONFIG_GLOBAL !== undefined) return { ...env };
  const config = `${home.replace(/\/+$/, '')}/.gitconfig`;
  const readable = caps.filesystem.some((e) => e.kind !== 'temp_workspace' && isWithin(e.path, config));
  return readable ? { ...env } : { ...env, GIT_CONFIG_GLOBAL: '/dev/null' };
}

/** Whether a path is one of the profile's declared paths (or `tmp`) or below one; normal absolute paths. */
export function insideProfile(caps: Capabilities, path: string, tmp: string | null): boolean {
  const roots = caps.filesystem.flatMap((e) => (e.kind !== 'temp_workspace' ? [e.path] : tmp === null ? [] : [tmp]));
  return roots.some((root) => isWithin(root, path));
}
