/**
 * A tool's capability profile: what it may touch while it runs. Filesystem entries, network,
 * process limits and environment, declared up front; the sandbox grants exactly these and nothing
 * else. Pure: paths are substituted and checked here, enforced by the platform profiles.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { canonicalJson, fail, ok, type Result } from '@aleph/protocol';

export type FilesystemEntry =
  | { readonly kind: 'read_only'; readonly path: string }
  | { readonly kind: 'read_write'; readonly path: string }
  /** A private, empty, writable /tmp for the run, gone when it ends. */
  | { readonly kind: 'temp_workspace' };

export type NetworkGrant =
  | { readonly kind: 'deny' }
  | { readonly kind: 'allow_all' }
  | { readonly kind: 'allow_domains'; readonly domains: readonly string[] };

export interface ProcessLimits {
  /** Wall-clock seconds before the whole process group is killed. */
  readonly max_execution_time_s: number;
  /** Address-space limit per process, MiB. */
  readonly max_memory_mb: number;
  /** The tool may not start further processes. */
  readonly no_fork: boolean;
}

/** `none`: an empty environment; `restricted`: PATH, HOME, LANG, TERM and the like, never secrets; `full`: everything. */
export const ENVIRONMENT_GRANTS = ['none', 'restricted', 'full'] as const;
export type EnvironmentGrant = (typeof ENVIRONMENT_GRANTS)[number];

export interface Capabilities {
  readonly filesystem: readonly FilesystemEntry[];
  readonly network: NetworkGrant;
  readonly process: ProcessLimits;
  readonly environment: EnvironmentGrant;
}

/** The variables a profile's paths may use. */
export interface PathVariables {
  readonly WORKSPACE: string;
  readonly PROJECT_ROOT: string;
}

/**
 * Until the filtering proxy exists, a domain list is refused rather than widened: granting all
 * network in its place would be a silent escalation.
 */
export const NO_DOMAIN_FILTER = {
  code: 'allow_domains_unsupported',
  message: 'Limiting the network to some domains is not enforced by this sandbox yet, so the profile is refused; grant no network or all of it.',
} as const;

export const LIMITS = { maxSeconds: 86_400, maxMemoryMb: 65_536, maxEntries: 64 } as const;

/**
 * Whether `path` is `root` or below it, segment by segment (`/a/b` does not contain `/a/bc`); both
 * absolute and normal. The one containment test of the sandbox.
 */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const VARIABLE = /\$\{([A-Z_]+)\}/g;

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
  if (trimmed.split('/').slice(1).some((s) => s === '' || s === '.' || s === '..') && trimmed !== '/') {
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

const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Validates untrusted JSON into capabilities; each problem names the field. */
export function parseCapabilities(value: unknown): Result<Capabilities> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_capabilities', 'Capabilities must be an object.');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.filesystem) || v.filesystem.length > LIMITS.maxEntries) return fail('invalid_capabilities', `"filesystem" must list at most ${LIMITS.maxEntries} entries.`);
  const filesystem: FilesystemEntry[] = [];
  for (const [i, e] of (v.filesystem as unknown[]).entries()) {
    const entry = e as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null) return fail('invalid_capabilities', `filesystem[${i}] must be an object.`);
    if (entry.kind === 'temp_workspace') filesystem.push({ kind: 'temp_workspace' });
    else if ((entry.kind === 'read_only' || entry.kind === 'read_write') && typeof entry.path === 'string' && entry.path !== '') filesystem.push({ kind: entry.kind, path: entry.path });
    else return fail('invalid_capabilities', `filesystem[${i}] must be {"kind": "read_only"|"read_write", "path"} or {"kind": "temp_workspace"}.`);
  }
  const n = v.network as Record<string, unknown> | undefined;
  let network: NetworkGrant;
  if (n?.kind === 'deny' || n?.kind === 'allow_all') network = { kind: n.kind };
  else if (n?.kind === 'allow_domains' && Array.isArray(n.domains) && n.domains.length > 0 && n.domains.every((d) => typeof d === 'string' && DOMAIN.test(d))) {
    network = { kind: 'allow_domains', domains: [...new Set(n.domains as string[])] };
  } else return fail('invalid_capabilities', '"network" must be {"kind": "deny"}, {"kind": "allow_all"} or {"kind": "allow_domains", "domains": ["example.com", "*.example.org"]}.');
  const p = v.process as Record<string, unknown> | undefined;
  const seconds = p?.max_execution_time_s;
  const memory = p?.max_memory_mb;
  if (typeof p !== 'object' || p === null || !Number.isInteger(seconds) || (seconds as number) < 1 || (seconds as number) > LIMITS.maxSeconds
    || !Number.isInteger(memory) || (memory as number) < 16 || (memory as number) > LIMITS.maxMemoryMb || typeof p.no_fork !== 'boolean') {
    return fail('invalid_capabilities', `"process" must be {"max_execution_time_s": 1..${LIMITS.maxSeconds}, "max_memory_mb": 16..${LIMITS.maxMemoryMb}, "no_fork": true|false}.`);
  }
  if (!(ENVIRONMENT_GRANTS as readonly unknown[]).includes(v.environment)) return fail('invalid_capabilities', `"environment" must be one of ${ENVIRONMENT_GRANTS.join(', ')}.`);
  return ok({
    filesystem, network, process: { max_execution_time_s: seconds as number, max_memory_mb: memory as number, no_fork: p.no_fork }, environment: v.environment as EnvironmentGrant,
  });
}

/**
 * A profile's identity: SHA-256 over its canonical JSON (keys sorted, paths as declared). Trust
 * is keyed by it, so any change of what a tool may touch makes it a different contract.
 */
export function capabilityHash(caps: Capabilities): string {
  return createHash('sha256').update(canonicalJson(caps)).digest('hex');
}
