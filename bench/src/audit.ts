import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore, GENESIS, indexEntry, search } from '@aleph/audit';
import type { AuditEvent } from '@aleph/protocol';
import { realisticCommands } from './commands.js';
import { medianMs, type Row } from './table.js';

const BATCH = 1000;
const APPEND_EVENTS = 100_000;
export const SEARCH_ROWS = 1_000_000;
const SEARCH_QUERIES = 200;
const DECISIONS = ['allow-once', 'allow-always', 'deny', 'run', 'auto_approve'];
const RISKS = ['low', 'medium', 'high', 'critical'] as const;

function events(count: number, seed: number): AuditEvent[] {
  const commands = realisticCommands(count, seed);
  return commands.map((command, i) => ({
    event: 'terminal_cmd',
    command,
    decision: DECISIONS[i % DECISIONS.length]!,
    risk_level: RISKS[(i * 7) % RISKS.length]!,
    session: `session-${i % 50}`,
    actor: `agent-${i % 5}`,
    cwd: '/home/user/project',
    exit_code: i % 13 === 0 ? 1 : 0,
    duration_ms: i % 1000,
  }));
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export async function auditSuite(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'aleph-bench-audit-'));
  try {
    return [...appendRows(dir), ...latencyRows(dir), ...searchRows(dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Batched appends beside raw better-sqlite3 inserts of the very same rows into the same schema. */
function appendRows(dir: string): Row[] {
  const input = events(APPEND_EVENTS, 7);
  let run = 0;
  // With a head file, as the gateway opens its log: the appends pay for keeping the head too.
  const fresh = (name: string): AuditStore => {
    const n = run++;
    return AuditStore.open(join(dir, `${name}-${n}.db`), { head: join(dir, `${name}-${n}.head.json`) });
  };
  // The raw side inserts rows whose columns, hash and search text were computed beforehand.
  const prepared = (() => {
    const store = fresh('prepare');
    let previous: Uint8Array = GENESIS;
    const now = Date.now();
    return input.map((e, i) => {
      const row = store.prepareRow(e, i + 1, previous, now);
      previous = row.hash;
      return { ...row, ...indexEntry(row) };
    });
  })();
  const times = medianMs(
    {
      raw: () => {
        const store = fresh('raw');
        const db = store.connection;
        const insert = db.prepare(
          'INSERT INTO events (id, ts, event, session, actor, risk_level, decision, summary, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        const fts = db.prepare('INSERT INTO events_fts (rowid, text, tags) VALUES (?, ?, ?)');
        const mark = db.prepare('UPDATE index_state SET indexed_up_to = ? WHERE id = 1');
        const batch = db.transaction((rows: typeof prepared) => {
          for (const r of rows) {
            insert.run(r.id, r.ts, r.event, r.session, r.actor, r.risk_level, r.decision, r.summary, r.payload, r.hash);
            fts.run(r.id, r.text, r.tags);
          }
          mark.run(rows[rows.length - 1]!.id);
        });
        for (let i = 0; i < prepared.length; i += BATCH) batch.immediate(prepared.slice(i, i + BATCH));
        store.close();
      },
      append: () => {
        const store = fresh('append');
        for (let i = 0; i < input.length; i += BATCH) store.appendBatch(input.slice(i, i + BATCH));
        store.close();
      },
    },
    5,
    1,
  );
  const perSecond = APPEND_EVENTS / (times.append / 1000);
  return [
    {
      suite: 'audit',
      metric: `batched append (${APPEND_EVENTS.toLocaleString('en-US')} events, batches of ${BATCH})`,
      value: perSecond,
      unit: 'events/s',
      target: { text: '>= 50,000 events/s', met: perSecond >= 50_000 },
    },
    {
      suite: 'audit',
      metric: 'batched append time vs raw inserts',
      value: times.append,
      unit: 'ms',
      baseline: { name: 'raw better-sqlite3', value: times.raw },
      target: { text: '<= 2x', met: times.append / times.raw <= 2 },
    },
  ];
}

/** One acknowledged append (validated, chained, committed and synced) at a time. */
function latencyRows(dir: string): Row[] {
  const store = AuditStore.open(join(dir, 'latency.db'), { head: join(dir, 'latency.head.json') });
  const input = events(2_000, 11);
  const samples: number[] = [];
  for (const e of input) {
    const start = process.hrtime.bigint();
    store.append(e);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  store.close();
  samples.sort((a, b) => a - b);
  return [
    { suite: 'audit', metric: 'acknowledged append latency p50', value: percentile(samples, 50), unit: 'ms' },
    { suite: 'audit', metric: 'acknowledged append latency p99', value: percentile(samples, 99), unit: 'ms' },
  ];
}

/** Appends `rows` realistic events, in batches. */
export function fillAudit(store: AuditStore, rows: number): void {
  for (let done = 0; done < rows; done += 10_000) {
    const chunk = events(Math.min(10_000, rows - done), 1000 + done);
    for (let i = 0; i < chunk.length; i += BATCH * 5) store.appendBatch(chunk.slice(i, i + BATCH * 5));
  }
}

/** Text query plus one filter over a million rows: first page and count, as the timeline asks. */
function searchRows(dir: string): Row[] {
  const store = AuditStore.open(join(dir, 'search.db'));
  fillAudit(store, SEARCH_ROWS);
  const words = ['git', 'npm', 'build', 'docker', 'curl', 'handler', 'render', 'session', 'checkout', 'install', 'grep', 'tar', 'awk', 'retry', 'cache'];
  const filters = [{ risks: ['high' as const] }, { decisions: ['deny'] }, { session: 'session-7' }, { events: ['terminal_cmd' as const] }];
  const samples: number[] = [];
  for (let i = 0; i < SEARCH_QUERIES; i++) {
    const query = { text: words[i % words.length]!, ...filters[i % filters.length]!, limit: 50 };
    const start = process.hrtime.bigint();
    search(store, query);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  store.close();
  samples.sort((a, b) => a - b);
  const p95 = percentile(samples, 95);
  return [
    { suite: 'audit', metric: `search p50 (text + filter, ${SEARCH_ROWS.toLocaleString('en-US')} rows)`, value: percentile(samples, 50), unit: 'ms' },
    { suite: 'audit', metric: 'search p95', value: p95, unit: 'ms', target: { text: '< 50 ms', met: p95 < 50 } },
  ];
}
