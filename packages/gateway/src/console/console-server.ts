/**
 * The web console: the desktop app's renderer, served on loopback for headless machines. A person
 * signs in with a one-time link the gateway prints; the browser then holds an HttpOnly,
 * SameSite=Strict session cookie. The page talks to the gateway over a WebSocket that only this
 * page's origin, with that cookie, may open; it is then an owner session of the network endpoint.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { identityContext } from '@aleph/identity';
import { GatewayError } from '../errors.js';
import type { NetworkEndpoint } from '../transport/websocket.js';
import { requestDeadline, serverTimeouts } from '../transport/first-request.js';
import { REFUSAL_PAGE_CSP, refusalJson, refusalPage, wantsJson, type Refusal } from './refusal-page.js';
import type { Limits } from '../transport/limits.js';

export interface ConsoleOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The renderer's build: index.html and its assets. */
  readonly root: string;
}

/** How long a login link may wait to be opened, and how long a signed-in browser stays so. */
export const LOGIN_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 3_600_000;
export const COOKIE = 'aleph_console';
/** The WebSocket path the page connects to. */
export const CONSOLE_API_PATH = '/api';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** How to get a new sign-in link: each one works once, and a restarted gateway knows none of the old sessions. */
const NEW_LINK = 'aleph console';

const REFUSALS = {
  linkUsed: {
    status: 403,
    code: 'link_used',
    title: 'This sign-in link was already used or has expired.',
    todo: `Each link signs in once, within ${LOGIN_TTL_MS / 60_000} minutes. For a new one, run this on the gateway's machine and open the link it prints:`,
    command: NEW_LINK,
  },
  notSignedIn: {
    status: 401,
    code: 'not_signed_in',
    title: 'You are not signed in to the console, or the gateway restarted since you were.',
    todo: "Sign in again: run this on the gateway's machine and open the link it prints (each link works once):",
    command: NEW_LINK,
  },
  wrongHost: { status: 421, code: 'wrong_host', title: 'This console answers only to 127.0.0.1 and localhost.', todo: 'Open the address the gateway printed.' },
  notAPage: { status: 405, code: 'not_a_page', title: 'The console serves pages; it takes no other requests here.', todo: 'Open it in a browser.' },
  unreadable: { status: 400, code: 'bad_address', title: 'That address cannot be read.', todo: 'Open the address the gateway printed.' },
  notFound: { status: 404, code: 'not_found', title: 'Not found.', todo: 'Open the address the gateway printed.' },
  foreignOrigin: { status: 403, code: 'origin_refused', title: 'This origin may not connect to the console.', todo: "Only the console's own page may." },
} as const satisfies Record<string, Refusal>;

/** A secret as the token in a link or a cookie: 32 random bytes, base64url. */
const newSecret = (): string => randomBytes(32).toString('base64url');

/** Whether `candidate` is one of `secrets` (expiry in ms), compared in constant time; the match is returned. */
function findSecret(secrets: Map<string, number>, candidate: string, now: number): string | null {
  const given = Buffer.from(candidate);
  let found: string | null = null;
  for (const [secret, expires] of secrets) {
    if (expires <= now) {
      secrets.delete(secret);
      continue;
    }
    const known = Buffer.from(secret);
    if (known.length === given.length && timingSafeEqual(known, given)) found = secret;
  }
  return found;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

export class ConsoleServer {
  /** One-time login tokens and signed-in sessions, each with its expiry. */
  private readonly logins = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  private constructor(
    private readonly http: Server,
    private readonly endpoint: NetworkEndpoint,
    private readonly root: string,
    readonly origin: string,
    private readonly hosts: readonly string[],
  ) {}

  /**
   * Serves the console. Its connections have a cap of their own (`maxConsoleConnections`: more
   * are dropped as they come), and a connection that sends no request, trickles one out, or idles
   * after its answer is dropped at `consoleRequestTimeoutMs`: a local process cannot hold the
   * gateway's descriptors through this port.
   */
  static async start(
    endpoint: NetworkEndpoint,
    options: ConsoleOptions,
    limits: Pick<Limits, 'maxConsoleConnections' | 'consoleRequestTimeoutMs'>,
  ): Promise<ConsoleServer> {
    let root: string;
    try {
      root = realpathSync(options.root);
      statSync(join(root, 'index.html'));
    } catch {
      throw new GatewayError('console_missing', `The web console is not built (no ${join(options.root, 'index.html')}); run npm run build.`);
    }
    const timeout = limits.consoleRequestTimeoutMs;
    const http = createServer(serverTimeouts(timeout));
    // Upgraded connections (the page's WebSocket) count too, until they close.
    http.maxConnections = limits.maxConsoleConnections;
    requestDeadline(http, timeout);
    await new Promise<void>((resolve, reject) => {
      http.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new GatewayError(
            'listen_failed',
            `Cannot serve the console on 127.0.0.1:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (pick another with --console-port, or 0 for any free one)' : error.message}`,
          ),
        );
      });
      http.listen(options.port, '127.0.0.1', () => resolve());
    });
    const address = http.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const server = new ConsoleServer(http, endpoint, root, `http://127.0.0.1:${port}`, [`127.0.0.1:${port}`, `localhost:${port}`]);
    http.on('request', (req, res) => server.request(req, res));
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => server.upgrade(req, socket, head));
    return server;
  }

  /** A new one-time sign-in link, valid for LOGIN_TTL_MS. */
  loginUrl(now = Date.now()): string {
    const token = newSecret();
    this.logins.set(token, now + LOGIN_TTL_MS);
    return `${this.origin}/login?token=${token}`;
  }

  async stop(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** A Host header other than our own is a DNS-rebinding page speaking to us under its own name. */
  private hostOk(req: IncomingMessage): boolean {
    return this.hosts.includes(req.headers.host ?? '');
  }

  /** The request's address, or null when it cannot be read as one (`//`, say). */
  private urlOf(req: IncomingMessage): URL | null {
    try {
      return new URL(req.url ?? '/', this.origin);
    } catch {
      return null;
    }
  }

  private signedIn(req: IncomingMessage): boolean {
    const id = cookieValue(req.headers.cookie, COOKIE);
    return id !== null && findSecret(this.sessions, id, Date.now()) !== null;
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (refusal: Refusal): void => this.refuse(req, res, refusal);
    if (!this.hostOk(req)) return refuse(REFUSALS.wrongHost);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(REFUSALS.notAPage);
    const url = this.urlOf(req);
    if (url === null) return refuse(REFUSALS.unreadable);
    if (url.pathname === '/login') return this.login(url, res, refuse);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!this.signedIn(req)) return refuse(REFUSALS.notSignedIn);
      return this.file(res, 'index.html', refuse);
    }
    return this.file(res, url.pathname.slice(1), refuse);
  }

  /** Exchanges a one-time token for the session cookie, then drops the token from the address bar. */
  private login(url: URL, res: ServerResponse, refuse: (refusal: Refusal) => void): void {
    const token = url.searchParams.get('token') ?? '';
    const found = findSecret(this.logins, token, Date.now());
    if (found === null) return refuse(REFUSALS.linkUsed);
    this.logins.delete(found);
    const session = newSecret();
    this.sessions.set(session, Date.now() + SESSION_TTL_MS);
    res.writeHead(303, {
      location: '/',
      'set-cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.end();
  }

  private file(res: ServerResponse, relative: string, refuse: (refusal: Refusal) => void): void {
    const path = normalize(join(this.root, relative));
    if (path !== this.root && !path.startsWith(this.root + sep)) return refuse(REFUSALS.notFound);
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch {
      return refuse(REFUSALS.notFound);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': relative === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable',
      ...this.securityHeaders(),
    });
    res.end(body);
  }

  private securityHeaders(): Record<string, string> {
    const ws = this.origin.replace(/^http/, 'ws');
    return {
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${ws}${CONSOLE_API_PATH} ${ws.replace('127.0.0.1', 'localhost')}${CONSOLE_API_PATH}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    };
  }

  /** A refusal as the asker reads it: a page in the console's look for a browser, JSON for a program. */
  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    const json = wantsJson(req, CONSOLE_API_PATH);
    res.writeHead(refusal.status, {
      ...this.securityHeaders(),
      'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(json ? {} : { 'content-security-policy': REFUSAL_PAGE_CSP }),
    });
    res.end(json ? refusalJson(refusal) : refusalPage(refusal));
  }

  /**
   * The page's WebSocket: our own host and origin (a browser always sends the page's origin, so
   * another site cannot open it in the user's name), and a signed-in session's cookie.
   */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node leaves an upgraded socket without an error listener: a peer that resets it must not take the gateway down.
    socket.on('error', () => socket.destroy());
    const refuse = (refusal: Refusal): void => {
      socket.end(
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${refusalJson(refusal)}`,
      );
    };
    const origin = req.headers.origin ?? '';
    if (!this.hostOk(req) || !this.hosts.some((h) => origin === `http://${h}`)) return refuse(REFUSALS.foreignOrigin);
    if (this.urlOf(req)?.pathname !== CONSOLE_API_PATH) return refuse(REFUSALS.notFound);
    if (!this.signedIn(req)) return refuse(REFUSALS.notSignedIn);
    this.endpoint.adopt(
      req,
      socket,
      head,
      identityContext({
        request_id: '',
        session_key: `console-${randomBytes(6).toString('hex')}`,
        role: 'owner',
        identity_id: 'owner',
        scope: null,
        created_at: Date.now(),
        source_channel: 'console',
      }),
    );
  }
}
