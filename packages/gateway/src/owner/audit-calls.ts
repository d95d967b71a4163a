/** The owner's calls on the audit log: a page of the timeline, and the chain checked. */
import { AuditError, search, type AuditStore, type VerifyResult } from '@aleph/audit';
import { fail, ok, type ChainCheck, type OwnerCall, type Result, type TimelinePage } from '@aleph/protocol';

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
 * Walks the whole chain a chunk at a time, yielding to the event loop between chunks: a long log
 * takes seconds to check, and approvals go on being answered meanwhile.
 */
export function verifyChain(audit: AuditStore, answer: (r: Result<ChainCheck>) => void): void {
  const steps = audit.verifySteps();
  const step = (): void => {
    let next: IteratorResult<void, VerifyResult>;
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
