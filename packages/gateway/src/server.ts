/**
 * The gateway: a Unix-socket server where agents ask to run commands and approvers answer. Every
 * connection proves it knows the secret before anything else is read; every request is judged by
 * the command policy; what needs a human waits in the approval queue; every outcome is on disk in
 * the audit log before it is answered.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { CommandPolicy, type Evaluation } from '@aleph/policy';
import {
  encodeFrame, FrameReader, MAX_LINE_BYTES, parseClientMessage, type AllowRule, type ClientMessage, type Decision,
  type ExecRequest, type GatewayMessage, type PendingApproval,
} from '@aleph/protocol';
import { configFile, loadConfig, modeOf, saveConfig, secretBytes, type AskFallback, type GatewayConfig, type StoredRule } from './config.js';
import { newNonce, nonceBytes, NonceLedger, PROTOCOL_VERSION, prove, verifyProof } from './handshake.js';
import { executableResolver } from './which.js';

export const SOCKET_FILE = 'exec-approvals.sock';

export interface Limits {
  readonly maxConnections: number;
  readonly maxPendingPerConnection: number;
  readonly handshakeTimeoutMs: number;
  /** A connection with nothing pending and no traffic for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly maxLineBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxConnections: 512,
  maxPendingPerConnection: 64,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 300_000,
  maxLineBytes: MAX_LINE_BYTES,
};

export interface GatewayOptions {
  /** `$ALEPH_HOME`. */
  readonly home: string;
  /** Override the configuration's ask fallback and timeout. */
  readonly askFallback?: AskFallback;
  readonly askTimeoutMs?: number;
  readonly limits?: Partial<Limits>;
}

/** A gateway failure with a stable code and a sentence. */
export class GatewayError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** One outcome, as the audit log and a headless report record it. */
export interface Outcome {
  readonly request: ExecRequest;
  readonly decision: Decision;
  readonly reason: string;
  readonly resolved_by: string;
  readonly verdict: Evaluation['verdict'];
  readonly risk_level: Evaluation['risk']['level'];
  readonly at: string;
}

interface Waiting {
  readonly approval: PendingApproval;
  readonly evaluation: Evaluation;
  readonly requestId: string;
  readonly connection: Connection;
  readonly timer: NodeJS.Timeout;
}

class Connection {
  authenticated = false;
  subscribed = false;
  closed = false;
  readonly nonce = newNonce();
  readonly reader: FrameReader;
  readonly pending = new Set<string>();
  handshakeTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly socket: Socket, maxLineBytes: number) {
    this.reader = new FrameReader(maxLineBytes);
  }

  send(message: GatewayMessage): void {
    if (!this.closed) this.socket.write(encodeFrame(message));
  }
}

export class Gateway {
  private readonly connections = new Set<Connection>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly ledger = new NonceLedger();
  private readonly limits: Limits;
  private readonly resolveExecutable = executableResolver();
  private readonly outcomes: Outcome[] = [];
  /** When the configuration file was last looked at, and its modification time then. */
  private configCheckedAt = 0;
  private configMtime = 0;
  /** Answers whose audit events are not yet written; see flush(). */
  private outbox: { event: Record<string, unknown>; deliver?: () => void }[] = [];
  private stopping = false;

  private constructor(
    readonly home: string,
    readonly socketPath: string,
    private config: GatewayConfig,
    private readonly secret: Buffer,
    private readonly policy: CommandPolicy,
    private readonly audit: AuditStore,
    private readonly server: Server,
    private readonly ask: { fallback: AskFallback; timeoutMs: number },
    limits: Partial<Limits>,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Starts the gateway: configuration (created if missing), audit log, policy, then the socket.
   * A socket held by a live gateway is an error; a stale one is removed only after a connection
   * attempt shows that nobody listens.
   */
  static async start(options: GatewayOptions): Promise<Gateway> {
    const config = loadConfig(options.home, true);
    if (!config.ok) throw new GatewayError(config.error.code, config.error.message);
    const socketPath = join(options.home, SOCKET_FILE);
    if (Buffer.byteLength(socketPath) > 100) throw new GatewayError('socket_path_too_long', `The socket path ${socketPath} is too long for a Unix socket; choose a shorter ALEPH_HOME.`);
    await clearStaleSocket(socketPath);
    const audit = AuditStore.open(join(options.home, 'data', 'aleph.db'));
    let policy: CommandPolicy;
    try {
      policy = await CommandPolicy.load();
    } catch (error) {
      audit.close();
      throw error;
    }
    const server = createServer();
    const gateway = new Gateway(
      options.home, socketPath, config.value, secretBytes(config.value), policy, audit, server,
      { fallback: options.askFallback ?? config.value.ask.fallback, timeoutMs: options.askTimeoutMs ?? config.value.ask.timeout_ms },
      options.limits ?? {},
    );
    server.on('connection', (socket) => gateway.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const previous = process.umask(0o177);
      server.once('error', (error) => {
        process.umask(previous);
        audit.close();
        reject(new GatewayError('listen_failed', `Cannot listen on ${socketPath}: ${error.message}`));
      });
      server.listen(socketPath, () => {
        process.umask(previous);
        resolve();
      });
    });
    chmodSync(socketPath, 0o600);
    return gateway;
  }

  /** The approvals waiting for a human, oldest first. */
  pendingApprovals(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.approval);
  }

  /** Every outcome since start, in order (for a headless report). */
  history(): readonly Outcome[] {
    return this.outcomes;
  }

  /**
   * Stops accepting, answers everything pending with `deny` (reason `gateway_shutdown`), closes
   * every connection, flushes and closes the audit log, and removes the socket.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const id of [...this.waiting.keys()]) this.finish(id, 'deny', 'gateway_shutdown', 'gateway');
    this.flush();
    for (const c of this.connections) this.close(c);
    await closed;
    this.audit.close();
    try {
      unlinkSync(this.socketPath);
    } catch {
      // Already gone: server.close() removes it on some platforms.
    }
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const c = new Connection(socket, this.limits.maxLineBytes);
    if (this.connections.size >= this.limits.maxConnections) {
      c.send({ type: 'error', code: 'too_many_connections', message: `The gateway serves at most ${this.limits.maxConnections} connections.` });
      socket.end();
      return;
    }
    this.connections.add(c);
    socket.on('data', (chunk: Buffer) => this.receive(c, chunk));
    socket.on('close', () => this.dropped(c));
    socket.on('error', () => this.dropped(c));
    c.handshakeTimer = setTimeout(() => this.violation(c, 'handshake_timeout', `No valid challenge response within ${this.limits.handshakeTimeoutMs} ms.`), this.limits.handshakeTimeoutMs);
    c.send({ type: 'challenge', nonce: c.nonce, version: PROTOCOL_VERSION });
  }

  /** Ends a connection for breaking the protocol; the gateway and every other connection carry on. */
  private violation(c: Connection, code: string, message: string, id?: string): void {
    c.send(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id });
    this.close(c);
  }

  private close(c: Connection): void {
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
    for (const id of [...c.pending]) this.finish(id, 'deny', 'requester_disconnected', 'gateway');
    this.flush();
  }

  private touch(c: Connection): void {
    clearTimeout(c.idleTimer);
    if (c.pending.size > 0 || c.closed) return;
    c.idleTimer = setTimeout(() => this.violation(c, 'idle_timeout', `Idle for ${this.limits.idleTimeoutMs} ms.`), this.limits.idleTimeoutMs);
  }

  private receive(c: Connection, chunk: Buffer): void {
    for (const frame of c.reader.push(chunk)) {
      if (c.closed) return;
      if (frame.kind === 'error') {
        this.violation(c, frame.code, frame.message);
        return;
      }
      const message = parseClientMessage(frame.value);
      if (!message.ok) {
        this.violation(c, message.error.code, message.error.message);
        return;
      }
      this.handle(c, message.value);
    }
    this.flush();
    this.touch(c);
  }

  /**
   * Group commit: the audit events of everything decided since the last flush are written in one
   * transaction, and only then are the answers sent. Nothing is answered before its event is
   * durable, and a burst of requests costs one commit, not one each.
   */
  private flush(): void {
    if (this.outbox.length === 0) return;
    const batch = this.outbox;
    this.outbox = [];
    this.audit.appendBatch(batch.map((b) => b.event));
    for (const b of batch) b.deliver?.();
  }

  private handle(c: Connection, m: ClientMessage): void {
    if (!c.authenticated) {
      if (m.type !== 'challenge_response') {
        this.violation(c, 'not_authenticated', 'Answer the challenge first.');
        return;
      }
      if (nonceBytes(m.nonce) === null || !verifyProof(this.secret, c.nonce, 'client', m.hmac)) {
        this.violation(c, 'auth_failed', 'The challenge response is wrong: the client does not know the secret.');
        return;
      }
      if (!this.ledger.use(m.nonce)) {
        this.violation(c, 'nonce_reused', 'That client nonce was already used.');
        return;
      }
      c.authenticated = true;
      clearTimeout(c.handshakeTimer);
      c.send({ type: 'auth_ok', hmac: prove(this.secret, m.nonce, 'server') });
      return;
    }
    switch (m.type) {
      case 'challenge_response':
        this.violation(c, 'already_authenticated', 'The handshake is over.');
        return;
      case 'ping':
        c.send(m.id === undefined ? { type: 'pong' } : { type: 'pong', id: m.id });
        return;
      case 'subscribe':
        c.subscribed = true;
        c.send({ type: 'pending', approvals: this.pendingApprovals() });
        return;
      case 'get_pending':
        c.send({ type: 'pending', approvals: this.pendingApprovals() });
        return;
      case 'resolve':
        this.resolve(c, m.id, m.decision, m.rule, m.reason);
        return;
      case 'approval_request':
        this.request(c, m.id, m.request, m.timeout_ms);
        return;
    }
  }

  /**
   * Adopts changes to the configuration file (`aleph mode set`, a hand edit) within 200 ms. A file
   * that no longer parses is ignored: the gateway keeps the last good configuration.
   */
  private refreshConfig(force = false): void {
    const now = Date.now();
    if (!force && now - this.configCheckedAt < 200) return;
    this.configCheckedAt = now;
    let mtime: number;
    try {
      mtime = statSync(configFile(this.home)).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.configMtime) return;
    this.configMtime = mtime;
    const fresh = loadConfig(this.home, false);
    if (fresh.ok) this.config = fresh.value;
  }

  private request(c: Connection, requestId: string, request: ExecRequest, timeoutMs: number | undefined): void {
    this.refreshConfig();
    if (c.pending.size >= this.limits.maxPendingPerConnection) {
      this.violation(c, 'too_many_pending', `At most ${this.limits.maxPendingPerConnection} requests may wait per connection.`, requestId);
      return;
    }
    const agentRules = this.config.agents[request.agent_id]?.allowlist ?? [];
    const now = Date.now();
    const liveRules = agentRules.filter((r) => r.expires_at === null || r.expires_at === undefined || Date.parse(r.expires_at) > now);
    const evaluation = this.policy.evaluate(request.command, {
      mode: modeOf(this.config, request.agent_id),
      allowlist: liveRules,
      cwd: request.cwd,
      home: process.env.HOME ?? homedir(),
      resolveExecutable: this.resolveExecutable,
      patterns: this.config.policy,
    });
    if (evaluation.action !== 'prompt') {
      const allowed = evaluation.action !== 'reject';
      const reason = evaluation.action === 'reject'
        ? `blocked: ${evaluation.risk.reasons[0]?.message ?? 'the policy blocks this command'}`
        : evaluation.allowed_by.length > 0 ? 'allowlisted'
          : evaluation.action === 'auto_approve' ? `auto_approved_${modeOf(this.config, request.agent_id)}` : 'safe';
      if (evaluation.allowed_by.length > 0) this.touchRules(request.agent_id, evaluation.allowed_by);
      this.answer(c, requestId, request, evaluation, allowed ? 'allow-once' : 'deny', reason, 'policy');
      return;
    }
    const id = randomBytes(4).toString('hex');
    const ttl = timeoutMs ?? this.ask.timeoutMs;
    const approval: PendingApproval = {
      id, request, verdict: evaluation.verdict, risk: evaluation.risk, segments: evaluation.segments,
      suggested_rule: evaluation.suggested_rule, created_at: new Date(now).toISOString(), expires_at: new Date(now + ttl).toISOString(),
    };
    const timer = setTimeout(() => {
      const decision = this.ask.fallback === 'allow' ? 'allow-once' : 'deny';
      this.finish(id, decision, `no approver answered within ${ttl} ms; the ask fallback is ${this.ask.fallback}`, 'fallback');
      this.flush();
    }, ttl);
    this.waiting.set(id, { approval, evaluation, requestId, connection: c, timer });
    c.pending.add(id);
    clearTimeout(c.idleTimer);
    for (const s of this.connections) if (s.subscribed) s.send({ type: 'approval_pending', approval });
  }

  private resolve(c: Connection, id: string, decision: Decision, rule: AllowRule | undefined, reason: string | undefined): void {
    const w = this.waiting.get(id);
    if (w === undefined) {
      c.send({ type: 'error', code: 'unknown_approval', message: `No approval ${id} is pending (answered, timed out or cancelled).`, id });
      return;
    }
    if (decision === 'allow-always') {
      const chosen = rule ?? w.evaluation.suggested_rule;
      if (chosen === null) {
        c.send({ type: 'error', code: 'no_rule', message: 'This command cannot be allowed always; allow it once instead.', id });
        return;
      }
      const saved = this.addRule(w.approval.request.agent_id, chosen);
      if (saved !== null) {
        c.send({ type: 'error', code: 'config_unwritable', message: saved, id });
        return;
      }
    }
    const by = 'owner';
    this.outbox.push({
      event: {
        event: 'approval_decision', request_id: id, command: w.approval.request.command, decision, resolved_by: by,
        session: w.approval.request.session_key, actor: by, risk_level: w.evaluation.risk.level,
        ...(reason === undefined ? {} : { reason }), ...(decision === 'allow-always' ? { rule: { ...(rule ?? w.evaluation.suggested_rule!) } } : {}),
      },
      deliver: () => c.send({ type: 'resolved', id }),
    });
    this.finish(id, decision, decision === 'deny' ? (reason ?? 'denied by the owner') : `approved by the owner${decision === 'allow-always' ? ' (always)' : ''}`, by);
  }

  /** Ends a pending approval: first answer wins, later ones find nothing. */
  private finish(id: string, decision: Decision, reason: string, by: string): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    w.connection.pending.delete(id);
    this.answer(w.connection, w.requestId, w.approval.request, w.evaluation, decision, reason, by);
    for (const s of this.connections) if (s.subscribed) s.send({ type: 'approval_resolved', id, decision, resolved_by: by });
    this.touch(w.connection);
  }

  /** Queues the outcome's audit event; the answer goes out once the event is written (flush). */
  private answer(c: Connection, requestId: string, request: ExecRequest, e: Evaluation, decision: Decision, reason: string, by: string): void {
    this.outbox.push({
      event: {
        event: 'terminal_cmd', command: request.command, decision, risk_level: e.risk.level, verdict: e.verdict,
        mode: e.mode, agent: request.agent_id, cwd: request.cwd, reasons: e.risk.reasons.map((r) => r.code),
        session: request.session_key, actor: request.agent_id, executor: by, request_id: requestId,
      },
      deliver: () => c.send({ type: 'approval_decision', id: requestId, decision, reason, verdict: e.verdict, risk: e.risk, resolved_by: by }),
    });
    this.outcomes.push({ request, decision, reason, resolved_by: by, verdict: e.verdict, risk_level: e.risk.level, at: new Date().toISOString() });
  }

  /** Stores an "Allow Always" rule for the agent; returns an error sentence or null. */
  private addRule(agent: string, rule: AllowRule): string | null {
    // Start from the file as it is now, so that a change made meanwhile is not written over.
    this.refreshConfig(true);
    const settings = this.config.agents[agent] ?? { allowlist: [] };
    if (settings.allowlist.some((r) => r.kind === rule.kind && r.pattern === rule.pattern)) return null;
    const stored: StoredRule = { ...rule, id: randomBytes(6).toString('hex'), source: 'allow-always', created_at: new Date().toISOString(), last_used_at: null, expires_at: null };
    const next: GatewayConfig = { ...this.config, agents: { ...this.config.agents, [agent]: { ...settings, allowlist: [...settings.allowlist, stored] } } };
    const saved = saveConfig(this.home, next);
    if (!saved.ok) return saved.error.message;
    this.config = next;
    this.configMtime = statSync(configFile(this.home)).mtimeMs;
    return null;
  }

  /** Notes when rules were last used (in memory; written with the next configuration change). */
  private touchRules(agent: string, rules: readonly AllowRule[]): void {
    const settings = this.config.agents[agent];
    if (settings === undefined) return;
    const at = new Date().toISOString();
    const allowlist = settings.allowlist.map((r) => (rules.some((u) => u.kind === r.kind && u.pattern === r.pattern) ? { ...r, last_used_at: at } : r));
    this.config = { ...this.config, agents: { ...this.config.agents, [agent]: { ...settings, allowlist } } };
  }
}

/**
 * Removes a leftover socket file, but only once a connection attempt shows that nobody listens.
 * A live gateway, or a path that is not a socket, is an error.
 */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new GatewayError('socket_path_taken', `${path} exists and is not a socket; move it aside.`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new GatewayError('already_running', `A gateway is already running on ${path}.`);
  unlinkSync(path);
}
