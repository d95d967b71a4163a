/**
 * Which destinations the domain proxy lets a run reach: granted names (exact, or `*.example.com`
 * for every name below it), on the web's ports unless a grant names others, and never an address
 * on the host's own side of the network (loopback, link-local, private ranges) unless a grant says
 * so explicitly. A granted name that resolves to 127.0.0.1 is the classic DNS-rebinding way from a
 * sandbox to the host's own services; the check is on the address the proxy then connects to.
 * Pure, but for node:net's address parsing.
 */
import { BlockList, isIP } from 'node:net';

/** One granted destination. */
export interface DomainGrant {
  /** `example.com`, or `*.example.com`: every name below example.com, not example.com itself. */
  readonly pattern: string;
  /** The ports it may be reached on; DEFAULT_PORTS unless given. */
  readonly ports?: readonly number[];
  /**
   * It may resolve to a loopback, link-local or private address (a service on this machine or the
   * local network). Never implied: only a grant that says so.
   */
  readonly localAddresses?: boolean;
}

/** The ports a granted domain is reached on unless its grant says otherwise: HTTPS and HTTP. */
export const DEFAULT_PORTS: readonly number[] = [443, 80];

/** Why the proxy refused a connection. */
export type RefusalReason = 'not_granted' | 'port_not_granted' | 'local_address' | 'unresolved' | 'ip_literal';

/** The grants of a capability profile's `allow_domains` list: the default ports, no local addresses. */
export function grantsOf(domains: readonly string[]): DomainGrant[] {
  return domains.map((pattern) => ({ pattern }));
}

/** A host name as the proxy compares it: lower case, without a trailing dot. */
export function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Whether `host` (normal) matches `pattern`: exactly, or below it for `*.`; label boundaries respected. */
export function matchesPattern(host: string, pattern: string): boolean {
  const p = normalHost(pattern);
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return host === p;
}

/** The grant that lets `host:port` through, or why none does. */
export function grantFor(grants: readonly DomainGrant[], host: string, port: number): { ok: true; grant: DomainGrant } | { ok: false; reason: RefusalReason } {
  const name = normalHost(host);
  // An address given directly names no domain: no grant (of names) covers it.
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, reason: 'ip_literal' };
  const matching = grants.filter((g) => matchesPattern(name, g.pattern));
  if (matching.length === 0) return { ok: false, reason: 'not_granted' };
  const grant = matching.find((g) => (g.ports ?? DEFAULT_PORTS).includes(port));
  return grant === undefined ? { ok: false, reason: 'port_not_granted' } : { ok: true, grant };
}

/**
 * Addresses a name must not lead to without a grant that says so: loopback, link-local, private
 * and shared ranges, "this network", multicast and the unspecified address, in IPv4 and IPv6
 * (IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry).
 */
const LOCAL = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, bits, 'ipv4');
  }
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(net, bits, 'ipv6');
  return list;
})();

/** Whether an address is on this machine or the local network (see LOCAL). */
export function isLocalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return LOCAL.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The resolved addresses a grant allows connecting to: all of them, or only public ones. */
export function allowedAddresses(grant: DomainGrant, addresses: readonly string[]): string[] {
  return grant.localAddresses === true ? [...addresses] : addresses.filter((a) => !isLocalAddress(a));
}
