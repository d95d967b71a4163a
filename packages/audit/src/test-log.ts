/** The audit store's tests' shared setup: a log's paths in a fresh directory, and events to fill it with. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditStore } from './store.js';

/** A fresh directory (to remove after the test), the log's path in it, and its head's. Neither file exists yet. */
export function tempLog(): { dir: string; file: string; head: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aleph-audit-'));
  return { dir, file: join(dir, 'home', 'data', 'aleph.db'), head: join(dir, 'home', 'audit-head.json') };
}

export const cmd = (command: string, extra: Record<string, unknown> = {}) => ({
  event: 'terminal_cmd',
  command,
  decision: 'allow-once',
  risk_level: 'low',
  ...extra,
});

export function fill(store: AuditStore, n: number): void {
  store.appendBatch(Array.from({ length: n }, (_, i) => cmd(`echo ${i}`)));
}
