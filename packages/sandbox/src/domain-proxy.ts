/**
 * The filtering proxy a run with a domain grant reaches the network through. It speaks HTTP
 * (CONNECT tunnels, and plain-HTTP requests forwarded with an absolute URL) and SOCKS5 (RFC 1928,
 * CONNECT without authentication) on the same endpoint, telling them apart by the first byte
 * (5 opens a SOCKS5 greeting; an HTTP request starts with a method's letter). It lets through only
 * the granted names and ports (domains.ts), resolves names itself and connects to the address it
 * checked (so the name cannot resolve elsewhere between the check and the connection), refuses
 * everything else with a 403 or a SOCKS "not allowed by ruleset" reply, and reports each refusal
 * (name, port, time) so that it is audited.
 *
 * Its design follows anthropic-experimental/sandbox-runtime (`src/sandbox/http-proxy.ts`,
 * `socks-proxy.ts`): a proxy on the host, outside the sandbox, is the run's only way out. Unlike
 * it, this one never connects by name (the address checked is the address used), refuses local
 * addresses unless granted, bounds what a client may send before it is let through, and serves
 * both protocols on one endpoint, so that one bridge reaches it.
 */
import { lookup } from 'node:dns/promises';
import { chmodSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { allowedAddresses, grantFor, normalHost, type DomainGrant, type RefusalReason } from './domains.js';

/** Resolves a name to its addresses (IPv4 or IPv6, as text). */
export type Resolver = (host: string) => Promise<readonly string[]>;

/** How a refused connection asked. */
export type ProxyProtocol = 'http' | 'connect' | 'socks5';

/** One connection the proxy refused: what it asked for, why it was refused, and when. */
export interface RefusedConnection {
  readonly host: string;
  readonly port: number;
  readonly protocol: ProxyProtocol;
  readonly reason: RefusalReason;
  /** Milliseconds since the epoch (the `now` the proxy was given). */
  readonly at: number;
}

export interface DomainProxyOptions {
  readonly grants: readonly DomainGrant[];
  /** The system's resolver by default; tests map their names to loopback servers. */
  readonly resolve?: Resolver;
  /** Called for each refused connection, as it is refused. */
  readonly onRefused?: (refused: RefusedConnection) => void;
  readonly now?: () => number;
  /** The most a client may send as its request's headers (or SOCKS5 handshake) before it is answered. */
  readonly maxHeaderBytes?: number;
  /** How long a client has to finish its request, from when it connects. */
  readonly handshakeTimeoutMs?: number;
  /** Connections at once; more are closed as they come. */
  readonly maxConnections?: number;
}

/** Where the proxy listens: a Unix socket (Linux, bridged into the sandbox), or a loopback TCP port (macOS). */
export type ProxyEndpoint = { readonly path: string } | { readonly host: '127.0.0.1'; readonly port: number };

export interface DomainProxy {
  readonly endpoint: ProxyEndpoint;
  /** The first MAX_KEPT_REFUSALS refused connections. */
  readonly refused: readonly RefusedConnection[];
  /** Refused connections, including those beyond the ones kept. */
  readonly refusedCount: number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
}

export interface ProxyLimits {
  readonly maxHeaderBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly maxConnections: number;
}

export const PROXY_DEFAULTS: ProxyLimits = { maxHeaderBytes: 16 * 1024, handshakeTimeoutMs: 10_000, maxConnections: 512 };

/** Bytes a relayed socket reads ahead of its writes: a download crosses the proxy in few, large chunks. */
const RELAY_BUFFER = 1024 * 1024;

/**
 * A connection to the checked address, reading ahead RELAY_BUFFER bytes (a stream option
 * net.Socket passes on to its Duplex, which Node's connect types leave out).
 */
function relayTo(host: string, port: number): Socket {
  const options = { host, port, highWaterMark: RELAY_BUFFER };
  return connect(options);
}

/** What the proxy keeps of refused connections (each is reported as it happens all the same). */
export const MAX_KEPT_REFUSALS = 100;

const SOCKS_VERSION = 5;
/** RFC 1928 section 6 reply codes. */
const SOCKS_REPLY = { succeeded: 0, failure: 1, notAllowed: 2, hostUnreachable: 4, refused: 5, commandNotSupported: 7, addressNotSupported: 8 } as const;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export async function startDomainProxy(listen: ProxyEndpoint, options: DomainProxyOptions): Promise<DomainProxy> {
  const limits = { ...PROXY_DEFAULTS, ...definedOnly(options) };
  const resolve = options.resolve ?? systemResolver;
  const now = options.now ?? Date.now;
  const refused: RefusedConnection[] = [];
  let refusedCount = 0;
  const sockets = new Set<Socket>();

  const refuse = (host: string, port: number, protocol: ProxyProtocol, reason: RefusalReason): void => {
    const record = { host: normalHost(host), port, protocol, reason, at: now() };
    refusedCount++;
    if (refused.length < MAX_KEPT_REFUSALS) refused.push(record);
    try {
      options.onRefused?.(record);
    } catch {
      // A reporting callback that throws must not take the proxy down with it.
    }
  };

  /** The address to connect to for a granted host, or why there is none. */
  const destination = async (
    host: string,
    port: number,
    protocol: ProxyProtocol,
  ): Promise<{ ok: true; address: string } | { ok: false; reason: RefusalReason }> => {
    const granted = grantFor(options.grants, host, port);
    if (!granted.ok) {
      refuse(host, port, protocol, granted.reason);
      return granted;
    }
    let addresses: readonly string[];
    try {
      addresses = await resolve(normalHost(host));
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) return { ok: false, reason: 'unresolved' };
    const usable = allowedAddresses(granted.grant, addresses);
    if (usable.length === 0) {
      refuse(host, port, protocol, 'local_address');
      return { ok: false, reason: 'local_address' };
    }
    return { ok: true, address: usable[0]! };
  };

  // Node's HTTP parser, fed the connections that speak HTTP; it never listens itself.
  const http = createHttpServer({ maxHeaderSize: limits.maxHeaderBytes });
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  http.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    void tunnel(req, client as Socket, head);
  });
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void forward(req, res);
  });

  const tunnel = async (req: IncomingMessage, client: Socket, head: Buffer): Promise<void> => {
    client.pause();
    const target = parseAuthority(req.url ?? '');
    if (target === null) return void answer(client, '400 Bad Request', 'CONNECT needs host:port.\n');
    const to = await destination(target.host, target.port, 'connect');
    if (!to.ok) return void answer(client, ...refusalStatus(to.reason, target.host, target.port));
    const upstream = relayTo(to.address, target.port);
    track(upstream);
    let connected = false;
    upstream.once('error', () => {
      if (!connected) answer(client, '502 Bad Gateway', `${target.host}:${target.port} could not be reached.\n`);
    });
    upstream.once('connect', () => {
      connected = true;
      established(client);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      splice(client, upstream);
    });
  };

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return void respond(res, 400, 'A proxy request names an absolute http:// URL.\n');
    }
    if (url.protocol !== 'http:') return void respond(res, 400, `Only http:// is forwarded; ${url.protocol}// goes through CONNECT.\n`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? 80 : Number(url.port);
    const to = await destination(host, port, 'http');
    if (!to.ok) {
      const [status, body] = refusalStatus(to.reason, host, port);
      return void respond(res, Number(status.slice(0, 3)), body);
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: url.host, connection: 'close' };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = httpRequest({ host: to.address, port, method: req.method, path: `${url.pathname}${url.search}`, headers, setHost: false });
    upstream.on('socket', (s: Socket) => track(s));
    upstream.once('error', () => respond(res, 502, `${host}:${port} could not be reached.\n`));
    upstream.once('response', (answer) => {
      established(req.socket);
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: 'close' });
      answer.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) {
          answer.pause();
          res.once('drain', () => answer.resume());
        }
      });
      answer.once('end', () => res.end());
    });
    req.pipe(upstream);
  };

  const socks = (client: Socket): void => {
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'done' = 'greeting';
    const fail = (code: number) => {
      stage = 'done';
      client.end(Buffer.from([SOCKS_VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0]));
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > limits.maxHeaderBytes) return client.destroy();
      if (stage === 'greeting') {
        if (buffer.length < 2) return;
        const count = buffer[1]!;
        if (buffer[0] !== SOCKS_VERSION) return client.destroy();
        if (buffer.length < 2 + count) return;
        const methods = buffer.subarray(2, 2 + count);
        buffer = buffer.subarray(2 + count);
        // Only "no authentication": the proxy is reached by the run alone, through its own bridge.
        if (!methods.includes(0)) {
          stage = 'done';
          return void client.end(Buffer.from([SOCKS_VERSION, 0xff]));
        }
        client.write(Buffer.from([SOCKS_VERSION, 0]));
        stage = 'request';
      }
      if (stage === 'request') {
        const request = parseSocksRequest(buffer);
        if (request === 'incomplete') return;
        client.off('data', onData);
        // Held until the tunnel is up: what the client sends meanwhile waits in its buffer.
        client.pause();
        stage = 'done';
        if (request === 'bad_version') return void client.destroy();
        if (request === 'bad_address') return fail(SOCKS_REPLY.addressNotSupported);
        if (request.command !== 1) return fail(SOCKS_REPLY.commandNotSupported);
        void (async () => {
          const to = await destination(request.host, request.port, 'socks5');
          if (!to.ok) return fail(to.reason === 'unresolved' ? SOCKS_REPLY.hostUnreachable : SOCKS_REPLY.notAllowed);
          const upstream = relayTo(to.address, request.port);
          track(upstream);
          let connected = false;
          upstream.once('error', (e: NodeJS.ErrnoException) => {
            if (!connected) fail(e.code === 'ECONNREFUSED' ? SOCKS_REPLY.refused : SOCKS_REPLY.hostUnreachable);
          });
          upstream.once('connect', () => {
            connected = true;
            established(client);
            client.write(Buffer.from([SOCKS_VERSION, SOCKS_REPLY.succeeded, 0, 1, 0, 0, 0, 0, 0, 0]));
            const rest = buffer.subarray(request.length);
            if (rest.length > 0) upstream.write(rest);
            splice(client, upstream);
          });
        })();
      }
    };
    client.on('data', onData);
  };

  /** Every socket is tracked until it closes, so that close() ends them all; errors end it quietly. */
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
  };

  const deadlines = new WeakMap<Socket, NodeJS.Timeout>();
  /** The client was let through: it no longer has a deadline to finish its request. */
  const established = (client: Socket): void => {
    clearTimeout(deadlines.get(client));
  };

  const server: Server = createServer({ highWaterMark: RELAY_BUFFER }, (client) => {
    track(client);
    // A deadline, not an idle timeout: a client trickling one byte at a time does not keep a
    // connection (and a slot) forever.
    const deadline = setTimeout(() => client.destroy(), limits.handshakeTimeoutMs);
    deadline.unref();
    deadlines.set(client, deadline);
    client.once('close', () => clearTimeout(deadline));
    client.once('data', (first: Buffer) => {
      client.pause();
      client.unshift(first);
      if (first[0] === SOCKS_VERSION) socks(client);
      else http.emit('connection', client);
      client.resume();
    });
  });
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    // The directory around the socket is the caller's and private (0700); the socket is the owner's alone too.
    if ('path' in listen) server.listen(listen.path, () => resolveListen(chmodSync(listen.path, 0o600)));
    else server.listen(listen.port, listen.host, () => resolveListen());
  });
  const address = server.address();
  const endpoint: ProxyEndpoint =
    'path' in listen ? listen : { host: '127.0.0.1', port: typeof address === 'object' && address !== null ? address.port : listen.port };
  return {
    endpoint,
    refused,
    get refusedCount() {
      return refusedCount;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * Carries bytes both ways between two sockets until either ends; the end of one ends the other
 * once what it was sent has gone out, an error on one cuts the other off. By hand rather than with pipe(): pipe() keeps to the streams' small default buffer and
 * made a 10 MB download half again as slow; this writes each chunk as it comes and pauses only when
 * the other side's kernel buffer is full.
 */
function splice(a: Socket, b: Socket): void {
  const carry = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.once('end', () => to.end());
  };
  carry(a, b);
  carry(b, a);
  a.resume();
  b.resume();
  // A side that closed cleanly has ended the other already (its queued bytes still go out); only
  // an error cuts the other side off at once.
  a.once('close', (hadError: boolean) => (hadError ? b.destroy() : b.end()));
  b.once('close', (hadError: boolean) => (hadError ? a.destroy() : a.end()));
}

/** An HTTP answer on a raw socket, then the end of it. */
function answer(socket: Duplex, status: string, body: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function respond(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
  res.end(body);
}

/** The status and the sentence a refusal is answered with: the sandbox's own words, so the tool (and the agent reading its error) knows why. */
function refusalStatus(reason: RefusalReason, host: string, port: number): [string, string] {
  const words: Record<RefusalReason, string> = {
    not_granted: `${host} is not a domain this run was granted`,
    port_not_granted: `${host} is granted, but not on port ${port}`,
    ip_literal: `${host} is an address, and only granted domains are reachable`,
    local_address: `${host} resolves to an address on this machine or the local network, which its grant does not allow`,
    unresolved: `${host} could not be resolved`,
  };
  const status = reason === 'unresolved' ? '502 Bad Gateway' : '403 Forbidden';
  return [status, `Aleph sandbox: ${words[reason]}; the connection was refused.\n`];
}

/** `host:port` or `[v6]:port` as CONNECT names it, or null. */
export function parseAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(authority);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

type SocksRequest = { command: number; host: string; port: number; length: number } | 'incomplete' | 'bad_version' | 'bad_address';

/** RFC 1928 section 4: VER CMD RSV ATYP DST.ADDR DST.PORT. */
export function parseSocksRequest(b: Buffer): SocksRequest {
  if (b.length < 5) return 'incomplete';
  if (b[0] !== SOCKS_VERSION) return 'bad_version';
  const type = b[3];
  let host: string;
  let at: number;
  if (type === 1) {
    if (b.length < 10) return 'incomplete';
    host = [...b.subarray(4, 8)].join('.');
    at = 8;
  } else if (type === 3) {
    const length = b[4]!;
    if (length === 0) return 'bad_address';
    if (b.length < 5 + length + 2) return 'incomplete';
    host = b.subarray(5, 5 + length).toString('latin1');
    at = 5 + length;
  } else if (type === 4) {
    if (b.length < 22) return 'incomplete';
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(4 + i * 2).toString(16));
    host = words.join(':');
    at = 20;
  } else return 'bad_address';
  if (type === 3 && isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host)) return 'bad_address';
  return { command: b[1]!, host, port: b.readUInt16BE(at), length: at + 2 };
}

function definedOnly(options: DomainProxyOptions): Partial<ProxyLimits> {
  const out: { -readonly [K in keyof ProxyLimits]?: number } = {};
  if (options.maxHeaderBytes !== undefined) out.maxHeaderBytes = options.maxHeaderBytes;
  if (options.handshakeTimeoutMs !== undefined) out.handshakeTimeoutMs = options.handshakeTimeoutMs;
  if (options.maxConnections !== undefined) out.maxConnections = options.maxConnections;
  return out;
}
