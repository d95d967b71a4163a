/**
 * The configuration as a running gateway holds it: the last file that parsed, taken up again when
 * the file changes, and every change to it made one way, with its undo. A file that no longer
 * parses (or cannot be read) is not adopted: the gateway keeps the last good configuration, says
 * so, and refuses every change until the file parses again, so as never to write over it.
 */
import { fail, ok, type Failure, type GatewayEvent, type PolicyCall, type Result } from '@aleph/protocol';
import { applyPolicyCall } from '../decision/policy-changes.js';
import type { Queued } from '../outbox/outbox.js';
import { changeRefused, configFile, configText, inFile, parseConfigText, readConfigText, saveConfig, type GatewayConfig } from './config.js';

export interface ConfigHooks {
  /** Hears of problems (a file that stopped parsing, an undo that failed). */
  readonly onProblem: (message: string) => void;
  /** Queues an audit event, or an undo, in the outbox. */
  readonly record: (entry: Queued) => void;
  /** Tells every approver (config_invalid, config_recovered). */
  readonly broadcast: (event: GatewayEvent) => void;
  /** Why a configuration that parses still cannot be used (a rule whose example fails), or null. */
  readonly check?: (config: GatewayConfig) => Failure | null;
}

/** A change to modes or rules, as the owner's calls and the CLI make it. */
export type PolicyChangeCall = Exclude<PolicyCall, { method: 'policy.get' }>;

/** How often, at most, the file is looked at outside a change or a watch event. */
const LOOK_EVERY_MS = 200;

export class LiveConfig {
  private checkedAt = 0;
  /** The file's text when last looked at (or why it could not be read): a different text is a change, whatever its modification time. */
  private seen: string | null = null;
  /** Why the file cannot be used now, or null while it can. */
  private problemNow: Failure | null = null;

  constructor(
    readonly home: string,
    private current: GatewayConfig,
    private readonly hooks: ConfigHooks,
  ) {}

  /** The configuration as last taken up, without looking at the file. */
  get value(): GatewayConfig {
    return this.current;
  }

  /** The configuration, the file looked at first unless it was within the last 200 ms. */
  fresh(): GatewayConfig {
    this.refresh();
    return this.current;
  }

  /** Why the file cannot be used now, or null. */
  get problem(): Failure | null {
    return this.problemNow;
  }

  /** Keeps an in-memory change that is not saved (when rules were last used). */
  note(next: GatewayConfig): void {
    this.current = next;
  }

  /**
   * Adopts changes to the file (`aleph mode set`, a hand edit): at once on `force` (a watch event,
   * a change), else at most every 200 ms.
   */
  refresh(force = false): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < LOOK_EVERY_MS) return;
    this.checkedAt = now;
    const file = configFile(this.home);
    const text = readConfigText(file);
    // Removed: the gateway runs on what it has; the next save writes it again.
    if (!text.ok && text.error.code === 'config_missing') return;
    const seen = text.ok ? text.value : `\0${text.error.message}`;
    if (seen === this.seen) return;
    this.seen = seen;
    const fresh = text.ok ? parseConfigText(file, text.value) : text;
    const unusable = fresh.ok ? (this.hooks.check?.(fresh.value) ?? null) : null;
    const problem = !fresh.ok ? fresh.error : unusable === null ? null : inFile(file, unusable);
    if (fresh.ok && problem === null) this.current = fresh.value;
    this.health(problem);
  }

  /** The event that tells an approver the file cannot be used. */
  invalidEvent(problem: Failure): GatewayEvent {
    return { type: 'config_invalid', file: configFile(this.home), code: problem.code, message: problem.message };
  }

  /** Why the configuration may not be changed now (the file as it is now cannot be used), or null. */
  refusal(): Failure | null {
    this.refresh(true);
    return this.problemNow === null ? null : changeRefused(this.problemNow);
  }

  /** Changes the file (`what` names the change); returns how to take it back. */
  update(change: (config: GatewayConfig) => GatewayConfig, what: string): Result<() => void> {
    // Start from the file as it is now, so that a change made meanwhile is not written over.
    const refused = this.refusal();
    if (refused !== null) return fail(refused.code, refused.message);
    return this.replace(this.current, change(this.current), what);
  }

  /**
   * A change to modes or rules by `actor`: saved, then its audit events and its undo queued
   * (`record`); whoever flushes the outbox makes it durable, or takes it back.
   */
  changePolicy(call: PolicyChangeCall, actor: string, now: number): Result<unknown> {
    const refused = this.refusal();
    if (refused !== null) return fail(refused.code, refused.message);
    const change = applyPolicyCall(this.current, call, now, actor);
    if (!change.ok) return change;
    const unusable = this.hooks.check?.(change.value.config) ?? null;
    if (unusable !== null) return fail('invalid_params', unusable.message);
    const saved = this.replace(this.current, change.value.config, 'a change to modes or rules');
    if (!saved.ok) return saved;
    for (const event of change.value.events) this.hooks.record({ event });
    this.hooks.record({ undo: saved.value });
    return ok(change.value.result);
  }

  /** Saves `next` in place of `before`; returns how to put `before` back, should the change's audit event fail. */
  private replace(before: GatewayConfig, next: GatewayConfig, what: string): Result<() => void> {
    const saved = this.write(next);
    if (saved !== null) return fail('config_unwritable', saved);
    return ok(() => {
      const undone = this.write(before);
      if (undone !== null) this.hooks.onProblem(`${what} was saved but could not be recorded in the audit log, nor taken back: ${undone}`);
    });
  }

  /** Writes a configuration made from the one just refreshed; returns an error sentence or null. */
  private write(next: GatewayConfig): string | null {
    const saved = saveConfig(this.home, next);
    if (!saved.ok) return saved.error.message;
    this.current = next;
    this.seen = configText(next);
    return null;
  }

  /**
   * Says, once each time it changes, whether the file can be used: to whoever started the
   * gateway (onProblem), in the audit log, and to every approver.
   */
  private health(problem: Failure | null): void {
    if (problem?.message === this.problemNow?.message) return;
    const file = configFile(this.home);
    this.problemNow = problem;
    if (problem === null) {
      this.hooks.onProblem(`${file} parses again; the gateway runs on it and accepts changes.`);
      this.hooks.record({
        event: { event: 'config_recovered', file, actor: 'gateway' },
        deliver: () => this.hooks.broadcast({ type: 'config_recovered', file }),
      });
      return;
    }
    this.hooks.onProblem(`${problem.message} The gateway runs on the last configuration that parsed; every change is refused until the file parses again.`);
    this.hooks.record({
      event: { event: 'config_invalid', file, reason_code: problem.code, reason: problem.message, actor: 'gateway' },
      deliver: () => this.hooks.broadcast(this.invalidEvent(problem)),
    });
  }
}
