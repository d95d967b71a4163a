/** What the network endpoint's tests share: a gateway with its endpoint in a fresh home per test, devices paired and connected to it, and its audit events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { newDeviceKeyPair, sign, type DeviceKeyPair } from '@aleph/identity';
import { fromBase64url, pairingMessage, toBase64url } from '@aleph/protocol';
import { afterEach, beforeEach } from 'vitest';
import { GatewayClient } from '../client/socket-client.js';
import { auditFile, loadConfig, secretBytes } from '../config/config.js';
import { RpcClient } from '../client/rpc-client.js';
import { Gateway, type GatewayOptions } from '../gateway.js';

/** The running test's gateway home, and the gateway start() started in it with its network endpoint. */
export let home: string;
export let gateway: Gateway | undefined;
/** What a test opened, closed after it. */
export const clients: { close(): void }[] = [];

/** A fresh home for each test of the calling file; after it, its clients closed, its gateway stopped and the home removed. */
export function useNetworkHome(): void {
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'alnet-')), 'h');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await stop();
    rmSync(join(home, '..'), { recursive: true, force: true });
  });
}

/** Stops the running test's gateway, for a test that starts another or looks at what it left. */
export async function stop(): Promise<void> {
  await gateway?.stop();
  gateway = undefined;
}

export async function start(options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  gateway = await Gateway.start({ home, network: { port: 0 }, ...options });
  return gateway;
}

export async function device(): Promise<RpcClient> {
  const c = await RpcClient.open(gateway!.url!);
  clients.push(c);
  return c;
}

/** The owner, on the Unix socket. */
export async function owner(): Promise<GatewayClient> {
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  const c = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(config.value));
  clients.push(c);
  return c;
}

export function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export const code = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : r.error!.code);

export const request = (command: string) => ({ request: { command, cwd: '/tmp', agent_id: 'phone-agent', session_key: 's1' } });

/** Pairs a new device end to end: request, the owner's approval, the proof; returns its token and keys. */
export async function pair(name = 'Phone'): Promise<{ keys: DeviceKeyPair; token: string; device_id: string }> {
  const keys = newDeviceKeyPair();
  const d = await device();
  const asked = value(await d.call<{ code: string }>('pairing.request', { name, type: 'phone', public_key: toBase64url(keys.publicKey) }));
  value(await (await owner()).call('pairing.approve', { code: asked.code }));
  const approved = await d.notification('pairing_resolved', 30_000);
  const challenge = fromBase64url(approved!.params.challenge as string)!;
  const done = value(
    await d.call<{ token: string; device_id: string }>('pairing.complete', {
      code: asked.code,
      signature: toBase64url(sign(keys.secretKey, pairingMessage(challenge))),
    }),
  );
  d.close();
  return { keys, ...done };
}

export async function connected(token: string, keys: DeviceKeyPair): Promise<RpcClient> {
  const d = await device();
  value(await d.connect(token, keys.secretKey));
  return d;
}

export function events(type: string): Record<string, unknown>[] {
  const store = AuditStore.open(auditFile(home));
  try {
    return store
      .latest(1000)
      .filter((e) => e.event === type)
      .map((e) => ({ ...e.payload, actor: e.actor }));
  } finally {
    store.close();
  }
}
