/**
 * The web console end to end: a real `aleph gateway --headless --console`, real `aleph exec` and
 * `aleph pairing request` processes, and a real Chromium driven by Playwright. Each screen's
 * screenshot is kept in e2e/artifacts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALEPH, ARTIFACTS, CHROMIUM, startConsoleGateway, stopGateway, type Ready } from './harness.js';

let root: string;
let home: string;
let work: string;
let gateway: ChildProcess;
let ready: Ready;
/** What the gateway has written to its standard error (also passed through). */
let gatewayErr = '';
let browser: Browser;
let page: Page;

const env = (aleph = home): NodeJS.ProcessEnv => ({ ...process.env, ALEPH_HOME: aleph, NO_COLOR: '1', ALEPH_AGENT: 'e2e-agent' });

/** Runs `aleph ARGS` to its end: exit code and output. */
function aleph(args: string[], options: { home?: string; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [ALEPH, ...args], { env: env(options.home), cwd: options.cwd ?? work });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Whether the page is no wider than its window: nothing runs off to the side. */
const fitsWidth = (): Promise<boolean> => page.locator('html').evaluate((html) => html.scrollWidth <= html.clientWidth);

/** The number of events the timeline says its search found. */
async function eventCount(): Promise<number> {
  return Number(/^(\d+) events/.exec(await page.locator('.summary').innerText())?.[1]);
}

/** The problems the gateway (run with --json) has reported on its standard error. */
const problems = (): string[] =>
  gatewayErr
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      const m = JSON.parse(line) as { event?: string; message?: string };
      return m.event === 'problem' && m.message !== undefined ? [m.message] : [];
    });

/** `text` as a regular expression that matches it literally. */
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Events brought along from an earlier log: more than the timeline loads at once. */
const IMPORTED = 300;

/** Starts the gateway with its console (on `consolePort`, 0 for any free one) and waits until it is ready. */
async function startGateway(consolePort = '0'): Promise<void> {
  ({ gateway, ready } = await startConsoleGateway(env(), {
    consolePort,
    extraArgs: ['--ask-timeout-ms', '60000'],
    onError: (text) => {
      gatewayErr += text;
      process.stderr.write(text);
    },
  }));
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'aleph-e2e-'));
  home = join(root, 'home');
  work = join(root, 'work');
  mkdirSync(work);
  const log = join(root, 'imported.jsonl');
  writeFileSync(
    log,
    Array.from(
      { length: IMPORTED },
      (_, i) =>
        `${JSON.stringify({
          ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          event: 'terminal_cmd',
          session: 'imported',
          command: `echo imported ${i + 1}`,
          decision: 'allow-once',
        })}\n`,
    ).join(''),
  );
  expect((await aleph(['audit', 'import', '--format', 'jsonl', log])).code).toBe(0);
  await startGateway();
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
  await page.goto(`${ready.console}#approvals`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopGateway(gateway);
  rmSync(root, { recursive: true, force: true });
});

describe('the web console', () => {
  it('signs in with the one-time link, which then no longer works, and shows a calm, empty queue', async () => {
    await page
      .getByRole('status')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await page.getByText('All calm').waitFor();
    expect(page.url()).not.toContain('token=');
    const again = await fetch(ready.console);
    expect(again.status).toBe(403);
    const stranger = await fetch(new URL('/', ready.console));
    expect(stranger.status).toBe(401);
    await shot('approvals-empty');
  });

  it('shows a command with its risk and reasons; Allow Once lets it finish with exit 0', async () => {
    writeFileSync(join(work, 'a'), 'payload\n');
    const run = aleph(['exec', '--', 'cp a b']);
    const card = page.locator('article.approval', { hasText: 'cp a b' });
    await card.waitFor();
    await expect(card.locator('.badge').first().textContent()).resolves.toMatch(/^(low|medium|high|critical) · \d+$/);
    expect(await card.locator('.reasons li').count()).toBeGreaterThan(0);
    await shot('approvals-pending');
    await card.getByRole('button', { name: /Allow Once/ }).click();
    const done = await run;
    expect(done.code).toBe(0);
    expect(existsSync(join(work, 'b'))).toBe(true);
    await page.getByText('All calm').waitFor();
  });

  it('Allow Always makes the next identical command run with no prompt', async () => {
    const first = aleph(['exec', '--', 'cp a c']);
    const card = page.locator('article.approval', { hasText: 'cp a c' });
    await card.waitFor();
    await card.getByRole('button', { name: /Allow Always/ }).click();
    expect((await first).code).toBe(0);
    rmSync(join(work, 'c'));
    const second = await aleph(['exec', '--', 'cp a c']);
    expect(second.code).toBe(0);
    expect(existsSync(join(work, 'c'))).toBe(true);
  });

  it('Deny makes aleph exec exit 126, and the keyboard answers too', async () => {
    const run = aleph(['exec', '--', 'cp a d']);
    await page.locator('article.approval', { hasText: 'cp a d' }).waitFor();
    await page.keyboard.press('d');
    const done = await run;
    expect(done.code).toBe(126);
    expect(done.stderr).toContain('denied');
    expect(existsSync(join(work, 'd'))).toBe(false);
  });

  it('shows each command as it would run: whole, wrapped, with hidden characters and long gaps made visible', async () => {
    const wide = aleph(['exec', '--', `echo hello${' '.repeat(400)}; touch PWNED_WIDE`]);
    const bidi = aleph(['exec', '--', 'echo hi \u202E\u2066; touch PWNED_BIDI \u2069\u2066 #\u2069\u202C']);
    const long = aleph(['exec', '--', `cp a ${'x'.repeat(10_240)}.end`]);
    const cards = page.locator('article.approval');
    await expect.poll(() => cards.count()).toBe(3);
    const wideCard = cards.filter({ hasText: 'PWNED_WIDE' });
    expect(await wideCard.locator('pre.command').innerText()).toBe('echo hello ⟨400 spaces⟩ ; touch PWNED_WIDE');
    // The rule Allow Always would remember says what it holds too.
    expect(await wideCard.getByText('Hidden characters shown:').innerText()).toContain('exact:echo hello ⟨400 spaces⟩ ; touch PWNED_WIDE');
    const bidiText = await cards.filter({ hasText: 'PWNED_BIDI' }).locator('pre.command').innerText();
    expect(bidiText).toBe('echo hi <U+202E><U+2066>; touch PWNED_BIDI <U+2069><U+2066> #<U+2069><U+202C>');
    const longCommand = cards.filter({ hasText: '.end' }).locator('pre.command');
    expect(await longCommand.innerText()).toBe(`cp a ${'x'.repeat(10_240)}.end`);
    for (const command of await cards.locator('pre.command').all()) {
      expect(await command.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    expect(await fitsWidth()).toBe(true);
    await shot('approvals-tricky');
    for (const card of [wideCard, cards.filter({ hasText: 'PWNED_BIDI' })]) await card.getByRole('button', { name: /^Deny/ }).click();
    await cards.filter({ hasText: '.end' }).getByRole('button', { name: /^Deny/ }).click();
    // A notice quoting a long command is cut, visibly, until asked for all of it.
    const notice = page.getByRole('status').filter({ hasText: /^Denied: cp a x/ });
    await expect.poll(() => notice.innerText()).toMatch(/^Denied: cp a x+…\s*Show all \d+ characters$/);
    await notice.getByRole('button', { name: /Show all/ }).click();
    await expect.poll(() => notice.innerText()).toMatch(/^Denied: cp a x{10240}\.end\s*Show less$/);
    await notice.getByRole('button', { name: 'Show less' }).click();
    expect((await Promise.all([wide, bidi, long])).map((r) => r.code)).toEqual([126, 126, 126]);
    expect(existsSync(join(work, 'PWNED_WIDE')) || existsSync(join(work, 'PWNED_BIDI'))).toBe(false);
  });

  it('the keys answer the card holding the focus, never one typed into a field, and a held key answers once', async () => {
    const first = aleph(['exec', '--', 'cp a j']);
    await page.locator('article.approval', { hasText: 'cp a j' }).waitFor();
    const second = aleph(['exec', '--', 'cp a k']);
    const secondCard = page.locator('article.approval', { hasText: 'cp a k' });
    await secondCard.getByRole('button', { name: /Allow Once/ }).focus();
    await page.keyboard.press('d');
    expect((await second).code).toBe(126);
    // `a` picks an option in the list; it does not allow the command always.
    const firstCard = page.locator('article.approval', { hasText: 'cp a j' });
    await firstCard.getByLabel('how long Allow Always lasts').focus();
    await page.keyboard.press('a');
    await firstCard.getByRole('button', { name: /^Deny/ }).click();
    expect((await first).code).toBe(126);

    const third = aleph(['exec', '--', 'cp a l']);
    await page.locator('article.approval', { hasText: 'cp a l' }).waitFor();
    const fourth = aleph(['exec', '--', 'cp a m']);
    await page.locator('article.approval', { hasText: 'cp a m' }).waitFor();
    await page.keyboard.down('d');
    expect((await third).code).toBe(126);
    await page.locator('article.approval.selected', { hasText: 'cp a m' }).waitFor();
    await page.keyboard.down('d'); // held: the key repeats
    await page.keyboard.up('d');
    await page
      .locator('article.approval', { hasText: 'cp a m' })
      .getByRole('button', { name: /Allow Once/ })
      .click();
    expect((await fourth).code).toBe(0);
  });

  it('a mistyped Allow Always rule is refused with the reason, and answers nothing; an edited one is saved as written', async () => {
    const run = aleph(['exec', '--', 'cp a n']);
    const card = page.locator('article.approval', { hasText: 'cp a n' });
    const rule = card.getByRole('textbox', { name: 'Allow Always remembers' });
    expect(await rule.inputValue()).toBe('exact:cp a n');
    await rule.fill('exct:cp a n');
    await card.getByRole('button', { name: /Allow Always/ }).click();
    await card.getByText('Unknown rule kind "exct"').waitFor();
    expect(await rule.getAttribute('aria-invalid')).toBe('true');
    expect(await rule.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await page.getByRole('alert').filter({ hasText: 'Not answered' }).count()).toBe(1);
    await rule.fill('prefix:cp a n');
    await card.getByRole('button', { name: /Allow Always/ }).click();
    expect((await run).code).toBe(0);
    await page.getByRole('status').filter({ hasText: 'Allowed always: cp a n (remembers prefix:cp a n)' }).waitFor();
    const { rules } = JSON.parse((await aleph(['rules', 'list', '--agent', 'e2e-agent', '--json'])).stdout) as { rules: { kind: string; pattern: string }[] };
    expect(rules.filter((r) => r.pattern.startsWith('cp a n'))).toEqual([expect.objectContaining({ kind: 'prefix', pattern: 'cp a n' })]);
  });

  it('shows a pairing code; approving it pairs the device', async () => {
    const device = join(root, 'device');
    const pairing = aleph(['pairing', 'request', '--name', 'e2e-laptop', '--gateway', ready.url, '--json'], { home: device });
    await page.getByRole('button', { name: /Pairing/ }).click();
    const row = page.locator('li', { hasText: 'e2e-laptop' });
    await row.waitFor();
    await shot('pairing');
    await row.getByRole('button', { name: 'Approve' }).click();
    const done = await pairing;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('"event":"paired"');
    await page.locator('li', { hasText: 'e2e-laptop' }).getByRole('button', { name: 'Revoke' }).waitFor();
  });

  it('finds an executed command by searching the timeline, with its detail', async () => {
    await page.getByRole('button', { name: /Audit timeline/ }).click();
    await page.getByLabel('search the timeline').fill('cp a d');
    const row = page.locator('.event-row', { hasText: 'cp a d' }).first();
    await row.waitFor();
    await row.click();
    await page.getByLabel('event detail').waitFor();
    expect(await page.getByLabel('event detail').textContent()).toContain('cp a d');
    await page.getByRole('button', { name: 'close' }).click();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText(/chain intact over \d+ events/).waitFor();
    await shot('timeline');
  });

  it('exports the whole result of a search, not only the rows loaded so far', async () => {
    await page.getByLabel('search the timeline').fill('');
    await page.getByText(/^\d+ events, 200 loaded/).waitFor();
    const total = await eventCount();
    expect(total).toBeGreaterThan(IMPORTED);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const saved = join(root, 'audit.jsonl');
    await download.saveAs(saved);
    const lines = readFileSync(saved, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; command?: string });
    expect(lines).toHaveLength(total);
    // Oldest first, as `aleph audit export` writes them.
    expect(lines[0]).toMatchObject({ event: 'terminal_cmd', command: 'echo imported 1' });
    await page.getByText(`Exported ${total} events to aleph-audit.jsonl`).waitFor();
  });

  it('is live: new events join the top while the rows being read stay in place', async () => {
    const list = page.getByRole('list', { name: 'audit events' });
    await list.evaluate((el) => el.scrollTo({ top: 36 * 40 }));
    const rowAt = () =>
      list.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return el.ownerDocument.elementFromPoint(box.left + 40, box.top + 60)?.closest('.event-row')?.textContent;
      });
    await expect.poll(() => list.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    const reading = await rowAt();
    const before = await eventCount();
    expect((await aleph(['exec', '--', 'echo live-timeline'])).code).toBe(0);
    await expect.poll(eventCount).toBeGreaterThan(before);
    expect(await rowAt()).toBe(reading);
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.locator('.event-row', { hasText: 'echo live-timeline' }).first().waitFor();
  });

  it('the detail panel takes the focus, closes on Escape, and gives the focus back to its row', async () => {
    const row = page.locator('.event-row', { hasText: 'echo live-timeline' }).first();
    await row.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'event detail' });
    await panel.waitFor();
    expect(await panel.evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await row.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  });

  it('a grant for 15 minutes shows in Policies with its time left, and goes when deleted', async () => {
    await page.getByRole('button', { name: /Approvals/ }).click();
    const run = aleph(['exec', '--', 'cp a e']);
    const card = page.locator('article.approval', { hasText: 'cp a e' });
    await card.waitFor();
    await card.getByLabel('how long Allow Always lasts').selectOption({ label: 'for 15 min' });
    await card.getByRole('button', { name: /Allow Always/ }).click();
    expect((await run).code).toBe(0);
    await page.getByRole('button', { name: /Policies/ }).click();
    const grant = page.getByRole('table', { name: 'timed grants' }).getByRole('row', { name: /rule/ });
    await expect(grant.textContent()).resolves.toMatch(/cp a e.*e2e-agent.*1[45]:\d\d left/);
    // The Allow Always from before is a standing rule, from an approval.
    await expect(page.getByRole('table', { name: 'rules' }).textContent()).resolves.toContain('cp a c');
    await grant.getByRole('button', { name: /delete rule/ }).click();
    await page.getByText('No grant is running.').waitFor();
  });

  it('manages rules: a deny rule added here refuses with its message; export, delete, import brings it back', async () => {
    const form = page.getByRole('form', { name: 'add a rule' });
    await form.getByLabel('Agent').fill('e2e-agent');
    await form.getByLabel('Action').selectOption('deny');
    await form.getByLabel('Pattern').fill('mv *');
    await form.getByLabel('Message to the agent').fill('Moving files is for people.');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rules = page.getByRole('table', { name: 'rules' });
    await rules.getByText('prefix:mv *').waitFor();
    const refused = await aleph(['exec', '--', 'mv a z']);
    expect(refused.code).toBe(126);
    expect(refused.stderr).toContain('Moving files is for people.');
    await page.getByLabel('search rules').fill('mv');
    expect(await rules.getByRole('row', { name: /rule/ }).count()).toBe(1);
    await shot('policies');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const exported = join(root, 'rules.json');
    await download.saveAs(exported);
    await rules.getByRole('button', { name: /delete rule prefix:mv/ }).click();
    await page.getByText('No rule matches.').waitFor();
    await page.getByLabel('rules file').setInputFiles(exported);
    await page.getByText(/Imported \d+ rules from rules\.json/).waitFor();
    await expect(rules.getByRole('row', { name: /rule/ }).textContent()).resolves.toMatch(/prefix:mv \*.*import/);

    writeFileSync(join(root, 'broken.json'), '{ "rules": [ { "agent": "x" ');
    await page.getByLabel('rules file').setInputFiles(join(root, 'broken.json'));
    await page.getByText('broken.json is not JSON').waitFor();
  });

  it('keeps a 10 KB rule, a long notice and a narrow window inside the page', async () => {
    // Allow Always on a 10 KB command remembers it whole (a rule added by hand is shorter).
    await page.getByRole('button', { name: /Approvals/ }).click();
    const run = aleph(['exec', '--', `cp a ${'y'.repeat(10_240)}`]);
    await page
      .locator('article.approval')
      .getByRole('button', { name: /Allow Always/ })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Allowed always: cp a y+…/ })
      .waitFor();
    await run;
    await page.getByRole('button', { name: /Policies/ }).click();
    await page.getByLabel('search rules').fill('');
    const rules = page.getByRole('table', { name: 'rules' });
    for (const remove of await rules.getByRole('button', { name: /delete rule/ }).all()) {
      const box = (await remove.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1200);
    }
    expect(await fitsWidth()).toBe(true);
    await shot('policies-long-rule');
    await page.setViewportSize({ width: 375, height: 812 });
    try {
      for (const tab of ['Approvals', 'Pairing', 'Audit timeline', 'Policies']) {
        await page
          .getByRole('navigation')
          .getByRole('button', { name: new RegExp(tab) })
          .click();
        expect(await fitsWidth(), tab).toBe(true);
      }
      await shot('policies-narrow');
    } finally {
      await page.setViewportSize({ width: 1200, height: 800 });
    }
    await rules.getByRole('button', { name: /delete rule exact:cp a y/ }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Deleted allow exact:cp a y+…/ })
      .waitFor();
  });

  it("sets an agent's mode", async () => {
    await page.getByLabel('mode of e2e-agent').selectOption('dev');
    await page.getByText('e2e-agent: dev').waitFor();
    const shown = await aleph(['mode', 'show', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ agents: { 'e2e-agent': 'dev' } });
    // Back to safe: the tests after this one expect cp to ask.
    await page.getByLabel('mode of e2e-agent').selectOption('safe');
    await page.getByText('e2e-agent: safe').waitFor();
  });

  it('says at once when the configuration file stops parsing, refuses changes and leaves the file as it is; fixed, it takes it up', async () => {
    const file = join(home, 'exec-approvals.json');
    const good = readFileSync(file);
    // Half-way through an edit: a comma too many.
    const broken = Buffer.from(good.toString('utf8').replace(/\}\s*$/, ',\n}\n'));
    writeFileSync(file, broken);
    try {
      await configRefused(file, broken);
    } finally {
      writeFileSync(file, good);
    }
    const banner = page.getByRole('alert').filter({ hasText: 'The configuration cannot be used' });
    await banner.waitFor({ state: 'detached' });
    await expect.poll(problems).toContain(`${file} parses again; the gateway runs on it and accepts changes.`);
    await page.getByLabel('mode of e2e-agent').selectOption('dev');
    await page.getByText('e2e-agent: dev').waitFor();
    await page.getByLabel('mode of e2e-agent').selectOption('safe');
    await page.getByText('e2e-agent: safe').waitFor();
  });

  /** With `broken` in the configuration file: the banner, stderr and the audit log say so; changes are refused; the file stays as it is. */
  async function configRefused(file: string, broken: Buffer): Promise<void> {
    const banner = page.getByRole('alert').filter({ hasText: 'The configuration cannot be used' });
    await banner.waitFor();
    expect(await banner.innerText()).toContain(`${file} is not valid JSON`);
    await expect
      .poll(problems)
      .toContainEqual(expect.stringMatching(new RegExp(`^${literally(file)} is not valid JSON .* every change is refused until the file parses again\\.$`)));
    const logged = JSON.parse((await aleph(['audit', 'search', '--event', 'config_invalid', '--json'])).stdout) as {
      rows: { payload: Record<string, unknown> }[];
    };
    expect(logged.rows.map((r) => [r.payload.file, r.payload.reason_code])).toEqual([[file, 'config_invalid']]);

    // A change made here is refused, saying why; so is one made with the CLI.
    await page.getByLabel('mode of e2e-agent').selectOption('dev');
    await page
      .getByRole('alert')
      .filter({ hasText: `Nothing was changed: ${file} is not valid JSON` })
      .waitFor();
    expect(await page.getByLabel('mode of e2e-agent').inputValue()).toBe('safe');
    await shot('config-invalid');
    const cli = await aleph(['mode', 'set', 'dev', '--agent', 'e2e-agent', '--json']);
    expect(JSON.parse(cli.stdout)).toMatchObject({ error: { code: 'config_invalid' } });
    expect(readFileSync(file).equals(broken)).toBe(true);
  }

  it('invites a guest, shows the invitation once, and revokes the guest', async () => {
    await page.getByRole('button', { name: /Pairing/ }).click();
    const form = page.getByRole('form', { name: 'invite a guest' });
    await form.getByLabel('Name').fill('Ada');
    await form.getByLabel(/Tools/).fill('web_search, read_file');
    await form.getByRole('button', { name: 'Invite' }).click();
    await expect(page.getByLabel('invitation').locator('.invitation code').textContent()).resolves.toMatch(/^\S{20,}$/);
    const guest = page.getByRole('listitem', { name: 'guest Ada' });
    await expect(guest.textContent()).resolves.toContain('invited, not yet accepted');
    await shot('guests');
    await guest.getByRole('button', { name: 'Revoke' }).click();
    await guest.getByText(/revoked/).waitFor();
    const listed = await aleph(['guests', 'list', '--json']);
    expect(JSON.parse(listed.stdout).guests[0]).toMatchObject({ name: 'Ada', allowed_tools: ['web_search', 'read_file'] });
  });

  it('follows a dark system theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: /Approvals/ }).click();
    const run = aleph(['exec', '--', 'cp a f']);
    await page.locator('article.approval', { hasText: 'cp a f' }).waitFor();
    const background = await page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(background).toBe('rgb(21, 24, 28)');
    await shot('approvals-dark');
    await page.keyboard.press('d');
    expect((await run).code).toBe(126);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it("the desktop app's prompt window shows one approval; answered there or elsewhere, it says so", async () => {
    await page.getByRole('button', { name: /Approvals/ }).click();
    const origin = new URL(ready.console).origin;
    // The app's prompt windows share its session: the same cookie, in a window of their own.
    const context = await browser.newContext({ viewport: { width: 440, height: 330 } });
    await context.addCookies(await page.context().cookies());
    const prompt = await context.newPage();
    try {
      const first = aleph(['exec', '--', 'cp a g']);
      const id = await page.locator('article.approval', { hasText: 'cp a g' }).getAttribute('data-approval');
      await prompt.goto(`${origin}/#prompt=${id}`);
      await prompt.locator('article.approval', { hasText: 'cp a g' }).waitFor();
      await prompt.screenshot({ path: join(ARTIFACTS, 'prompt.png') });
      await prompt.getByRole('button', { name: /Allow Once/ }).click();
      expect((await first).code).toBe(0);
      await prompt.getByText('Answered.').waitFor();

      const second = aleph(['exec', '--', 'cp a h']);
      const other = await page.locator('article.approval', { hasText: 'cp a h' }).getAttribute('data-approval');
      const third = aleph(['exec', '--', 'cp a i']);
      await page.locator('article.approval', { hasText: 'cp a i' }).waitFor();
      const next = await context.newPage();
      await next.goto(`${origin}/#prompt=${other}`);
      await next.locator('article.approval', { hasText: 'cp a h' }).waitFor();
      // A prompt says what else waits, and stays on its own request.
      await next.getByText('1 more waiting').waitFor();
      expect(await next.locator('article.approval').count()).toBe(1);
      await page.locator('article.approval', { hasText: 'cp a h' }).getByRole('button', { name: 'Deny' }).click();
      expect((await second).code).toBe(126);
      await next.getByText('Answered.').waitFor();
      await page.locator('article.approval', { hasText: 'cp a i' }).getByRole('button', { name: 'Deny' }).click();
      expect((await third).code).toBe(126);
    } finally {
      await context.close();
    }
  });

  it('refuses a WebSocket from another origin, and a page under another host name', async () => {
    const api = ready.console.replace(/^http/, 'ws').replace(/\/login.*$/, '/api');
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(api, { origin: 'http://evil.example' });
      ws.on('open', () => resolve('open'));
      ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      ws.on('error', () => resolve('error'));
    });
    expect(refused).toBe('refused 403');
    const rebound = await new Promise<number | undefined>((resolve) => {
      request(new URL('/', ready.console), { headers: { host: 'evil.example' } }, (res) => resolve(res.statusCode)).end();
    });
    expect(rebound).toBe(421);
  });

  it('a gateway that stops takes its requests off the page; restarted, it asks for the new sign-in link', async () => {
    await page.getByRole('button', { name: /Approvals/ }).click();
    const run = aleph(['exec', '--', 'cp a q']);
    await page.locator('article.approval', { hasText: 'cp a q' }).waitFor();
    gateway.kill('SIGKILL');
    await new Promise((r) => gateway.on('exit', r));
    expect((await run).code).not.toBe(0);
    await page.getByText('Not connected to the gateway').waitFor();
    expect(await page.locator('article.approval').count()).toBe(0);
    await page.getByRole('alert').filter({ hasText: 'Reconnecting…' }).waitFor();

    await startGateway(new URL(ready.console).port);
    await page.getByRole('alert').filter({ hasText: 'Signed out' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Reconnecting…' }).count()).toBe(0);
    await shot('signed-out');
    await page.goto(`${ready.console}#approvals`);
    await page.getByText('All calm').waitFor();
  });
});
