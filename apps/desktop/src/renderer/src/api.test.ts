import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ConnectionState } from '@aleph/protocol';
import { webSocketApi } from './api.js';

// The renderer's WebSocket is the browser's; in Node the ws package gives the same interface.
(globalThis as unknown as { WebSocket: unknown }).WebSocket ??= WebSocket;

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => {
  for (const client of server?.clients ?? []) client.terminate();
  if (server === undefined) resolve();
  else server.close(() => resolve());
}));

describe('the console\'s WebSocket API', () => {
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
    expect(states.find(([s]) => s === 'closed')?.[1]).toBe('The gateway is shutting down.');
    await expect.poll(() => connections.length, { timeout: 5000 }).toBe(2);
    await expect.poll(() => states.at(-1)?.[0]).toBe('open');
    // Calls work on the new connection.
    expect(await api.subscribe(() => undefined)).toEqual([]);
  });
});
