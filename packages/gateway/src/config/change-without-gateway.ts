/**
 * A change to the configuration made where no gateway runs (the CLI's `aleph mode set`, `aleph
 * rules add`, `aleph tools forget`), by the gateway's own change code: saved through LiveConfig,
 * its audit events and its undo queued in an Outbox, which writes them or, when the log cannot be
 * written, takes the change back and refuses it. A running gateway adopts the file.
 */
import { AuditStore } from '@aleph/audit';
import { fail, type Failure, type Result } from '@aleph/protocol';
import { Outbox, type AuditLog, type Queued } from '../outbox/outbox.js';
import { auditFile, auditHeadFile, changeRefused, loadConfig } from './config.js';
import { LiveConfig } from './live-config.js';

/** The audit log, opened when the first event is written (so that a failure to open is a failure to write). */
function auditOnDemand(home: string): AuditLog & { close(): void } {
  let store: AuditStore | undefined;
  const open = (): AuditStore => (store ??= AuditStore.open(auditFile(home), { head: auditHeadFile(home) }));
  return {
    appendBatch: (events) => open().appendBatch(events),
    index: () => open().index(),
    close: () => store?.close(),
  };
}

/**
 * Makes `change` to the configuration in `home` (`create`: make the file first if it is missing).
 * `change` saves through `live` and queues its audit events and undo with `record`; the result is
 * its own, or why the change was refused or taken back. `onProblem` hears of an undo that failed.
 */
export function changeWithoutGateway<T>(
  home: string,
  create: boolean,
  change: (live: LiveConfig, record: (entry: Queued) => void) => Result<T>,
  onProblem: (message: string) => void = () => undefined,
): Result<T> {
  const config = loadConfig(home, create);
  if (!config.ok) {
    if (config.error.code === 'config_unwritable') return config;
    const refused = changeRefused(config.error);
    return fail(refused.code, refused.message);
  }
  const audit = auditOnDemand(home);
  const outbox = new Outbox(audit, onProblem);
  try {
    const live = new LiveConfig(home, config.value, { onProblem, record: (entry) => outbox.push(entry), broadcast: () => undefined });
    const changed = change(live, (entry) => outbox.push(entry));
    if (!changed.ok) {
      outbox.drop(0);
      return changed;
    }
    let refused: Failure | null = null;
    outbox.push({ refuse: (failure) => (refused = failure) });
    outbox.flush();
    return refused === null ? changed : fail((refused as Failure).code, (refused as Failure).message);
  } finally {
    outbox.stop();
    audit.close();
  }
}
