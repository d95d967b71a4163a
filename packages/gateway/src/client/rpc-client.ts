/**
 * A client of the network endpoint, as a device, guest or chat bridge uses it: opens the
 * WebSocket, keeps the nonce the endpoint sends, makes calls and hears notifications.
 */
import { sign } from '@aleph/identity';
import { connectMessage, fail, fromBase64url, ok, parseRpcIncoming, toBase64url, type Result, type RpcIncoming, type SessionView } from '@aleph/protocol';
import { WebSocket } from 'ws';
import { GatewayError } from '../errors.js';

type Notification = Extract<RpcIncoming, { kind: 'notification' }>;

export class RpcClient {
  private nextId = 1;
  private readonly calls = new Map<number, (r: Result<unknown>) => void>();
  private readonly notifications: Notification[] = [];
  private readonly waiters: { method: string; resolve: (n: Notification | null) => void }[] = [];
  private ended = false;
  /** Who hears every notification, once someone listens (instead of their being queued). */
  private listener: ((n: Notification) => void) | null = null;
  /** How the connection ended: the close code and reason, once it has. */
  closeInfo: { code: number; reason: string } | null = null;
  /** The nonce the endpoint sent this connection; `connect` signs it. */
  nonce: Uint8Array = new Uint8Array();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.end();
    });
    socket.on('error', () => this.end());
  }

  /** Opens a session and waits for the endpoint's challenge. */
  /** `localAddress`: the address to connect from (a test's other loopback address, say). */
  static async open(url: string, timeoutMs = 5_000, localAddress?: string): Promise<RpcClient> {
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, ...(localAddress === undefined ? {} : { localAddress }) });
    // Listening from the start: the challenge may arrive together with the upgrade's answer.
    const client = new RpcClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error: NodeJS.ErrnoException) =>
        reject(new GatewayError('gateway_unreachable', `Cannot reach the gateway at ${url} (${error.code ?? error.message}).`)),
      );
    });
    const challenge = await client.notification('challenge', timeoutMs);
    const nonce = typeof challenge?.params.nonce === 'string' ? fromBase64url(challenge.params.nonce) : null;
    if (nonce === null) {
      client.close();
      // Refused at once (too many connections, a shutdown): the close says why.
      const closed = client.closeInfo;
      if (closed !== null && closed.code >= 4000)
        throw new GatewayError('connection_refused', `The gateway at ${url} closed the connection: ${closed.reason} (${closed.code})`);
      throw new GatewayError('protocol', `The endpoint at ${url} did not send a challenge.`);
    }
    client.nonce = nonce;
    return client;
  }

  /** Calls a method; the gateway's failure comes back as its code and sentence. */
  call<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<Result<T>> {
    if (this.ended) return Promise.resolve(fail('connection_closed', 'The connection to the gateway is closed.'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.calls.set(id, resolve as (r: Result<unknown>) => void);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Connects this session with a token and the device (or guest) key it was issued for. */
  connect(token: string, secretKey: Uint8Array): Promise<Result<{ session: SessionView }>> {
    return this.call('connect', { token, signature: toBase64url(sign(secretKey, connectMessage(this.nonce))) });
  }

  /** The next notification named `method` (others stay queued), or null on close or timeout. */
  notification(method: string, timeoutMs?: number): Promise<Notification | null> {
    const i = this.notifications.findIndex((n) => n.method === method);
    if (i >= 0) return Promise.resolve(this.notifications.splice(i, 1)[0]!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        method,
        resolve: (n: Notification | null): void => {
          clearTimeout(timer);
          resolve(n);
        },
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(null);
        }, timeoutMs);
      }
    });
  }

  /** Hands every notification to `listener` from now on, those queued so far first. */
  listen(listener: (n: Notification) => void): void {
    this.listener = listener;
    for (const n of this.notifications.splice(0)) listener(n);
  }

  /** Resolves when the connection has ended. */
  async closed(): Promise<{ code: number; reason: string } | null> {
    if (!this.ended) await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    return this.closeInfo;
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    const message = parseRpcIncoming(text);
    if (!message.ok) return;
    const m = message.value;
    if (m.kind === 'notification') {
      if (this.listener !== null) {
        this.listener(m);
        return;
      }
      const at = this.waiters.findIndex((w) => w.method === m.method);
      if (at < 0) this.notifications.push(m);
      else this.waiters.splice(at, 1)[0]!.resolve(m);
      return;
    }
    if (typeof m.id !== 'number') return;
    const resolve = this.calls.get(m.id);
    if (resolve === undefined) return;
    this.calls.delete(m.id);
    resolve(m.kind === 'result' ? ok(m.result) : fail(m.error.data.code, m.error.message));
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const resolve of this.calls.values()) resolve(fail('connection_closed', 'The gateway closed the connection.'));
    this.calls.clear();
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }
}
