import { describe, expect, it } from 'vitest';
import {
  CONFINED,
  confinementChoices,
  describeCapabilities,
  describeConfinement,
  isGrantableDomain,
  parseConfinement,
  parseNetworkGrant,
  type Capabilities,
  type Confinement,
} from './capabilities.js';

describe('confinement', () => {
  it('reads each kind and says it in words', () => {
    expect(parseConfinement(CONFINED)).toEqual({ ok: true, value: CONFINED });
    expect(describeConfinement(CONFINED)).toBe('confined, no network');
    const domains = parseConfinement({ kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org', 'registry.npmjs.org'] } });
    expect(domains.ok && describeConfinement(domains.value)).toBe('confined, the network to registry.npmjs.org');
    const unconfined = parseConfinement({ kind: 'unconfined' });
    expect(unconfined.ok && describeConfinement(unconfined.value)).toBe('unconfined');
  });

  it('refuses anything else with a clear error', () => {
    for (const bad of [null, [], 'sandbox', { kind: 'sandbox' }, { kind: 'sandbox', network: { kind: 'allow_domains', domains: [] } }, { kind: 'open' }]) {
      const r = parseConfinement(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid_message');
    }
    const n = parseNetworkGrant({ kind: 'allow_domains', domains: ['not a domain'] }, 'invalid_capabilities');
    expect(!n.ok && n.error.code).toBe('invalid_capabilities');
  });

  it('offers the choices narrowest first, the suggestion preferred, unconfined last and never preferred', () => {
    const all: Confinement = { kind: 'sandbox', network: { kind: 'allow_all' } };
    const npm: Confinement = { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } };
    expect(confinementChoices(undefined)).toEqual({ choices: [CONFINED, all, { kind: 'unconfined' }], preferred: 0 });
    expect(confinementChoices(CONFINED)).toEqual({ choices: [CONFINED, all, { kind: 'unconfined' }], preferred: 0 });
    expect(confinementChoices(npm)).toEqual({ choices: [CONFINED, npm, all, { kind: 'unconfined' }], preferred: 1 });
    expect(confinementChoices(all)).toEqual({ choices: [CONFINED, all, { kind: 'unconfined' }], preferred: 1 });
    expect(confinementChoices({ kind: 'unconfined' }).preferred).toBe(0);
  });

  it('grants domain names, never addresses or ports', () => {
    expect(['example.com', '*.example.org', 'registry.npmjs.org'].every(isGrantableDomain)).toBe(true);
    expect(['127.0.0.1', 'example.com:443', 'localhost', 'Example.com', ''].some(isGrantableDomain)).toBe(false);
  });
});

describe('describeCapabilities', () => {
  const caps: Capabilities = {
    filesystem: [
      { kind: 'read_only', path: '${PROJECT_ROOT}' },
      { kind: 'read_write', path: '${WORKSPACE}/out' },
      { kind: 'read_only', path: '/etc/hosts' },
    ],
    network: { kind: 'deny' },
    process: { max_execution_time_s: 60, max_memory_mb: 512, no_fork: false },
    environment: 'none',
  };

  it("says where a path's variable leads in this run, beside the variable", () => {
    expect(describeCapabilities(caps, { WORKSPACE: '/home/u/proj/src', PROJECT_ROOT: '/home/u/proj' }).slice(0, 3)).toEqual([
      'read ${PROJECT_ROOT} (/home/u/proj)',
      'read and write ${WORKSPACE}/out (/home/u/proj/src/out)',
      'read /etc/hosts',
    ]);
    expect(describeCapabilities(caps)[0]).toBe('read ${PROJECT_ROOT}');
  });
});
