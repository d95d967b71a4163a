/** The audit store's failures: a stable code and a sentence that names the file. */

/** An audit store failure: a stable code and a sentence that names the file. */
export class AuditError extends Error {
  constructor(
    readonly code:
      | 'not_a_database'
      | 'foreign_database'
      | 'newer_schema'
      | 'corrupt'
      | 'unreadable'
      | 'invalid_event'
      | 'busy'
      | 'invalid_query'
      /** No log at the path, where one is needed. */
      | 'missing'
      /** The log does not reach the head recorded outside it: rows were removed, or it was emptied, replaced or deleted. */
      | 'behind_head'
      /** The head file cannot be read, or cannot be written. */
      | 'head_unreadable'
      | 'head_unwritable'
      /** The file the store has open was deleted or replaced under it. */
      | 'replaced'
      /** The file is an SQLite database with nothing in it: a log emptied or replaced. */
      | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}

/** SQLite's errors, in words that name the file. */
export function translate(error: unknown, file: string): unknown {
  if (error instanceof AuditError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB') return new AuditError('not_a_database', `${file} is not an SQLite database; it was left untouched.`);
  if (code.startsWith('SQLITE_CORRUPT'))
    return new AuditError('corrupt', `${file} is corrupt (${message}); it was left untouched. Restore it from a backup or move it aside.`);
  if (code.startsWith('SQLITE_BUSY')) return new AuditError('busy', `${file} is locked by another process: ${message}`);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_READONLY'))
    return new AuditError('unreadable', `Cannot open ${file}: ${message}`);
  return error;
}
