/** Changes the CLI makes itself, without a gateway: to the configuration file and the audit log. */
import { AuditError, AuditStore } from '@aleph/audit';
import { applyPolicyCall, auditFile, auditHeadFile, changeRefused, loadConfig, saveConfig, type GatewayConfig } from '@aleph/gateway';
import { fail, ok, type PolicyCall, type Result } from '@aleph/protocol';

/** Appends one event to the audit log (opened and closed around it); throws AuditError. */
export function recordEvent(home: string, event: Record<string, unknown>): void {
  const audit = AuditStore.open(auditFile(home), { head: auditHeadFile(home) });
  try {
    audit.append(event);
  } finally {
    audit.close();
  }
}

/**
 * The configuration a change starts from. A file that is there but cannot be used (it does not
 * parse, or cannot be read) is refused, never replaced: it may hold an edit the person is in the
 * middle of. A running gateway refuses its changes alike.
 */
export function configForChange(home: string, create: boolean): Result<GatewayConfig> {
  const config = loadConfig(home, create);
  if (config.ok || config.error.code === 'config_unwritable') return config;
  const refused = changeRefused(config.error);
  return fail(refused.code, refused.message);
}

/**
 * A change to modes or rules, made to the configuration file as the gateway makes it for the
 * console (`applyPolicyCall`): applied, saved, then audited. A running gateway adopts the file.
 */
export function changePolicy(home: string, call: Exclude<PolicyCall, { method: 'policy.get' }>, create = true): Result<unknown> {
  const config = configForChange(home, create);
  if (!config.ok) return config;
  const change = applyPolicyCall(config.value, call, Date.now(), 'owner');
  if (!change.ok) return change;
  const saved = saveConfig(home, change.value.config);
  if (!saved.ok) return saved;
  try {
    for (const event of change.value.events) recordEvent(home, event);
  } catch (error) {
    if (error instanceof AuditError) return fail(error.code, error.message);
    throw error;
  }
  return ok(change.value.result);
}
