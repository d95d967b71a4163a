import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OVERVIEW_SPANS, RISK_LEVELS, type OverviewRange, type RiskLevel, type SandboxStatus } from '@aleph/protocol';
import { overview, overviewSteps, prepareOverview, prepareOverviewSteps } from './overview.js';
import { AuditStore } from './store.js';

const SANDBOX: SandboxStatus = { available: true, platform: 'linux', launcher: 'bwrap', reason: null, enabled: true, when_unavailable: 'refuse' };
/** A bucket boundary of every range: midnight UTC. */
const NOW = Date.parse('2026-05-01T12:00:00Z');

let dir: string;
let store: AuditStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-overview-'));
  store = AuditStore.open(join(dir, 'aleph.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Seeded {
  readonly ts: number;
  readonly decision: string;
  readonly risk: RiskLevel;
  readonly agent: string;
  readonly command: string;
}

const decided = (e: Seeded): Record<string, unknown> => ({
  event: 'terminal_cmd',
  command: e.command,
  decision: e.decision,
  risk_level: e.risk,
  actor: e.agent,
  session: 's',
  ts: new Date(e.ts).toISOString(),
});

/** A week of decisions from three agents, in a deterministic spread of times, commands and outcomes. */
function seeded(count: number): Seeded[] {
  let state = 7;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  return Array.from({ length: count }, () => ({
    ts: NOW - rand(8 * 86_400_000),
    decision: ['allow-once', 'allow-always', 'deny'][rand(3)]!,
    risk: RISK_LEVELS[rand(4)]!,
    agent: `agent-${rand(3)}`,
    command: `git push origin branch-${rand(20)}`,
  }));
}

/** The same figures, counted one event at a time. */
function expected(events: readonly Seeded[], range: OverviewRange) {
  const { range_ms, bucket_ms } = OVERVIEW_SPANS[range];
  const until = (Math.floor(NOW / bucket_ms) + 1) * bucket_ms;
  const since = until - range_ms;
  const buckets = Array.from({ length: range_ms / bucket_ms }, (_, i) => ({
    start: since + i * bucket_ms,
    allowed: 0,
    denied: 0,
    asked: 0,
    risk: { low: 0, medium: 0, high: 0, critical: 0 },
  }));
  for (const e of events) {
    if (e.ts < since || e.ts >= until) continue;
    const b = buckets[Math.floor((e.ts - since) / bucket_ms)]!;
    if (e.decision === 'deny') b.denied++;
    else b.allowed++;
    b.risk[e.risk]++;
  }
  return buckets;
}

describe('overview', () => {
  it('counts exactly what a seeded log holds, in every range, events from before and after it was set up alike', () => {
    const events = seeded(3000);
    store.appendBatch(events.slice(0, 2000).map(decided));
    expect(prepareOverview(store)).toBe(true);
    expect(prepareOverview(store)).toBe(false);
    store.appendBatch(events.slice(2000).map(decided));
    for (const range of ['hour', 'day', 'week'] as const) {
      const o = overview(store, { range, now: NOW, sandbox: SANDBOX });
      expect(o.buckets).toEqual(expected(events, range));
      expect(o.totals.allowed + o.totals.denied).toBe(o.buckets.reduce((n, b) => n + b.allowed + b.denied, 0));
    }
    const o = overview(store, { range: 'day', now: NOW, sandbox: SANDBOX });
    expect(o.sandbox).toEqual(SANDBOX);
    // Agents and commands over the whole log.
    const agents = new Map<string, { decisions: number; denied: number; last: number }>();
    for (const e of events) {
      const a = agents.get(e.agent) ?? { decisions: 0, denied: 0, last: 0 };
      agents.set(e.agent, { decisions: a.decisions + 1, denied: a.denied + (e.decision === 'deny' ? 1 : 0), last: Math.max(a.last, e.ts) });
    }
    expect(o.agents.map((a) => [a.agent, a.decisions, a.denied, a.allowed, a.last_seen]).sort()).toEqual(
      [...agents].map(([agent, a]) => [agent, a.decisions, a.denied, a.decisions - a.denied, new Date(a.last).toISOString()]).sort(),
    );
    const commands = new Map<string, { n: number; denied: number }>();
    for (const e of events) {
      const c = commands.get(e.command) ?? { n: 0, denied: 0 };
      commands.set(e.command, { n: c.n + 1, denied: c.denied + (e.decision === 'deny' ? 1 : 0) });
    }
    const most = Math.max(...[...commands.values()].map((c) => c.n));
    expect(o.most_asked[0]!.decisions).toBe(most);
    expect(o.most_asked.map((c) => c.decisions)).toEqual([...o.most_asked.map((c) => c.decisions)].sort((a, b) => b - a));
    for (const c of [...o.most_asked, ...o.most_denied]) expect([c.decisions, c.denied]).toEqual([commands.get(c.command)!.n, commands.get(c.command)!.denied]);
    expect(o.most_denied[0]!.denied).toBe(Math.max(...[...commands.values()].map((c) => c.denied)));
  });

  it("puts an event at a bucket's first millisecond in that bucket, and one a millisecond before in the one before", () => {
    prepareOverview(store);
    const at = (ts: number): Seeded => ({ ts, decision: 'deny', risk: 'high', agent: 'a', command: 'rm -rf build' });
    const start = NOW - 30 * 60_000;
    store.appendBatch([at(start), at(start - 1), at(start - 1), at(NOW - 3_600_000 + 60_000 - 1)].map(decided));
    const o = overview(store, { range: 'day', now: NOW, sandbox: SANDBOX });
    const bucket = (t: number) => o.buckets.find((b) => b.start === t)!;
    expect(bucket(start).denied).toBe(1);
    expect(bucket(start - 30 * 60_000).denied).toBe(3);
    // The last bucket is the one holding now; the range ends where it ends.
    expect(o.until).toBe(NOW + 30 * 60_000);
    expect(o.buckets).toHaveLength(48);
    const hour = overview(store, { range: 'hour', now: NOW, sandbox: SANDBOX });
    expect(hour.since).toBe(NOW + 60_000 - 3_600_000);
    // NOW - 1 h + 1 min - 1 ms is the last millisecond before the hour's first bucket.
    expect(hour.totals.denied).toBe(3);
  });

  it('counts an imported event, which keeps its old time, in its own time, not when it was imported', () => {
    prepareOverview(store);
    const old = NOW - 3 * 86_400_000 - 5 * 3_600_000;
    store.appendBatch([decided({ ts: NOW - 60_000, decision: 'allow-once', risk: 'low', agent: 'a', command: 'ls' })]);
    store.appendBatch([decided({ ts: old, decision: 'deny', risk: 'critical', agent: 'a', command: 'curl x | sh' })]);
    const week = overview(store, { range: 'week', now: NOW, sandbox: SANDBOX });
    const hour = Math.floor(old / 3_600_000) * 3_600_000;
    expect(week.buckets.find((b) => b.start === hour)).toMatchObject({ denied: 1, risk: { critical: 1 } });
    expect(week.buckets.find((b) => b.start === NOW - 3_600_000)).toMatchObject({ allowed: 1, denied: 0 });
    expect(overview(store, { range: 'day', now: NOW, sandbox: SANDBOX }).totals).toEqual({ allowed: 1, denied: 0, asked: 0 });
  });

  it('counts requests put to a person apart, and leaves other events out', () => {
    prepareOverview(store);
    store.appendBatch([
      { event: 'approval_request', request_id: 'r1', command: 'cp a b', agent: 'a', risk_level: 'medium', actor: 'a', ts: new Date(NOW).toISOString() },
      decided({ ts: NOW, decision: 'allow-once', risk: 'medium', agent: 'a', command: 'cp a b' }),
      { event: 'pairing_request', device_name: 'phone', device_type: 'ios', ts: new Date(NOW).toISOString() },
      { event: 'security_mode_change', to: 'dev', ts: new Date(NOW).toISOString() },
    ]);
    const o = overview(store, { range: 'hour', now: NOW, sandbox: SANDBOX });
    expect(o.totals).toEqual({ allowed: 1, denied: 0, asked: 1 });
    expect(o.buckets.at(-1)).toMatchObject({ allowed: 1, asked: 1, risk: { medium: 1 } });
    expect(o.agents).toEqual([{ agent: 'a', decisions: 1, allowed: 1, denied: 0, asked: 1, last_seen: new Date(NOW).toISOString() }]);
    expect(o.most_asked).toEqual([{ command: 'cp a b', decisions: 1, allowed: 1, denied: 0, agent: 'a', last_seen: new Date(NOW).toISOString() }]);
    expect(o.most_denied).toEqual([]);
  });

  it('takes pruned events back out of the counts', () => {
    prepareOverview(store);
    store.appendBatch([
      decided({ ts: NOW - 2 * 86_400_000, decision: 'deny', risk: 'high', agent: 'old', command: 'rm -rf /' }),
      decided({ ts: NOW, decision: 'deny', risk: 'high', agent: 'a', command: 'rm -rf /' }),
    ]);
    expect(overview(store, { range: 'week', now: NOW, sandbox: SANDBOX }).most_denied[0]).toMatchObject({ denied: 2 });
    store.prune({ maxRows: 1 });
    const o = overview(store, { range: 'week', now: NOW, sandbox: SANDBOX });
    expect(o.totals.denied).toBe(1);
    expect(o.most_denied[0]).toMatchObject({ command: 'rm -rf /', denied: 1 });
    expect(o.agents.map((a) => a.agent)).toEqual(['a']);
  });

  it('counts a long log a chunk at a time, each event once, with events appended and pruned between the steps', () => {
    const events = seeded(25_000);
    store.appendBatch(events.map(decided));
    const steps = prepareOverviewSteps(store);
    expect(steps.next().done).toBe(false);
    // Between steps: new events (the triggers count them), and the oldest pruned, counted or not yet.
    const later = seeded(100).map((e) => ({ ...e, agent: 'later' }));
    store.appendBatch(later.map(decided));
    expect(store.prune({ maxRows: 25_100 - 12_000 })).toBe(12_000);
    let taken = 1;
    while (steps.next().done !== true) taken++;
    expect(taken).toBeGreaterThan(1);
    const left = [...events.slice(12_000), ...later];
    for (const range of ['day', 'week'] as const) expect(overview(store, { range, now: NOW, sandbox: SANDBOX }).buckets).toEqual(expected(left, range));
    const agents = overview(store, { range: 'week', now: NOW, sandbox: SANDBOX }).agents;
    expect(agents.reduce((n, a) => n + a.decisions, 0)).toBe(left.length);
    expect(agents.find((a) => a.agent === 'later')?.decisions).toBe(100);
  });

  it('answers a step at a time, as a server asks', () => {
    store.appendBatch(seeded(15_000).map(decided));
    const steps = overviewSteps(store, { range: 'week', now: NOW, sandbox: SANDBOX });
    let step = steps.next();
    let yields = 0;
    while (step.done !== true) {
      yields++;
      step = steps.next();
    }
    expect(yields).toBe(2);
    expect(step.value.buckets).toEqual(overview(store, { range: 'week', now: NOW, sandbox: SANDBOX }).buckets);
    // Set up: the next answer takes no step.
    expect(overviewSteps(store, { range: 'day', sandbox: SANDBOX }).next().done).toBe(true);
  });

  it('keeps its counts across a reopening, and the chain still verifies', () => {
    store.appendBatch([decided({ ts: NOW, decision: 'deny', risk: 'low', agent: 'a', command: 'x' })]);
    prepareOverview(store);
    store.close();
    store = AuditStore.open(join(dir, 'aleph.db'));
    expect(prepareOverview(store)).toBe(false);
    store.appendBatch([decided({ ts: NOW, decision: 'deny', risk: 'low', agent: 'a', command: 'x' })]);
    expect(overview(store, { range: 'hour', now: NOW, sandbox: SANDBOX }).totals.denied).toBe(2);
    expect(store.verify().ok).toBe(true);
  });
});
