/**
 * A tool's run waiting in the web console, in a real Chromium: the card says where each grant's
 * `${WORKSPACE}` and `${PROJECT_ROOT}` lead in this run, and Allow Once lets it run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALEPH, CHROMIUM, startConsoleGateway, stopGateway } from './harness.js';

let root: string;
let gateway: ChildProcess;
let link: string;
let browser: Browser;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, ALEPH_HOME: join(root, 'home'), NO_COLOR: '1' });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aleph-e2e-tool-'));
  let ready: { console: string };
  ({ gateway, ready } = await startConsoleGateway(env()));
  link = ready.console;
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopGateway(gateway);
  rmSync(root, { recursive: true, force: true });
});

describe("a tool's run in the console", () => {
  it('shows the path ${PROJECT_ROOT} stands for beside its grant, and runs once allowed', async () => {
    const page = await browser.newPage();
    await page.goto(`${link}#approvals`);
    await page.getByText('All calm').waitFor();

    const project = join(root, 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'README'), 'the project\n');
    const tool = spawn(
      process.execPath,
      [ALEPH, 'tools', 'run', 'reader', '--preset', 'code_analyzer', '--workspace', join(project, 'src'), '--project-root', project, '--', 'cat', '../README'],
      { env: env() },
    );
    let stdout = '';
    tool.stdout.on('data', (d) => (stdout += d));
    const ended = new Promise<number | null>((resolve) => tool.on('exit', resolve));

    const card = page.locator('article.approval', { hasText: 'reader' });
    await card.getByText(`read \${PROJECT_ROOT} (${project})`, { exact: true }).waitFor();
    await card.getByRole('button', { name: /Allow Once/ }).click();
    expect(await ended).toBe(0);
    expect(stdout).toBe('the project\n');
  });
});
