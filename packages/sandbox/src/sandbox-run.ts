/** What a sandboxed run is asked to do: the tool, its profile and environment, and how it is run. */
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Capabilities, PathVariables } from './capabilities.js';
import type { RunNetworkOptions } from './run-proxy.js';

/** The helper as shipped in `resources/` (the packaged app passes its own path). */
export const DEFAULT_HELPER = fileURLToPath(new URL('../../../resources/aleph-sandbox-helper', import.meta.url));

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

/** A run whose profile is as declared: its paths still to be substituted (`${WORKSPACE}`...) and made real. */
export interface DeclaredRun extends Omit<SandboxRun, 'capabilities'> {
  readonly capabilities: Capabilities;
  readonly vars: PathVariables;
}
