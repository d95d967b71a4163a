import { spawn, type ChildProcess } from 'node:child_process';
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
});

describe('aleph console', () => {
  it('says when no gateway runs, and when the running one serves no console', async () => {
    expect(aleph(['console']).code).toBe(2);
    gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], {
      env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => gateway!.stdout!.once('data', resolve));
    const r = aleph(['console', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'console_off', message: 'This gateway serves no web console; start it with --console.' } });
  });
});
