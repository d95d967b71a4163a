import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { auditFile } from '@aleph/gateway';

/** `$ALEPH_HOME`, or `~/.aleph`. */
export function alephHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ALEPH_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.aleph');
}

/** Appends one event to the audit log (opened and closed around it); throws AuditError. */
export function recordEvent(home: string, event: Record<string, unknown>): void {
  const audit = AuditStore.open(auditFile(home));
  try {
    audit.append(event);
  } finally {
    audit.close();
  }
}
