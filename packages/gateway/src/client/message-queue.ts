import type { GatewayMessage } from '@aleph/protocol';

/**
 * The gateway's messages as a client takes them: in order, each once, waiting for the next when
 * none is queued, or for the first that matches while the others keep their place. Ends (every
 * waiter hears null) when the connection does.
 */
export class MessageQueue {
  private readonly queue: GatewayMessage[] = [];
  private readonly waiters: ((m: GatewayMessage | null) => void)[] = [];
  private ended = false;

  /** A message arrived. */
  deliver(m: GatewayMessage): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(m);
    else this.queue.push(m);
  }

  /** The connection ended: whoever waits hears null, and so does everyone after. */
  end(): void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w(null);
  }

  /** The next message, or null when the connection ends or `timeoutMs` passes. */
  next(timeoutMs?: number): Promise<GatewayMessage | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (m: GatewayMessage | null): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(null);
        }, timeoutMs);
      }
    });
  }

  /** Every message received and not yet taken, without waiting. */
  drain(): GatewayMessage[] {
    return this.queue.splice(0);
  }

  /** Waits for the first message that satisfies `match`, keeping the others queued in order. */
  async waitFor<T extends GatewayMessage>(match: (m: GatewayMessage) => m is T, timeoutMs?: number): Promise<T | null> {
    const skipped: GatewayMessage[] = [];
    try {
      for (;;) {
        const m = await this.next(timeoutMs);
        if (m === null) return null;
        if (match(m)) return m;
        skipped.push(m);
      }
    } finally {
      this.queue.unshift(...skipped);
    }
  }
}
