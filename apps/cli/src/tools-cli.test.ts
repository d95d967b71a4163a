import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();
let gateway: ChildProcess | undefined;

afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
  rmSync(`${home()}-project`, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' });

describe('aleph tools run', () => {
  it("takes aleph sandbox run's --project-root, and the approver sees the path ${PROJECT_ROOT} stands for", async () => {
    gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => gateway!.stdout!.once('data', resolve));
    // Beside $ALEPH_HOME: a path inside it is no run's to be granted.
    const project = `${home()}-project`;
    const workspace = join(project, 'src');
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(project, 'README'), 'the project\n');

    const child = spawn(
      process.execPath,
      [ALEPH_BIN, 'tools', 'run', 'reader', '--preset', 'code_analyzer', '--workspace', workspace, '--project-root', project, '--', 'cat', '../README'],
      { env: env() },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));

    let pending: { id: string; tool: { directories: unknown } } | undefined;
    await expect
      .poll(() => (pending = (JSON.parse(aleph(['approvals', 'list', '--json']).stdout) as { pending: (typeof pending)[] }).pending[0]))
      .toBeDefined();
    expect(pending!.tool.directories).toEqual({ WORKSPACE: workspace, PROJECT_ROOT: project });
    expect(aleph(['approvals', 'list']).stdout).toContain(`read \${PROJECT_ROOT} (${project})`);

    expect(aleph(['approvals', 'allow', pending!.id]).code).toBe(0);
    expect(await ended).toBe(0);
    expect(stdout).toBe('the project\n');
  });
});
