/**
 * Runs one tool under the platform sandbox and reports how it went: the launcher and the helper
 * started with the profile, the error output passed through and read for violations, the whole
 * run killed when its time is up. The record it returns is what the audit log keeps.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, constants as system, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { fail, ok, type Result, type SandboxOutcome, type SandboxRunStatus } from '@aleph/protocol';
import { capabilityHash, isWithin, type Capabilities, type FilesystemEntry } from './capabilities.js';
import type { HiddenPath } from './bubblewrap.js';
import { realPathOf } from './guard.js';
import { insideProfile, sandboxLaunch, taskLimit, type SandboxPlatform } from './launch.js';
import { ENV_FILE, sensitiveBelow } from './sensitive.js';
import { ViolationCollector, type Violation } from './violations.js';

/** The helper as shipped in `resources/` (the packaged app passes its own path). */
export const DEFAULT_HELPER = fileURLToPath(new URL('../../../resources/aleph-sandbox-helper', import.meta.url));

/** What one run did, for the audit log and `--json`. */
export interface SandboxAuditLog {
  readonly status: SandboxRunStatus;
  readonly platform: SandboxPlatform | null;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly capability_hash: string;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly duration_ms: number;
  readonly violations: readonly Violation[];
  /** Violations seen, including those beyond the ones kept. */
  readonly violation_count: number;
  /** Limits this run went without, and why (never silently). */
  readonly limits_unenforced: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
}

export interface SandboxRun {
  /** Resolved (absolute paths). */
  readonly capabilities: Capabilities;
  readonly command: readonly string[];
  readonly cwd: string;
  /** The caller's environment; the profile's environment grant filters it. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface RunOptions {
  readonly helper?: string;
  readonly stdin?: 'inherit' | 'ignore';
  /** Where the tool's output goes: inherited by default. */
  readonly stdout?: 'inherit' | Writable;
  /** Where its error output goes after it is read for violations: this process's by default. */
  readonly stderr?: Writable;
  /** Ends the run early (a requester that went away, a shutdown). */
  readonly signal?: AbortSignal;
  /** Pass SIGINT, SIGTERM and SIGHUP on to the run (a terminal's Ctrl-C). */
  readonly forwardSignals?: boolean;
  /** More paths to hide when they fall inside a granted path (the gateway's own directory). */
  readonly hide?: readonly string[];
}

/** The run as the gateway's audit log takes it (exec_result's `sandbox`). */
export function sandboxOutcome(log: SandboxAuditLog): SandboxOutcome {
  return { status: log.status, platform: log.platform ?? process.platform, capability_hash: log.capability_hash, violations: log.violations.map((v) => `${v.kind}: ${v.evidence}`) };
}

/** The exit code a command-line caller should end with: the tool's, or one that says what happened. */
export function exitCodeOf(log: Pick<SandboxAuditLog, 'status' | 'exit_code' | 'signal'>): number {
  if (log.status === 'timeout') return 124;
  if (log.status === 'error') return 125;
  if (log.exit_code !== null) return log.exit_code;
  const signo = log.signal === null ? undefined : (system.signals as Record<string, number | undefined>)[log.signal];
  return signo === undefined ? 125 : 128 + signo;
}

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
  if (process.platform !== 'linux') return fail('sandbox_unavailable', `There is no sandbox for ${process.platform}: runs are sandboxed on Linux (bubblewrap) and macOS (Seatbelt).`);
  const r = spawnSync('bwrap', ['--unshare-all', '--unshare-user', '--die-with-parent', '--ro-bind', '/', '/', '--', '/bin/true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error !== undefined) {
    return fail('sandbox_unavailable', (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'bubblewrap (bwrap) is not installed, so runs cannot be sandboxed: install it (Debian and Ubuntu: apt install bubblewrap; Fedora: dnf install bubblewrap).'
      : `bubblewrap could not be started: ${r.error.message}`);
  }
  if (r.status !== 0) return fail('sandbox_unavailable', `bubblewrap cannot create a sandbox here (${r.stderr.trim() || `exit ${r.status}`}); unprivileged user namespaces may be disabled.`);
  return ok({ platform: 'linux', launcher: 'bwrap' });
}

/** Runs a tool in the sandbox. Never throws: a run that could not start is a record with status `error`. */
export async function runSandboxed(run: SandboxRun, options: RunOptions = {}): Promise<SandboxAuditLog> {
  const started = performance.now();
  const hash = capabilityHash(run.capabilities);
  const failed = (code: string, message: string, platform: SandboxPlatform | null = null): SandboxAuditLog => ({
    status: 'error', platform, command: run.command, cwd: run.cwd, capability_hash: hash, exit_code: null, signal: null,
    duration_ms: performance.now() - started, violations: [], violation_count: 0, limits_unenforced: [], error: { code, message },
  });
  const available = sandboxAvailability();
  if (!available.ok) return failed(available.error.code, available.error.message);
  const platform = available.value.platform;
  const helper = options.helper ?? DEFAULT_HELPER;
  try {
    accessSync(helper, constants.X_OK);
  } catch {
    return failed('helper_missing', `The sandbox helper is missing or not executable at ${helper}.`, platform);
  }
  let cwd: string;
  try {
    cwd = realpathSync(run.cwd);
  } catch {
    return failed('cwd_missing', `The working directory ${run.cwd} does not exist.`, platform);
  }

  // Granted paths as the kernel sees them (on macOS /tmp is /private/tmp; Seatbelt matches real paths).
  const real = realCapabilities(run.capabilities);
  if (!real.ok) return failed(real.error.code, real.error.message, platform);
  const capabilities = real.value;

  const limitsUnenforced: string[] = [];
  const byRoot = platform === 'linux' && process.getuid?.() === 0;
  const cgroup = byRoot ? takeTaskCgroup(taskLimit(capabilities)) : null;
  if (byRoot && cgroup === null) {
    limitsUnenforced.push('processes: the kernel does not apply the task limit to root, and no pids cgroup could be created');
  }
  const hide = credentialsToHide(capabilities, run.env.HOME ?? homedir(), options.hide);
  let scratch: string | null = null;
  const cleanup = () => {
    if (cgroup !== null) releaseTaskCgroup(cgroup);
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    if (platform === 'macos') scratch = mkdtempSync(join(tmpdir(), 'aleph-run-'));
  } catch (error) {
    cleanup();
    return failed('spawn_failed', `The sandbox could not be prepared: ${(error as Error).message}`, platform);
  }
  const launch = sandboxLaunch({
    platform, capabilities, command: run.command, cwd, env: run.env, helper,
    cgroupFile: cgroup?.join ?? null, tmp: scratch === null ? '/tmp' : join(scratch, 'tmp'), profilePath: scratch === null ? '' : join(scratch, 'profile.sb'), hide,
  });
  if (!launch.ok) {
    cleanup();
    return failed(launch.error.code, launch.error.message, platform);
  }
  const stdout = options.stdout ?? 'inherit';
  const stdio: StdioOptions = [options.stdin ?? 'inherit', stdout === 'inherit' ? 'inherit' : 'pipe', 'pipe'];
  let child: ChildProcess;
  try {
    if (scratch !== null && launch.value.profile !== null) {
      mkdirSync(join(scratch, 'tmp'), { mode: 0o700 });
      writeFileSync(join(scratch, 'profile.sb'), launch.value.profile, { mode: 0o600 });
    }
    // Its own process group, so that a timeout (or Ctrl-C) reaches everything it started; on Linux
    // the pid namespace goes further: when bubblewrap dies, every process inside dies with it.
    child = spawn(launch.value.file, launch.value.args, { env: launch.value.env, stdio, detached: true });
  } catch (error) {
    // A full disk, or an argument the kernel will not take (E2BIG): the run is an error, never a throw.
    cleanup();
    return failed('spawn_failed', `The sandbox could not start the command: ${(error as Error).message}`, platform);
  }
  const collector = new ViolationCollector();
  const errOut = options.stderr ?? process.stderr;
  const setupErrors: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (/^(bwrap|aleph-sandbox-helper|sandbox-exec): /.test(line)) setupErrors.push(line.trim());
    collector.push(chunk);
    errOut.write(chunk);
  });
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
  }, capabilities.process.max_execution_time_s * 1000);
  const onAbort = () => killGroup('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const forward = (signal: NodeJS.Signals) => killGroup(signal);
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (options.forwardSignals === true) for (const s of forwarded) process.on(s, forward);

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (options.forwardSignals === true) for (const s of forwarded) process.off(s, forward);
  collector.end();
  cleanup();

  const base = {
    platform, command: run.command, cwd, capability_hash: hash, exit_code: outcome.code, signal: outcome.signal,
    duration_ms: performance.now() - started, violations: collector.violations, violation_count: collector.count, limits_unenforced: limitsUnenforced,
  };
  if (outcome.error !== undefined) return { ...base, status: 'error', error: { code: 'launch_failed', message: `${launch.value.file} could not be started: ${outcome.error.message}` } };
  if (timedOut) return { ...base, status: 'timeout', error: { code: 'timeout', message: `The run took longer than ${capabilities.process.max_execution_time_s} s and was killed with everything it started.` } };
  if (options.signal?.aborted === true) return { ...base, status: 'error', error: { code: 'cancelled', message: 'The run was cancelled.' } };
  // bubblewrap exits 1 and the helper 125 when they cannot set the sandbox up; the tool never ran.
  if (setupErrors.length > 0 && (outcome.code === 1 || outcome.code === 125)) return { ...base, status: 'error', error: { code: 'sandbox_setup_failed', message: setupErrors[0]! } };
  return { ...base, status: collector.count > 0 ? 'sandbox_violation' : 'success' };
}

/** The profile with each granted path replaced by its real path; a path that does not exist is an error. */
function realCapabilities(caps: Capabilities): Result<Capabilities> {
  const filesystem: FilesystemEntry[] = [];
  for (const entry of caps.filesystem) {
    if (entry.kind === 'temp_workspace') {
      filesystem.push(entry);
      continue;
    }
    try {
      filesystem.push({ kind: entry.kind, path: realpathSync(entry.path) });
    } catch {
      return fail('path_missing', `The profile grants ${entry.path}, which does not exist.`);
    }
  }
  return ok({ ...caps, filesystem });
}

/**
 * The credential locations that exist inside the granted paths (their real paths), and the
 * `.env` files at the top of each granted directory, and the `extra` paths. A location the profile
 * grants by name stays.
 */
export function credentialsToHide(caps: Capabilities, home: string, extra: readonly string[] = []): HiddenPath[] {
  const realHome = realPathOf(home);
  const granted = caps.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [e.path]));
  const named = (path: string) => granted.some((g) => isWithin(path, g));
  const hidden = new Map<string, HiddenPath>();
  const consider = (path: string) => {
    try {
      const real = realpathSync(path);
      if (named(path) || named(real) || !insideProfile(caps, real, null)) return;
      hidden.set(real, { path: real, directory: statSync(real).isDirectory() });
    } catch {
      // Not there: nothing to hide.
    }
  };
  for (const dir of granted) {
    for (const location of sensitiveBelow(dir, realHome)) consider(location);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // Not a readable directory.
    }
    for (const name of names) if (ENV_FILE.test(name)) consider(join(dir, name));
  }
  for (const path of extra) consider(path);
  return [...hidden.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface TaskCgroup {
  readonly dir: string;
  /** The file a task writes 0 to, to join. */
  readonly join: string;
  /** The file listing its tasks. */
  readonly procs: string;
  /** Its pids.max as last written. */
  readonly limit: number;
}

let runs = 0;
/** This process's cgroups not in use by a run; reused, and removed when the process exits. */
const idleCgroups: TaskCgroup[] = [];
const ownCgroups = new Set<string>();

/**
 * A pids cgroup for one run started by root (cgroup v1's pids hierarchy, or v2 where this
 * process's cgroup delegates the pids controller), limited to `limit` tasks. An idle one whose
 * last tasks are gone is reused: making and removing one per run would cost more than the run of
 * a short tool. Null when there is no pids controller to use.
 */
function takeTaskCgroup(limit: number): TaskCgroup | null {
  for (let i = idleCgroups.length - 1; i >= 0; i--) {
    const cgroup = idleCgroups[i]!;
    try {
      if (readFileSync(cgroup.procs, 'utf8') !== '') continue;
      if (cgroup.limit !== limit) writeFileSync(join(cgroup.dir, 'pids.max'), String(limit));
      idleCgroups.splice(i, 1);
      return { ...cgroup, limit };
    } catch {
      idleCgroups.splice(i, 1);
    }
  }
  for (const base of cgroupBases()) {
    const dir = join(base, `aleph-run-${process.pid}-${++runs}`);
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    if (ownCgroups.size === 0) {
      process.once('exit', removeOwnCgroups);
      removeOrphanCgroups(base);
    }
    ownCgroups.add(dir);
    try {
      writeFileSync(join(dir, 'pids.max'), String(limit));
      // In v1 a task joins through `tasks` alone, which spares the kernel a global
      // synchronisation that writing to `cgroup.procs` costs (milliseconds, on every run).
      const tasks = join(dir, 'tasks');
      return { dir, join: existsSync(tasks) ? tasks : join(dir, 'cgroup.procs'), procs: join(dir, 'cgroup.procs'), limit };
    } catch {
      // No limit can be set here; try the next hierarchy.
    }
  }
  return null;
}

function releaseTaskCgroup(cgroup: TaskCgroup): void {
  idleCgroups.push(cgroup);
}

/** Those of runners that ended without removing theirs (killed by a signal): empty, so removable. */
function removeOrphanCgroups(base: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^aleph-run-(\d+)-\d+$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      rmdirSync(join(base, name));
    } catch {
      // Still has tasks, or not ours to remove.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** At exit; the last run's tasks may take a moment to be freed, so a busy one is tried again briefly. */
function removeOwnCgroups(): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const dir of ownCgroups) {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
        Atomics.wait(pause, 0, 0, 2);
      }
    }
  }
}

function cgroupBases(): string[] {
  const bases = ['/sys/fs/cgroup/pids'];
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (line !== undefined) {
      const own = join('/sys/fs/cgroup', line.slice(3));
      if (readFileSync(join(own, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('pids')) bases.push(own);
    }
  } catch {
    // No cgroup v2 here.
  }
  return bases;
}
