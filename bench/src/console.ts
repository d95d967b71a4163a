/**
 * The web console in a real Chromium (playwright-core with the system's Chromium), over a real
 * gateway holding a million audit rows:
 * - console ready with 100 pending approvals: from navigation to all 100 cards on screen, beside
 *   the same browser loading a static page of 100 cards from a bare HTTP server (the floor);
 * - timeline search: from submitting a search to the matching rows painted, beside the same search
 *   asked over the console's WebSocket from the same page without drawing anything (the floor).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore } from '@aleph/audit';
import { auditFile, Gateway, GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fillAudit, percentile, SEARCH_ROWS } from './audit.js';
import type { Row } from './table.js';

const RENDERER = fileURLToPath(new URL('../../apps/desktop/out/renderer', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PENDING = 100;
const LOADS = 9;
const WORDS = ['git', 'npm', 'build', 'docker', 'curl', 'handler', 'render', 'session', 'checkout', 'install', 'grep', 'tar', 'awk', 'retry', 'cache'];
const NOTHING = 'qqqzzzxxq';

const median = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** The floor for a page load: 100 cards of static HTML from a bare HTTP server. */
function staticCards(): Promise<{ url: string; close: () => void }> {
  const cards = Array.from(
    { length: PENDING },
    (_, i) => `<article class="approval"><pre>cp a${i} b${i}</pre><button>Allow Once</button><button>Deny</button></article>`,
  ).join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>floor</title></head><body>${cards}</body></html>`;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`, close: () => server.close() });
    }),
  );
}

/** Milliseconds from navigation to `count` approval cards on screen, measured by the page's clock. */
async function load(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    // The frame in which the cards are all there, timed from the navigation's start (the click that opened the console).
    return (await page.evaluate(`new Promise((resolve) => {
      const check = () => document.querySelectorAll('article.approval').length >= ${PENDING} ? resolve(performance.now()) : requestAnimationFrame(check);
      check();
    })`)) as number;
  } finally {
    await context.close();
  }
}

/** Submits a search and waits for a frame with every drawn row matching it; the page's own clock. */
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
      const empty = document.querySelector('.empty-rows') !== null;
      if (word === '${NOTHING}' ? empty : rows.length > 0 && rows.every((r) => r.textContent.toLowerCase().includes(word))) resolve();
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  return performance.now() - start;
}`;

/** The same search over the console's WebSocket, answered but not drawn. */
const SEARCH_ONLY = `async (word) => {
  const ws = window.__bench ??= await new Promise((resolve) => { const s = new WebSocket('ws://' + location.host + '/api'); s.onopen = () => resolve(s); });
  const start = performance.now();
  await new Promise((resolve) => {
    ws.onmessage = (m) => { if (JSON.parse(m.data).id === 1) resolve(); };
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'audit.search', params: { text: word, limit: 200 } }));
  });
  return performance.now() - start;
}`;

async function timeline(page: Page): Promise<{ painted: number[]; answered: number[] }> {
  await page.getByRole('button', { name: /Audit timeline/ }).click();
  await page.locator('.event-row').first().waitFor({ timeout: 120_000 });
  const painted: number[] = [];
  const answered: number[] = [];
  // A first round warms the caches of both paths alike; it is not counted.
  for (const [round, word] of [...WORDS.slice(0, 3), ...WORDS, ...WORDS].entries()) {
    await page.evaluate(`(${SEARCH_AND_PAINT})('${NOTHING}')`);
    const p = (await page.evaluate(`(${SEARCH_AND_PAINT})('${word}')`)) as number;
    const a = (await page.evaluate(`(${SEARCH_ONLY})('${word}')`)) as number;
    if (round >= 3) {
      painted.push(p);
      answered.push(a);
    }
  }
  return { painted, answered };
}

export async function consoleSuite(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'aleph-bench-console-'));
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  const floor = await staticCards();
  let gateway: Gateway | undefined;
  let browser: Browser | undefined;
  const clients: GatewayClient[] = [];
  try {
    process.stderr.write(`  filling the audit log with ${SEARCH_ROWS.toLocaleString('en-US')} events...\n`);
    const store = AuditStore.open(auditFile(home));
    fillAudit(store, SEARCH_ROWS);
    store.close();
    gateway = await Gateway.start({ home, network: { port: 0 }, console: { port: 0, root: RENDERER } });
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    // Two agents, 50 requests each (a connection may have 64 waiting).
    for (let c = 0; c < 2; c++) {
      const agent = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(config.value));
      clients.push(agent);
      for (let i = 0; i < PENDING / 2; i++) {
        const n = c * (PENDING / 2) + i;
        agent.send({
          type: 'approval_request',
          id: `r${n}`,
          request: { command: `cp a${n} b${n}`, cwd: root, agent_id: `agent-${c}`, session_key: 's' },
          timeout_ms: 3_600_000,
        });
      }
    }
    while (gateway.pendingApprovals().length < PENDING) await new Promise((r) => setTimeout(r, 20));

    browser = await chromium.launch({ executablePath: CHROMIUM });
    const g = gateway;
    const ready: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < LOADS + 1; i++) {
      const r = await load(browser, `${g.consoleLoginUrl()!}#approvals`);
      const b = await load(browser, floor.url);
      if (i > 0) {
        ready.push(r);
        bare.push(b);
      }
    }

    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${g.consoleLoginUrl()!}#approvals`);
    await page.locator('article.approval').first().waitFor();
    const search = await timeline(page);
    await context.close();

    const readyMs = median(ready);
    const p95 = percentile(
      [...search.painted].sort((a, b) => a - b),
      95,
    );
    return [
      {
        suite: 'console',
        metric: `console ready, ${PENDING} pending approvals (median of ${LOADS})`,
        value: readyMs,
        unit: 'ms',
        baseline: { name: `static page of ${PENDING} cards`, value: median(bare) },
        target: { text: '< 1 s', met: readyMs < 1000 },
      },
      {
        suite: 'console',
        metric: `timeline search to painted rows, p50 (${SEARCH_ROWS.toLocaleString('en-US')} rows)`,
        value: median(search.painted),
        unit: 'ms',
        baseline: { name: 'the same search over the WebSocket, not drawn', value: median(search.answered) },
      },
      { suite: 'console', metric: 'timeline search to painted rows, p95', value: p95, unit: 'ms', target: { text: '< 150 ms', met: p95 < 150 } },
    ];
  } finally {
    for (const c of clients) c.close();
    await browser?.close();
    await gateway?.stop();
    floor.close();
    rmSync(root, { recursive: true, force: true });
  }
}
