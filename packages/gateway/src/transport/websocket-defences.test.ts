import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { newDeviceKeyPair, sign } from '@aleph/identity';
import { fromBase64url, pairingMessage, toBase64url, type GatewayMessage } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from './websocket.js';
import { RpcClient } from '../client/rpc-client.js';
import { DEFAULT_LIMITS, Gateway, type GatewayOptions } from '../gateway.js';
import { clients, code, connected, device, gateway, home, owner, pair, request, start, stop, useNetworkHome, value } from './test-network.js';

useNetworkHome();

describe("the endpoint's defences", () => {
  it('answers malformed calls with JSON-RPC errors and carries on; an oversized message closes only that connection', async () => {
    await start({ limits: { maxLineBytes: 4096 } });
    const d = await device();
    const raw = new WebSocket(gateway!.url!);
    const replies: Record<string, unknown>[] = [];
    raw.on('message', (m) => replies.push(JSON.parse(m.toString()) as Record<string, unknown>));
    await new Promise((r) => raw.once('open', r));
    for (const text of [
      '{nope',
      '[]',
      '{"jsonrpc":"2.0","id":1,"method":"teleport"}',
      '{"jsonrpc":"2.0","id":2,"method":"exec.request","params":{"request":{}}}',
      '{"jsonrpc":"1.0","id":3,"method":"ping"}',
    ])
      raw.send(text);
    raw.send(Buffer.from([1, 2, 3]));
    raw.send('{"jsonrpc":"2.0","id":4,"method":"ping"}');
    await expect.poll(() => replies.some((r) => r.id === 4)).toBe(true);
    const errors = replies.filter((r) => 'error' in r).map((r) => r.error as { code: number; data: { code: string } });
    expect(errors.map((e) => e.code)).toEqual([-32700, -32600, -32601, -32602, -32600, -32600]);
    expect(replies.at(-1)).toEqual({ jsonrpc: '2.0', id: 4, result: {} });
    const closed = new Promise<number>((r) => raw.once('close', (c) => r(c)));
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping', params: { pad: 'x'.repeat(8192) } }));
    expect(await closed).toBe(1009);
    expect(value(await d.call('ping'))).toEqual({});
  });

  it('refuses browser pages from other origins', async () => {
    await start();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(gateway!.url!, { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const plain = await new Promise<number>((resolve) => {
      httpRequest(gateway!.url!.replace('ws:', 'http:'), (res) => resolve(res.statusCode ?? 0)).end();
    });
    expect(plain).toBe(426);
  });

  it('serves loopback only, unless told otherwise explicitly', async () => {
    await expect(Gateway.start({ home, network: { port: 0, host: '0.0.0.0' } })).rejects.toThrow(/not a loopback address/);
    // The refused start left nothing behind: a normal one starts.
    await start();
    expect(gateway!.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('says port_in_use when another program holds the port, and leaves nothing behind', async () => {
    await start();
    const other = join(home, '..', 'other');
    const port = Number(new URL(gateway!.url!).port);
    await expect(Gateway.start({ home: other, network: { port } })).rejects.toMatchObject({
      code: 'port_in_use',
      message: expect.stringContaining('the port is in use'),
    });
    const again = await Gateway.start({ home: other, network: { port: 0 } });
    await again.stop();
  });
});

/**
 * Opens an anonymous WebSocket that sends nothing: 'admitted' once the endpoint's challenge comes,
 * or the close code when it is refused first.
 */
function anonymousSocket(url: string): Promise<'admitted' | number> {
  const ws = new WebSocket(url);
  clients.push({ close: () => ws.terminate() });
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('message', () => resolve('admitted'));
    ws.once('close', (code) => resolve(code));
  });
}

/** A call from the web console's page (an owner's session from the start): its result, or its error's code. */
function pageCall(page: WebSocket, method: string): Promise<unknown> {
  return new Promise((resolve) => {
    page.on('message', function answer(data) {
      const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { data: { code: string } } };
      if (m.id !== 7) return;
      page.off('message', answer);
      resolve(m.error === undefined ? m.result : m.error.data.code);
    });
    page.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method }));
  });
}

/** A plain TCP connection to the endpoint's port that sends nothing unless told to. */
function tcp(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname, () => resolve(s));
    s.on('error', () => undefined);
    clients.push({ close: () => s.destroy() });
  });
}

const ended = (s: Socket): Promise<void> => new Promise((resolve) => (s.closed ? resolve() : s.once('close', () => resolve())));

describe('hostile peers on the network side', () => {
  /** A raw HTTP exchange: what came back before the gateway closed, or a reset right after sending. */
  function raw(url: string, text: string, reset = false): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
      const s = connect(Number(port), hostname, () => {
        s.write(text);
        if (reset) {
          s.resetAndDestroy();
          resolve('');
        }
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => undefined);
    });
  }

  const alive = async (): Promise<void> => {
    const c = await owner();
    c.send({ type: 'ping', id: 'p' });
    expect(await c.next()).toEqual({ type: 'pong', id: 'p' });
  };

  it('answers an address it cannot read with 400, and lives through upgrades reset mid-refusal', async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    await start({ console: { port: 0, root } });
    const consoleHost = new URL(gateway!.consoleOrigin!).host;
    expect(await raw(gateway!.consoleOrigin!, `GET // HTTP/1.1\r\nHost: ${consoleHost}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = (host: string, path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: https://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\n\r\n`;
    for (let i = 0; i < 20; i++) {
      await raw(gateway!.url!.replace('ws:', 'http:'), upgrade(new URL(gateway!.url!).host, '/'), true);
      await raw(gateway!.consoleOrigin!, upgrade(consoleHost, '//'), true);
    }
    expect(await raw(gateway!.consoleOrigin!, upgrade(consoleHost, '//').replace('https://evil.example', gateway!.consoleOrigin!))).toMatch(/^HTTP\/1\.1 404 /);
    await alive();
  });

  it('stops at once while a signed-in console is open, and tells the console', async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    const g = await start({ console: { port: 0, root } });
    const signedIn = await fetch(g.consoleLoginUrl()!, { redirect: 'manual' });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = new WebSocket(`${g.consoleOrigin!.replace('http:', 'ws:')}/api`, { headers: { cookie, origin: g.consoleOrigin! } });
    await new Promise((resolve) => page.once('message', resolve));
    const closed = new Promise<number>((resolve) => page.once('close', resolve));
    await stop();
    expect(await closed).toBe(CLOSE_CODES.SHUTDOWN);
  });

  it("keeps serving the owner's socket, the console and connected devices while 600 anonymous WebSockets hold on; the extra ones are refused with 4003", async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    const g = await start({ console: { port: 0, root } });
    const { token, keys } = await pair();
    const phone = await connected(token, keys);

    const outcomes = await Promise.all(Array.from({ length: 600 }, () => anonymousSocket(g.url!)));
    const refused = outcomes.filter((o) => o !== 'admitted');
    expect(refused).toHaveLength(600 - DEFAULT_LIMITS.maxAnonymousConnections);
    expect(new Set(refused)).toEqual(new Set([CLOSE_CODES.TOO_MANY]));
    await expect(RpcClient.open(g.url!)).rejects.toMatchObject({
      code: 'connection_refused',
      message: expect.stringMatching(/at most 32 connections that have not connected yet.*\(4003\)$/),
    });

    // The owner's agents on the socket are answered...
    const o = await owner();
    o.send({ type: 'approval_request', id: 'r1', ...request('ls') });
    expect(await o.waitFor((m): m is GatewayMessage => m.type === 'approval_decision', 5000)).toMatchObject({ id: 'r1', decision: 'allow-once' });
    // ...the web console still opens...
    const signedIn = await fetch(g.consoleLoginUrl()!, { redirect: 'manual' });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = new WebSocket(`${g.consoleOrigin!.replace('http:', 'ws:')}/api`, { headers: { cookie, origin: g.consoleOrigin! } });
    clients.push({ close: () => page.close() });
    expect(JSON.parse((await new Promise<Buffer>((resolve) => page.once('message', resolve))).toString())).toMatchObject({ method: 'challenge' });
    expect(await pageCall(page, 'approvals.list')).toEqual({ approvals: [] });
    // ...and a device that had connected goes on.
    expect(value(await phone.call<{ decision: string }>('exec.request', request('pwd'))).decision).toBe('allow-once');
  });

  it('closes an anonymous session at its deadline however busy it keeps itself; a connected one stays', async () => {
    const g = await start({ limits: { anonymousDeadlineMs: 2000 } });
    const { token, keys } = await pair();
    const phone = await connected(token, keys);
    const raw = new WebSocket(g.url!);
    clients.push({ close: () => raw.close() });
    let pongs = 0;
    const said: string[] = [];
    raw.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; method?: string; params?: { reason?: string } };
      if (m.id !== undefined) pongs++;
      if (m.method === 'session_ended') said.push(m.params!.reason!);
    });
    await new Promise((resolve) => raw.once('open', resolve));
    const busy = setInterval(() => raw.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })), 10);
    const code = await new Promise<number>((resolve) => raw.once('close', resolve));
    clearInterval(busy);
    expect(code).toBe(CLOSE_CODES.CONNECT_DEADLINE);
    expect(pongs).toBeGreaterThan(0);
    expect(said).toEqual(['Not connected within 2000 ms.']);
    expect(value(await phone.call('ping'))).toEqual({});
  });

  it('keeps an anonymous device past the deadline while its own pairing request waits for the owner', async () => {
    await start({ limits: { anonymousDeadlineMs: 2000 } });
    const keys = newDeviceKeyPair();
    const d = await device();
    const asked = value(await d.call<{ code: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(keys.publicKey) }));
    // Opened after it, a session that asked nothing is closed: the deadline has passed for both.
    expect((await (await device()).closed())?.code).toBe(CLOSE_CODES.CONNECT_DEADLINE);
    value(await (await owner()).call('pairing.approve', { code: asked.code }));
    const challenge = fromBase64url((await d.notification('pairing_resolved', 30_000))!.params.challenge as string)!;
    const done = value(
      await d.call<{ token: string }>('pairing.complete', { code: asked.code, signature: toBase64url(sign(keys.secretKey, pairingMessage(challenge))) }),
    );
    expect(code(await d.connect(done.token, keys.secretKey))).toBe('ok');
  });

  it('drops a connection that never finishes its upgrade at the deadline, silent or trickling', async () => {
    const g = await start({ limits: { anonymousDeadlineMs: 2000 } });
    const silent = await tcp(g.url!);
    const trickling = await tcp(g.url!);
    trickling.write(`GET / HTTP/1.1\r\nHost: ${new URL(g.url!).host}\r\n`);
    await Promise.all([ended(silent), ended(trickling)]);
    await alive();
  });

  it('holds at most twice as many connections on the network side as it serves sessions: more are dropped at once', async () => {
    const g = await start({ limits: { maxNetworkConnections: 2, anonymousDeadlineMs: 3_600_000 } });
    const held = await Promise.all([tcp(g.url!), tcp(g.url!), tcp(g.url!), tcp(g.url!)]);
    await ended(await tcp(g.url!));
    expect(held.some((s) => s.closed)).toBe(false);
    await alive();
  });

  it('lives through clients that connect and vanish while the connection cap is reached', async () => {
    await start({ limits: { maxConnections: 1 } });
    const first = await owner();
    for (let i = 0; i < 200; i++) {
      const s = connect(join(home, 'exec-approvals.sock'));
      s.on('error', () => undefined);
      await new Promise<void>((r) =>
        s.on('connect', () => {
          s.destroy();
          r();
        }),
      );
    }
    first.send({ type: 'ping', id: 'still' });
    expect(await first.next()).toEqual({ type: 'pong', id: 'still' });
  });
});

describe("the web console's HTTP server", () => {
  async function withConsole(limits: GatewayOptions['limits']): Promise<Gateway> {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    return start({ console: { port: 0, root }, limits });
  }

  it("holds at most its own cap of connections: more are dropped at once, and the owner's socket is answered", async () => {
    const g = await withConsole({ maxConsoleConnections: 3, consoleRequestTimeoutMs: 3_600_000 });
    const held = await Promise.all([tcp(g.consoleOrigin!), tcp(g.consoleOrigin!), tcp(g.consoleOrigin!)]);
    const extra = await Promise.all(Array.from({ length: 20 }, () => tcp(g.consoleOrigin!)));
    await Promise.all(extra.map(ended));
    expect(held.some((s) => s.closed)).toBe(false);
    const c = await owner();
    c.send({ type: 'ping', id: 'p' });
    expect(await c.next()).toEqual({ type: 'pong', id: 'p' });
  });

  it('drops a connection that sends no request, or never finishes one, at its request timeout', async () => {
    const g = await withConsole({ consoleRequestTimeoutMs: 1_000 });
    const silent = await tcp(g.consoleOrigin!);
    const trickling = await tcp(g.consoleOrigin!);
    trickling.write(`GET / HTTP/1.1\r\nHost: ${new URL(g.consoleOrigin!).host}\r\n`);
    await Promise.all([ended(silent), ended(trickling)]);
    expect([silent.closed, trickling.closed]).toEqual([true, true]);
  });

  it('drops a kept-alive connection that stays idle after its answer', async () => {
    const g = await withConsole({ consoleRequestTimeoutMs: 1_000 });
    const s = await tcp(g.consoleOrigin!);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.write(`GET /missing HTTP/1.1\r\nHost: ${new URL(g.consoleOrigin!).host}\r\n\r\n`);
    await expect.poll(() => got, { timeout: 10_000 }).toMatch(/^HTTP\/1\.1 404 /);
    await ended(s);
  });
});
