/**
 * A tool's capability profile as it travels: filesystem entries, network, process limits and
 * environment, declared up front. The sandbox package substitutes, hashes and enforces it; this is
 * the type and the validation of untrusted JSON into it.
 */
import { fail, ok, type Result } from './result.js';

export type FilesystemEntry =
  | { readonly kind: 'read_only'; readonly path: string }
  | { readonly kind: 'read_write'; readonly path: string }
  /** A private, empty, writable /tmp for the run, gone when it ends. */
  | { readonly kind: 'temp_workspace' };

export type NetworkGrant = { readonly kind: 'deny' } | { readonly kind: 'allow_all' } | { readonly kind: 'allow_domains'; readonly domains: readonly string[] };

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

export const LIMITS = { maxSeconds: 86_400, maxMemoryMb: 65_536, maxEntries: 64 } as const;

const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Whether a name may stand in a domain grant (`example.com`, `*.example.org`; no address, no port). */
export function isGrantableDomain(name: string): boolean {
  return DOMAIN.test(name);
}

/** Validates untrusted JSON into a network grant; a problem fails with `code`. */
export function parseNetworkGrant(value: unknown, code: string): Result<NetworkGrant> {
  const n = value as Record<string, unknown> | undefined;
  if (n?.kind === 'deny' || n?.kind === 'allow_all') return ok({ kind: n.kind });
  if (n?.kind === 'allow_domains' && Array.isArray(n.domains) && n.domains.length > 0 && n.domains.every((d) => typeof d === 'string' && isGrantableDomain(d)))
    return ok({ kind: 'allow_domains', domains: [...new Set(n.domains as string[])] });
  return fail(code, '"network" must be {"kind": "deny"}, {"kind": "allow_all"} or {"kind": "allow_domains", "domains": ["example.com", "*.example.org"]}.');
}

/** A network grant in words: `no network`, `the whole network`, `the network to a.com, b.org`. */
export function describeNetworkGrant(network: NetworkGrant): string {
  return network.kind === 'deny' ? 'no network' : network.kind === 'allow_all' ? 'the whole network' : `the network to ${network.domains.join(', ')}`;
}

/**
 * How an allowed shell command runs: inside the agent profile with a network grant (the default is
 * no network), or, only by a person's explicit choice, with no sandbox at all.
 */
export type Confinement = { readonly kind: 'sandbox'; readonly network: NetworkGrant } | { readonly kind: 'unconfined' };

/** The narrowest confinement, and the default of every allowed command. */
export const CONFINED: Confinement = { kind: 'sandbox', network: { kind: 'deny' } };

/** Validates untrusted JSON into a confinement. */
export function parseConfinement(value: unknown): Result<Confinement> {
  const v = value as Record<string, unknown> | undefined;
  if (v?.kind === 'unconfined') return ok({ kind: 'unconfined' });
  if (v?.kind !== 'sandbox') return fail('invalid_message', '"confinement" must be {"kind": "sandbox", "network": {...}} or {"kind": "unconfined"}.');
  const network = parseNetworkGrant(v.network, 'invalid_message');
  return network.ok ? ok({ kind: 'sandbox', network: network.value }) : network;
}

/** A confinement in words, for the people who choose it: `confined, no network`, `unconfined`. */
export function describeConfinement(c: Confinement): string {
  return c.kind === 'unconfined' ? 'unconfined' : `confined, ${describeNetworkGrant(c.network)}`;
}

/**
 * What a person may choose for a shell command, narrowest first: confined with no network, the
 * suggested domains (when the suggestion names some), the whole network, and last unconfined.
 * `preferred` is the suggestion's place, never unconfined's.
 */
export function confinementChoices(suggested: Confinement | undefined): { choices: Confinement[]; preferred: number } {
  const choices: Confinement[] = [CONFINED];
  if (suggested?.kind === 'sandbox' && suggested.network.kind === 'allow_domains') choices.push(suggested);
  choices.push({ kind: 'sandbox', network: { kind: 'allow_all' } }, { kind: 'unconfined' });
  const preferred = suggested?.kind !== 'sandbox' ? 0 : suggested.network.kind === 'deny' ? 0 : suggested.network.kind === 'allow_all' ? choices.length - 2 : 1;
  return { choices, preferred };
}

/** Validates untrusted JSON into capabilities; each problem names the field. */
export function parseCapabilities(value: unknown): Result<Capabilities> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_capabilities', 'Capabilities must be an object.');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.filesystem) || v.filesystem.length > LIMITS.maxEntries)
    return fail('invalid_capabilities', `"filesystem" must list at most ${LIMITS.maxEntries} entries.`);
  const filesystem: FilesystemEntry[] = [];
  for (const [i, e] of (v.filesystem as unknown[]).entries()) {
    const entry = e as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null) return fail('invalid_capabilities', `filesystem[${i}] must be an object.`);
    if (entry.kind === 'temp_workspace') filesystem.push({ kind: 'temp_workspace' });
    else if ((entry.kind === 'read_only' || entry.kind === 'read_write') && typeof entry.path === 'string' && entry.path !== '')
      filesystem.push({ kind: entry.kind, path: entry.path });
    else return fail('invalid_capabilities', `filesystem[${i}] must be {"kind": "read_only"|"read_write", "path"} or {"kind": "temp_workspace"}.`);
  }
  const network = parseNetworkGrant(v.network, 'invalid_capabilities');
  if (!network.ok) return network;
  const p = v.process as Record<string, unknown> | undefined;
  const seconds = p?.max_execution_time_s;
  const memory = p?.max_memory_mb;
  if (
    typeof p !== 'object' ||
    p === null ||
    !Number.isInteger(seconds) ||
    (seconds as number) < 1 ||
    (seconds as number) > LIMITS.maxSeconds ||
    !Number.isInteger(memory) ||
    (memory as number) < 16 ||
    (memory as number) > LIMITS.maxMemoryMb ||
    typeof p.no_fork !== 'boolean'
  ) {
    return fail(
      'invalid_capabilities',
      `"process" must be {"max_execution_time_s": 1..${LIMITS.maxSeconds}, "max_memory_mb": 16..${LIMITS.maxMemoryMb}, "no_fork": true|false}.`,
    );
  }
  if (!(ENVIRONMENT_GRANTS as readonly unknown[]).includes(v.environment))
    return fail('invalid_capabilities', `"environment" must be one of ${ENVIRONMENT_GRANTS.join(', ')}.`);
  return ok({
    filesystem,
    network: network.value,
    process: { max_execution_time_s: seconds as number, max_memory_mb: memory as number, no_fork: p.no_fork },
    environment: v.environment as EnvironmentGrant,
  });
}

/** The directories a profile's `${WORKSPACE}` and `${PROJECT_ROOT}` stand for in one run. */
export interface PathDirectories {
  readonly WORKSPACE: string;
  readonly PROJECT_ROOT: string;
}

/**
 * A profile in words, one grant per line, for the people who approve it. With the run's
 * directories, a path that uses one also says where it is: `read ${PROJECT_ROOT} (/home/u/proj)`.
 */
export function describeCapabilities(caps: Capabilities, directories?: PathDirectories): string[] {
  const where = (path: string): string => {
    const real = directories === undefined ? path : path.replace(/^\$\{(WORKSPACE|PROJECT_ROOT)\}/, (_, name: keyof PathDirectories) => directories[name]);
    return real === path ? path : `${path} (${real})`;
  };
  const lines = caps.filesystem.map((e) =>
    e.kind === 'temp_workspace' ? 'a private, empty /tmp' : `${e.kind === 'read_only' ? 'read' : 'read and write'} ${where(e.path)}`,
  );
  lines.push(describeNetworkGrant(caps.network));
  const p = caps.process;
  lines.push(`at most ${p.max_execution_time_s} s and ${p.max_memory_mb} MiB per process${p.no_fork ? ', no new processes' : ''}`);
  lines.push(
    caps.environment === 'full'
      ? 'the whole environment, secrets included'
      : caps.environment === 'restricted'
        ? 'a restricted environment (PATH, HOME, locale; no secrets)'
        : 'an empty environment',
  );
  return lines;
}
