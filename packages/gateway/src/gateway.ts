/**
 * The gateway: a Unix-socket server where agents ask to run commands and approvers answer. Every
 * connection proves it knows the secret before anything else is read; every request is judged by
 * the command policy; what needs a human waits in the approval queue; every outcome is on disk in
 * the audit log before it is answered.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { DEFAULT_PAIRING_LIMITS, type PairingLimits } from '@aleph/identity';
import { CommandPolicy } from '@aleph/policy';
import { fail, ok, type ClientMessage, type Decision, type GatewayEvent, type PendingApproval, type Result, type SecurityMode } from '@aleph/protocol';
import { Admission } from './admission/admission.js';
import { LiveConfig } from './config/live-config.js';
import { Requests } from './decision/requests.js';
import { Dispatcher } from './dispatcher.js';
import { openAudit, openIdentities } from './open-stores.js';
import { ownerPeer } from './owner/owner-peer.js';
import { clearStaleSocket } from './transport/socket-path.js';
import { SocketTransport } from './transport/unix-socket.js';
import { Approvals } from './queue/approvals.js';
import { Verdicts } from './decision/verdicts.js';
import { ToolRuns } from './run/tool-runs.js';
import { RunTickets } from './run/run-tickets.js';
import { Outbox } from './outbox/outbox.js';
import type { Peer, Reply } from './transport/peer.js';
import {
  configFile,
  DEFAULT_CHANNEL,
  inFile,
  loadConfig,
  own,
  secretBytes,
  secureHome,
  SOCKET_FILE,
  type AskFallback,
  type GatewayConfig,
} from './config/config.js';
import { watchConfig } from './config/config-watch.js';
import { GatewayError } from './errors.js';
import { Identities, type IdentityEvent } from './admission/devices-and-guests.js';
import { IdentityCalls } from './admission/identity-calls.js';
import { unrecordedNote } from './admission/refusals.js';
import { IdentityStore } from './admission/devices-and-guests-store.js';
import { ConsoleServer, type ConsoleOptions } from './console/console-server.js';
import { NetworkEndpoint, type EndpointHost, type NetworkOptions } from './transport/websocket.js';
import { configExampleFailure } from './decision/rule-examples.js';
import { openFileLimit, sizeLimits, type Limits } from './transport/limits.js';

export { DEFAULT_LIMITS, type Limits } from './transport/limits.js';
export type { Peer, Reply } from './transport/peer.js';
import type { Outcome } from './decision/verdicts.js';
export type { Outcome } from './decision/verdicts.js';

export interface GatewayOptions {
  /** `$ALEPH_HOME`. */
  readonly home: string;
  /** Override the configuration's ask fallback and timeout. */
  readonly askFallback?: AskFallback;
  readonly askTimeoutMs?: number;
  readonly limits?: Partial<Limits>;
  /** Keep every outcome in memory for history() (a headless report); off by default. */
  readonly keepHistory?: boolean;
  /** Serve the network endpoint (WebSocket JSON-RPC) too; without this, only the Unix socket. */
  readonly network?: NetworkOptions;
  /** Pairing codes' lifetime and rate limits; the defaults suit people. */
  readonly pairing?: Partial<PairingLimits>;
  /** Serve the web console too (needs `network`): the renderer on loopback, signed in by a one-time link. */
  readonly console?: ConsoleOptions;
  /** The sandbox helper for tool runs (the packaged app passes its own). */
  readonly sandboxHelper?: string;
  /**
   * How long an append waits for the audit log while another process writes it (`aleph audit
   * import`, a tool holding the file) before the requests it would record are refused. Default 5000.
   */
  readonly auditBusyTimeoutMs?: number;
  /** Hears of problems the gateway lives through (the audit log unwritable, and written again). */
  readonly onProblem?: (message: string) => void;
  /** How long a run ticket lasts after its allow (RUN_TICKET_TTL_MS by default). */
  readonly runTicketTtlMs?: number;
}

/** What start() opens before the gateway is wired. */
interface Parts {
  readonly home: string;
  readonly socketPath: string;
  readonly config: GatewayConfig;
  readonly policy: CommandPolicy;
  readonly audit: AuditStore;
  readonly identityStore: IdentityStore;
  readonly server: Server;
}

export class Gateway implements EndpointHost {
  private readonly socket: SocketTransport;
  /** Everyone who may subscribe: Unix connections and network sessions. */
  private readonly peers = new Set<Peer>();
  private endpoint: NetworkEndpoint | null = null;
  private consoleServer: ConsoleServer | null = null;
  /** Requests waiting for a person. */
  private readonly approvals: Approvals;
  /** Rulings on their way out, and the outcomes a headless report keeps. */
  private readonly verdicts: Verdicts;
  /** Confined tool runs. */
  private readonly tools: ToolRuns;
  private readonly limits: Limits;
  /** Messages to the steps that handle them. */
  private readonly dispatcher: Dispatcher;
  /** Identity operations, kept only if their events are durable. */
  private readonly identityCalls: IdentityCalls;
  /** The configuration file as this gateway runs on it. */
  private readonly config: LiveConfig;
  private unwatchConfig: () => void = () => undefined;
  /** Answers whose audit events are not yet written. */
  private readonly outbox: Outbox;
  private readonly watchers = new Set<(event: GatewayEvent) => void>();
  private stopping = false;

  readonly home: string;
  readonly socketPath: string;
  private readonly audit: AuditStore;
  private readonly identityStore: IdentityStore;
  private readonly server: Server;
  private readonly onProblem: (message: string) => void;

  /** Wires the steps of the data path together over what start() opened. */
  private constructor(parts: Parts, options: GatewayOptions) {
    const { home, socketPath, config, policy, audit, identityStore, server } = parts;
    const onProblem = options.onProblem ?? (() => undefined);
    const ask = { fallback: options.askFallback ?? config.ask.fallback, timeoutMs: options.askTimeoutMs ?? config.ask.timeout_ms };
    const sandboxHelper = options.sandboxHelper;
    this.home = home;
    this.socketPath = socketPath;
    this.audit = audit;
    this.identityStore = identityStore;
    this.server = server;
    this.onProblem = onProblem;
    this.limits = sizeLimits(openFileLimit(), options.limits ?? {});
    this.outbox = new Outbox(audit, onProblem);
    this.verdicts = new Verdicts(this.outbox, options.keepHistory === true, new RunTickets(options.runTicketTtlMs));
    this.socket = new SocketTransport(secretBytes(config), this.limits, {
      stopping: () => this.stopping,
      join: (peer) => this.peers.add(peer),
      leave: (peer) => this.detach(peer),
      route: (peer, message, reply) => this.dispatcher.route(peer, message, reply),
      flush: () => void this.outbox.flush(),
      refused: (address, event) => {
        const recorded = this.identities.refusals.charge(address, Date.now());
        if (recorded !== 'skip') this.outbox.push({ event: event(unrecordedNote(recorded)) });
      },
    });
    this.config = new LiveConfig(home, config, {
      onProblem,
      record: (entry) => this.outbox.push(entry),
      broadcast: (event) => this.broadcast(event),
      check: (next) => configExampleFailure(policy, next),
    });
    this.tools = new ToolRuns(this.outbox, this.config, this.verdicts, {
      home,
      stopping: () => this.stopping,
      ...(sandboxHelper === undefined ? {} : { helper: sandboxHelper }),
    });
    this.approvals = new Approvals(
      this.outbox,
      this.config,
      { verdicts: this.verdicts, tools: this.tools },
      { ask, broadcast: (event) => this.broadcast(event) },
    );
    this.identities = new Identities(
      identityStore,
      {
        record: (event) => this.outbox.push({ event }),
        // Announced once recorded; a change the log cannot hold is taken back, and never announced.
        emit: (event) => this.outbox.push({ deliver: () => this.announce(event), refuse: () => undefined }),
      },
      { ...DEFAULT_PAIRING_LIMITS, ...options.pairing },
    );
    this.identityCalls = new IdentityCalls(identityStore, this.identities, this.outbox, onProblem);
    const admission = new Admission(this.outbox, this.identities.refusals, {
      limits: this.limits,
      authenticationRequired: () => this.authenticationRequired,
      endIfConnection: (peer, code, message, id) => this.socket.endIfConnection(peer, code, message, id),
    });
    const steps = { admission, approvals: this.approvals, verdicts: this.verdicts, tools: this.tools };
    this.dispatcher = new Dispatcher({
      ...steps,
      requests: new Requests(this.config, policy, home, steps),
      outbox: this.outbox,
      audit,
      config: this.config,
      identityCalls: this.identityCalls,
      consoleLoginUrl: () => this.consoleLoginUrl(),
    });
  }

  /** Devices, guests, pairing codes and chat senders. */
  readonly identities: Identities;
  /** What the start changed that the person should hear of (permissions it tightened). */
  notices: readonly string[] = [];

  /**
   * Starts the gateway: configuration (created if missing), audit log, policy, then the socket.
   * A socket held by a live gateway is an error; a stale one is removed only after a connection
   * attempt shows that nobody listens.
   */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const secured = secureHome(options.home);
    if (!secured.ok) throw new GatewayError(secured.error.code, secured.error.message);
    const config = loadConfig(options.home, true);
    if (!config.ok) throw new GatewayError(config.error.code, config.error.message);
    const socketPath = join(options.home, SOCKET_FILE);
    if (Buffer.byteLength(socketPath) > 100)
      throw new GatewayError('socket_path_too_long', `The socket path ${socketPath} is too long for a Unix socket; choose a shorter ALEPH_HOME.`);
    await clearStaleSocket(socketPath);
    const audit = openAudit(options.home, options.auditBusyTimeoutMs);
    let policy: CommandPolicy;
    let identityStore: IdentityStore;
    try {
      identityStore = openIdentities(options.home);
      policy = await CommandPolicy.load();
      const unusable = configExampleFailure(policy, config.value);
      if (unusable !== null) throw new GatewayError(unusable.code, inFile(configFile(options.home), unusable).message);
    } catch (error) {
      audit.close();
      throw error;
    }
    const server = createServer();
    const gateway = new Gateway({ home: options.home, socketPath, config: config.value, policy, audit, identityStore, server }, options);
    gateway.notices = secured.value;
    server.on('connection', (socket) => gateway.socket.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const previous = process.umask(0o177);
      server.once('error', (error) => {
        process.umask(previous);
        audit.close();
        identityStore.close();
        reject(new GatewayError('listen_failed', `Cannot listen on ${socketPath}: ${error.message}`));
      });
      server.listen(socketPath, () => {
        process.umask(previous);
        resolve();
      });
    });
    chmodSync(socketPath, 0o600);
    gateway.unwatchConfig = watchConfig(options.home, () => {
      gateway.config.refresh(true);
      gateway.outbox.flush();
    });
    if (options.network !== undefined) {
      try {
        gateway.endpoint = await NetworkEndpoint.start(gateway, options.network, gateway.limits);
        if (options.console !== undefined) gateway.consoleServer = await ConsoleServer.start(gateway.endpoint, options.console, gateway.limits);
      } catch (error) {
        await gateway.stop();
        throw error;
      }
    }
    return gateway;
  }

  /** The default security mode, as the configuration has it now. */
  get mode(): SecurityMode {
    return this.config.fresh().defaults.mode;
  }

  /** Sets the default mode, as `aleph mode set` does: saved, then audited as `security_mode_change`. Returns an error sentence or null. */
  setMode(mode: SecurityMode): string | null {
    const changed = this.config.changePolicy({ method: 'policy.set_mode', mode }, 'owner', Date.now());
    this.outbox.flush();
    return changed.ok ? null : changed.error.message;
  }

  /** A fresh one-time sign-in link to the web console, or null when it is not served. */
  consoleLoginUrl(): string | null {
    return this.consoleServer?.loginUrl() ?? null;
  }

  /** The web console's origin (`http://127.0.0.1:PORT`), or null when it is not served. */
  get consoleOrigin(): string | null {
    return this.consoleServer?.origin ?? null;
  }

  /** The network endpoint's address (`ws://127.0.0.1:PORT`), or null when it is not served. */
  get url(): string | null {
    return this.endpoint?.url ?? null;
  }

  /** Whether callers without a token may use tools (only when the configuration turns authentication off). */
  get authenticationRequired(): boolean {
    return this.config.value.network.authentication === 'required';
  }

  /** How a chat channel treats direct messages. */
  channel(name: string): GatewayConfig['channels'][string] {
    return own(this.config.fresh().channels, name) ?? DEFAULT_CHANNEL;
  }

  /** A network session joins: it may subscribe. The endpoint keeps its own connection caps. */
  attach(peer: Peer): boolean {
    if (this.stopping) return false;
    this.peers.add(peer);
    return true;
  }

  /** A peer leaves: what it was waiting for is cancelled. */
  detach(peer: Peer): void {
    this.peers.delete(peer);
    for (const id of [...peer.pending]) {
      this.approvals.finish(id, 'deny', 'requester_disconnected', 'gateway');
      this.tools.abort(id);
    }
    this.outbox.flush();
  }

  /** One validated message from a network session; its answer goes to `reply` once durable. */
  dispatch(peer: Peer, message: ClientMessage, reply: Reply): void {
    if (message.type === 'challenge_response')
      reply({ type: 'error', code: 'unknown_type', message: 'Network sessions connect with a token, not the socket secret.' });
    else this.dispatcher.route(peer, message, reply);
    this.outbox.flush();
  }

  /**
   * An identity operation (pairing, connect, invitation, revocation). What it changes in the store
   * is kept only if its events are durable: they are written before the store commits, and the
   * answer goes out after.
   */
  identityCall<T>(operation: (identities: Identities, now: number) => Result<T>, reply: (result: Result<T>) => void): void {
    this.identityCalls.call(operation, reply);
  }

  /** The approvals waiting for a human, oldest first. */
  pendingApprovals(): PendingApproval[] {
    return this.approvals.pending();
  }

  /** How many requests have been answered since start. */
  get decisions(): number {
    return this.verdicts.count;
  }

  /** Every outcome since start, in order (for a headless report); empty unless `keepHistory`. */
  history(): readonly Outcome[] {
    return this.verdicts.history();
  }

  /**
   * Stops accepting, answers everything pending with `deny` (reason `gateway_shutdown`), closes
   * every connection, flushes and closes the audit log, and removes the socket.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unwatchConfig();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.approvals.denyAll('gateway_shutdown');
    this.outbox.flush();
    // Tool runs end with the gateway; their outcome is still audited.
    await this.tools.stopAll();
    this.outbox.flush();
    this.socket.closeAll();
    // The endpoint first: it ends the sessions, the console's among them, that the console's server would wait for.
    await this.endpoint?.stop();
    await this.consoleServer?.stop();
    this.outbox.stop();
    await closed;
    try {
      this.audit.close();
    } catch (error) {
      // Everything acknowledged is already written; only the search index may trail (the next start catches up).
      this.onProblem(`the audit log's search index could not be brought up to date (${(error as Error).message}).`);
    }
    this.identityStore.close();
    try {
      unlinkSync(this.socketPath);
    } catch {
      // Already gone: server.close() removes it on some platforms.
    }
  }

  /** Tells subscribers (and, for a device's own pairing, the device) what changed. */
  private announce(event: IdentityEvent): void {
    this.endpoint?.identityEvent(event);
    if (event.type === 'identity_ended') return;
    const shown: GatewayEvent = event.type === 'pairing_pending' ? event : { type: 'pairing_resolved', code: event.code, outcome: event.outcome };
    this.broadcast(shown);
  }

  private broadcast(event: GatewayEvent): void {
    for (const p of this.peers) if (p.subscribed && !p.closed) p.notify(event);
    for (const watcher of this.watchers) watcher(event);
  }

  /**
   * The owner answers in this process (the desktop app's prompts and notifications), as a
   * subscriber's `resolve` does: same checks, same audit. An allow runs with the approval's
   * suggested confinement. Resolves to the error, if any.
   */
  resolveAsOwner(id: string, decision: Decision, channel: string): Promise<Result<void>> {
    const peer = ownerPeer(channel);
    return new Promise((done) => {
      this.dispatcher.route(peer, { type: 'resolve', id, decision }, (m) => done(m.type === 'error' ? fail(m.code, m.message) : ok(undefined)));
      this.outbox.flush();
    });
  }

  /** Hears, in this process, what subscribers hear: approvals and pairings as they come and go. Returns the way to stop. */
  watch(listener: (event: GatewayEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }
}
