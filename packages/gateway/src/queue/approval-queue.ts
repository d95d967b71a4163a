/**
 * The approval queue: requests that wait for a person, oldest first, each with its deadline. The
 * first answer wins (take() hands an entry out once); at the deadline the queue hands it to
 * `expire`. The clock is injected, so that a test can move time on without waiting for it.
 */

/** Time as the queue sees it. */
export interface Clock {
  now(): number;
  /** Calls `run` after `ms`; returns how to cancel it. */
  after(ms: number, run: () => void): () => void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

export class ApprovalQueue<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly cancel: () => void }>();

  constructor(private readonly clock: Clock = SYSTEM_CLOCK) {}

  get now(): number {
    return this.clock.now();
  }

  /** Queues `value` as approval `id`; after `ttlMs` unanswered, `expire` gets it. */
  add(id: string, value: T, ttlMs: number, expire: (id: string) => void): void {
    const cancel = this.clock.after(ttlMs, () => expire(id));
    this.entries.set(id, { value, cancel });
  }

  get(id: string): T | undefined {
    return this.entries.get(id)?.value;
  }

  /** Takes approval `id` out (its deadline cancelled), once: a later take finds nothing. */
  take(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    entry.cancel();
    return entry.value;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }
}
