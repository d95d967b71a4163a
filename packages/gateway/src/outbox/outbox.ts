/**
 * The audit outbox: answers wait here for their audit events. Group commit: the events of
 * everything decided since the last flush are written in one transaction, and only then are the
 * answers sent. Nothing is answered before its event is durable, and a burst of requests costs one
 * commit, not one each.
 */
import type { AuditStore } from '@aleph/audit';
import type { Failure, GatewayMessage } from '@aleph/protocol';
import type { Reply } from '../transport/peer.js';

/** What to do once an audit event is durable, and what to do instead if it cannot be written. */
export interface Delivery {
  readonly deliver: () => void;
  readonly refuse: (failure: Failure) => void;
}

/**
 * An answer waiting for its audit event. It is delivered once the event is durable; if the event
 * cannot be written, it is refused instead where it would grant or confirm something (an allow, a
 * resolve, a change), so that nothing is granted that the log does not hold. Entries without
 * `refuse` (refusals, announcements) are delivered either way.
 */
export interface Queued extends Partial<Delivery> {
  readonly event?: Record<string, unknown>;
  /** Takes back a change already saved (a rule, a mode, a tool's trust) when its event cannot be written. */
  readonly undo?: () => void;
}

/** `message` to `reply` once durable; if the log cannot be written, the failure, as an error with the message's id. */
export function whenDurable(reply: Reply, message: GatewayMessage): Delivery {
  const id = 'id' in message ? message.id : undefined;
  return {
    deliver: () => reply(message),
    refuse: (f) => reply(id === undefined ? { type: 'error', code: f.code, message: f.message } : { type: 'error', code: f.code, message: f.message, id }),
  };
}

/** Where appended events go: the gateway's audit store, or what a test puts in its place. */
export type AuditLog = Pick<AuditStore, 'appendBatch' | 'index'>;

/** How long after an append the search index catches up, and how many rows it indexes between two turns of the event loop. */
const INDEX_DELAY_MS = 100;
const INDEX_SLICE = 32;

export class Outbox {
  private queued: Queued[] = [];
  /** Why the audit log could not be written at the last flush, or null while it can. */
  private problem: string | null = null;
  private indexTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `onProblem` hears when the log cannot be written, and when it is written again. */
  constructor(
    private readonly audit: AuditLog,
    private readonly onProblem: (message: string) => void,
  ) {}

  push(entry: Queued): void {
    this.queued.push(entry);
  }

  /** How many entries wait; with drop(), what an operation queued can be taken back before a flush. */
  get length(): number {
    return this.queued.length;
  }

  /** Drops the entries queued after the first `keep`, unwritten and undelivered. */
  drop(keep: number): void {
    this.queued.splice(keep);
  }

  /**
   * Writes what waits and delivers the answers; on a failure to write, takes back the changes
   * (the latest first) and refuses what would have granted something. Returns the failure, if any.
   */
  flush(): Failure | null {
    if (this.queued.length === 0) return null;
    const batch = this.queued;
    this.queued = [];
    const events = batch.flatMap((b) => (b.event === undefined ? [] : [b.event]));
    const failure = events.length === 0 ? null : this.append(events);
    // What the log could not hold is not kept either: the latest change is taken back first.
    if (failure !== null) for (const b of [...batch].reverse()) b.undo?.();
    for (const b of batch) {
      if (failure !== null && b.refuse !== undefined) b.refuse(failure);
      else b.deliver?.();
    }
    if (failure === null) this.indexSoon();
    return failure;
  }

  /** No more index catch-ups: the store is about to close. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.indexTimer);
  }

  /**
   * Appends, or says why it could not (the disk is full, another process held the log longer than
   * the busy timeout): the gateway lives on, refusing what it cannot record, and says when it
   * starts and when it stops.
   */
  private append(events: readonly Record<string, unknown>[]): Failure | null {
    try {
      // appendBatch first checks that the log was not deleted or replaced while open: the events
      // would go where nobody reads them.
      this.audit.appendBatch(events);
    } catch (error) {
      const message = (error as Error).message;
      if (this.problem === null) this.onProblem(`the audit log cannot be written (${message}); requests are refused until it can.`);
      this.problem = message;
      return { code: 'audit_unavailable', message: `The audit log cannot be written (${message}), so nothing is allowed; try again shortly.` };
    }
    if (this.problem !== null) this.onProblem('the audit log is written again.');
    this.problem = null;
    return null;
  }

  /**
   * The search index catches up shortly after appends, off the path of any answer, a slice of rows
   * at a time with the event loop free between slices: indexing a few hundred rows at once would
   * make the request that arrives meanwhile wait for all of them.
   */
  private indexSoon(delay = INDEX_DELAY_MS): void {
    if (this.indexTimer !== undefined || this.stopped) return;
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      try {
        if (this.audit.index(INDEX_SLICE) === INDEX_SLICE) this.indexSoon(0);
      } catch {
        // The index only trails the events; the next append schedules another try.
      }
    }, delay);
    this.indexTimer.unref();
  }
}
