/** The owner's calls on the audit log: a page of the timeline, the chain checked, the Overview. */
import { AuditError, overviewSteps, search, type AuditStore, type OverviewOptions } from '@aleph/audit';
import { fail, ok, type ChainCheck, type Overview, type OwnerCall, type Result, type TimelinePage } from '@aleph/protocol';

/**
 * A read of the audit log that failed: a query the store refuses says so; a log that cannot be
 * read now (held by another process, a full disk, a damaged file) is `audit_unavailable`, never the
 * gateway's end.
 */
function auditReadFailure(error: unknown): Result<never> {
  if (error instanceof AuditError && error.code === 'invalid_query') return fail('invalid_query', error.message);
  return fail('audit_unavailable', `The audit log cannot be read now: ${(error as Error).message}`);
}

/** A page of a search of the timeline, or why the log cannot be read now. */
export function auditSearch(audit: AuditStore, call: Extract<OwnerCall, { method: 'audit.search' }>): Result<TimelinePage> {
  try {
    const { method: _method, ...query } = call;
    const page = search(audit, query);
    return ok({ rows: page.rows, next_cursor: page.next_cursor, count: page.count, count_exact: page.count_exact });
  } catch (error) {
    return auditReadFailure(error);
  }
}

/**
 * Runs a long read of the log a chunk at a time, yielding to the event loop between chunks: a long
 * log takes seconds to walk, and approvals go on being answered meanwhile.
 */
function stepThrough<T>(steps: Generator<void, T>, answer: (r: Result<T>) => void): void {
  const step = (): void => {
    let next: IteratorResult<void, T>;
    try {
      next = steps.next();
    } catch (error) {
      answer(auditReadFailure(error));
      return;
    }
    if (next.done !== true) {
      setImmediate(step);
      return;
    }
    answer(ok(next.value));
  };
  step();
}

/** The whole chain checked. */
export function verifyChain(audit: AuditStore, answer: (r: Result<ChainCheck>) => void): void {
  stepThrough(audit.verifySteps(), answer);
}

/**
 * The console's Overview: counted in the log, and whether runs can be confined here. Its counts
 * are set up once over an existing log, a chunk at a time.
 */
export function auditOverview(audit: AuditStore, options: Omit<OverviewOptions, 'now'>, answer: (r: Result<Overview>) => void): void {
  stepThrough(overviewSteps(audit, options), answer);
}
