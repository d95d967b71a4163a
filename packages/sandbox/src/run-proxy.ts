/**
 * The domain proxy of one run: started when the run's profile grants some domains, for exactly as
 * long as the run, and its refusals added to the run's record (violations of kind `network`), so
 * that the audit log keeps every refused connection with its domain even where the caller passed
 * no callback. On Linux it listens on a Unix socket in a private directory (0700; the socket 0600)
 * that the launcher binds into the sandbox; on macOS on a loopback port, the one place the
 * Seatbelt profile lets the run connect to.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, MAX_REPORTED_VIOLATIONS, ok, type Result } from '@aleph/protocol';
import type { Capabilities } from './capabilities.js';
import { grantsOf, normalHost, type DomainGrant } from './domains.js';
import { startDomainProxy, type DomainProxy, type ProxyEndpoint, type RefusedConnection, type Resolver } from './domain-proxy.js';
import { BRIDGE_PROGRAMS } from './network-bridge.js';
import type { Violation } from './violations.js';

/** What a caller says about a run's domain grant, beyond the names its profile lists. */
export interface RunNetworkOptions {
  /**
   * Grants that refine the profile's names: another port, or local addresses allowed. Only names
   * the profile lists count; the profile stays the authority on which domains a run may reach.
   */
  readonly grants?: readonly DomainGrant[];
  /** The proxy's resolver (the system's by default; tests map their names to loopback servers). */
  readonly resolve?: Resolver;
  /** Each refused connection as it is refused: the gateway audits it as it happens. */
  readonly onRefused?: (refused: RefusedConnection) => void;
  readonly now?: () => number;
}

export interface RunProxy {
  readonly endpoint: ProxyEndpoint;
  readonly proxy: DomainProxy;
  /** Stops the proxy and removes its directory. */
  stop(): Promise<void>;
}

/** Where the bridge's programs are looked for: the system directories every run reads. */
export const BRIDGE_PROGRAM_DIRS: readonly string[] = ['/usr/bin', '/bin', '/usr/local/bin'];

/** The proxy for a run, or null when its profile grants no domains. `programDirs`: where socat and perl are looked for. */
export async function startRunProxy(
  caps: Capabilities,
  platform: 'linux' | 'macos',
  options: RunNetworkOptions = {},
  programDirs: readonly string[] = BRIDGE_PROGRAM_DIRS,
): Promise<Result<RunProxy | null>> {
  if (caps.network.kind !== 'allow_domains') return ok(null);
  const grants = refinedGrants(caps.network.domains, options.grants ?? []);
  const proxyOptions = {
    grants,
    ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    ...(options.onRefused === undefined ? {} : { onRefused: options.onRefused }),
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  if (platform === 'macos') {
    try {
      const proxy = await startDomainProxy({ host: '127.0.0.1', port: 0 }, proxyOptions);
      return ok({ endpoint: proxy.endpoint, proxy, stop: () => proxy.close() });
    } catch (error) {
      return fail('proxy_failed', `The domain proxy could not be started: ${(error as Error).message}`);
    }
  }
  const missing = BRIDGE_PROGRAMS.filter((p) => !programDirs.some((d) => executable(join(d, p))));
  if (missing.length > 0) {
    return fail(
      'proxy_unavailable',
      `A run limited to some domains needs ${missing.join(' and ')} inside the sandbox, which ${missing.length > 1 ? 'are' : 'is'} not installed: install ${missing.join(' and ')} (Debian and Ubuntu: apt install ${missing.join(' ')}).`,
    );
  }
  let dir: string | null = null;
  try {
    dir = mkdtempSync(join(tmpdir(), 'aleph-proxy-'));
    const proxy = await startDomainProxy({ path: join(dir, 'proxy.sock') }, proxyOptions);
    const own = dir;
    return ok({
      endpoint: proxy.endpoint,
      proxy,
      stop: async () => {
        await proxy.close();
        rmSync(own, { recursive: true, force: true });
      },
    });
  } catch (error) {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    return fail('proxy_failed', `The domain proxy could not be started: ${(error as Error).message}`);
  }
}

/** The profile's names as grants, each refined by the caller's grant of the same pattern. */
export function refinedGrants(domains: readonly string[], refinements: readonly DomainGrant[]): DomainGrant[] {
  return grantsOf(domains).map((g) => refinements.find((r) => normalHost(r.pattern) === normalHost(g.pattern)) ?? g);
}

/** A refused connection as the run's record keeps it. */
export function refusalViolation(r: RefusedConnection): Violation {
  return {
    kind: 'network',
    evidence: `the domain proxy refused ${r.host}:${r.port} (${r.protocol}, ${r.reason.replace(/_/g, ' ')}) at ${new Date(r.at).toISOString()}`,
  };
}

interface RunRecord {
  readonly status: string;
  readonly violations: readonly Violation[];
  readonly violation_count: number;
}

/** The run's record with the proxy's refusals among its violations; a run that succeeded but was refused something is a violation. */
export function withRefusals<T extends RunRecord>(log: T, proxy: DomainProxy): T {
  if (proxy.refusedCount === 0) return log;
  const violations = [...proxy.refused.map(refusalViolation), ...log.violations].slice(0, MAX_REPORTED_VIOLATIONS);
  return { ...log, violations, violation_count: log.violation_count + proxy.refusedCount, status: log.status === 'success' ? 'sandbox_violation' : log.status };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
