/**
 * Runs one tool under the platform sandbox and reports how it went: the launcher and the helper
 * started with the profile, the error output passed through and read for violations, the whole
 * run killed when its time is up. The record it returns is what the audit log keeps.
 */
import { fail, type Result } from '@aleph/protocol';
import { capabilityHash, resolveCapabilities, type Capabilities, type PathVariables } from './capabilities.js';
import type { ProxyEndpoint } from './domain-proxy.js';
import { realCapabilities } from './grants.js';
import type { SandboxPlatform } from './launch.js';
import { notRun, type SandboxAuditLog } from './run-record.js';
import { startRunProxy, withRefusals } from './run-proxy.js';
import { check, Held, prepare, start, supervise, type StepFailure } from './run-steps.js';
import type { DeclaredRun, RunOptions, SandboxRun } from './sandbox-run.js';

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
