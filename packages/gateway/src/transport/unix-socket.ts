/**
 * The Unix socket, `$ALEPH_HOME/exec-approvals.sock` (0600): newline-delimited JSON with a hard cap
 * per line, a handshake deadline, an idle timeout and a cap on connections of its own. Whoever can
 * open the socket and proves it knows the secret (mutual HMAC challenge) is the owner; every
 * message after the handshake goes to the gateway's router.
 */
import type { Socket } from 'node:net';
import { identityContext, type IdentityContext } from '@aleph/identity';
import { encodeFrame, FrameReader, parseClientMessage, type ClientMessage, type ExecRequest, type GatewayEvent, type GatewayMessage } from '@aleph/protocol';
import { newNonce, nonceBytes, NonceLedger, PROTOCOL_VERSION, prove, verifyProof } from './handshake.js';
import type { Limits } from './limits.js';
import type { Peer, Reply } from './peer.js';

/** What the socket needs of the gateway. */
export interface SocketHost {
  stopping(): boolean;
  /** A connection that may subscribe joins; one that leaves cancels what it waited for. */
  join(peer: Peer): void;
  leave(peer: Peer): void;
  /** An authenticated connection's message. */
  route(peer: Peer, message: Exclude<ClientMessage, { type: 'challenge_response' }>, reply: Reply): void;
  /** Answers what the messages just read decided, once durable. */
  flush(): void;
  /** A failed handshake, audited within the refusal budget; `event` gets the note to end its reason with. */
  refused(address: string, event: (note: string) => Record<string, unknown>): void;
}

let unixConnections = 0;

/** A Unix-socket connection: whoever can open the socket (0600) and knows the secret is the owner. */
export class Connection implements Peer {
  readonly address = 'unix-socket';
  authenticated = false;
  subscribed = false;
  closed = false;
  readonly nonce = newNonce();
  readonly reader: FrameReader;
  readonly pending = new Set<string>();
  readonly running = new Map<string, ExecRequest>();
  readonly identity: IdentityContext;
  readonly reply: Reply = (message) => this.send(message);
  handshakeTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Socket,
    maxLineBytes: number,
    readonly settled: () => void,
  ) {
    this.reader = new FrameReader(maxLineBytes);
    this.identity = identityContext({
      request_id: '',
      session_key: `unix-${++unixConnections}`,
      role: 'owner',
      identity_id: 'owner',
      scope: null,
      created_at: Date.now(),
      source_channel: 'unix-socket',
    });
  }

  send(message: GatewayMessage): void {
    if (!this.closed) this.socket.write(encodeFrame(message));
  }

  notify(event: GatewayEvent): void {
    this.send(event);
  }
}

export class SocketTransport {
  private readonly connections = new Set<Connection>();
  private readonly ledger = new NonceLedger();

  constructor(
    private readonly secret: Buffer,
    private readonly limits: Limits,
    private readonly host: SocketHost,
  ) {}

  /** Ends every connection (the gateway stops). */
  closeAll(): void {
    for (const c of this.connections) this.close(c);
  }

  /** Ends `peer` for too many pending requests if it is a socket connection; false for any other peer. */
  endIfConnection(peer: Peer, code: string, message: string, id: string): boolean {
    if (!(peer instanceof Connection)) return false;
    this.violation(peer, code, message, id);
    return true;
  }

  accept(socket: Socket): void {
    if (this.host.stopping()) {
      socket.destroy();
      return;
    }
    // Before anything is written: a peer that closes at once must not make a write error the gateway's.
    socket.on('error', () => this.dropped(c));
    const c = new Connection(socket, this.limits.maxLineBytes, () => this.touch(c));
    // Only Unix-socket connections count here: no number of network peers can keep the owner's agents out.
    if (this.connections.size >= this.limits.maxConnections) {
      c.send({ type: 'error', code: 'too_many_connections', message: `The gateway serves at most ${this.limits.maxConnections} socket connections.` });
      socket.end();
      return;
    }
    this.connections.add(c);
    this.host.join(c);
    socket.on('data', (chunk: Buffer) => this.receive(c, chunk));
    socket.on('close', () => this.dropped(c));
    c.handshakeTimer = setTimeout(
      () => this.violation(c, 'handshake_timeout', `No valid challenge response within ${this.limits.handshakeTimeoutMs} ms.`),
      this.limits.handshakeTimeoutMs,
    );
    c.send({ type: 'challenge', nonce: c.nonce, version: PROTOCOL_VERSION });
  }

  /** Ends a connection for breaking the protocol; the gateway and every other connection carry on. */
  violation(c: Connection, code: string, message: string, id?: string): void {
    c.send(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id });
    this.close(c);
  }

  close(c: Connection): void {
    if (c.closed) return;
    c.closed = true;
    clearTimeout(c.handshakeTimer);
    clearTimeout(c.idleTimer);
    c.socket.end();
    c.socket.destroy();
    this.dropped(c);
  }

  /** A requester that goes away cancels what it was waiting for. */
  private dropped(c: Connection): void {
    c.closed = true;
    clearTimeout(c.handshakeTimer);
    clearTimeout(c.idleTimer);
    this.connections.delete(c);
    this.host.leave(c);
  }

  /**
   * Restarts a connection's idle timer. One waiting for an answer, running an allowed command
   * whose end it has still to report (a build may take an hour), or subscribed as an approver
   * (it waits for requests; the kernel tells when its process goes) is not idle.
   */
  private touch(c: Connection): void {
    if (c.pending.size > 0 || c.running.size > 0 || c.subscribed || c.closed) {
      clearTimeout(c.idleTimer);
      c.idleTimer = undefined;
    } else if (c.idleTimer !== undefined) {
      // The same timer starts over: no new one per request.
      c.idleTimer.refresh();
    } else {
      c.idleTimer = setTimeout(() => this.violation(c, 'idle_timeout', `Idle for ${this.limits.idleTimeoutMs} ms.`), this.limits.idleTimeoutMs);
    }
  }

  private receive(c: Connection, chunk: Buffer): void {
    for (const frame of c.reader.push(chunk)) {
      if (c.closed) break;
      if (frame.kind === 'error') {
        this.violation(c, frame.code, frame.message);
        break;
      }
      const message = parseClientMessage(frame.value);
      if (!message.ok) {
        this.violation(c, message.error.code, message.error.message);
        break;
      }
      this.handle(c, message.value);
    }
    this.host.flush();
    this.touch(c);
  }

  private handle(c: Connection, m: ClientMessage): void {
    if (!c.authenticated) {
      if (m.type !== 'challenge_response') {
        this.refuseHandshake(c, 'not_authenticated', 'Answer the challenge first.');
        return;
      }
      if (nonceBytes(m.nonce) === null || !verifyProof(this.secret, c.nonce, 'client', m.hmac)) {
        this.refuseHandshake(c, 'auth_failed', 'The challenge response is wrong: the client does not know the secret.');
        return;
      }
      if (!this.ledger.use(m.nonce)) {
        this.refuseHandshake(c, 'nonce_reused', 'That client nonce was already used.');
        return;
      }
      c.authenticated = true;
      clearTimeout(c.handshakeTimer);
      c.send({ type: 'auth_ok', hmac: prove(this.secret, m.nonce, 'server') });
      return;
    }
    if (m.type === 'challenge_response') {
      this.violation(c, 'already_authenticated', 'The handshake is over.');
      return;
    }
    this.host.route(c, m, c.reply);
  }

  /**
   * A connection that tried and failed the handshake is audited as `auth_failed`, as a network
   * session's failed proof is (one that only connects and leaves, a liveness probe, is not).
   */
  private refuseHandshake(c: Connection, code: string, message: string): void {
    this.host.refused(c.address, (note) => ({
      event: 'auth_failed',
      source: 'unix-socket',
      reason_code: code,
      reason: `${message}${note}`,
      peer: c.identity.session_key,
      actor: 'unknown',
    }));
    this.violation(c, code, message);
  }
}
