/** The stores a gateway opens as it starts, each refused with a GatewayError that names its file. */
import { AuditError, AuditStore } from '@aleph/audit';
import { IdentityStore } from './admission/devices-and-guests-store.js';
import { auditFile, auditHeadFile, identityFile } from './config/config.js';
import { GatewayError } from './errors.js';

/**
 * The audit log, with its head, checked to reach that head: a gateway does not start on a log that
 * lost rows, nor on a file that is not a log; both are a GatewayError naming the file.
 */
export function openAudit(home: string, busyTimeoutMs: number | undefined): AuditStore {
  let audit: AuditStore | undefined;
  try {
    audit = AuditStore.open(auditFile(home), { indexOnAppend: false, head: auditHeadFile(home), ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
    audit.checkHead();
    return audit;
  } catch (error) {
    try {
      audit?.close();
    } catch {
      // The error that stopped the start is the one to tell.
    }
    if (error instanceof AuditError) throw new GatewayError(error.code, error.message);
    throw error;
  }
}

/** The identity store; a file that is not one is a GatewayError naming it. */
export function openIdentities(home: string): IdentityStore {
  const file = identityFile(home);
  try {
    return IdentityStore.open(file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB')
      throw new GatewayError('not_a_database', `${file} is not an SQLite database; it was left untouched. Move it aside to start with no paired devices.`);
    if (typeof code === 'string' && code.startsWith('SQLITE_'))
      throw new GatewayError('unreadable', `Cannot use the identity store ${file}: ${(error as Error).message}`);
    throw error;
  }
}
