/** What the gateway's tests share: a fresh home per test, the gateway started in it, and clients of its socket. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExecRequest, type GatewayMessage } from '@aleph/protocol';
import { afterEach, beforeEach } from 'vitest';
import { GatewayClient } from './client/socket-client.js';
import { loadConfig, secretBytes } from './config/config.js';
import { Gateway } from './gateway.js';

/** The running test's gateway home. */
export let home: string;
/** The gateway start() started in it, stopped after each test. */
let gateway: Gateway | undefined;

/** A fresh home for each test of the calling file, and its gateway stopped and removed after it. */
export function useGatewayHome(): void {
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'algw-')), 'h');
  });
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    rmSync(join(home, '..'), { recursive: true, force: true });
  });
}

/** Stops the running test's gateway, for a test that looks at what it left or starts another. */
export async function stop(): Promise<void> {
  await gateway?.stop();
  gateway = undefined;
}

export async function start(options: Partial<Parameters<typeof Gateway.start>[0]> = {}): Promise<Gateway> {
  gateway = await Gateway.start({ home, ...options });
  return gateway;
}

export function secret(): Buffer {
  const c = loadConfig(home, false);
  if (!c.ok) throw new Error(c.error.message);
  return secretBytes(c.value);
}

export const client = (): Promise<GatewayClient> => GatewayClient.connect(join(home, 'exec-approvals.sock'), secret());

export const request = (command: string, agent = 'agent-1'): ExecRequest => ({ command, cwd: '/home/user/project', agent_id: agent, session_key: 'session-1' });

export const is =
  <T extends GatewayMessage['type']>(type: T) =>
  (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> =>
    m.type === type;

/**
 * A raw socket that reads lines, for talking to the gateway without the client's manners.
 * `lines(n)` waits until n lines have come, or the connection closed, and gives every line so far.
 */
export function raw(): Promise<{ send: (text: string) => void; lines: (count: number) => Promise<Record<string, unknown>[]>; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const s = connect(join(home, 'exec-approvals.sock'));
    let buffered = '';
    let ended = false;
    const parsed = () =>
      buffered
        .split('\n')
        .slice(0, -1)
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of waiters) w();
    };
    const closed = new Promise<void>((done) =>
      s.on('close', () => {
        ended = true;
        wake();
        done();
      }),
    );
    s.on('data', (d) => {
      buffered += d.toString();
      wake();
    });
    s.on('connect', () =>
      resolve({
        send: (text) => s.write(text),
        lines: (count) =>
          new Promise((done) => {
            const check = () => {
              if (parsed().length < count && !ended) return;
              waiters.delete(check);
              done(parsed());
            };
            waiters.add(check);
            check();
          }),
        closed,
      }),
    );
  });
}
