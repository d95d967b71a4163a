/**
 * The steps of a confined run: check where it may run (and pin its grants), prepare the launch,
 * start the launcher, and supervise it to its end. What each step takes is held in one place,
 * for runConfined to give back.
 */
import { spawn, type ChildProcess, type IOType } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fail, ok, type Result } from '@aleph/protocol';
import { sandboxAvailability } from './availability.js';
import { isWithin } from './capabilities.js';
import type { ProxyEndpoint } from './domain-proxy.js';
import { pinGrants } from './grants.js';
import { realPathOf } from './guard.js';
import { pathsToHide } from './hidden.js';
import { FIRST_GRANT_FD, HELPER_READY, SECCOMP_FD, sandboxLaunch, taskLimit, type Launch, type SandboxPlatform } from './launch.js';
import { DEFAULT_HELPER, type RunOptions, type SandboxRun } from './sandbox-run.js';
import { pathForSandbox } from './seatbelt.js';
import { releaseTaskCgroup, takeTaskCgroup, type TaskCgroup } from './task-cgroup.js';
import { ViolationCollector } from './violations.js';

/** A step's failure: the code and sentence the run's record carries. */
export interface StepFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * What a run holds while it is prepared and while it runs (granted paths' descriptors, a pids
 * cgroup, a scratch directory): each step adds what it takes, and one release() gives it all
 * back, whichever way the run ends.
 */
export class Held {
  readonly grantFds: number[] = [];
  cgroup: TaskCgroup | null = null;
  scratch: string | null = null;

  /** The granted paths' descriptors, once the launcher has its own copies (or will never start). */
  closeGrants(): void {
    for (const fd of this.grantFds.splice(0)) closeSync(fd);
  }

  release(): void {
    this.closeGrants();
    if (this.cgroup !== null) releaseTaskCgroup(this.cgroup);
    this.cgroup = null;
    if (this.scratch !== null) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = null;
  }
}

/** Where a run may happen: a sandbox on this machine, its helper, the working directory, and grants outside the hidden places. */
export interface Checked {
  readonly platform: SandboxPlatform;
  readonly helper: string;
  readonly cwd: string;
}

export function check(
  run: SandboxRun,
  options: RunOptions,
  held: Held,
): { ok: true; value: Checked } | { ok: false; error: StepFailure; platform: SandboxPlatform | null } {
  const available = sandboxAvailability();
  if (!available.ok) return { ok: false, error: available.error, platform: null };
  const platform = available.value.platform;
  const refuse = (code: string, message: string) => ({ ok: false as const, error: { code, message }, platform });
  const helper = options.helper ?? DEFAULT_HELPER;
  try {
    accessSync(helper, constants.X_OK);
  } catch {
    return refuse('helper_missing', `The sandbox helper is missing or not executable at ${helper}.`);
  }
  if (run.inTempWorkspace === true && !run.capabilities.filesystem.some((e) => e.kind === 'temp_workspace'))
    return refuse('no_temp_workspace', 'The profile has no temporary workspace to start in.');
  let cwd: string;
  try {
    cwd = realpathSync(run.cwd);
  } catch {
    return refuse('cwd_missing', `The working directory ${run.cwd} does not exist.`);
  }
  // A grant inside the caller's own hidden places (the gateway's directory) only where a person allowed it.
  const guarded = (options.hide ?? []).map(realPathOf);
  for (const entry of run.capabilities.filesystem) {
    if (entry.kind === 'temp_workspace' || options.allowed?.includes(entry.path) === true) continue;
    const within = guarded.find((h) => isWithin(h, entry.path));
    if (within !== undefined)
      return refuse('protected_path', `The profile grants ${entry.path}, inside ${within}, which no run sees unless a person allows it.`);
  }
  // What is bound is what was checked: on Linux each granted path is opened now and bound through
  // its descriptor; anywhere, one that leads elsewhere than it did is refused.
  const pinned = pinGrants(run.capabilities, platform === 'linux');
  if (!pinned.ok) return refuse(pinned.error.code, pinned.error.message);
  held.grantFds.push(...pinned.value);
  return { ok: true, value: { platform, helper, cwd } };
}

/** The launch made ready: the task limit's cgroup, the paths to hide, a scratch directory (macOS), the launcher's command. */
export function prepare(
  run: SandboxRun,
  options: RunOptions,
  checked: Checked,
  held: Held,
  proxy: ProxyEndpoint | null,
): Result<{ launch: Launch; unenforced: string[]; cwd: string }> {
  const { platform, helper, cwd } = checked;
  const linux = platform === 'linux';
  const capabilities = run.capabilities;
  const unenforced: string[] = [];
  const byRoot = process.getuid?.() === 0;
  held.cgroup = linux && byRoot ? takeTaskCgroup(taskLimit(capabilities)) : null;
  if (linux && byRoot && held.cgroup === null) {
    unenforced.push('processes: the kernel does not apply the task limit to root, and no pids cgroup could be created');
  }
  const hidden = pathsToHide(capabilities, {
    home: run.env.HOME ?? homedir(),
    extra: options.hide ?? [],
    agentSocket: run.env.SSH_AUTH_SOCK,
    walk: linux,
    rootOnlyIn: byRoot ? (linux ? '/etc' : '/private/etc') : null,
  });
  unenforced.push(...hidden.unenforced);
  try {
    // Seatbelt matches real paths: tmpdir() is /var/folders/..., which it sees as /private/var/folders/...
    if (platform === 'macos') held.scratch = pathForSandbox(mkdtempSync(join(tmpdir(), 'aleph-run-')));
  } catch (error) {
    return fail('spawn_failed', `The sandbox could not be prepared: ${(error as Error).message}`);
  }
  const scratch = held.scratch;
  const tmp = scratch === null ? '/tmp' : join(scratch, 'tmp');
  const start = run.inTempWorkspace === true ? tmp : cwd;
  // The granted paths and the hidden ones are real paths already (realCapabilities, pinGrants,
  // pathsToHide); the helper may be reached through a link.
  const launch = sandboxLaunch({
    platform,
    capabilities,
    command: run.command,
    cwd: start,
    env: run.env,
    helper: linux ? helper : pathForSandbox(helper),
    cgroupFile: held.cgroup?.join ?? null,
    tmp,
    profilePath: scratch === null ? '' : join(scratch, 'profile.sb'),
    hide: hidden.paths,
    pinned: linux,
    arch: process.arch,
    proxy,
  });
  if (!launch.ok) return launch;
  unenforced.push(...launch.value.unenforced);
  return ok({ launch: launch.value, unenforced, cwd: start });
}

/** Starts the launcher in its own process group, with the seccomp filter and the granted paths' descriptors. */
export function start(options: RunOptions, launch: Launch, held: Held): Result<ChildProcess> {
  let devNull: number | null = null;
  try {
    if (held.scratch !== null && launch.profile !== null) {
      mkdirSync(join(held.scratch, 'tmp'), { mode: 0o700 });
      writeFileSync(join(held.scratch, 'profile.sb'), launch.profile, { mode: 0o600 });
    }
    // Descriptors this process was given by whoever started it would reach the tool through the
    // launcher: /dev/null stands in for each. Then the seccomp filter and the granted paths.
    devNull = openSync('/dev/null', 'r');
    const stdout = options.stdout ?? 'inherit';
    const stdio: Array<IOType | 'inherit' | number> = [options.stdin ?? 'inherit', stdout === 'inherit' ? 'inherit' : 'pipe', 'pipe'];
    for (const fd of inheritedDescriptors()) stdio[fd] = devNull;
    if (launch.seccomp !== null) stdio[SECCOMP_FD] = 'pipe';
    held.grantFds.forEach((fd, i) => (stdio[FIRST_GRANT_FD + i] = fd));
    // Its own process group, so that a timeout (or Ctrl-C) reaches everything it started; on Linux
    // the pid namespace goes further: when bubblewrap dies, every process inside dies with it.
    // bwrap changes directory itself (--chdir); sandbox-exec starts the tool where it starts.
    return ok(
      spawn(launch.file, launch.args, {
        env: launch.env,
        stdio: Array.from(stdio, (s) => s ?? 'ignore'),
        detached: true,
        ...(launch.cwd === null ? {} : { cwd: launch.cwd }),
      }),
    );
  } catch (error) {
    // A full disk, or an argument the kernel will not take (E2BIG): the run is an error, never a throw.
    return fail('spawn_failed', `The sandbox could not start the command: ${(error as Error).message}`);
  } finally {
    // The launcher has its own copies now (or never will).
    held.closeGrants();
    if (devNull !== null) closeSync(devNull);
  }
}

/** How the launcher ended, and what was seen meanwhile. */
export interface Supervised {
  readonly outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error };
  readonly timedOut: boolean;
  readonly toolStarted: boolean;
  /** What the sandbox said before the tool started (for a run that never did). */
  readonly setup: string;
  readonly collector: ViolationCollector;
}

/** Feeds the seccomp filter, passes the tool's output on, and ends the run at its time limit, on abort, or on a forwarded signal. */
export async function supervise(child: ChildProcess, launch: Launch, run: SandboxRun, options: RunOptions): Promise<Supervised> {
  const filter = child.stdio[SECCOMP_FD];
  if (launch.seccomp !== null && filter instanceof Writable) {
    // bwrap reads the filter before it starts anything; one that died first leaves nobody to read it.
    filter.on('error', () => undefined);
    filter.end(launch.seccomp);
  }
  const collector = new ViolationCollector();
  const errOut = options.stderr ?? process.stderr;
  // What the sandbox says before the helper starts the tool (bwrap's, the helper's own) is kept
  // for the record of a run that could not start; everything after is the tool's.
  let toolStarted = false;
  let setup = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    let rest = chunk;
    if (!toolStarted) {
      setup += chunk;
      const at = setup.indexOf(`${HELPER_READY}\n`);
      if (at === -1) {
        // Only bubblewrap and the helper write here, and little; bounded all the same.
        if (setup.length > MAX_SETUP_OUTPUT) setup = setup.slice(0, MAX_SETUP_OUTPUT / 2) + setup.slice(-MAX_SETUP_OUTPUT / 2);
        return;
      }
      toolStarted = true;
      rest = setup.slice(at + HELPER_READY.length + 1);
      if (at > 0) errOut.write(setup.slice(0, at));
      setup = '';
    }
    if (rest === '') return;
    collector.push(rest);
    errOut.write(rest);
  });
  const stdout = options.stdout ?? 'inherit';
  if (stdout !== 'inherit') child.stdout?.pipe(stdout, { end: false });

  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGKILL');
  }, run.capabilities.process.max_execution_time_s * 1000);
  const onAbort = () => killGroup('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const forward = (signal: NodeJS.Signals) => killGroup(signal);
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (options.forwardSignals === true) for (const s of forwarded) process.on(s, forward);
  try {
    const outcome = await new Promise<Supervised['outcome']>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    return { outcome, timedOut, toolStarted, setup, collector };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (options.forwardSignals === true) for (const s of forwarded) process.off(s, forward);
    collector.end();
  }
}

/** What is kept of the sandbox's own error output before the tool starts. */
const MAX_SETUP_OUTPUT = 64 * 1024;

/** Linux's O_CLOEXEC, as /proc/self/fdinfo shows a descriptor's flags. */
const O_CLOEXEC = 0o2000000;

let inherited: readonly number[] | undefined;

/**
 * This process's descriptors above 2 that a child would inherit: those it was given by whoever
 * started it (a shell's `200</`, a supervisor's pipe), which Node never marks close-on-exec. On
 * Linux /proc says which those are; elsewhere every open one counts. Looked up once: they are
 * there from the start, and one closed since costs a child nothing but a /dev/null.
 */
function inheritedDescriptors(): readonly number[] {
  if (inherited !== undefined) return inherited;
  const linux = process.platform === 'linux';
  let names: string[] = [];
  try {
    names = readdirSync(linux ? '/proc/self/fd' : '/dev/fd');
  } catch {
    // Nowhere to look: nothing known to stand in for.
  }
  inherited = names.map(Number).filter((fd) => fd > 2 && (!linux || !closeOnExec(fd)));
  return inherited;
}

function closeOnExec(fd: number): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) !== 0;
  } catch {
    // Closed since it was listed (the listing's own descriptor).
    return true;
  }
}
