/**
 * The console's Overview over a million audit events, against the timeline's search of the same
 * log, in the same run:
 * - the SQL aggregation (audit.overview's figures for the last week, the largest range) beside a
 *   timeline search (a word, first page of 200, as the console asks);
 * - in a real Chromium over a real gateway: from choosing a range to its chart painted, beside a
 *   timeline search from submitting it to its rows painted.
 * The log is seeded with raw inserts of fully formed rows (chained, indexed) in large
 * transactions; the Overview's counts are then set up once (timed apart: it happens once per log).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore, GENESIS, indexEntry, overview, prepareOverview, search } from '@aleph/audit';
import { auditFile, Gateway } from '@aleph/gateway';
import type { AuditEvent, SandboxStatus } from '@aleph/protocol';
import { chromium, type Browser, type Page } from 'playwright-core';
import { percentile } from './audit.js';
import { realisticCommands } from './commands.js';
import { medianMs, type Row } from './table.js';

const RENDERER = fileURLToPath(new URL('../../apps/desktop/out/renderer', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EVENTS = 1_000_000;
/** Rows per seeding transaction. */
const SEED_CHUNK = 50_000;
const WORDS = ['git', 'npm', 'build', 'docker', 'curl', 'handler', 'render', 'session', 'checkout', 'install', 'grep', 'tar', 'awk', 'retry', 'cache'];
const DECISIONS = ['allow-once', 'allow-always', 'deny', 'allow-once', 'allow-once'];
const RISKS = ['low', 'medium', 'high', 'critical'] as const;
const SANDBOX: SandboxStatus = { available: true, platform: 'linux', launcher: 'bwrap', reason: null, enabled: true, when_unavailable: 'refuse' };

const median = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/**
 * A million decisions over the last eight days, the newest now, with one in a hundred put to a
 * person first; the last 1% an import of older history (later ids, earlier times).
 */
function seed(file: string, now: number): number {
  const started = performance.now();
  const store = AuditStore.open(file);
  const db = store.connection;
  // A seed, not a log to keep: no sync to the disk on each commit.
  db.pragma('synchronous = OFF');
  // The full-text index touches many pages per row: keep more of them cached while seeding (256 MiB).
  db.pragma('cache_size = -262144');
  const insert = db.prepare(
    'INSERT INTO events (id, ts, event, session, actor, risk_level, decision, summary, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const fts = db.prepare('INSERT INTO events_fts (rowid, text, tags) VALUES (?, ?, ?)');
  const mark = db.prepare('UPDATE index_state SET indexed_up_to = ? WHERE id = 1');
  const span = 8 * 86_400_000;
  let previous: Uint8Array = GENESIS;
  let id = 0;
  const chunk = db.transaction((events: readonly AuditEvent[]) => {
    for (const event of events) {
      id += 1;
      const row = store.prepareRow(event, id, previous, now);
      const entry = indexEntry(row);
      insert.run(row.id, row.ts, row.event, row.session, row.actor, row.risk_level, row.decision, row.summary, row.payload, row.hash);
      fts.run(row.id, entry.text, entry.tags);
      previous = row.hash;
    }
    mark.run(id);
  });
  for (let done = 0; done < EVENTS; done += SEED_CHUNK) {
    const count = Math.min(SEED_CHUNK, EVENTS - done);
    const commands = realisticCommands(count, 500 + done);
    const events = commands.map((command, k): AuditEvent => {
      const i = done + k;
      const imported = i >= EVENTS * 0.99;
      const ts = imported ? now - span + ((i * 7919) % span) : now - span + Math.floor((i / EVENTS) * span);
      const common = { ts: new Date(ts).toISOString(), session: `session-${i % 50}`, actor: `agent-${i % 5}` };
      return i % 100 === 0
        ? { ...common, event: 'approval_request', request_id: `r${i}`, command, agent: `agent-${i % 5}`, risk_level: RISKS[(i * 7) % 4]! }
        : { ...common, event: 'terminal_cmd', command, decision: DECISIONS[i % DECISIONS.length]!, risk_level: RISKS[(i * 7) % 4]!, cwd: '/home/user/project' };
    });
    chunk.immediate(events);
  }
  store.close();
  return performance.now() - started;
}

/** Chooses a range on the Overview and waits for a frame with its chart drawn; the page's own clock. */
const RANGE_AND_PAINT = `async (range) => {
  const button = [...document.querySelectorAll('[role="radio"]')].find((b) => b.textContent === 'last ' + range);
  await new Promise((r) => requestAnimationFrame(r));
  const start = performance.now();
  button.click();
  await new Promise((resolve) => {
    const check = () => document.querySelector('.chart-card[data-range="' + range + '"] svg.bars rect') !== null ? resolve() : requestAnimationFrame(check);
    requestAnimationFrame(check);
  });
  return performance.now() - start;
}`;

/** Submits a timeline search and waits for a frame with every drawn row matching it. */
const SEARCH_AND_PAINT = `async (word) => {
  const input = document.querySelector('input[aria-label="search the timeline"]');
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, word);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((r) => requestAnimationFrame(r));
  const start = performance.now();
  input.form.requestSubmit();
  await new Promise((resolve) => {
    const check = () => {
      const rows = [...document.querySelectorAll('.event-row')];
      rows.length > 0 && rows.every((r) => r.textContent.toLowerCase().includes(word)) ? resolve() : requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  return performance.now() - start;
}`;

async function painted(page: Page): Promise<{ overview: number[]; search: number[] }> {
  const overviewMs: number[] = [];
  const searchMs: number[] = [];
  // A first round warms both paths alike; it is not counted.
  for (const [round, word] of [...WORDS.slice(0, 2), ...WORDS, ...WORDS].entries()) {
    await page.getByRole('navigation').getByRole('button', { name: 'Overview' }).click();
    await page.locator('.chart-card[data-range] svg.bars').first().waitFor({ timeout: 120_000 });
    const current = await page.locator('.chart-card').getAttribute('data-range');
    const o = (await page.evaluate(`(${RANGE_AND_PAINT})('${current === 'week' ? 'day' : 'week'}')`)) as number;
    await page.getByRole('navigation').getByRole('button', { name: 'Audit timeline' }).click();
    await page.locator('.event-row').first().waitFor({ timeout: 120_000 });
    const s = (await page.evaluate(`(${SEARCH_AND_PAINT})('${word}')`)) as number;
    if (round >= 2) {
      overviewMs.push(o);
      searchMs.push(s);
    }
  }
  return { overview: overviewMs, search: searchMs };
}

export async function overviewSuite(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'aleph-bench-overview-'));
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  let gateway: Gateway | undefined;
  let browser: Browser | undefined;
  try {
    const file = auditFile(home);
    const now = Date.now();
    process.stderr.write(`  seeding ${EVENTS.toLocaleString('en-US')} events...\n`);
    const seedMs = seed(file, now);
    const store = AuditStore.open(file);
    const setup = performance.now();
    prepareOverview(store);
    const setupMs = performance.now() - setup;
    let word = 0;
    const sql = medianMs(
      {
        overview: () => overview(store, { range: 'week', now: Date.now(), sandbox: SANDBOX }),
        search: () => search(store, { text: WORDS[word++ % WORDS.length]!, limit: 200 }),
      },
      25,
      5,
    );
    store.close();

    gateway = await Gateway.start({ home, network: { port: 0 }, console: { port: 0, root: RENDERER } });
    browser = await chromium.launch({ executablePath: CHROMIUM });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${gateway.consoleLoginUrl()!}#overview`);
    const inPage = await painted(page);

    const ratio = sql.overview / sql.search;
    const paintedMs = median(inPage.overview);
    const p95 = percentile(
      [...inPage.overview].sort((a, b) => a - b),
      95,
    );
    const searchPainted = median(inPage.search);
    const n = EVENTS.toLocaleString('en-US');
    return [
      { suite: 'overview', metric: `seeding ${n} events (chained, indexed; raw inserts)`, value: seedMs, unit: 'ms' },
      { suite: 'overview', metric: `overview counts set up over ${n} events (once per log)`, value: setupMs, unit: 'ms' },
      {
        suite: 'overview',
        metric: `overview SQL, last week (${n} events)`,
        value: sql.overview,
        unit: 'ms',
        baseline: { name: 'timeline search, first 200 rows', value: sql.search },
        target: { text: '< 300 ms, <= 3x', met: sql.overview < 300 && ratio <= 3 },
      },
      {
        suite: 'overview',
        metric: 'overview range chosen to chart painted, p50',
        value: paintedMs,
        unit: 'ms',
        baseline: { name: 'timeline search to rows painted', value: searchPainted },
        target: { text: '< 300 ms, <= 3x', met: paintedMs < 300 && paintedMs / searchPainted <= 3 },
      },
      { suite: 'overview', metric: 'overview range chosen to chart painted, p95', value: p95, unit: 'ms', target: { text: '< 300 ms', met: p95 < 300 } },
    ];
  } finally {
    await browser?.close();
    await gateway?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
