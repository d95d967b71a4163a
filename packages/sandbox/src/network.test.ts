/**
 * A domain grant end to end, under real bubblewrap: the run has no network but the bridge to the
 * proxy on the host; a granted name (resolved by the proxy's own test mapping to a loopback
 * server the test started) is reached through it, by plain HTTP, CONNECT and SOCKS5; another is
 * refused, reported and recorded; and nothing reaches the host without the proxy.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCapabilities, type Capabilities } from './capabilities.js';
import type { RefusedConnection } from './domain-proxy.js';
import { realCapabilities } from './grants.js';
import { withOverrides } from './presets.js';
import { refinedGrants, startRunProxy, withRefusals } from './run-proxy.js';
import { sandboxAvailability } from './availability.js';
import type { SandboxAuditLog } from './run-record.js';
import { runSandboxed } from './runner.js';
import { skipLoudly } from '../../../scripts/skip-notice.js';

const linux = process.platform === 'linux';
if (!linux)
  skipLoudly(
    'bubblewrap',
    `network.test.ts needs Linux and bubblewrap; this is ${process.platform}.`,
    'The Seatbelt rule for a domain grant is golden-tested in sandbox.test.ts.',
  );

const root = mkdtempSync(join(tmpdir(), 'alsb-net-'));
const workspace = join(root, 'workspace');
let server: Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  mkdirSync(workspace);
  server = createServer((req, res) => {
    hits.push(`${req.headers.host} ${req.url}`);
    res.end(`served ${req.headers.host}${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

function domainsProfile(domains: string[]): Capabilities {
  const merged = withOverrides(null, { filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }], network: { kind: 'allow_domains', domains } });
  if (!merged.ok) throw new Error(merged.error.message);
  const resolved = resolveCapabilities(merged.value, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
  if (!resolved.ok) throw new Error(resolved.error.message);
  const real = realCapabilities(resolved.value);
  if (!real.ok) throw new Error(real.error.message);
  return real.value;
}

const NAMES: Record<string, string[]> = { 'granted.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] };

async function run(script: string, refused: RefusedConnection[] = []): Promise<{ log: SandboxAuditLog; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const log = await runSandboxed(
    {
      capabilities: domainsProfile(['granted.test']),
      command: ['/bin/sh', '-c', script],
      cwd: workspace,
      env: { PATH: '/usr/bin:/bin', HOME: root, LANG: 'C.UTF-8' },
    },
    {
      stdin: 'ignore',
      stdout: out,
      stderr: err,
      network: {
        // The test server is on loopback and a random port: this grant says both, explicitly.
        grants: [{ pattern: 'granted.test', ports: [port], localAddresses: true }],
        resolve: async (host) => NAMES[host] ?? [],
        onRefused: (r) => refused.push(r),
        now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      },
    },
  );
  return { log, stdout, stderr };
}

describe.runIf(linux)('a domain grant under real bubblewrap', () => {
  it('can run here: bubblewrap, socat and perl are installed, or the suite could prove nothing', () => {
    expect(sandboxAvailability()).toMatchObject({ ok: true });
    for (const p of ['/usr/bin/socat', '/usr/bin/perl']) expect(existsSync(p), p).toBe(true);
  });

  it('reaches a granted domain through the proxy, by plain HTTP, CONNECT and SOCKS5, with the proxy named in its environment', async () => {
    const { log, stdout } = await run(
      [
        'echo "$HTTP_PROXY $HTTPS_PROXY $ALL_PROXY $http_proxy $all_proxy"',
        `curl -sS -f http://granted.test:${port}/plain`,
        `curl -sS -f -p http://granted.test:${port}/tunnelled`,
        `curl -sS -f -x "$ALL_PROXY" http://granted.test:${port}/socks`,
      ].join(' && '),
    );
    expect(stdout).toBe(
      [
        'http://127.0.0.1:3128 http://127.0.0.1:3128 socks5h://127.0.0.1:3128 http://127.0.0.1:3128 socks5h://127.0.0.1:3128',
        `served granted.test:${port}/plain`,
        `served granted.test:${port}/tunnelled`,
        `served granted.test:${port}/socks`,
        '',
      ].join('\n'),
    );
    expect(log).toMatchObject({ status: 'success', exit_code: 0, violation_count: 0 });
  });

  it('refuses a domain it was not granted, says so to the tool, reports it and records it', async () => {
    const refused: RefusedConnection[] = [];
    const before = hits.length;
    const { log, stdout, stderr } = await run(
      `curl -sS -f http://other.test:${port}/x; echo "plain $?"; curl -sS -f -p http://other.test:${port}/y; echo "connect $?"; curl -sS -f -x "$ALL_PROXY" http://other.test:${port}/z; echo "socks $?"`,
      refused,
    );
    // curl ends 22 on an HTTP error; a refused CONNECT is 56 in older versions, 22 in newer ones; 97 is SOCKS's refusal.
    expect(stdout).toMatch(/^plain 22\nconnect (22|56)\nsocks 97\n$/);
    expect(stderr).toContain('403');
    expect(hits.length).toBe(before);
    expect(refused).toEqual(
      ['http', 'connect', 'socks5'].map((protocol) => ({ host: 'other.test', port, protocol, reason: 'not_granted', at: Date.UTC(2026, 0, 2, 3, 4, 5) })),
    );
    expect(log.status).toBe('sandbox_violation');
    expect(log.violations.filter((v) => v.evidence.startsWith('the domain proxy refused'))).toEqual([
      { kind: 'network', evidence: `the domain proxy refused other.test:${port} (http, not granted) at 2026-01-02T03:04:05.000Z` },
      { kind: 'network', evidence: `the domain proxy refused other.test:${port} (connect, not granted) at 2026-01-02T03:04:05.000Z` },
      { kind: 'network', evidence: `the domain proxy refused other.test:${port} (socks5, not granted) at 2026-01-02T03:04:05.000Z` },
    ]);
  });

  it("reaches nothing without the proxy: not the host's loopback, not the proxy's socket by another way, not a Unix socket", async () => {
    const before = hits.length;
    const { stdout } = await run(
      [
        `curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${port}/direct; echo "direct $?"`,
        `perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => "/run/aleph/proxy.sock") or die "unix: $!\\n"; print "reached\\n"' 2>&1; echo "unix $?"`,
      ].join('; '),
    );
    expect(stdout).toBe('direct 7\nunix: Address family not supported by protocol\nunix 97\n');
    expect(hits.length).toBe(before);
  });

  it('leaves no proxy behind: its socket directory is gone once the run ends', async () => {
    const mine = () => readdirSync(tmpdir()).filter((n) => n.startsWith('aleph-proxy-'));
    const before = mine();
    const { log } = await run('ls /run/aleph');
    expect(log.status).toBe('success');
    expect(mine()).toEqual(before);
  });
});

describe("a run's proxy", () => {
  it("takes its names from the profile alone; a caller may refine a listed name's ports and local addresses, not add names", () => {
    expect(
      refinedGrants(
        ['a.example.com', '*.b.example.com'],
        [
          { pattern: 'A.example.com', ports: [8443] },
          { pattern: 'c.example.com', localAddresses: true },
        ],
      ),
    ).toEqual([{ pattern: 'A.example.com', ports: [8443] }, { pattern: '*.b.example.com' }]);
  });

  it("is none for a profile without a domain grant, and refused, saying what to install, where the bridge's programs are missing", async () => {
    expect(await startRunProxy({ ...domainsProfile(['granted.test']), network: { kind: 'deny' } }, 'linux')).toEqual({ ok: true, value: null });
    const missing = await startRunProxy(domainsProfile(['granted.test']), 'linux', {}, [join(root, 'no-programs-here')]);
    expect(missing).toEqual({
      ok: false,
      error: {
        code: 'proxy_unavailable',
        message:
          'A run limited to some domains needs socat and perl inside the sandbox, which are not installed: install socat and perl (Debian and Ubuntu: apt install socat perl).',
      },
    });
  });

  it('turns a run that succeeded but was refused a connection into a violation, refusals first', () => {
    const log = { status: 'success', violations: [{ kind: 'filesystem' as const, evidence: 'x' }], violation_count: 1 };
    const proxy = {
      endpoint: { path: '/p' },
      refused: [{ host: 'evil.test', port: 443, protocol: 'connect' as const, reason: 'not_granted' as const, at: 0 }],
      refusedCount: 3,
      close: async () => undefined,
    };
    expect(withRefusals(log, proxy)).toEqual({
      status: 'sandbox_violation',
      violation_count: 4,
      violations: [
        { kind: 'network', evidence: 'the domain proxy refused evil.test:443 (connect, not granted) at 1970-01-01T00:00:00.000Z' },
        { kind: 'filesystem', evidence: 'x' },
      ],
    });
    expect(withRefusals(log, { ...proxy, refused: [], refusedCount: 0 })).toBe(log);
  });
});
