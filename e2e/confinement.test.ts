/**
 * Choosing how an allowed command runs, end to end: a real gateway with its console, an agent on
 * its socket, and a real Chromium driven by Playwright on the approval card. The answer the agent
 * gets carries the confinement picked on the card.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayClient, loadConfig, secretBytes } from '@aleph/gateway/requester';
import type { GatewayMessage } from '@aleph/protocol';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, startConsoleGateway, stopGateway } from './harness.js';

let root: string;
let home: string;
let gateway: ChildProcess;
let browser: Browser;
let page: Page;
let agent: GatewayClient;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'aleph-e2e-conf-'));
  home = join(root, 'home');
  let ready: { console: string };
  ({ gateway, ready } = await startConsoleGateway({ ...process.env, ALEPH_HOME: home, NO_COLOR: '1' }, { extraArgs: ['--ask-timeout-ms', '60000'] }));
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  agent = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(config.value));
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
  await page.goto(`${ready.console}#approvals`);
  await page.getByText('All calm').waitFor();
}, 60_000);

afterAll(async () => {
  agent?.close();
  await browser?.close();
  await stopGateway(gateway);
  rmSync(root, { recursive: true, force: true });
});

/** Asks as an agent; the answer comes later. */
function ask(command: string, id: string): Promise<GatewayMessage | null> {
  agent.send({ type: 'approval_request', id, request: { command, cwd: root, agent_id: 'e2e-agent', session_key: 's-1' } });
  return agent.next();
}

describe('the confinement on an approval card', () => {
  it('offers the suggested domains first; picking "+ these domains" after another, the answer carries them', async () => {
    const answer = ask('npm install left-pad', 'r1');
    const card = page.locator('article.approval', { hasText: 'npm install left-pad' });
    await card.waitFor();
    const choice = card.getByRole('group', { name: 'how it runs' });
    const domains = choice.getByRole('radio', { name: 'confined, the network to registry.npmjs.org' });
    expect(await domains.isChecked()).toBe(true);
    await choice.getByRole('radio', { name: 'confined, no network' }).check();
    await domains.check();
    await page.screenshot({ path: join(ARTIFACTS, 'confinement-domains.png'), fullPage: true });
    await card.getByRole('button', { name: /Allow Once/ }).click();
    expect(await answer).toMatchObject({
      type: 'approval_decision',
      id: 'r1',
      decision: 'allow-once',
      confinement: { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } },
    });
    await page.getByText('All calm').waitFor();
  });

  it('shows unconfined in red with a warning, never picked by default, and the key c cycles to it', async () => {
    const answer = ask('npm install is-odd', 'r2');
    const card = page.locator('article.approval', { hasText: 'npm install is-odd' });
    await card.waitFor();
    const unconfined = card.getByRole('radio', { name: 'unconfined' });
    expect(await unconfined.isChecked()).toBe(false);
    expect(await card.getByRole('alert').count()).toBe(0);
    // From the suggestion: the whole network, then unconfined.
    await page.keyboard.press('c');
    await page.keyboard.press('c');
    expect(await unconfined.isChecked()).toBe(true);
    // The console's danger colour (#c0392b), as the browser computes it.
    const red = 'rgb(192, 57, 43)';
    const colorOf = (el: { ownerDocument: { defaultView: { getComputedStyle(e: unknown): { color: string } } | null } }): string =>
      el.ownerDocument.defaultView!.getComputedStyle(el).color;
    expect(await card.locator('label.unconfined').evaluate(colorOf)).toBe(red);
    expect(await card.getByRole('radio', { name: 'confined, no network' }).locator('..').evaluate(colorOf)).not.toBe(red);
    const warning = card.getByRole('alert');
    expect(await warning.textContent()).toMatch(/^Unconfined: .*outside the sandbox/);
    expect(await warning.evaluate(colorOf)).toBe(red);
    await page.screenshot({ path: join(ARTIFACTS, 'confinement-unconfined.png'), fullPage: true });
    await page.keyboard.press('o');
    expect(await answer).toMatchObject({ id: 'r2', decision: 'allow-once', confinement: { kind: 'unconfined' } });
  });

  it('Allow Always remembers the pick, and Policies shows the rule with it', async () => {
    const answer = ask('npm install is-even', 'r3');
    const card = page.locator('article.approval', { hasText: 'npm install is-even' });
    await card.waitFor();
    await card.getByRole('radio', { name: 'confined, the whole network' }).check();
    await card.getByRole('button', { name: /Allow Always/ }).click();
    expect(await answer).toMatchObject({ id: 'r3', decision: 'allow-always', confinement: { kind: 'sandbox', network: { kind: 'allow_all' } } });
    await page.getByRole('button', { name: /Policies/ }).click();
    const rule = page.getByRole('table', { name: 'rules' }).getByRole('row', { name: /rule/ }).filter({ hasText: 'npm install' });
    await expect(rule.textContent()).resolves.toContain('runs confined, the whole network');
    await page.getByRole('button', { name: /Approvals/ }).click();
  });
});
