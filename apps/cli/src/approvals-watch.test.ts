/**
 * `aleph approvals watch` and the confinement of a shell command: shown before it is allowed,
 * cycled with c, and carried by the answer the agent gets. A real gateway, a real agent client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import type { GatewayMessage } from '@aleph/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();
let gateway: ChildProcess | undefined;
let agent: GatewayClient | undefined;

afterEach(async () => {
  agent?.close();
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
});

const env = (): NodeJS.ProcessEnv => ({ ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' });

async function start(): Promise<GatewayClient> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => gateway!.stdout!.once('data', resolve));
  const config = loadConfig(home(), false);
  if (!config.ok) throw new Error(config.error.message);
  agent = await GatewayClient.connect(join(home(), 'exec-approvals.sock'), secretBytes(config.value));
  return agent;
}

const ask = (client: GatewayClient, command: string, id: string): void =>
  client.send({ type: 'approval_request', id, request: { command, cwd: tmpdir(), agent_id: 'test-agent', session_key: 's' } });

const decision = (client: GatewayClient): Promise<GatewayMessage | null> =>
  client.waitFor((m): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision', 10_000);

describe('approvals watch and the confinement', () => {
  it('shows the suggestion, allows with it, and c cycles to unconfined (shown as such) before allowing', async () => {
    const client = await start();
    const watch = spawn(process.execPath, [ALEPH_BIN, 'approvals', 'watch'], { env: env(), stdio: ['pipe', 'pipe', 'inherit'] });
    let screen = '';
    watch.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    const shown = (text: string): Promise<void> => expect.poll(() => screen.includes(text), { message: `never saw ${JSON.stringify(text)}` }).toBe(true);
    await shown('Watching for approvals');

    ask(client, 'npm install left-pad', 'r1');
    await shown('runs: confined, the network to registry.npmjs.org');
    watch.stdin.write('o\n');
    expect(await decision(client)).toMatchObject({
      id: 'r1',
      decision: 'allow-once',
      confinement: { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } },
    });
    await shown('allow-once, confined, the network to registry.npmjs.org');

    ask(client, 'npm install is-odd', 'r2');
    await shown('$ npm install is-odd');
    watch.stdin.write('c\n');
    await shown('runs: confined, the whole network');
    watch.stdin.write('c\n');
    await shown('runs: UNCONFINED');
    watch.stdin.write('o\n');
    expect(await decision(client)).toMatchObject({ id: 'r2', decision: 'allow-once', confinement: { kind: 'unconfined' } });

    // Allow Always remembers the pick, and the rule says so.
    ask(client, 'npm install is-even', 'r3');
    await shown('$ npm install is-even');
    watch.stdin.write('c\n');
    await expect.poll(() => screen.split('runs: confined, the whole network').length).toBe(3);
    watch.stdin.write('a\n');
    expect(await decision(client)).toMatchObject({ id: 'r3', decision: 'allow-always', confinement: { kind: 'sandbox', network: { kind: 'allow_all' } } });
    expect(aleph(['rules', 'list']).stdout).toContain('runs confined, the whole network');
    watch.stdin.end();
    await new Promise((r) => watch.on('exit', r));
    expect(watch.exitCode).toBe(0);
  }, 20_000);

  it('approvals list shows the suggestion; allow --network and --unconfined choose another; bad ones are refused before anything is sent', async () => {
    const client = await start();
    ask(client, 'npm install left-pad', 'r1');
    let id = '';
    await expect
      .poll(() => (id = (JSON.parse(aleph(['approvals', 'list', '--json']).stdout) as { pending: { id: string }[] }).pending[0]?.id ?? ''))
      .not.toBe('');
    expect(aleph(['approvals', 'list']).stdout).toContain('suggested: runs confined, the network to registry.npmjs.org');
    for (const [args, message] of [
      [['--network', '1.2.3.4'], '--network takes none, all, or domain names'],
      [['--network', 'all', '--unconfined'], 'one of --network and --unconfined'],
    ] as const) {
      const refused = aleph(['approvals', 'allow', id, ...args]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(message);
    }
    expect(aleph(['approvals', 'deny', id, '--unconfined']).stderr).toContain('--network and --unconfined go with allow');
    expect(aleph(['approvals', 'allow', id, '--network', 'registry.npmjs.org,Mirror.Example.org']).stdout).toContain(
      'the network to registry.npmjs.org, mirror.example.org',
    );
    expect(await decision(client)).toMatchObject({
      id: 'r1',
      confinement: { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org', 'mirror.example.org'] } },
    });
    ask(client, 'npm install is-odd', 'r2');
    await expect
      .poll(() => (id = (JSON.parse(aleph(['approvals', 'list', '--json']).stdout) as { pending: { id: string }[] }).pending[0]?.id ?? ''))
      .not.toBe('');
    expect(aleph(['approvals', 'allow', id, '--unconfined']).stdout).toContain('unconfined');
    expect(await decision(client)).toMatchObject({ id: 'r2', confinement: { kind: 'unconfined' } });
  }, 20_000);
});
