/**
 * Identity operations (pairing, connect, invitation, revocation) made durable: what one changes in
 * the store is kept only if its events are, written before the store commits; the answer goes out
 * after.
 */
import { fail, type Failure, type Result } from '@aleph/protocol';
import type { Outbox } from '../outbox/outbox.js';
import type { Identities } from './devices-and-guests.js';
import type { IdentityStore } from './devices-and-guests-store.js';

/** Thrown inside a store's transaction to take back a change whose audit events could not be written. */
class Unrecorded extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export class IdentityCalls {
  constructor(
    private readonly store: IdentityStore,
    private readonly identities: Identities,
    private readonly outbox: Outbox,
    private readonly onProblem: (message: string) => void,
  ) {}

  /** Runs one operation in the store's transaction, and answers once its events are durable (or it was taken back). */
  call<T>(operation: (identities: Identities, now: number) => Result<T>, reply: (result: Result<T>) => void): void {
    let result: Result<T>;
    const queued = this.outbox.length;
    try {
      result = this.store.atomically(() => {
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
}
