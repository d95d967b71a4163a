/**
 * Runs one tool under the platform sandbox and reports how it went: the launcher and the helper
 * started with the profile, the error output passed through and read for violations, the whole
 * run killed when its time is up. The record it returns is what the audit log keeps.
 */
import { spawn, spawnSync, type ChildProcess, type IOType } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, constants as system, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { fail, MAX_REPORTED_VIOLATIONS, ok, type Result, type SandboxOutcome, type SandboxRunStatus } from '@aleph/protocol';
import { bubblewrapArgs, MIN_BUBBLEWRAP } from './bubblewrap.js';
import { capabilityHash, isWithin, resolveCapabilities, type Capabilities, type PathVariables } from './capabilities.js';
import type { ProxyEndpoint } from './domain-proxy.js';
import { pinGrants, realCapabilities } from './grants.js';
import { realPathOf } from './guard.js';
import { pathsToHide } from './hidden.js';
import { FIRST_GRANT_FD, HELPER_READY, SECCOMP_FD, sandboxLaunch, taskLimit, type Launch, type SandboxPlatform } from './launch.js';
import { bubblewrapRefused, enclosingHints } from './nesting.js';
import { BASE_CAPABILITIES } from './presets.js';
import { startRunProxy, withRefusals, type RunNetworkOptions } from './run-proxy.js';
import { pathForSandbox } from './seatbelt.js';
import { unixSocketFilter } from './seccomp.js';
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
  /**
   * Resolved, each granted path its real path (grants.ts's realCapabilities, when the run was
   * planned): one that leads elsewhere when the run starts is refused.
   */
  readonly capabilities: Capabilities;
  readonly command: readonly string[];
  readonly cwd: string;
  /**
   * Start in the profile's temporary workspace (the private /tmp) rather than in `cwd`: a tool
   * that works on no project (a preset without one) runs where it may write.
   */
  readonly inTempWorkspace?: boolean;
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
  /**
   * More paths to hide when they fall inside a granted path (the gateway's own directory). A
   * granted path inside one of them is refused unless it is in `allowed`.
   */
  readonly hide?: readonly string[];
  /** Granted paths inside `hide` that a person allowed this run (a tool's escalations). */
  readonly allowed?: readonly string[];
  /** A domain grant's proxy: refined grants, its resolver, and who hears of each refusal (run-proxy.ts). */
  readonly network?: RunNetworkOptions;
}

/** The run as the gateway's audit log takes it (exec_result's `sandbox`). */
export function sandboxOutcome(log: SandboxAuditLog): SandboxOutcome {
  return {
    status: log.status,
    platform: log.platform ?? process.platform,
    capability_hash: log.capability_hash,
    violations: log.violations.map((v) => `${v.kind}: ${v.evidence}`),
    ...(log.limits_unenforced.length === 0 ? {} : { limits_unenforced: log.limits_unenforced.slice(0, MAX_REPORTED_VIOLATIONS) }),
  };
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

/**
 * The record of a run that never got as far as the tool: what was asked, why not, and how long
 * finding that out took.
 */
export function notRun(
  run: Pick<SandboxRun, 'command' | 'cwd' | 'capabilities'>,
  error: { readonly code: string; readonly message: string },
  platform: SandboxPlatform | null = null,
  duration_ms = 0,
): SandboxAuditLog {
  return {
    status: 'error',
    platform,
    command: run.command,
    cwd: run.cwd,
    capability_hash: capabilityHash(run.capabilities),
    exit_code: null,
    signal: null,
    duration_ms,
    violations: [],
    violation_count: 0,
    limits_unenforced: [],
    error: { code: error.code, message: error.message },
  };
}

/** A run whose profile is as declared: its paths still to be substituted (`${WORKSPACE}`...) and made real. */
export interface DeclaredRun extends Omit<SandboxRun, 'capabilities'> {
  readonly capabilities: Capabilities;
  readonly vars: PathVariables;
}

/**
 * A declared profile made ready to bind: its variables substituted (`${WORKSPACE}`...), each
 * granted path made real. A profile that does not resolve (`invalid_capabilities`) or grants a
 * path that does not exist (`path_missing`) is a failure: nothing is to run on it.
 */
export function resolveProfile(capabilities: Capabilities, vars: PathVariables): Result<Capabilities> {
  const resolved = resolveCapabilities(capabilities, vars);
  if (!resolved.ok) return fail('invalid_capabilities', resolved.error.message);
  return realCapabilities(resolved.value);
}

/**
 * The one way a sandboxed run starts from a declared profile (`aleph exec`, `aleph sandbox run`;
 * the gateway resolves a tool's profile the same way, with resolveProfile, when it plans the run,
 * so that the approver sees the paths that will be bound): resolveProfile, then runSandboxed. A
 * profile that does not resolve stops the run before anything starts; its log says why, with
 * status `error`.
 */
export async function resolveAndRun(run: DeclaredRun, options: RunOptions = {}): Promise<SandboxAuditLog> {
  const { vars, ...rest } = run;
  const ready = resolveProfile(run.capabilities, vars);
  if (!ready.ok) {
    return notRun(run, { code: ready.error.code, message: ready.error.message });
  }
  return runSandboxed({ ...rest, capabilities: ready.value }, options);
}

/** A step's failure: the code and sentence the run's record carries. */
interface StepFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * What a run holds while it is prepared and while it runs (granted paths' descriptors, a pids
 * cgroup, a scratch directory): each step adds what it takes, and one release() gives it all
 * back, whichever way the run ends.
 */
class Held {
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
interface Checked {
  readonly platform: SandboxPlatform;
  readonly helper: string;
  readonly cwd: string;
}

function check(
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
function prepare(
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
function start(options: RunOptions, launch: Launch, held: Held): Result<ChildProcess> {
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
interface Supervised {
  readonly outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error };
  readonly timedOut: boolean;
  readonly toolStarted: boolean;
  /** What the sandbox said before the tool started (for a run that never did). */
  readonly setup: string;
  readonly collector: ViolationCollector;
}

/** Feeds the seccomp filter, passes the tool's output on, and ends the run at its time limit, on abort, or on a forwarded signal. */
async function supervise(child: ChildProcess, launch: Launch, run: SandboxRun, options: RunOptions): Promise<Supervised> {
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

/**
 * Runs a tool in the sandbox. Never throws: a run that could not start is a record with status
 * `error`. A domain grant's filtering proxy runs for exactly the length of the run (run-proxy.ts),
 * and the connections it refused join the run's violations.
 */
export async function runSandboxed(run: SandboxRun, options: RunOptions = {}): Promise<SandboxAuditLog> {
  const proxy = await startRunProxy(run.capabilities, process.platform === 'darwin' ? 'macos' : 'linux', options.network);
  if (!proxy.ok) {
    return notRun(run, proxy.error);
  }
  if (proxy.value === null) return runConfined(run, options, null);
  try {
    return withRefusals(await runConfined(run, options, proxy.value.endpoint), proxy.value.proxy);
  } finally {
    await proxy.value.stop();
  }
}

/**
 * The run itself, in steps: check where it may run (and pin its grants), prepare the launch, start
 * it, supervise it to its end, and record how it went. Whatever the steps took is given back in
 * one place.
 */
async function runConfined(run: SandboxRun, options: RunOptions, proxy: ProxyEndpoint | null): Promise<SandboxAuditLog> {
  const started = performance.now();
  const hash = capabilityHash(run.capabilities);
  const failed = (error: StepFailure, platform: SandboxPlatform | null): SandboxAuditLog => notRun(run, error, platform, performance.now() - started);
  const held = new Held();
  try {
    const checked = check(run, options, held);
    if (!checked.ok) return failed(checked.error, checked.platform);
    const { platform } = checked.value;
    const prepared = prepare(run, options, checked.value, held, proxy);
    if (!prepared.ok) return failed(prepared.error, platform);
    const { launch, unenforced, cwd } = prepared.value;
    const child = start(options, launch, held);
    if (!child.ok) return failed(child.error, platform);
    const { outcome, timedOut, toolStarted, setup, collector } = await supervise(child.value, launch, run, options);
    const base = {
      platform,
      command: run.command,
      cwd,
      capability_hash: hash,
      exit_code: outcome.code,
      signal: outcome.signal,
      duration_ms: performance.now() - started,
      violations: collector.violations,
      violation_count: collector.count,
      limits_unenforced: unenforced,
    };
    if (outcome.error !== undefined)
      return { ...base, status: 'error', error: { code: 'launch_failed', message: `${launch.file} could not be started: ${outcome.error.message}` } };
    if (timedOut)
      return {
        ...base,
        status: 'timeout',
        error: {
          code: 'timeout',
          message: `The run took longer than ${run.capabilities.process.max_execution_time_s} s and was killed with everything it started.`,
        },
      };
    if (options.signal?.aborted === true) return { ...base, status: 'error', error: { code: 'cancelled', message: 'The run was cancelled.' } };
    // The helper never said it was starting the tool: the sandbox could not be set up, the tool never ran.
    if (!toolStarted) {
      const said = setup
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim();
      return {
        ...base,
        status: 'error',
        error: {
          code: 'sandbox_setup_failed',
          message: said ?? `The sandbox could not start the command (${launch.file} exited ${outcome.code ?? outcome.signal}).`,
        },
      };
    }
    return { ...base, status: collector.count > 0 ? 'sandbox_violation' : 'success' };
  } finally {
    held.release();
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
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    if (line !== undefined) {
      const own = join('/sys/fs/cgroup', line.slice(3));
      if (readFileSync(join(own, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('pids')) bases.push(own);
    }
  } catch {
    // No cgroup v2 here.
  }
  return bases;
}
