/**
 * The gateway: a Unix-socket server where agents ask to run commands and approvers answer. Every
 * connection proves it knows the secret before anything else is read; every request is judged by
 * the command policy; what needs a human waits in the approval queue; every outcome is on disk in
 * the audit log before it is answered.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { authorize, DEFAULT_PAIRING_LIMITS, identityContext, type PairingLimits } from '@aleph/identity';
import { CommandPolicy, type Evaluation, type RepositoryContext } from '@aleph/policy';
import { sandboxAvailability } from '@aleph/sandbox';
import {
  fail,
  ok,
  type ClientMessage,
  type Decision,
  type ExecRequest,
  type Failure,
  type GatewayEvent,
  type PendingApproval,
  type Result,
  type SecurityMode,
  type ToolRunRequest,
} from '@aleph/protocol';
import { LiveConfig } from './config/live-config.js';
import { agentOf, automaticReason, previewOf, searchPath } from './decision/automatic.js';
import { ruleConfinement, settingsConfinement, wider } from './decision/confinement.js';
import { recordHookDecision } from './decision/hook-decisions.js';
import { openAudit, openIdentities } from './open-stores.js';
import { auditOverview, auditSearch, verifyChain } from './owner/audit-calls.js';
import { repositoryContext } from './repo-context/index.js';
import { clearStaleSocket } from './transport/socket-path.js';
import { SocketTransport } from './transport/unix-socket.js';
import { Approvals } from './queue/approvals.js';
import type { Asker, Ticket } from './decision/ticket.js';
import { Verdicts } from './decision/verdicts.js';
import { recordResult, ToolRuns } from './run/tool-runs.js';
import { redeemTicket, RunTickets } from './run/run-tickets.js';
import { Outbox } from './outbox/outbox.js';
import type { Peer, Reply } from './transport/peer.js';
import { bindingOf, ExecutableCache } from './decision/binding.js';
import {
  configFile,
  DEFAULT_CHANNEL,
  inFile,
  loadConfig,
  modeOf,
  own,
  sandboxOf,
  secretBytes,
  secureHome,
  SOCKET_FILE,
  type AskFallback,
  type GatewayConfig,
  type StoredRule,
} from './config/config.js';
import { watchConfig } from './config/config-watch.js';
import { GatewayError } from './errors.js';
import { Identities, type IdentityEvent } from './admission/devices-and-guests.js';
import { unrecordedNote } from './admission/refusals.js';
import { IdentityStore } from './admission/devices-and-guests-store.js';
import { ConsoleServer, type ConsoleOptions } from './console/console-server.js';
import { NetworkEndpoint, type EndpointHost, type NetworkOptions } from './transport/websocket.js';
import { policyView } from './decision/policy-changes.js';
import { liveRules, withRulesUsed } from './decision/agent-rules.js';
import { configExampleFailure } from './decision/rule-examples.js';
import { openFileLimit, sizeLimits, type Limits } from './transport/limits.js';
import { planToolRun } from './run/tool-run.js';

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

/** Thrown inside a store's transaction to take back a change whose audit events could not be written. */
class Unrecorded extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
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
  private readonly executables = new ExecutableCache();
  /** The configuration file as this gateway runs on it. */
  private readonly config: LiveConfig;
  private unwatchConfig: () => void = () => undefined;
  /** Answers whose audit events are not yet written. */
  private readonly outbox: Outbox;
  private readonly watchers = new Set<(event: GatewayEvent) => void>();
  private stopping = false;

  readonly home: string;
  readonly socketPath: string;
  private readonly policy: CommandPolicy;
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
    this.policy = policy;
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
      route: (peer, message, reply) => this.route(peer, message, reply),
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
    else this.route(peer, message, reply);
    this.outbox.flush();
  }

  /**
   * An identity operation (pairing, connect, invitation, revocation). What it changes in the store
   * is kept only if its events are durable: they are written before the store commits, and the
   * answer goes out after.
   */
  identityCall<T>(operation: (identities: Identities, now: number) => Result<T>, reply: (result: Result<T>) => void): void {
    let result: Result<T>;
    const queued = this.outbox.length;
    try {
      result = this.identityStore.atomically(() => {
        const done = operation(this.identities, Date.now());
        const failure = this.outbox.flush();
        if (failure !== null) throw new Unrecorded(failure);
        return done;
      });
    } catch (error) {
      if (error instanceof Unrecorded) {
        result = fail(error.failure.code, error.failure.message);
      } else {
        // The devices file could not be read or written (full disk, held by another process, edited by hand):
        // the events of a change that did not happen are dropped.
        this.outbox.drop(queued);
        result = fail(
          'identity_unavailable',
          `The gateway's record of devices and guests cannot be used now (${(error as Error).message}); try again shortly.`,
        );
        this.onProblem(`the identity store failed: ${(error as Error).message}`);
      }
    }
    reply(result);
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

  /** An authenticated peer's message. Approving and administering are the owner's alone. */
  private route(peer: Peer, m: Exclude<ClientMessage, { type: 'challenge_response' }>, reply: Reply): void {
    switch (m.type) {
      case 'ping':
        reply(m.id === undefined ? { type: 'pong' } : { type: 'pong', id: m.id });
        return;
      case 'exec_result':
        recordResult(this.outbox, peer, m, reply);
        return;
      case 'hook_decision':
        recordHookDecision(this.outbox, peer, m, reply);
        return;
      case 'redeem_ticket':
        // A refused ticket is audited (policy_denied, its code as reason_code) and runs nothing.
        redeemTicket(this.verdicts.tickets, peer, m, reply, (refusal) => this.refuse({ peer, reply, id: m.id }, 'run_ticket', refusal));
        return;
      case 'approval_request':
        this.request({
          peer,
          reply,
          id: m.id,
          request: { ...m.request, agent_id: agentOf(peer, m.request.agent_id) },
          receivedAt: Date.now(),
          ...(m.timeout_ms === undefined ? {} : { timeoutMs: m.timeout_ms }),
          ...(m.run_ticket === true ? { runTicket: true } : {}),
          ...(m.dry_run === true ? { dryRun: true } : {}),
        });
        return;
      case 'tool_run':
        this.toolRun(
          { peer, reply, id: m.id, receivedAt: Date.now(), ...(m.timeout_ms === undefined ? {} : { timeoutMs: m.timeout_ms }) },
          { ...m.run, agent_id: agentOf(peer, m.run.agent_id) },
        );
        return;
    }
    if (peer.identity.role !== 'owner') {
      const tool = m.type === 'call' ? m.call.method : m.type;
      const reason = `Only the owner may ${m.type === 'resolve' ? 'answer approvals' : m.type === 'call' ? `call ${tool}` : 'watch approvals'}.`;
      this.refuse({ peer, reply, ...('id' in m && m.id !== undefined ? { id: m.id } : {}) }, tool, { code: 'owner_only', reason });
      return;
    }
    switch (m.type) {
      case 'subscribe':
        peer.subscribed = true;
        reply({ type: 'pending', approvals: this.pendingApprovals() });
        // A problem that began before this approver came is told to it too.
        if (this.config.problem !== null) peer.notify(this.config.invalidEvent(this.config.problem));
        return;
      case 'get_pending':
        reply({ type: 'pending', approvals: this.pendingApprovals() });
        return;
      case 'resolve':
        this.approvals.resolve(peer, m, reply);
        return;
      case 'call': {
        const call = m.call;
        const answer = (r: Result<unknown>): void =>
          reply(r.ok ? { type: 'result', id: m.id, result: r.value } : { type: 'error', code: r.error.code, message: r.error.message, id: m.id });
        switch (call.method) {
          case 'audit.search':
            // What was just appended is searchable at once, not a moment later.
            this.outbox.flush();
            answer(auditSearch(this.audit, call));
            return;
          case 'audit.verify':
            this.outbox.flush();
            verifyChain(this.audit, answer);
            return;
          case 'audit.overview':
            // What was just appended is counted too.
            this.outbox.flush();
            auditOverview(this.audit, { range: call.range, sandbox: sandboxAvailability(), sandboxSettings: this.config.value.sandbox }, answer);
            return;
          case 'console.link': {
            const link = this.consoleLoginUrl();
            answer(link === null ? fail('console_off', 'This gateway serves no web console; start it with --console.') : ok({ link }));
            return;
          }
          case 'policy.get':
            this.config.refresh(true);
            reply({ type: 'result', id: m.id, result: policyView(this.config.value, Date.now()) });
            return;
          case 'policy.set_mode':
          case 'rules.add':
          case 'rules.remove':
          case 'rules.import': {
            const changed = this.config.changePolicy(call, peer.identity.identity_id, Date.now());
            this.outbox.push({ deliver: () => answer(changed), refuse: (f) => answer(fail(f.code, f.message)) });
            return;
          }
          default:
            this.identityCall((identities, now) => identities.ownerCall(call, now, peer.identity.identity_id), answer);
        }
        return;
      }
    }
  }

  /** Refuses a peer a tool (or an owner's call): audited as `policy_denied`, answered once durable. */
  private refuse(
    asker: { readonly peer: Peer; readonly reply: Reply; readonly id?: string },
    tool: string,
    refusal: { readonly code: string; readonly reason: string },
  ): void {
    const { peer, reply, id } = asker;
    const { code, reason } = refusal;
    const who = peer.identity;
    const deliver = (): void => reply(id === undefined ? { type: 'error', code, message: reason } : { type: 'error', code, message: reason, id });
    const recorded = this.identities.refusals.charge(peer.address, Date.now());
    if (recorded === 'skip') {
      deliver();
      return;
    }
    this.outbox.push({
      event: {
        event: 'policy_denied',
        tool,
        role: who.role,
        reason_code: code,
        reason: `${reason}${unrecordedNote(recorded)}`,
        identity: who.identity_id,
        actor: who.identity_id,
        session: who.session_key,
        peer: peer.address,
      },
      deliver,
    });
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
    const peer: Peer = {
      identity: identityContext({
        request_id: '',
        session_key: channel,
        role: 'owner',
        identity_id: 'owner',
        scope: null,
        created_at: Date.now(),
        source_channel: channel,
      }),
      address: channel,
      subscribed: false,
      closed: false,
      pending: new Set(),
      running: new Map(),
      notify: () => undefined,
      settled: () => undefined,
    };
    return new Promise((done) => {
      this.route(peer, { type: 'resolve', id, decision }, (m) => done(m.type === 'error' ? fail(m.code, m.message) : ok(undefined)));
      this.outbox.flush();
    });
  }

  /** Hears, in this process, what subscribers hear: approvals and pairings as they come and go. Returns the way to stop. */
  watch(listener: (event: GatewayEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /**
   * Whether a peer may ask (room for one more pending request, and leave to use `tool`); when not,
   * it has been told. The command policy runs only for someone who may use the tool at all.
   */
  private admit(who: Asker, tool: string): boolean {
    const { peer, id: requestId, reply, receivedAt: now } = who;
    if (peer.pending.size >= this.limits.maxPendingPerConnection) {
      const message = `At most ${this.limits.maxPendingPerConnection} requests may wait per connection.`;
      if (!this.socket.endIfConnection(peer, 'too_many_pending', message, requestId))
        reply({ type: 'error', code: 'too_many_pending', message, id: requestId });
      return false;
    }
    const asker = identityContext({ ...peer.identity, request_id: requestId, created_at: now });
    const allowed = authorize(asker, tool, { now, authenticationRequired: this.authenticationRequired });
    if (!allowed.allowed) this.refuse(who, tool, allowed);
    return allowed.allowed;
  }

  /** The command policy's judgement of a request, with the agent's mode and rules (noted as used unless only `previewing`). */
  private evaluate(
    request: ExecRequest,
    now: number,
    previewing = false,
  ): { evaluation: Evaluation; mode: string; pathVariable: string; resolveExecutable: (name: string) => string | null; repositories: RepositoryContext } {
    const config = this.config.value;
    const rules = liveRules(config, request.agent_id, request.session_key, now);
    const pathVariable = searchPath(request);
    const resolveExecutable = this.executables.resolver(request.cwd, pathVariable);
    const mode = modeOf(config, request.agent_id);
    // What the repositories its git invocations will use make git run (their own configuration), and their remotes.
    const { repositories } = repositoryContext(this.policy, request.command, request.cwd, process.env.HOME ?? homedir());
    const evaluation = this.policy.evaluate(request.command, {
      mode,
      denylist: rules.filter((r) => r.action === 'deny'),
      asklist: rules.filter((r) => r.action === 'ask'),
      allowlist: rules.filter((r) => r.action === 'allow'),
      cwd: request.cwd,
      home: process.env.HOME ?? homedir(),
      // The gateway's own directory, wherever it is: reading it unasked is never SAFE.
      alephHome: this.home,
      resolveExecutable,
      patterns: config.policy,
      repositories,
    });
    const used = [evaluation.denied_by, evaluation.asked_by, ...evaluation.allowed_by].filter((r): r is StoredRule => r !== null);
    if (used.length > 0 && !previewing) this.config.note(withRulesUsed(config, request.agent_id, used, new Date(now).toISOString()));
    return { evaluation, mode, pathVariable, resolveExecutable, repositories };
  }

  /** A command: judged by the policy with the agent's mode and rules; answered, or asked of a person (a dry run: only told). */
  private request(ticket: Ticket): void {
    this.config.refresh();
    if (!this.admit(ticket, 'exec')) return;
    const { request, dryRun = false } = ticket;
    const { evaluation, mode, pathVariable, resolveExecutable, repositories } = this.evaluate(request, ticket.receivedAt, dryRun);
    if (dryRun) return ticket.reply(previewOf(ticket.id, evaluation, mode, this.approvals.fallback(ticket, false)));
    const binding =
      evaluation.action === 'reject' ? { executables: {}, scripts: {} } : bindingOf(evaluation.segments, request.cwd, pathVariable, resolveExecutable);
    if (evaluation.action !== 'prompt') {
      const ruling = {
        evaluation,
        decision: evaluation.action === 'reject' ? ('deny' as const) : ('allow-once' as const),
        reason: automaticReason(evaluation, mode),
        by: 'policy',
        // Network, or no sandbox, needs a person, a rule, or the owner's sandbox settings for the agent.
        confinement: wider(ruleConfinement(evaluation.allowed_by), settingsConfinement(sandboxOf(this.config.value, request.agent_id))),
      };
      this.verdicts.answer(ticket, ruling, binding);
      return;
    }
    const suggestion = this.policy.suggestConfinement(request.command, { cwd: request.cwd, home: process.env.HOME ?? homedir(), repositories });
    this.approvals.ask({ ticket, evaluation, binding, suggestion });
  }

  /**
   * A tool run: the command policy still blocks what it blocks; otherwise the tool's trust decides
   * whether a person is asked (Draft, Trial, an escalation) or it runs at once (Verified).
   */
  private toolRun(asked: Asker, run: ToolRunRequest): void {
    this.config.refresh();
    if (!this.admit(asked, run.tool)) return;
    const plan = planToolRun(run, own(this.config.value.tools, run.tool) ?? null, process.env.HOME ?? homedir(), this.home);
    if (!plan.ok) {
      asked.reply({ type: 'error', code: plan.error.code, message: plan.error.message, id: asked.id });
      return;
    }
    // Judged, and recorded, as the command its plan runs.
    const ticket = { ...asked, request: plan.value.request };
    const { evaluation } = this.evaluate(ticket.request, ticket.receivedAt);
    if (evaluation.action === 'reject')
      this.tools.answer(ticket, plan.value, { evaluation, decision: 'deny', reason: automaticReason(evaluation, ''), by: 'policy' });
    else if (plan.value.gate.action === 'run')
      this.tools.answer(ticket, plan.value, { evaluation, decision: 'allow-once', reason: `${run.tool} is verified`, by: 'trust' });
    // Bound to its program: changed while a person decides, it is refused (context_changed).
    else this.approvals.ask({ ticket, evaluation, binding: plan.value.binding, tool: plan.value });
  }
}
