import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionState } from '@aleph/protocol';
import { SIGNED_OUT, webSocketApi } from './api.js';

// The renderer's WebSocket is the browser's; in Node the ws package gives the same interface.
(globalThis as unknown as { WebSocket: unknown }).WebSocket ??= WebSocket;

let server: WebSocketServer | undefined;
let console: Server | undefined;
afterEach(
  () =>
    new Promise<void>((resolve) => {
      for (const client of server?.clients ?? []) client.terminate();
      console?.closeAllConnections();
      console?.close();
      console = undefined;
      if (server === undefined) resolve();
      else server.close(() => resolve());
      server = undefined;
    }),
);

describe("the console's WebSocket API", () => {
  it('reconnects after the gateway closes the connection, and says so to its listeners', async () => {
    server = await new Promise<WebSocketServer>((resolve) => {
      const s: WebSocketServer = new WebSocketServer({ port: 0, host: '127.0.0.1' }, () => resolve(s));
    });
    const connections: WebSocket[] = [];
    server.on('connection', (ws) => {
      connections.push(ws);
      ws.on('message', (data) => {
        const call = JSON.parse(String(data)) as { id: number; method: string };
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: call.method === 'approvals.subscribe' ? { approvals: [] } : {} }));
      });
    });
    const { port } = server.address() as { port: number };
    const api = webSocketApi(`ws://127.0.0.1:${port}/api`);
    const states: [ConnectionState, string | undefined][] = [];
    api.onConnection((state, reason) => states.push([state, reason]));
    await expect.poll(() => states.at(-1)?.[0]).toBe('open');
    expect(await api.subscribe(() => undefined)).toEqual([]);

    connections[0]!.close(4002, 'The gateway is shutting down.');
    await expect.poll(() => states.some(([s]) => s === 'closed')).toBe(true);
    expect(states.find(([s]) => s === 'closed')?.[1]).toBe('The gateway is shutting down. Reconnecting…');
    await expect.poll(() => connections.length, { timeout: 5000 }).toBe(2);
    await expect.poll(() => states.at(-1)?.[0]).toBe('open');
    // Calls work on the new connection.
    expect(await api.subscribe(() => undefined)).toEqual([]);
  });

  it('stops trying, and says to sign in again, once the gateway no longer knows the session', async () => {
    // As a restarted gateway's console answers a browser holding the old session's cookie.
    // Attempts are counted by their key: Node's own WebSocket (undici) may resend one attempt when
    // the server closes on it, which is the client library's doing, not a retry of the console's.
    const attempts = new Set<string>();
    console = createServer((_req, res) => res.writeHead(401).end('Sign in with the link the gateway printed when it started.\n'));
    console.on('upgrade', (req, socket) => {
      attempts.add(String(req.headers['sec-websocket-key']));
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\nSign in first.\n');
    });
    await new Promise<void>((resolve) => console!.listen(0, '127.0.0.1', resolve));
    const { port } = console.address() as { port: number };
    const api = webSocketApi(`ws://127.0.0.1:${port}/api`);
    const states: [ConnectionState, string | undefined][] = [];
    api.onConnection((state, reason) => states.push([state, reason]));
    await expect.poll(() => states.at(-1)?.[1]).toBe(SIGNED_OUT);
    expect(states.at(-1)?.[0]).toBe('closed');
    // Calls say so too, without knocking again; and no retry comes (the first would after 500 ms).
    await expect(api.policy()).rejects.toThrow(SIGNED_OUT);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(attempts.size).toBe(1);
  });

  it('keeps trying while the gateway is out of reach, and connects once it is back', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const api = webSocketApi(`ws://127.0.0.1:${port}/api`);
    const states: [ConnectionState, string | undefined][] = [];
    api.onConnection((state, reason) => states.push([state, reason]));
    await expect.poll(() => states.at(-1)?.[1]).toBe('The console could not reach the gateway. Reconnecting…');
    server = new WebSocketServer({ port, host: '127.0.0.1' });
    await expect.poll(() => states.at(-1)?.[0], { timeout: 5000 }).toBe('open');
  });
});
