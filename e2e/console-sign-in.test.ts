/**
 * The console's refusals in a real Chromium: a sign-in link used twice, and a browser whose session
 * the gateway does not know (a cookie from before a restart), get a page in the console's look that
 * says what to do; a program asking for JSON gets JSON.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALEPH, CHROMIUM, startConsoleGateway, stopGateway } from './harness.js';

let home: string;
let gateway: ChildProcess;
let link: string;
let browser: Browser;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aleph-e2e-sign-in-'));
  let ready: { console: string };
  ({ gateway, ready } = await startConsoleGateway({ ...process.env, ALEPH_HOME: home, NO_COLOR: '1' }));
  link = ready.console;
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopGateway(gateway);
  rmSync(home, { recursive: true, force: true });
});

describe("the console's refusals", () => {
  it('a used sign-in link shows a page in the console’s look that says how to get a new one', async () => {
    const first = await browser.newContext({ colorScheme: 'light' });
    await (await first.newPage()).goto(link);
    await first.close();

    const context = await browser.newContext({ colorScheme: 'light' });
    const page = await context.newPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(403);
    await page.getByRole('heading', { name: 'This sign-in link was already used or has expired.' }).waitFor();
    await page.getByText('aleph console', { exact: true }).waitFor();
    // Its own style applied (the policy allows it by its hash): the console's panel and accent.
    const card = await page.evaluate(
      `(() => { const s = getComputedStyle(document.querySelector('main')); return { accent: s.borderTopColor, panel: s.backgroundColor, font: s.fontFamily }; })()`,
    );
    expect(card).toEqual({ accent: 'rgb(47, 111, 222)', panel: 'rgb(255, 255, 255)', font: expect.stringContaining('system-ui') });

    // Doing what it says signs in.
    const made = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [ALEPH, 'console', '--json'], { env: { ...process.env, ALEPH_HOME: home } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => resolve(out));
    });
    await page.goto((JSON.parse(made) as { link: string }).link);
    await page
      .getByRole('status')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await context.close();
  });

  it('a browser with a session the gateway does not know (from before a restart) is told to sign in again', async () => {
    const context = await browser.newContext();
    await context.addCookies([{ name: 'aleph_console', value: 'from-before-the-restart', url: new URL('/', link).toString() }]);
    const page = await context.newPage();
    const response = await page.goto(new URL('/', link).toString());
    expect(response?.status()).toBe(401);
    await page.getByRole('heading', { name: /not signed in to the console, or the gateway restarted/ }).waitFor();
    await page.getByText('aleph console', { exact: true }).waitFor();
    await context.close();
  });

  it('a program asking for JSON, and the API, get JSON errors', async () => {
    const used = await fetch(link, { headers: { accept: 'application/json' } });
    expect(used.status).toBe(403);
    expect(used.headers.get('content-type')).toBe('application/json');
    expect(await used.json()).toEqual({ error: { code: 'link_used', message: expect.stringContaining('already used') } });
    const api = await fetch(new URL('/api', link));
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
    const refused = await new Promise<{ status: number | undefined; body: string }>((resolve) => {
      const ws = new WebSocket(new URL('/api', link).toString().replace(/^http/, 'ws'), { origin: new URL(link).origin });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.on('open', () => resolve({ status: 101, body: '' }));
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'not_signed_in' } });
  });
});
