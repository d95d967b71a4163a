/**
 * Escalation detection: whether a run asks for more than the tool's approved contract. A path it
 * names outside the granted scope (by real path: symlinks resolved, not string prefixes), a
 * credential location even inside it, or a parameter the tool never declared: each is a reason to
 * ask the owner again instead of running silently.
 */
import { isAbsolute, resolve } from 'node:path';
import { isWithin, type Capabilities } from './capabilities.js';
import { realPathOf } from './guard.js';
import { sensitiveReason } from './sensitive.js';
import type { Escalation } from '@aleph/protocol';

export { ESCALATION_KINDS, type Escalation, type EscalationKind } from '@aleph/protocol';

/** What the owner approved for a tool. */
export interface ToolContract {
  readonly tool: string;
  /** Resolved: absolute paths. */
  readonly capabilities: Capabilities;
  /** The options it may be given (`--output`, `-v`); absent: any. */
  readonly parameters?: readonly string[];
}

export interface RunRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly home: string;
  /** Directories every run may read (the system's). */
  readonly systemPaths: readonly string[];
  /** The directory the contract's `${WORKSPACE}` became, when the contract grants it. */
  readonly workspace?: string;
}

/**
 * Why a directory is too much to grant as a run's workspace (the file system's root, the home or a
 * directory above it, a system directory, a credential location), or null. A contract approved
 * for "the project" must not stretch to wherever a caller says the run starts.
 */
export function broadWorkspace(workspace: string, home: string, systemPaths: readonly string[]): string | null {
  if (workspace === '/') return 'the whole file system';
  if (workspace === home) return 'the whole home directory';
  if (isWithin(workspace, home)) return 'a directory that holds the home directory';
  if (systemPaths.some((s) => isWithin(s, workspace))) return 'a system directory';
  return sensitiveReason(workspace, home);
}

/** The words of a command line that name paths: `/x`, `./x`, `../x`, `~/x`, `a/b`, and `--opt=/x` values. */
export function pathArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of argv.slice(1)) {
    const value = word.startsWith('-') ? (word.includes('=') ? word.slice(word.indexOf('=') + 1) : null) : word;
    if (value !== null && value !== '' && (value.includes('/') || value === '~' || value === '..' || /^\.env(\.|$)/.test(value))) out.push(value);
  }
  return out;
}

/** The option names a command line uses (`--out=x` is `--out`). */
export function parameterNames(argv: readonly string[]): string[] {
  return argv.slice(1).flatMap((w) => (w.startsWith('-') && w !== '-' && w !== '--' ? [w.includes('=') ? w.slice(0, w.indexOf('=')) : w] : []));
}

export function detectEscalations(contract: ToolContract, run: RunRequest): Escalation[] {
  const out: Escalation[] = [];
  if (run.workspace !== undefined) {
    const workspace = realPathOf(run.workspace);
    const broad = broadWorkspace(workspace, realPathOf(run.home), run.systemPaths);
    if (broad !== null) out.push({ kind: 'sensitive_location', subject: workspace, message: `The run starts in ${workspace} (${broad}), which the contract's \${WORKSPACE} would grant to ${contract.tool}.` });
  }
  const granted = contract.capabilities.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [realPathOf(e.path)]));
  for (const word of pathArguments(run.argv)) {
    const expanded = word === '~' ? run.home : word.startsWith('~/') ? `${run.home}/${word.slice(2)}` : word;
    const real = realPathOf(isAbsolute(expanded) ? expanded : resolve(run.cwd, expanded));
    const sensitive = sensitiveReason(real, realPathOf(run.home));
    // A credential location the contract grants by name was approved as such.
    if (sensitive !== null && !granted.some((g) => isWithin(g, real) && sensitiveReason(g, realPathOf(run.home)) !== null)) {
      out.push({ kind: 'sensitive_location', subject: real, message: `${word} is ${real}: ${sensitive}.` });
      continue;
    }
    const inScope = granted.some((g) => isWithin(g, real)) || run.systemPaths.some((s) => isWithin(s, real)) 
      || (isWithin('/tmp', real) && contract.capabilities.filesystem.some((e) => e.kind === 'temp_workspace'));
    if (!inScope) out.push({ kind: 'outside_scope', subject: real, message: `${word} is ${real}, outside what ${contract.tool} was approved to touch.` });
  }
  if (contract.parameters !== undefined) {
    const declared = new Set(contract.parameters);
    for (const name of parameterNames(run.argv)) {
      if (!declared.has(name)) out.push({ kind: 'undeclared_parameter', subject: name, message: `${contract.tool} was not approved with the parameter ${name}.` });
    }
  }
  return out;
}
