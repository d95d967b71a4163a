/**
 * The console's Overview, counted by SQL: decisions over time by outcome and risk, the agents seen,
 * the commands most often asked for and most often denied.
 *
 * A scan of a million events cannot answer in the few milliseconds a screen has, however it is
 * indexed; so the counts are kept as the events come. Triggers on the events table add every
 * decision (`terminal_cmd`) and every request put to a person (`approval_request`) to small
 * tables: one row per minute (and one per half hour), outcome and risk; one per agent; one per
 * command. A row is counted in the span of its own `ts`, so imported events, which keep their old
 * times, land where they happened. Retention pruning takes its rows back out. The Overview then
 * groups at most 1,440 minutes or 336 half hours into buckets, and reads the top commands off an
 * index.
 *
 * The tables and triggers are created the first time a writer asks (prepareOverview); the events
 * already there are then counted a chunk at a time, each chunk a transaction, so that a server
 * goes on answering meanwhile. No event is counted twice or missed.
 */
import type Database from 'better-sqlite3';
import {
  OVERVIEW_SPANS,
  OVERVIEW_TOP,
  RISK_LEVELS,
  sandboxStatus,
  type Overview,
  type OverviewAgent,
  type OverviewBucket,
  type OverviewCommand,
  type OverviewRange,
  type Result,
  type RiskLevel,
  type SandboxStatus,
} from '@aleph/protocol';
import { AuditError } from './audit-error.js';
import type { AuditStore } from './store.js';

/** Bumped when the tables below change: a newer layout is built afresh. */
const LAYOUT = 4;
const MINUTE_MS = 60_000;
/** The coarser counts a day or a week is read from: a week is 336 of these, not 10,080 minutes. */
const HALF_HOUR_MS = 30 * MINUTE_MS;

/** The tables of counts by time: one row per span, outcome and risk. */
const BY_TIME = [
  { table: 'overview_minutes', unit: MINUTE_MS },
  { table: 'overview_halfhours', unit: HALF_HOUR_MS },
] as const;
/** The most agents the Overview lists, the latest first. */
const MAX_AGENTS = 50;

/** What a decision row adds: its outcome, and its risk ('' when it has none). */
const OUTCOME = (row: 'new.' | 'old.' | ''): string =>
  `CASE WHEN ${row}event = 'approval_request' THEN 'asked' WHEN ${row}decision = 'deny' THEN 'denied' ELSE 'allowed' END`;
const COUNTED = (row: 'new.' | 'old.' | ''): string => `${row}event IN ('terminal_cmd', 'approval_request')`;

/** Counted by the triggers: rows at or above `uncounted_below`, and those the backfill reached. */
const WAS_COUNTED = `(old.id <= (SELECT counted_to FROM overview_state WHERE id = 1) OR old.id >= (SELECT uncounted_below FROM overview_state WHERE id = 1))`;

/**
 * The tables, empty, and the triggers that count every event from now on; `uncounted_below` is the
 * first id they count, and the events before it are counted a chunk at a time (BACKFILL).
 */
const SETUP = `
  DROP TRIGGER IF EXISTS overview_added;
  DROP TRIGGER IF EXISTS overview_removed;
  DROP TABLE IF EXISTS overview_minutes;
  DROP TABLE IF EXISTS overview_halfhours;
  DROP TABLE IF EXISTS overview_agents;
  DROP TABLE IF EXISTS overview_commands;
  DROP TABLE IF EXISTS overview_state;
${BY_TIME.map(
  ({ table }) => `  CREATE TABLE ${table} (
    span INTEGER NOT NULL, outcome TEXT NOT NULL, risk TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (span, outcome, risk)
  ) WITHOUT ROWID;`,
).join('\n')}
  CREATE TABLE overview_agents (
    agent TEXT PRIMARY KEY, decisions INTEGER NOT NULL, denied INTEGER NOT NULL, asked INTEGER NOT NULL, last_ts INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE overview_commands (
    command TEXT PRIMARY KEY, decisions INTEGER NOT NULL, denied INTEGER NOT NULL, agent TEXT, last_ts INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Events with ids up to counted_to, and from uncounted_below on, are in the counts.
  CREATE TABLE overview_state (id INTEGER PRIMARY KEY CHECK (id = 1), layout INTEGER NOT NULL, counted_to INTEGER NOT NULL, uncounted_below INTEGER NOT NULL);
  INSERT INTO overview_state (id, layout, counted_to, uncounted_below)
    VALUES (1, ${LAYOUT}, 0, coalesce((SELECT id FROM events ORDER BY id DESC LIMIT 1), 0) + 1);

  CREATE TRIGGER overview_added AFTER INSERT ON events WHEN ${COUNTED('new.')} BEGIN
${BY_TIME.map(
  ({
    table,
    unit,
  }) => `    INSERT INTO ${table} (span, outcome, risk, n) VALUES (CAST(new.ts AS INTEGER) / ${unit}, ${OUTCOME('new.')}, coalesce(new.risk_level, ''), 1)
      ON CONFLICT (span, outcome, risk) DO UPDATE SET n = n + 1;`,
).join('\n')}
    INSERT INTO overview_agents (agent, decisions, denied, asked, last_ts)
      VALUES (coalesce(new.actor, ''), new.event = 'terminal_cmd', new.event = 'terminal_cmd' AND new.decision = 'deny', new.event = 'approval_request', new.ts)
      ON CONFLICT (agent) DO UPDATE SET decisions = decisions + excluded.decisions, denied = denied + excluded.denied, asked = asked + excluded.asked, last_ts = max(last_ts, excluded.last_ts);
    INSERT INTO overview_commands (command, decisions, denied, agent, last_ts)
      SELECT json_extract(new.payload, '$.command'), 1, new.decision = 'deny', new.actor, new.ts
      WHERE new.event = 'terminal_cmd' AND json_extract(new.payload, '$.command') IS NOT NULL
      ON CONFLICT (command) DO UPDATE SET decisions = decisions + 1, denied = denied + excluded.denied,
        agent = CASE WHEN excluded.last_ts >= last_ts THEN excluded.agent ELSE agent END, last_ts = max(last_ts, excluded.last_ts);
  END;
  -- Retention pruning: what leaves the log leaves the counts, if it was in them (the latest times stay as they were).
  CREATE TRIGGER overview_removed AFTER DELETE ON events WHEN ${COUNTED('old.')} AND ${WAS_COUNTED} BEGIN
${BY_TIME.map(({ table, unit }) => `    UPDATE ${table} SET n = n - 1 WHERE span = CAST(old.ts AS INTEGER) / ${unit} AND outcome = ${OUTCOME('old.')} AND risk = coalesce(old.risk_level, '');`).join('\n')}
    UPDATE overview_agents SET decisions = decisions - (old.event = 'terminal_cmd'), denied = denied - (old.event = 'terminal_cmd' AND old.decision = 'deny'),
      asked = asked - (old.event = 'approval_request') WHERE agent = coalesce(old.actor, '');
    UPDATE overview_commands SET decisions = decisions - 1, denied = denied - (old.decision = 'deny')
      WHERE old.event = 'terminal_cmd' AND command = json_extract(old.payload, '$.command');
  END;
`;

/** The events with ids in (:after, :upTo]: added to the counts, as the triggers would have. */
const CHUNK_ROWS = `FROM events WHERE id > :after AND id <= :upTo AND ${COUNTED('')}`;
const BACKFILL = `
${BY_TIME.map(
  ({ table, unit }) => `  INSERT INTO ${table} (span, outcome, risk, n)
    SELECT CAST(ts AS INTEGER) / ${unit}, ${OUTCOME('')}, coalesce(risk_level, ''), count(*) ${CHUNK_ROWS} GROUP BY 1, 2, 3
    ON CONFLICT (span, outcome, risk) DO UPDATE SET n = n + excluded.n;`,
).join('\n')}
  INSERT INTO overview_agents (agent, decisions, denied, asked, last_ts)
    SELECT coalesce(actor, ''), sum(event = 'terminal_cmd'), sum(event = 'terminal_cmd' AND decision = 'deny'), sum(event = 'approval_request'), max(ts) ${CHUNK_ROWS} GROUP BY 1
    ON CONFLICT (agent) DO UPDATE SET decisions = decisions + excluded.decisions, denied = denied + excluded.denied, asked = asked + excluded.asked, last_ts = max(last_ts, excluded.last_ts);
  -- With a single max(), SQLite takes the bare column (actor) from the row holding it: the latest asker.
  INSERT INTO overview_commands (command, decisions, denied, agent, last_ts)
    SELECT command, count(*), sum(decision = 'deny'), actor, max(ts)
    FROM (SELECT json_extract(payload, '$.command') AS command, decision, actor, ts FROM events WHERE id > :after AND id <= :upTo AND event = 'terminal_cmd')
    WHERE command IS NOT NULL GROUP BY command
    ON CONFLICT (command) DO UPDATE SET decisions = decisions + excluded.decisions, denied = denied + excluded.denied,
      agent = CASE WHEN excluded.last_ts >= last_ts THEN excluded.agent ELSE agent END, last_ts = max(last_ts, excluded.last_ts);
  UPDATE overview_state SET counted_to = :upTo WHERE id = 1;
`;

/**
 * The top lists read the first rows of these, never the whole table. Made once the backfill is
 * done: a million upserts into a table keep its indexes in step one row at a time, and building
 * them at the end is several times cheaper.
 */
const TOP_INDEXES = `
  CREATE INDEX IF NOT EXISTS overview_commands_most ON overview_commands (decisions DESC, last_ts DESC);
  CREATE INDEX IF NOT EXISTS overview_commands_denied ON overview_commands (denied DESC, last_ts DESC) WHERE denied > 0;
`;

/** Events counted per backfill transaction: a few tens of milliseconds, between which a server answers others. */
const BACKFILL_CHUNK = 10_000;

/** Connections whose overview counts are known to be complete. */
const prepared = new WeakSet<Database.Database>();

interface State {
  layout: number;
  counted_to: number;
  uncounted_below: number;
}

function stateOf(db: Database.Database): State | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'overview_state'").get();
  if (table === undefined) return null;
  const state = db.prepare('SELECT * FROM overview_state WHERE id = 1').get() as State | undefined;
  // A table without the columns of this layout (an older one) is rebuilt.
  return state === undefined || state.counted_to === undefined ? null : state;
}

/** Runs `work` in a write transaction taken at once (IMMEDIATE), SQLite's busy error said in words. */
function writing<T>(store: AuditStore, work: () => T): T {
  try {
    return store.connection.transaction(work).immediate();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY')) throw new AuditError('busy', `${store.file} is locked by another process: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Creates the Overview's tables and triggers, then counts the events already in the log, a chunk
 * of BACKFILL_CHUNK per step: a server runs a step, answers whatever else came meanwhile, then runs
 * the next. Each step is a transaction of its own (the triggers count what is appended between
 * them, and a pruned event leaves the counts only if it was in them). Returns whether anything
 * was left to do.
 */
export function* prepareOverviewSteps(store: AuditStore): Generator<void, boolean> {
  const db = store.connection;
  if (prepared.has(db)) return false;
  const known = stateOf(db);
  if (known?.layout === LAYOUT && known.counted_to >= known.uncounted_below - 1) {
    prepared.add(db);
    return false;
  }
  if (db.readonly)
    throw new AuditError(
      'invalid_query',
      `The audit log ${store.file} has no overview counts yet; the gateway adds them the first time the console's Overview is opened.`,
    );
  writing(store, () => {
    if (stateOf(db)?.layout !== LAYOUT) db.exec(SETUP);
  });
  const backfill = BACKFILL.split(';')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => ({ statement: db.prepare(t), ranged: t.includes(':after') }));
  const chunk = (): boolean =>
    writing(store, () => {
      const state = stateOf(db)!;
      if (state.counted_to >= state.uncounted_below - 1) {
        db.exec(TOP_INDEXES);
        return false;
      }
      // From the first event after those counted (ids may start high after pruning).
      const next = (db.prepare('SELECT id FROM events WHERE id > ? ORDER BY id LIMIT 1').get(state.counted_to) as { id: number } | undefined)?.id;
      const upTo = next === undefined ? state.uncounted_below - 1 : Math.min(state.uncounted_below - 1, next + BACKFILL_CHUNK - 1);
      for (const { statement, ranged } of backfill) statement.run(ranged ? { after: state.counted_to, upTo } : { upTo });
      // Complete only with its indexes, in the same transaction.
      if (upTo >= state.uncounted_below - 1) db.exec(TOP_INDEXES);
      return true;
    });
  while (chunk()) yield;
  prepared.add(db);
  return true;
}

/** prepareOverviewSteps, all at once: over a million events, a few seconds. */
export function prepareOverview(store: AuditStore): boolean {
  const steps = prepareOverviewSteps(store);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

export interface OverviewOptions {
  readonly range: OverviewRange;
  /** Epoch milliseconds; the last bucket is the one holding it. */
  readonly now: number;
  /** Whether this machine can sandbox (the sandbox package's probe), or the status itself. */
  readonly sandbox: SandboxStatus | Result<{ readonly platform: string; readonly launcher: string }>;
  /** The gateway's sandbox settings, with a probe. */
  readonly sandboxSettings?: Parameters<typeof sandboxStatus>[1];
}

interface MinuteRow {
  b: number;
  outcome: string;
  risk: string;
  n: number;
}
interface AgentRow {
  agent: string;
  decisions: number;
  denied: number;
  asked: number;
  last_ts: number;
}
interface CommandRow {
  command: string;
  decisions: number;
  denied: number;
  agent: string | null;
  last_ts: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const command = (r: CommandRow): OverviewCommand => ({
  command: r.command,
  decisions: r.decisions,
  allowed: r.decisions - r.denied,
  denied: r.denied,
  agent: r.agent,
  last_seen: iso(r.last_ts),
});

/** The Overview over the last hour, day or week ending with the bucket that holds `now`. */
export function overview(store: AuditStore, options: OverviewOptions): Overview {
  prepareOverview(store);
  return counted(store, options);
}

/**
 * overview(), a step at a time while the counts are first set up (see prepareOverviewSteps): a
 * server yields between steps and keeps answering. `now` is read when the counts are complete.
 */
export function* overviewSteps(store: AuditStore, options: Omit<OverviewOptions, 'now'> & { readonly now?: number }): Generator<void, Overview> {
  yield* prepareOverviewSteps(store);
  return counted(store, { ...options, now: options.now ?? Date.now() });
}

function counted(store: AuditStore, options: OverviewOptions): Overview {
  const db = store.connection;
  const { range_ms, bucket_ms } = OVERVIEW_SPANS[options.range];
  const until = (Math.floor(options.now / bucket_ms) + 1) * bucket_ms;
  const since = until - range_ms;
  const count = range_ms / bucket_ms;
  const empty = (i: number): { -readonly [K in keyof OverviewBucket]: OverviewBucket[K] } & { risk: Record<RiskLevel, number> } => ({
    start: since + i * bucket_ms,
    allowed: 0,
    denied: 0,
    asked: 0,
    risk: { low: 0, medium: 0, high: 0, critical: 0 },
  });
  const buckets = Array.from({ length: count }, (_, i) => empty(i));
  // The coarsest counts whose spans divide the bucket; BigInt, as better-sqlite3 binds a number as REAL and the bucket is an integer division.
  const { table, unit } = bucket_ms % HALF_HOUR_MS === 0 ? BY_TIME[1] : BY_TIME[0];
  const first = BigInt(since / unit);
  const rows = db
    .prepare(
      `SELECT (span - :first) / :per AS b, outcome, risk, sum(n) AS n FROM ${table}
    WHERE span >= :first AND span < :end GROUP BY b, outcome, risk`,
    )
    .all({ first, per: BigInt(bucket_ms / unit), end: BigInt(until / unit) }) as MinuteRow[];
  const totals = { allowed: 0, denied: 0, asked: 0 };
  for (const r of rows) {
    const bucket = buckets[r.b];
    if (bucket === undefined || r.n <= 0) continue;
    if (r.outcome === 'asked') {
      bucket.asked += r.n;
      totals.asked += r.n;
      continue;
    }
    if (r.outcome === 'denied') bucket.denied += r.n;
    else bucket.allowed += r.n;
    totals[r.outcome === 'denied' ? 'denied' : 'allowed'] += r.n;
    if ((RISK_LEVELS as readonly string[]).includes(r.risk)) bucket.risk[r.risk as RiskLevel] += r.n;
  }
  const agents = (db.prepare('SELECT * FROM overview_agents WHERE decisions > 0 OR asked > 0 ORDER BY last_ts DESC LIMIT ?').all(MAX_AGENTS) as AgentRow[]).map(
    (r): OverviewAgent => ({
      agent: r.agent,
      decisions: r.decisions,
      allowed: r.decisions - r.denied,
      denied: r.denied,
      asked: r.asked,
      last_seen: iso(r.last_ts),
    }),
  );
  const mostAsked = db
    .prepare('SELECT * FROM overview_commands WHERE decisions > 0 ORDER BY decisions DESC, last_ts DESC LIMIT ?')
    .all(OVERVIEW_TOP) as CommandRow[];
  const mostDenied = db
    .prepare('SELECT * FROM overview_commands WHERE denied > 0 ORDER BY denied DESC, last_ts DESC LIMIT ?')
    .all(OVERVIEW_TOP) as CommandRow[];
  return {
    range: options.range,
    since,
    until,
    bucket_ms,
    buckets,
    totals,
    agents,
    most_asked: mostAsked.map(command),
    most_denied: mostDenied.map(command),
    sandbox: statusOf(options),
  };
}

function statusOf(options: OverviewOptions): SandboxStatus {
  const given = options.sandbox;
  if (!('ok' in given)) return given;
  return sandboxStatus(given, options.sandboxSettings ?? { enabled: true, when_unavailable: 'refuse' });
}
