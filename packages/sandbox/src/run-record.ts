/** The record of one sandboxed run: what the audit log keeps, and what a command line ends with. */
import { constants as system } from 'node:os';
import { MAX_REPORTED_VIOLATIONS, type SandboxOutcome, type SandboxRunStatus } from '@aleph/protocol';
import { capabilityHash, type Capabilities } from './capabilities.js';
import type { SandboxPlatform } from './launch.js';
import type { Violation } from './violations.js';

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

/**
 * The record of a run that never got as far as the tool: what was asked, why not, and how long
 * finding that out took.
 */
export function notRun(
  run: { readonly command: readonly string[]; readonly cwd: string; readonly capabilities: Capabilities },
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
