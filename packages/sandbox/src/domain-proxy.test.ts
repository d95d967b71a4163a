/**
 * The domain proxy on its own: real sockets, test names resolved to loopback servers by the
 * proxy's own resolver. What is granted gets through by CONNECT, plain HTTP and SOCKS5; what is
 * not is refused, answered in words, and reported.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantFor, isLocalAddress, matchesPattern } from './domains.js';
import {
  parseAuthority,
  parseSocksRequest,
  startDomainProxy,
  type DomainProxy,
  type DomainProxyOptions,
  type ProxyEndpoint,
  type RefusedConnection,
} from './domain-proxy.js';

const dir = mkdtempSync(join(tmpdir(), 'alsb-proxy-'));
let web: HttpServer;
let echo: Server;
let webPort = 0;
let echoPort = 0;
let echoed = 0;

/** Test names, as the proxy's resolver maps them: every one to this machine's loopback servers. */
const NAMES: Record<string, string[]> = {
  'granted.test': ['127.0.0.1'],
  'api.granted.test': ['127.0.0.1'],
  'other.test': ['127.0.0.1'],
  'rebind.test': ['127.0.0.1'],
  'mixed.test': ['127.0.0.1', '93.184.215.14'],
};
const resolve = async (host: string): Promise<string[]> => NAMES[host] ?? [];

beforeAll(async () => {
  web = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${req.headers.host} ${req.method} ${req.url}\n`);
  });
  echo = createServer((s) => {
    echoed++;
    s.pipe(s);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  webPort = (web.address() as { port: number }).port;
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => {
  web.close();
  echo.close();
  rmSync(dir, { recursive: true, force: true });
});

let socketCount = 0;
async function proxy(options: Partial<DomainProxyOptions> = {}): Promise<{ proxy: DomainProxy; refused: RefusedConnection[] }> {
  const refused: RefusedConnection[] = [];
  const p = await startDomainProxy(
    { path: join(dir, `p${++socketCount}.sock`) },
    {
      grants: [
        { pattern: 'granted.test', ports: [webPort, echoPort], localAddresses: true },
        { pattern: '*.granted.test', ports: [webPort], localAddresses: true },
        { pattern: 'rebind.test', ports: [webPort] },
      ],
      resolve,
      onRefused: (r) => refused.push(r),
      now: () => 1_700_000_000_000,
      ...options,
    },
  );
  return { proxy: p, refused };
}

/**
 * Connects to the proxy, sends each piece once the answer so far satisfies its condition, and
 * resolves with everything received when the proxy closes the connection (or `until` holds).
 */
function talk(
  endpoint: ProxyEndpoint,
  steps: ReadonlyArray<readonly [(got: Buffer) => boolean, Buffer | string]>,
  until: (got: Buffer) => boolean = () => false,
): Promise<Buffer> {
  return new Promise((done, reject) => {
    const socket = 'path' in endpoint ? connect(endpoint.path) : connect(endpoint.port, endpoint.host);
    let got = Buffer.alloc(0);
    let next = 0;
    const advance = () => {
      while (next < steps.length && steps[next]![0](got)) socket.write(steps[next++]![1]);
      if (until(got)) {
        socket.destroy();
        done(got);
      }
    };
    socket.on('connect', advance);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      advance();
    });
    socket.on('error', reject);
    socket.on('close', () => done(got));
  });
}

const always = () => true;
const text = (b: Buffer) => b.toString('latin1');
const has = (s: string) => (b: Buffer) => text(b).includes(s);

function socksConnect(host: string, port: number): Buffer {
  const name = Buffer.from(host, 'latin1');
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, p]);
}

describe('domain grants', () => {
  it('match exactly, or below a wildcard at a label boundary, and only on the granted ports', () => {
    expect(matchesPattern('example.com', 'example.com')).toBe(true);
    expect(matchesPattern('api.example.com', '*.example.com')).toBe(true);
    expect(matchesPattern('a.b.example.com', '*.example.com')).toBe(true);
    expect(matchesPattern('example.com', '*.example.com')).toBe(false);
    expect(matchesPattern('evilexample.com', '*.example.com')).toBe(false);
    expect(matchesPattern('example.com.evil.net', 'example.com')).toBe(false);
    const grants = [{ pattern: 'registry.npmjs.org' }, { pattern: 'git.example.com', ports: [22] }];
    expect(grantFor(grants, 'Registry.NPMJS.org.', 443)).toMatchObject({ ok: true });
    expect(grantFor(grants, 'registry.npmjs.org', 80)).toMatchObject({ ok: true });
    expect(grantFor(grants, 'registry.npmjs.org', 22)).toEqual({ ok: false, reason: 'port_not_granted' });
    expect(grantFor(grants, 'git.example.com', 443)).toEqual({ ok: false, reason: 'port_not_granted' });
    expect(grantFor(grants, 'npmjs.org', 443)).toEqual({ ok: false, reason: 'not_granted' });
    expect(grantFor(grants, '104.16.0.1', 443)).toEqual({ ok: false, reason: 'ip_literal' });
    expect(grantFor(grants, '[::1]', 443)).toEqual({ ok: false, reason: 'ip_literal' });
  });

  it('know the addresses on this machine and the local network, in both families and IPv4 inside IPv6', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.8.8',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-address',
    ]) {
      expect(isLocalAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.215.14', '172.32.0.1', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isLocalAddress(a), a).toBe(false);
  });

  it('parse what CONNECT and SOCKS5 name, refusing what is malformed', () => {
    expect(parseAuthority('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseAuthority('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    for (const bad of ['example.com', 'example.com:0', 'example.com:70000', 'a b:80', 'http://x:80', '']) expect(parseAuthority(bad), bad).toBeNull();
    expect(parseSocksRequest(socksConnect('example.com', 443))).toEqual({ command: 1, host: 'example.com', port: 443, length: 18 });
    expect(parseSocksRequest(Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, 0, 80]))).toEqual({ command: 1, host: '127.0.0.1', port: 80, length: 10 });
    expect(parseSocksRequest(Buffer.from([5, 1, 0, 3, 4, 0x61]))).toBe('incomplete');
    expect(parseSocksRequest(Buffer.from([5, 1, 0, 9, 0, 0, 0]))).toBe('bad_address');
    expect(parseSocksRequest(Buffer.from([4, 1, 0, 1, 0, 0, 0, 0, 0, 0]))).toBe('bad_version');
    expect(parseSocksRequest(Buffer.concat([Buffer.from([5, 1, 0, 3, 3]), Buffer.from('a\nb'), Buffer.from([0, 80])]))).toBe('bad_address');
  });
});

describe('the domain proxy', () => {
  it('listens on a socket only its owner may use', async () => {
    const { proxy: p } = await proxy();
    try {
      expect(statSync((p.endpoint as { path: string }).path).mode & 0o777).toBe(0o600);
    } finally {
      await p.close();
    }
  });

  it('tunnels to a granted domain by CONNECT, and forwards plain HTTP to it', async () => {
    const { proxy: p, refused } = await proxy();
    try {
      const tunnelled = await talk(p.endpoint, [
        [always, `CONNECT granted.test:${webPort} HTTP/1.1\r\nHost: granted.test:${webPort}\r\n\r\n`],
        [has('200 Connection Established\r\n\r\n'), `GET /via-connect HTTP/1.1\r\nHost: granted.test\r\nConnection: close\r\n\r\n`],
      ]);
      expect(text(tunnelled)).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK/);
      expect(text(tunnelled)).toContain('hello from granted.test GET /via-connect');
      const forwarded = await talk(p.endpoint, [
        [always, `GET http://api.granted.test:${webPort}/plain?x=1 HTTP/1.1\r\nHost: api.granted.test:${webPort}\r\nProxy-Connection: keep-alive\r\n\r\n`],
      ]);
      expect(text(forwarded)).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(text(forwarded)).toContain(`hello from api.granted.test:${webPort} GET /plain?x=1`);
      expect(refused).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('tunnels to a granted domain by SOCKS5, bytes both ways', async () => {
    const { proxy: p } = await proxy();
    try {
      const got = await talk(
        p.endpoint,
        [
          [always, Buffer.from([5, 1, 0])],
          [(b) => b.length >= 2, socksConnect('granted.test', echoPort)],
          [(b) => b.length >= 12, 'ping through socks'],
        ],
        (b) => text(b).endsWith('ping through socks'),
      );
      expect([...got.subarray(0, 4)]).toEqual([5, 0, 5, 0]);
      expect(text(got.subarray(12))).toBe('ping through socks');
    } finally {
      await p.close();
    }
  });

  it('refuses a domain it was not granted, or a granted one on another port, says why, and reports each', async () => {
    const { proxy: p, refused } = await proxy();
    try {
      const connectRefused = await talk(p.endpoint, [[always, `CONNECT other.test:${webPort} HTTP/1.1\r\nHost: other.test\r\n\r\n`]]);
      expect(text(connectRefused)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(text(connectRefused)).toContain('other.test is not a domain this run was granted');
      const plainRefused = await talk(p.endpoint, [[always, `GET http://other.test:${webPort}/ HTTP/1.1\r\nHost: other.test\r\n\r\n`]]);
      expect(text(plainRefused)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      const socksRefused = await talk(p.endpoint, [
        [always, Buffer.from([5, 1, 0])],
        [(b) => b.length >= 2, socksConnect('other.test', 443)],
      ]);
      expect([...socksRefused.subarray(0, 4)]).toEqual([5, 0, 5, 2]);
      const wrongPort = await talk(p.endpoint, [[always, 'CONNECT granted.test:22 HTTP/1.1\r\n\r\n']]);
      expect(text(wrongPort)).toContain('granted.test is granted, but not on port 22');
      const literal = await talk(p.endpoint, [[always, `CONNECT 127.0.0.1:${webPort} HTTP/1.1\r\n\r\n`]]);
      expect(text(literal)).toMatch(/^HTTP\/1\.1 403/);
      expect(refused).toEqual([
        { host: 'other.test', port: webPort, protocol: 'connect', reason: 'not_granted', at: 1_700_000_000_000 },
        { host: 'other.test', port: webPort, protocol: 'http', reason: 'not_granted', at: 1_700_000_000_000 },
        { host: 'other.test', port: 443, protocol: 'socks5', reason: 'not_granted', at: 1_700_000_000_000 },
        { host: 'granted.test', port: 22, protocol: 'connect', reason: 'port_not_granted', at: 1_700_000_000_000 },
        { host: '127.0.0.1', port: webPort, protocol: 'connect', reason: 'ip_literal', at: 1_700_000_000_000 },
      ]);
      expect([p.refused.length, p.refusedCount]).toEqual([5, 5]);
    } finally {
      await p.close();
    }
  });

  it('never lets a granted name lead to this machine unless its grant says so (DNS rebinding)', async () => {
    const { proxy: p, refused } = await proxy({
      grants: [
        { pattern: 'rebind.test', ports: [webPort] },
        { pattern: 'mixed.test', ports: [webPort] },
      ],
    });
    try {
      const rebound = await talk(p.endpoint, [[always, `CONNECT rebind.test:${webPort} HTTP/1.1\r\n\r\n`]]);
      expect(text(rebound)).toMatch(/^HTTP\/1\.1 403 Forbidden/);
      expect(text(rebound)).toContain('resolves to an address on this machine or the local network');
      const socks = await talk(p.endpoint, [
        [always, Buffer.from([5, 1, 0])],
        [(b) => b.length >= 2, socksConnect('rebind.test', webPort)],
      ]);
      expect(socks[3]).toBe(2);
      expect(refused.map((r) => [r.host, r.reason])).toEqual([
        ['rebind.test', 'local_address'],
        ['rebind.test', 'local_address'],
      ]);
    } finally {
      await p.close();
    }
  });

  it('answers malformed requests without passing anything on', async () => {
    const { proxy: p, refused } = await proxy();
    try {
      expect(text(await talk(p.endpoint, [[always, 'NONSENSE\r\n\r\n']]))).toMatch(/^HTTP\/1\.1 400/);
      expect(text(await talk(p.endpoint, [[always, 'CONNECT granted.test HTTP/1.1\r\n\r\n']]))).toMatch(/^HTTP\/1\.1 400/);
      expect(text(await talk(p.endpoint, [[always, '/relative HTTP/1.1\r\n\r\n']]))).toMatch(/^HTTP\/1\.1 400/);
      expect(text(await talk(p.endpoint, [[always, `GET /relative HTTP/1.1\r\nHost: granted.test\r\n\r\n`]]))).toMatch(/^HTTP\/1\.1 400/);
      expect(text(await talk(p.endpoint, [[always, `GET https://granted.test:${webPort}/ HTTP/1.1\r\n\r\n`]]))).toMatch(/^HTTP\/1\.1 400/);
      // SOCKS: a method it does not offer, a command it does not run (BIND), an address type that does not exist.
      expect([...(await talk(p.endpoint, [[always, Buffer.from([5, 1, 2])]]))]).toEqual([5, 0xff]);
      expect([
        ...(
          await talk(p.endpoint, [
            [always, Buffer.from([5, 1, 0])],
            [(b) => b.length >= 2, Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, 0, 80])],
          ])
        ).subarray(2, 4),
      ]).toEqual([5, 7]);
      expect([
        ...(
          await talk(p.endpoint, [
            [always, Buffer.from([5, 1, 0])],
            [(b) => b.length >= 2, Buffer.from([5, 1, 0, 7, 1, 2, 3])],
          ])
        ).subarray(2, 4),
      ]).toEqual([5, 8]);
      expect(refused).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('refuses headers larger than its limit, and closes a client that never finishes its request', async () => {
    const { proxy: p } = await proxy({ maxHeaderBytes: 4096, handshakeTimeoutMs: 300 });
    try {
      const big = await talk(p.endpoint, [[always, `CONNECT granted.test:${webPort} HTTP/1.1\r\nX-Padding: ${'a'.repeat(8192)}\r\n\r\n`]]);
      expect(text(big)).toMatch(/^HTTP\/1\.1 431/);
      const bigSocks = await talk(p.endpoint, [
        [always, Buffer.from([5, 1, 0])],
        [(b) => b.length >= 2, Buffer.concat([Buffer.from([5, 1, 0, 3, 255]), Buffer.alloc(5000, 0x61)])],
      ]);
      expect(bigSocks.length).toBe(2);
      // A client that sends half a request and then nothing is closed by the proxy, with nothing passed on.
      const stalled = await talk(p.endpoint, [[always, `CONNECT granted.test:${webPort} HTTP/1.1\r\nHost: gra`]]);
      expect(text(stalled)).toBe('');
    } finally {
      await p.close();
    }
  });

  it('serves others while a slow client trickles its request, and then serves the slow one too', async () => {
    const { proxy: p } = await proxy();
    try {
      const request = `CONNECT granted.test:${echoPort} HTTP/1.1\r\nHost: granted.test\r\n\r\n`;
      const slow = new Promise<string>((done, reject) => {
        const socket = connect((p.endpoint as { path: string }).path);
        let got = '';
        let sent = 0;
        // One byte at a time, each once the previous one was written: slow, never finished early.
        const drip = () => {
          if (sent < request.length) socket.write(request[sent++]!, drip);
        };
        socket.on('connect', drip);
        socket.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('\r\n\r\n') && !got.includes('slow')) socket.write('slow');
          if (got.endsWith('slow')) socket.end();
        });
        socket.on('error', reject);
        socket.on('close', () => done(got));
      });
      const quick = await talk(p.endpoint, [[always, `GET http://granted.test:${webPort}/quick HTTP/1.1\r\nHost: granted.test\r\n\r\n`]]);
      expect(text(quick)).toContain('GET /quick');
      expect(await slow).toBe('HTTP/1.1 200 Connection Established\r\n\r\nslow');
    } finally {
      await p.close();
    }
  });

  it('delivers every byte of a large answer when the server closes right after sending it', async () => {
    const SIZE = 8 * 1024 * 1024;
    const big = createServer((s) => s.end(Buffer.alloc(SIZE, 0x62)));
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    const bigPort = (big.address() as { port: number }).port;
    const { proxy: p } = await proxy({ grants: [{ pattern: 'granted.test', ports: [bigPort], localAddresses: true }] });
    try {
      const tunnelled = await talk(p.endpoint, [[always, `CONNECT granted.test:${bigPort} HTTP/1.1\r\n\r\n`]]);
      expect(tunnelled.length).toBe('HTTP/1.1 200 Connection Established\r\n\r\n'.length + SIZE);
      const socks = await talk(p.endpoint, [
        [always, Buffer.from([5, 1, 0])],
        [(b) => b.length >= 2, socksConnect('granted.test', bigPort)],
      ]);
      expect(socks.length).toBe(2 + 10 + SIZE);
    } finally {
      await p.close();
      big.close();
    }
  });

  it('carries many connections at once, each its own bytes', async () => {
    const { proxy: p } = await proxy();
    try {
      const runs = Array.from({ length: 60 }, (_, i) =>
        talk(
          p.endpoint,
          [
            [always, i % 2 === 0 ? `CONNECT granted.test:${echoPort} HTTP/1.1\r\n\r\n` : Buffer.from([5, 1, 0])],
            ...(i % 2 === 0 ? [] : [[(b: Buffer) => b.length >= 2, socksConnect('granted.test', echoPort)] as const]),
            [(b: Buffer) => (i % 2 === 0 ? has('\r\n\r\n')(b) : b.length >= 12), `connection ${i} `],
          ],
          (b) => text(b).endsWith(`connection ${i} `),
        ),
      );
      const got = await Promise.all(runs);
      got.forEach((b, i) => expect(text(b).endsWith(`connection ${i} `), `connection ${i}`).toBe(true));
    } finally {
      await p.close();
    }
  });

  it('listens on a loopback port where a socket cannot be bridged (macOS), and closes every connection when closed', async () => {
    const { proxy: p } = await proxy();
    const tcp = await startDomainProxy(
      { host: '127.0.0.1', port: 0 },
      { grants: [{ pattern: 'granted.test', ports: [echoPort], localAddresses: true }], resolve },
    );
    await p.close();
    const open = talk(
      tcp.endpoint,
      [
        [always, `CONNECT granted.test:${echoPort} HTTP/1.1\r\n\r\n`],
        [has('\r\n\r\n'), 'held open'],
      ],
      has('held open'),
    );
    expect(text(await open)).toContain('held open');
    const before = echoed;
    const held = talk(tcp.endpoint, [
      [always, `CONNECT granted.test:${echoPort} HTTP/1.1\r\n\r\n`],
      [has('\r\n\r\n'), 'x'],
    ]);
    await expect.poll(() => echoed).toBeGreaterThan(before);
    await tcp.close();
    expect(text(await held)).toContain('200 Connection Established');
  });
});
