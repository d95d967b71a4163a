/**
 * A tool's capability profile: what it may touch while it runs. Filesystem entries, network,
 * process limits and environment, declared up front; the sandbox grants exactly these and nothing
 * else. Pure: paths are substituted and checked here, enforced by the platform profiles.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { canonicalJson, fail, ok, type Capabilities, type FilesystemEntry, type Result } from '@aleph/protocol';

// The profile's type and its validation are wire types, in protocol; the sandbox's users get them here too.
export {
  ENVIRONMENT_GRANTS,
  LIMITS,
  parseCapabilities,
  type Capabilities,
  type EnvironmentGrant,
  type FilesystemEntry,
  type NetworkGrant,
  type ProcessLimits,
} from '@aleph/protocol';

/** The variables a profile's paths may use. */
export interface PathVariables {
  readonly WORKSPACE: string;
  readonly PROJECT_ROOT: string;
}

/** A domain grant without a proxy to enforce it: refused, never widened to the whole network. */
export const PROXY_MISSING = {
  code: 'proxy_missing',
  message: 'The profile grants some domains, and no domain proxy was started for the run; nothing was run.',
} as const;

/**
 * Whether `path` is `root` or below it, segment by segment (`/a/b` does not contain `/a/bc`); both
 * absolute and normal. The one containment test of the sandbox.
 */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const VARIABLE = /\$\{([A-Z_]+)\}/g;

/** Whether a declared path uses a variable (`${WORKSPACE}`, `${PROJECT_ROOT}`), so that it is not the same path in every run. */
export function usesVariables(path: string): boolean {
  return new RegExp(VARIABLE.source).test(path);
}

/** The variable a declared path starts with (`${WORKSPACE}/out`: WORKSPACE), or null. */
export function baseVariable(path: string): keyof PathVariables | null {
  const name = new RegExp(`^${VARIABLE.source}`).exec(path)?.[1];
  return name === 'WORKSPACE' || name === 'PROJECT_ROOT' ? name : null;
}

/**
 * Substitutes `${WORKSPACE}` and `${PROJECT_ROOT}` in a path. The result must be absolute and
 * normal (no `.`, `..` or empty segments), so that what the profile names is what gets bound.
 */
export function substitutePath(path: string, vars: PathVariables): Result<string> {
  let unknown: string | null = null;
  const result = path.replace(VARIABLE, (_, name: string) => {
    if (name === 'WORKSPACE' || name === 'PROJECT_ROOT') return vars[name];
    unknown = name;
    return '';
  });
  if (unknown !== null) return fail('unknown_variable', `"${path}" uses \${${unknown}}; only \${WORKSPACE} and \${PROJECT_ROOT} are known.`);
  if (!result.startsWith('/')) return fail('relative_path', `"${path}" is not an absolute path.`);
  const trimmed = result.length > 1 && result.endsWith('/') ? result.slice(0, -1) : result;
  if (
    trimmed
      .split('/')
      .slice(1)
      .some((s) => s === '' || s === '.' || s === '..') &&
    trimmed !== '/'
  ) {
    return fail('unnormal_path', `"${path}" must not contain empty, "." or ".." segments.`);
  }
  if (/[\0\n\r]/.test(trimmed)) return fail('invalid_path', `"${path}" contains a NUL or newline.`);
  return ok(trimmed);
}

/** Substitutes every path of a profile; the first problem is the error. */
export function resolveCapabilities(caps: Capabilities, vars: PathVariables): Result<Capabilities> {
  const filesystem: FilesystemEntry[] = [];
  for (const entry of caps.filesystem) {
    if (entry.kind === 'temp_workspace') {
      filesystem.push(entry);
      continue;
    }
    const path = substitutePath(entry.path, vars);
    if (!path.ok) return path;
    filesystem.push({ kind: entry.kind, path: path.value });
  }
  return ok({ ...caps, filesystem });
}

/**
 * A profile's identity: SHA-256 over its canonical JSON (keys sorted, paths as declared). Trust
 * is keyed by it, so any change of what a tool may touch makes it a different contract.
 */
export function capabilityHash(caps: Capabilities): string {
  return createHash('sha256').update(canonicalJson(caps)).digest('hex');
}
