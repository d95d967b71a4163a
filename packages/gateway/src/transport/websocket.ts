/**
 * The network endpoint: WebSocket JSON-RPC on loopback, for paired devices, guests, chat bridges
 * and the web console. A session starts anonymous; it may pair, accept an invitation, or connect
 * with a token and a signature over the nonce the endpoint sent it, which fixes its identity for
 * the rest of the session. Its calls then go through the same validation, limits, authorization
 * and audit as the Unix socket's.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { identityContext, type IdentityContext } from '@aleph/identity';
import {
  DEVICE_METHODS,
  OWNER_METHODS,
  parseClientMessage,
  parseDeviceCall,
  parseRpcCall,
  rpcError,
  RPC_CODES,
  toBase64url,
  type ClientMessage,
  type DeviceCall,
  type ExecRequest,
  type GatewayEvent,
  type GatewayMessage,
  type Result,
  type RpcError,
  type RpcId,
  type RpcOutgoing,
} from '@aleph/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { GatewayError } from '../errors.js';
import { isLoopback, peerOf } from '../admission/refusals.js';
import { own } from '../config/config.js';
import { requestDeadline, serverTimeouts } from './first-request.js';
import type { IdentityEvent } from '../admission/devices-and-guests.js';
import type { Identities } from '../admission/devices-and-guests.js';
import type { ChannelSettings } from '../config/config.js';
import type { Limits } from './limits.js';
import type { Peer, Reply } from './peer.js';

/** What the endpoint needs of the gateway (which implements it). */
export interface EndpointHost {
  readonly authenticationRequired: boolean;
  readonly identities: Identities;
  /** A session joins (false: the gateway is stopping); one that leaves cancels what it waited for. */
  attach(peer: Peer): boolean;
  detach(peer: Peer): void;
  /** A validated message; its answer goes to `reply` once durable. */
  dispatch(peer: Peer, message: ClientMessage, reply: Reply): void;
  /** An identity operation, kept only if its events are durable. */
  identityCall<T>(operation: (identities: Identities, now: number) => Result<T>, reply: (result: Result<T>) => void): void;
  /** How a chat channel treats direct messages. */
  channel(name: string): ChannelSettings;
}

export interface NetworkOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote`. */
  readonly host?: string;
  /** Serve on a non-loopback address: every device on that network can then ask to pair. */
  readonly allowRemote?: boolean;
  /** Browser origins allowed to connect (the web console's own); other origins are refused. */
  readonly origins?: readonly string[];
}

/** The messages a session sends as calls, by method name: the same as the Unix socket's. */
const MESSAGE_METHODS: Readonly<Record<string, ClientMessage['type']>> = {
  'exec.request': 'approval_request',
  'exec.result': 'exec_result',
  'approvals.list': 'get_pending',
  'approvals.subscribe': 'subscribe',
  'approvals.resolve': 'resolve',
  ping: 'ping',
};

/** WebSocket close codes of our own (4000-4999 are the application's). */
export const CLOSE_CODES = { IDLE: 4000, SESSION_ENDED: 4001, SHUTDOWN: 4002, TOO_MANY: 4003, CONNECT_DEADLINE: 4004 } as const;
/** How long an ended session's peer has to answer the close before its connection is cut. */
const CLOSE_GRACE_MS = 2_000;

export { isLoopback } from '../admission/refusals.js';

const anonymous = (): IdentityContext =>
  identityContext({
    request_id: '',
    session_key: `ses_${randomBytes(8).toString('hex')}`,
    role: 'anonymous',
    identity_id: 'anonymous',
    scope: null,
    created_at: Date.now(),
    source_channel: 'websocket',
  });

class Session implements Peer {
  identity: IdentityContext;
  subscribed = false;
  closed = false;
  readonly pending = new Set<string>();
  readonly running = new Map<string, ExecRequest>();
  /** Nonce this connection's `connect` signature must cover. */
  readonly nonce = new Uint8Array(randomBytes(32));
  /** Pairing codes this session asked for: it hears how they end, and presents them freely. */
  readonly codes = new Set<string>();
  /** Names this connection to the pairing book, which no other connection can present as its own. */
  readonly key = randomBytes(16).toString('base64url');
  idleTimer: NodeJS.Timeout | undefined;
  /** While anonymous: when it must have connected. */
  deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    readonly settled: () => void,
    identity: IdentityContext,
  ) {
    this.identity = identity;
  }

  send(message: RpcOutgoing): void {
    if (!this.closed) this.socket.send(JSON.stringify(message));
  }

  notify(event: GatewayEvent): void {
    const { type, ...params } = event;
    this.send({ jsonrpc: '2.0', method: type, params });
  }

  end(code: number, reason: string): void {
    if (this.closed) return;
    this.send({ jsonrpc: '2.0', method: 'session_ended', params: { reason } });
    this.closed = true;
    // The reason travels in the notification; a close frame's reason is capped at 123 bytes.
    this.socket.close(code, reason.slice(0, 120));
    // A peer that never answers the close is cut off, rather than held for the library's 30 s.
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}

export class NetworkEndpoint {
  private readonly sessions = new Set<Session>();

  private constructor(
    private readonly gateway: EndpointHost,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly limits: Limits,
    private readonly origins: readonly string[],
    readonly url: string,
  ) {}

  static async start(gateway: EndpointHost, options: NetworkOptions, limits: Limits): Promise<NetworkEndpoint> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopback(host) && options.allowRemote !== true) {
      throw new GatewayError('not_loopback', `Refusing to serve on ${host}: it is not a loopback address. Pass the explicit flag to serve other machines.`);
    }
    // A peer that opens the port and never completes its upgrade (silent, or trickling its request
    // out) is dropped at the same deadline as one that upgrades and never connects.
    const deadline = limits.anonymousDeadlineMs;
    const http = createServer(serverTimeouts(deadline), (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end("This is the Aleph gateway's WebSocket JSON-RPC endpoint.\n");
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxLineBytes });
    await new Promise<void>((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new GatewayError('port_in_use', `Cannot listen on ${host}:${options.port}: the port is in use (pick another with --port, or 0 for any free one)`)
            : new GatewayError('listen_failed', `Cannot listen on ${host}:${options.port}: ${error.message}`),
        );
      });
      http.listen(options.port, host, () => resolve());
    });
    // Sessions, and connections still opening or being refused: the endpoint's share of this
    // process's descriptors is bounded, so the Unix socket always has its own.
    http.maxConnections = 2 * limits.maxNetworkConnections;
    requestDeadline(http, deadline);
    const address = http.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const endpoint = new NetworkEndpoint(gateway, http, wss, limits, options.origins ?? [], `ws://${host.includes(':') ? `[${host}]` : host}:${port}`);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => endpoint.upgrade(req, socket, head));
    return endpoint;
  }

  /**
   * Accepts a WebSocket upgrade. A browser always sends its page's origin: only the console's own
   * origins may connect, so that a web page cannot drive the gateway through the user's browser.
   */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node leaves an upgraded socket without an error listener: a peer that resets it must not take the gateway down.
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nThis origin may not connect to the gateway.\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, peerOf(req.socket.remoteAddress ?? 'unknown'), anonymous()));
  }

  /**
   * A session someone else already authenticated (the web console's signed-in browser): it starts
   * as `identity` instead of anonymous. The caller has checked the origin.
   */
  adopt(req: IncomingMessage, socket: Duplex, head: Buffer, identity: IdentityContext): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, peerOf(req.socket.remoteAddress ?? 'unknown'), identity));
  }

  /**
   * Why a new session cannot be served now, or null. Sessions that have not connected have a small
   * budget of their own, so that anonymous peers can never take the places of paired devices and
   * the console (nor, having their own count, those of the Unix socket).
   */
  private full(identity: IdentityContext): string | null {
    // An ended session whose peer has yet to answer the close holds no place.
    let open = 0;
    let anonymous = 0;
    for (const s of this.sessions) {
      if (s.closed) continue;
      open++;
      if (s.identity.role === 'anonymous') anonymous++;
    }
    if (open >= this.limits.maxNetworkConnections) return `The gateway serves at most ${this.limits.maxNetworkConnections} network connections.`;
    return identity.role === 'anonymous' && anonymous >= this.limits.maxAnonymousConnections
      ? `The gateway serves at most ${this.limits.maxAnonymousConnections} connections that have not connected yet; try again shortly.`
      : null;
  }

  private open(ws: WebSocket, address: string, identity: IdentityContext): void {
    const session: Session = new Session(ws, address, () => this.touch(session), identity);
    const full = this.full(identity);
    if (full !== null || !this.gateway.attach(session)) {
      ws.on('error', () => undefined);
      if (full === null) ws.close(CLOSE_CODES.SHUTDOWN, 'The gateway is shutting down.');
      else ws.close(CLOSE_CODES.TOO_MANY, full);
      // A peer that never answers the close is cut off, rather than held for the library's 30 s.
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      return;
    }
    this.sessions.add(session);
    if (identity.role === 'anonymous') session.deadlineTimer = setTimeout(() => this.deadline(session), this.limits.anonymousDeadlineMs);
    ws.on('message', (data, isBinary) => {
      // An ended session (revoked, rotated, shut down) is heard no more, though its peer may keep
      // sending until it answers the close.
      if (session.closed) return;
      if (isBinary) {
        session.send({ jsonrpc: '2.0', id: null, error: rpcError(RPC_CODES.INVALID_REQUEST, 'binary_unsupported', 'Send JSON-RPC as text messages.') });
      } else {
        this.receive(session, data.toString());
      }
      this.touch(session);
    });
    ws.on('close', () => this.drop(session));
    ws.on('error', () => this.drop(session));
    session.send({ jsonrpc: '2.0', method: 'challenge', params: { nonce: toBase64url(session.nonce), version: 1 } });
    this.touch(session);
  }

  private drop(session: Session): void {
    if (!this.sessions.delete(session)) return;
    session.closed = true;
    clearTimeout(session.idleTimer);
    clearTimeout(session.deadlineTimer);
    this.gateway.detach(session);
  }

  /**
   * An anonymous session's deadline has come: unless it has connected, it is closed, however busy
   * it kept itself. Two exceptions: a device whose own pairing request is pending stays until that
   * request expires (pairing's limits bound how many can), and with authentication off anonymous
   * callers are the endpoint's users, with no deadline.
   */
  private deadline(session: Session): void {
    if (session.closed || session.identity.role !== 'anonymous' || !this.gateway.authenticationRequired) return;
    const now = Date.now();
    const pairing = this.gateway.identities.pairingExpiry(session.codes, now);
    if (pairing !== null) {
      session.deadlineTimer = setTimeout(() => this.deadline(session), Math.max(1, pairing - now));
      return;
    }
    session.end(CLOSE_CODES.CONNECT_DEADLINE, `Not connected within ${this.limits.anonymousDeadlineMs} ms.`);
  }

  /**
   * A session waiting for nothing and silent for the idle timeout is closed. An approver (the
   * console, a subscribed device) waits in silence by design: after the idle timeout it is pinged
   * instead, and closed only if it does not answer within another.
   */
  private touch(session: Session): void {
    clearTimeout(session.idleTimer);
    if (session.closed || session.pending.size > 0 || session.running.size > 0) return;
    const limit = this.limits.idleTimeoutMs;
    if (!session.subscribed) {
      session.idleTimer = setTimeout(() => session.end(CLOSE_CODES.IDLE, `Idle for ${limit} ms.`), limit);
      return;
    }
    session.idleTimer = setTimeout(() => {
      session.socket.once('pong', () => this.touch(session));
      session.socket.ping();
      session.idleTimer = setTimeout(() => session.end(CLOSE_CODES.IDLE, `No answer to a ping within ${limit} ms.`), limit);
    }, limit);
  }

  private receive(session: Session, text: string): void {
    const call = parseRpcCall(text);
    if (!call.ok) {
      session.send({ jsonrpc: '2.0', id: call.id, error: call.error });
      return;
    }
    const { id, method, params } = call.value;
    const respond = (outcome: Result<unknown>): void => {
      if (id === null) return;
      session.send(
        outcome.ok ? { jsonrpc: '2.0', id, result: outcome.value } : { jsonrpc: '2.0', id, error: serverError(outcome.error.code, outcome.error.message) },
      );
    };
    const asMessage = own(MESSAGE_METHODS, method);
    if (asMessage !== undefined) {
      // Same validation as the Unix socket; a request's id defaults to the call's.
      const fields = asMessage === 'approval_request' && params.id === undefined && id !== null ? { ...params, id: String(id) } : params;
      const message = parseClientMessage({ ...fields, type: asMessage });
      if (!message.ok) {
        session.send({ jsonrpc: '2.0', id, error: rpcError(RPC_CODES.INVALID_PARAMS, message.error.code, message.error.message) });
        return;
      }
      this.gateway.dispatch(session, message.value, replyFor(session, id));
      return;
    }
    if ((OWNER_METHODS as readonly string[]).includes(method)) {
      const message = parseClientMessage({ type: 'call', id: String(id ?? method), method, params });
      if (!message.ok) {
        session.send({ jsonrpc: '2.0', id, error: rpcError(RPC_CODES.INVALID_PARAMS, 'invalid_params', message.error.message) });
        return;
      }
      this.gateway.dispatch(session, message.value, replyFor(session, id));
      return;
    }
    if ((DEVICE_METHODS as readonly string[]).includes(method)) {
      const parsed = parseDeviceCall(method, params);
      if (!parsed.ok) {
        session.send({ jsonrpc: '2.0', id, error: rpcError(RPC_CODES.INVALID_PARAMS, parsed.error.code, parsed.error.message) });
        return;
      }
      this.device(session, parsed.value, id, respond);
      return;
    }
    session.send({ jsonrpc: '2.0', id, error: rpcError(RPC_CODES.METHOD_NOT_FOUND, 'unknown_method', `Unknown method ${JSON.stringify(method)}.`) });
  }

  /** The calls of a device (or guest, or bridge) about itself. */
  private device(session: Session, call: DeviceCall, id: RpcId | null, respond: (r: Result<unknown>) => void): void {
    const peer = session.address;
    const by = { peer, session: session.key };
    switch (call.method) {
      case 'pairing.request':
        this.gateway.identityCall(
          (ids, now) => ids.requestPairing({ name: call.name, type: call.type, publicKey: call.public_key }, by, now),
          (r) => {
            if (r.ok) session.codes.add(r.value.code);
            respond(r);
          },
        );
        return;
      case 'pairing.status':
        this.gateway.identityCall((ids, now) => ids.pairingStatus(call.code, by, now), respond);
        return;
      case 'pairing.complete':
        this.gateway.identityCall((ids, now) => ids.completePairing(call.code, call.signature, by, now), respond);
        return;
      case 'guests.accept':
        this.gateway.identityCall((ids, now) => ids.acceptInvitation(call.invitation, call.public_key, peer, now), respond);
        return;
      case 'connect':
        if (session.identity.role !== 'anonymous') {
          respond({
            ok: false,
            error: { code: 'already_connected', message: 'This session is already connected; open a new one to connect as someone else.' },
          });
          return;
        }
        this.gateway.identityCall(
          (ids, now) => ids.connect(call.token, call.signature, session.nonce, peer, now, String(id ?? '')),
          (r) => {
            if (!r.ok) {
              respond(r);
              return;
            }
            session.identity = r.value.context;
            clearTimeout(session.deadlineTimer);
            respond({ ok: true, value: { session: r.value.session } });
          },
        );
        return;
      case 'chat.authorize': {
        if (session.identity.role !== 'owner') {
          respond({ ok: false, error: { code: 'owner_only', message: 'Only a paired device of the owner (a chat bridge) may ask about chat senders.' } });
          return;
        }
        const settings = this.gateway.channel(call.channel);
        this.gateway.identityCall(
          (ids, now) => ({ ok: true, value: ids.authorizeChat(call.channel, call.sender, call.name ?? call.sender, settings, now) }),
          respond,
        );
        return;
      }
    }
  }

  /** Tells a device how its pairing ended; ends the sessions of a revoked device or guest. */
  identityEvent(event: IdentityEvent): void {
    for (const s of this.sessions) {
      if (event.type === 'pairing_resolved' && s.codes.has(event.code)) {
        if (event.outcome !== 'approved') s.codes.delete(event.code);
        s.send({
          jsonrpc: '2.0',
          method: 'pairing_resolved',
          params: { code: event.code, outcome: event.outcome, ...(event.challenge === undefined ? {} : { challenge: event.challenge }) },
        });
      }
      if (event.type === 'identity_ended' && s.identity.identity_id === event.id) s.end(CLOSE_CODES.SESSION_ENDED, event.reason);
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.end(CLOSE_CODES.SHUTDOWN, 'The gateway is shutting down.');
    for (const s of this.sessions) s.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

function serverError(code: string, message: string): RpcError {
  return rpcError(RPC_CODES.SERVER_ERROR, code, message);
}

/** Turns the gateway's answer to a message into the call's JSON-RPC response. */
function replyFor(session: Session, id: RpcId | null): Reply {
  return (message: GatewayMessage) => {
    if (id === null) return;
    if (message.type === 'error') {
      session.send({ jsonrpc: '2.0', id, error: serverError(message.code, message.message) });
      return;
    }
    if (message.type === 'result') {
      session.send({ jsonrpc: '2.0', id, result: message.result });
      return;
    }
    const { type: _type, ...result } = message;
    session.send({ jsonrpc: '2.0', id, result });
  };
}
