/**
 * Escalation detection: whether a run asks for more than the tool's approved contract. A granted
 * path that leads somewhere the contract did not say (the home, a credential location, the
 * gateway's own directory, out of the run's directory through a symlink), a path it names outside
 * the granted scope (by real path: symlinks resolved, not string prefixes), a credential location
 * even inside it, or a parameter the tool never declared: each is a reason to ask the owner again
 * instead of running silently.
 */
import { isAbsolute, resolve } from 'node:path';
import { baseVariable, isWithin, usesVariables, type Capabilities, type PathVariables } from './capabilities.js';
import { realPathOf } from './guard.js';
import { ENV_FILE, protectedReason, sensitiveReason } from './sensitive.js';
import type { Escalation } from '@aleph/protocol';

export { ESCALATION_KINDS, type Escalation, type EscalationKind } from '@aleph/protocol';

/** What the owner approved for a tool, and what it comes to for this run. */
export interface ToolContract {
  readonly tool: string;
  /** As declared: `${WORKSPACE}` and `${PROJECT_ROOT}` kept. */
  readonly declared: Capabilities;
  /** The same entries in the same order, each path the real path it leads to for this run. */
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
  /** What the contract's `${WORKSPACE}` and `${PROJECT_ROOT}` stand for in this run. */
  readonly vars: PathVariables;
  /** The gateway's own directory (`$ALEPH_HOME`): no run reaches into it unless a person says so. */
  readonly gatewayHome: string;
}

/**
 * Why a directory is too much to grant unless the contract names it (the file system's root, the
 * home or a directory above it, a system directory), or null. A contract approved for "the
 * project" must not stretch to wherever a caller says the run starts, or a symlink leads.
 */
export function broadLocation(path: string, home: string, systemPaths: readonly string[]): string | null {
  if (path === '/') return 'the whole file system';
  if (path === home) return 'the whole home directory';
  if (isWithin(path, home)) return 'a directory that holds the home directory';
  if (systemPaths.some((s) => isWithin(s, path))) return 'a system directory';
  return null;
}

/** The words of a command line that name paths: `/x`, `./x`, `../x`, `~/x`, `a/b`, and `--opt=/x` values. */
export function pathArguments(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const word of argv.slice(1)) {
    const value = word.startsWith('-') ? (word.includes('=') ? word.slice(word.indexOf('=') + 1) : null) : word;
    if (value !== null && value !== '' && (value.includes('/') || value === '~' || value === '..' || ENV_FILE.test(value))) out.push(value);
  }
  return out;
}

/** The option names a command line uses (`--out=x` is `--out`). */
export function parameterNames(argv: readonly string[]): string[] {
  return argv.slice(1).flatMap((w) => (w.startsWith('-') && w !== '-' && w !== '--' ? [w.includes('=') ? w.slice(0, w.indexOf('=')) : w] : []));
}

export function detectEscalations(contract: ToolContract, run: RunRequest): Escalation[] {
  const home = realPathOf(run.home);
  const out = grantEscalations(contract, run, home);
  const granted = contract.capabilities.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [e.path]));
  for (const word of pathArguments(run.argv)) {
    const expanded = word === '~' ? run.home : word.startsWith('~/') ? `${run.home}/${word.slice(2)}` : word;
    const real = realPathOf(isAbsolute(expanded) ? expanded : resolve(run.cwd, expanded));
    const sensitive = sensitiveReason(real, home);
    // A credential location the contract grants by name was approved as such.
    if (sensitive !== null && !granted.some((g) => isWithin(g, real) && sensitiveReason(g, home) !== null)) {
      out.push({ kind: 'sensitive_location', subject: real, message: `${word} is ${real}: ${sensitive}.` });
      continue;
    }
    const inScope =
      granted.some((g) => isWithin(g, real)) ||
      run.systemPaths.some((s) => isWithin(s, real)) ||
      (isWithin('/tmp', real) && contract.capabilities.filesystem.some((e) => e.kind === 'temp_workspace'));
    if (!inScope) out.push({ kind: 'outside_scope', subject: real, message: `${word} is ${real}, outside what ${contract.tool} was approved to touch.` });
  }
  if (contract.parameters !== undefined) {
    const declared = new Set(contract.parameters);
    for (const name of parameterNames(run.argv)) {
      if (!declared.has(name))
        out.push({ kind: 'undeclared_parameter', subject: name, message: `${contract.tool} was not approved with the parameter ${name}.` });
    }
  }
  return out;
}

/**
 * Where each granted path leads in this run, judged by its real path. Inside the gateway's own
 * directory: always asked. A path the contract does not name as it stands (one made of
 * `${WORKSPACE}`, or one a symlink leads elsewhere): asked when it comes to something broad or a
 * credential location. One declared below `${WORKSPACE}` or `${PROJECT_ROOT}`: asked when a
 * symlink leads it out of that directory.
 */
function grantEscalations(contract: ToolContract, run: RunRequest, home: string): Escalation[] {
  const gatewayHome = realPathOf(run.gatewayHome);
  const out: Escalation[] = [];
  const declared = contract.declared.filesystem;
  for (let i = 0; i < declared.length; i++) {
    const entry = declared[i]!;
    const resolved = contract.capabilities.filesystem[i];
    if (entry.kind === 'temp_workspace' || resolved === undefined || resolved.kind === 'temp_workspace') continue;
    const real = resolved.path;
    const ask = (kind: Escalation['kind'], why: string) =>
      out.push({ kind, subject: real, message: `${entry.path} is ${real} here (${why}), which the contract would grant to ${contract.tool}.` });
    // Named as it stands, the path is the one the owner saw when approving the contract.
    const named = !usesVariables(entry.path) && entry.path === real;
    const reason = named && !isWithin(gatewayHome, real) ? null : (broadLocation(real, home, run.systemPaths) ?? protectedReason(real, home, gatewayHome));
    if (reason !== null) {
      ask('sensitive_location', reason);
      continue;
    }
    const variable = baseVariable(entry.path);
    if (variable === null) continue;
    const root = realPathOf(run.vars[variable]);
    if (!isWithin(root, real)) ask('outside_scope', `outside ${root}, where \${${variable}} is`);
  }
  return out;
}
