/**
 * The cost of the domain proxy on a 10 MB download from a loopback server, against the same
 * download direct, measured in the same run: curl through the proxy alone (a CONNECT tunnel, and
 * plain HTTP forwarded) against curl direct; and a confined run whose domain grant goes through
 * the whole bridge (socat in the sandbox, the proxy's socket, the proxy) against a confined run
 * with the whole network, which downloads direct. Each round runs every contender once, in turn,
 * so drift in machine load falls on all of them alike; the figure is the median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  realCapabilities,
  resolveCapabilities,
  runSandboxed,
  sandboxAvailability,
  startDomainProxy,
  withOverrides,
  type Capabilities,
  type NetworkGrant,
} from '@aleph/sandbox';
import { spawned } from './process.js';
import type { Row } from './table.js';

const ROUNDS = 30;
const WARMUP = 3;
const SIZE = 10 * 1024 * 1024;
const NAME = 'download.bench.test';

/** A loopback HTTP server that answers every request with SIZE bytes, and prints its port. */
const SERVER = [
  'const body = Buffer.alloc(Number(process.argv[1]), 0x61);',
  "const s = require('node:http').createServer((q, r) => { r.writeHead(200, { 'content-length': String(body.length) }); r.end(body); });",
  "s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
].join('\n');

/**
 * The same client for every path: a plain socket that sends one GET (after a CONNECT when told a
 * proxy, or the one HTTPS_PROXY names) and counts the body's bytes. curl is slowed by any relay
 * between it and the server (socat forwarding plain TCP costs it as much here, and a bare CONNECT
 * relay of a few lines too), so the proxy's own cost is measured with this client; curl's figures
 * are shown beside it.
 * Arguments: SIZE HOST PORT [PROXY_HOST PROXY_PORT | env].
 */
const CLIENT = [
  'const [size, host, port, ph, pp] = process.argv.slice(1);',
  "let proxy = ph === undefined ? null : ph === 'env' ? new URL(process.env.HTTPS_PROXY) : { hostname: ph, port: pp };",
  "const s = require('node:net').connect(Number(proxy === null ? port : proxy.port), proxy === null ? '127.0.0.1' : proxy.hostname);",
  'const get = `GET /10mb HTTP/1.1\\r\\nHost: ${host}\\r\\nConnection: close\\r\\n\\r\\n`;',
  'let tunnel = proxy !== null, got = 0, head = Buffer.alloc(0);',
  "s.on('connect', () => s.write(tunnel ? `CONNECT ${host}:${port} HTTP/1.1\\r\\n\\r\\n` : get));",
  "s.on('data', (d) => { if (!tunnel) { got += d.length; return; } head = Buffer.concat([head, d]); const i = head.indexOf('\\r\\n\\r\\n'); if (i >= 0) { tunnel = false; got += head.length - i - 4; s.write(get); } });",
  "s.on('close', () => { if (got < Number(size)) { console.error(`only ${got} bytes`); process.exit(1); } });",
].join('\n');

export async function proxySuite(): Promise<Row[]> {
  // The server is a process of its own, as a registry or a forge is: the proxy alone shares the bench's event loop.
  const server = spawn(process.execPath, ['-e', SERVER, String(SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (d: Buffer) => resolvePort(Number(d.toString().trim())));
  });
  const url = `http://${NAME}:${port}/10mb`;
  // The bench's name leads to this machine's loopback server: its grant says so, and the port.
  const grants = [{ pattern: NAME, ports: [port], localAddresses: true }];
  const resolve = async (host: string) => (host === NAME ? ['127.0.0.1'] : []);
  const proxy = await startDomainProxy({ host: '127.0.0.1', port: 0 }, { grants, resolve });
  const proxyUrl = `http://127.0.0.1:${(proxy.endpoint as { port: number }).port}`;
  const env = { PATH: process.env.PATH };
  const workspace = mkdtempSync(join(tmpdir(), 'aleph-bench-proxy-'));
  const curl = ['-sS', '-f', '-o', '/dev/null'];
  const direct = `http://127.0.0.1:${port}/10mb`;
  const proxyPort = String((proxy.endpoint as { port: number }).port);
  const node = process.execPath;
  const contenders: Record<string, () => Promise<void>> = {
    direct: () => spawned(node, ['-e', CLIENT, String(SIZE), NAME, String(port)], env),
    'proxy, CONNECT': () => spawned(node, ['-e', CLIENT, String(SIZE), NAME, String(port), '127.0.0.1', proxyPort], env),
  };
  // curl's figures where curl is installed (the bench installs only what its own figures need).
  const withCurl = spawnSync('curl', ['--version']).status === 0;
  if (withCurl) {
    contenders['curl, direct'] = () => spawned('curl', [...curl, direct], env);
    contenders['curl, proxy, CONNECT'] = () => spawned('curl', [...curl, '-p', '-x', proxyUrl, url], env);
    contenders['curl, proxy, plain HTTP'] = () => spawned('curl', [...curl, '-x', proxyUrl, url], env);
  }
  const available = sandboxAvailability();
  const linux = available.ok && available.value.platform === 'linux';
  if (linux) {
    const sink = new PassThrough();
    sink.resume();
    const profile = (network: NetworkGrant): Capabilities => {
      const merged = withOverrides(null, { filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }], network });
      if (!merged.ok) throw new Error(merged.error.message);
      const resolved = resolveCapabilities(merged.value, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
      if (!resolved.ok) throw new Error(resolved.error.message);
      const real = realCapabilities(resolved.value);
      if (!real.ok) throw new Error(real.error.message);
      return real.value;
    };
    const confined = (network: NetworkGrant, command: readonly string[]) => async () => {
      const log = await runSandboxed(
        { capabilities: profile(network), command, cwd: workspace, env: { PATH: '/usr/bin:/bin' } },
        {
          stdin: 'ignore',
          stdout: sink,
          stderr: sink,
          network: { grants, resolve },
        },
      );
      if (log.status !== 'success' || log.exit_code !== 0)
        throw new Error(`the confined download failed: ${log.error?.message ?? `${log.status}, exit ${log.exit_code}`}`);
    };
    contenders['confined, whole network'] = confined({ kind: 'allow_all' }, [node, '-e', CLIENT, String(SIZE), NAME, String(port)]);
    contenders['confined, domain grant'] = confined({ kind: 'allow_domains', domains: [NAME] }, [node, '-e', CLIENT, String(SIZE), NAME, String(port), 'env']);
  }
  const times = new Map<string, number[]>(Object.keys(contenders).map((n) => [n, []]));
  try {
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const started = performance.now();
        await run();
        if (round >= WARMUP) times.get(name)!.push(performance.now() - started);
      }
    }
  } finally {
    await proxy.close();
    server.kill();
    rmSync(workspace, { recursive: true, force: true });
  }
  const median = (name: string) => {
    const sorted = [...times.get(name)!].sort((a, b) => a - b);
    return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
  };
  const base = median('direct');
  const rows: Row[] = [
    {
      suite: 'proxy',
      metric: '10 MB download through the proxy (CONNECT)',
      value: median('proxy, CONNECT'),
      unit: 'ms',
      baseline: { name: 'direct', value: base },
      target: { text: '<= 1.2x direct', met: median('proxy, CONNECT') <= 1.2 * base },
    },
    ...(withCurl ? ['curl, proxy, CONNECT', 'curl, proxy, plain HTTP'] : []).map((name) => ({
      suite: 'proxy',
      metric: `10 MB download, ${name} (curl slows behind any relay hop)`,
      value: median(name),
      unit: 'ms',
      baseline: { name: 'curl, direct', value: median('curl, direct') },
    })),
  ];
  if (linux) {
    const whole = median('confined, whole network');
    const granted = median('confined, domain grant');
    rows.push({
      suite: 'proxy',
      metric: 'a confined run downloading 10 MB through the bridge and proxy (proxy start included)',
      value: granted,
      unit: 'ms',
      baseline: { name: 'confined, whole network', value: whole },
    });
  } else {
    rows.push({
      suite: 'proxy',
      metric: `confined download not measured: ${available.ok ? "the bridge is Linux's" : available.error.message}`,
      value: 0,
      unit: '',
    });
  }
  return rows;
}
