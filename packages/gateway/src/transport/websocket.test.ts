import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { newDeviceKeyPair, sign, type DeviceKeyPair } from '@aleph/identity';
import { connectMessage, fromBase64url, pairingMessage, toBase64url, type GatewayMessage } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { GatewayClient } from '../client/socket-client.js';
import { auditFile, loadConfig, saveConfig, secretBytes } from '../config/config.js';
import { CLOSE_CODES } from './websocket.js';
import { RpcClient } from '../client/rpc-client.js';
import { DEFAULT_LIMITS, Gateway, type GatewayOptions } from '../gateway.js';

let home: string;
let gateway: Gateway | undefined;
const clients: { close(): void }[] = [];

beforeEach(() => {
  home = join(mkdtempSync(join(tmpdir(), 'alnet-')), 'h');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gateway?.stop();
  gateway = undefined;
  rmSync(join(home, '..'), { recursive: true, force: true });
});

async function start(options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  gateway = await Gateway.start({ home, network: { port: 0 }, ...options });
  return gateway;
}

async function device(): Promise<RpcClient> {
  const c = await RpcClient.open(gateway!.url!);
  clients.push(c);
  return c;
}

/** The owner, on the Unix socket. */
async function owner(): Promise<GatewayClient> {
  const config = loadConfig(home, false);
  if (!config.ok) throw new Error(config.error.message);
  const c = await GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(config.value));
  clients.push(c);
  return c;
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const code = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : r.error!.code);

const request = (command: string) => ({ request: { command, cwd: '/tmp', agent_id: 'phone-agent', session_key: 's1' } });

/** Pairs a new device end to end: request, the owner's approval, the proof; returns its token and keys. */
async function pair(name = 'Phone'): Promise<{ keys: DeviceKeyPair; token: string; device_id: string }> {
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

async function connected(token: string, keys: DeviceKeyPair): Promise<RpcClient> {
  const d = await device();
  value(await d.connect(token, keys.secretKey));
  return d;
}

function events(type: string): Record<string, unknown>[] {
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

describe('device pairing over the network endpoint', () => {
  it('goes request -> owner notified -> approve -> proof -> token -> session, and the code works once', async () => {
    await start();
    const o = await owner();
    o.send({ type: 'subscribe' });
    const keys = newDeviceKeyPair();
    const d = await device();
    const asked = value(
      await d.call<{ code: string; fingerprint: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(keys.publicKey) }),
    );
    expect(asked.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const notified = await o.waitFor((m): m is Extract<GatewayMessage, { type: 'pairing_pending' }> => m.type === 'pairing_pending', 5000);
    expect(notified?.pairing).toMatchObject({ code: asked.code, name: 'Phone', type: 'phone', fingerprint: asked.fingerprint, approved: false });
    expect(value(await o.call<{ pending: unknown[] }>('pairing.list')).pending).toHaveLength(1);
    // Before the owner approves there is nothing to prove.
    expect(code(await d.call('pairing.complete', { code: asked.code, signature: toBase64url(new Uint8Array(64)) }))).toBe('not_approved');

    value(await o.call('pairing.approve', { code: asked.code.toLowerCase() }));
    const approved = await d.notification('pairing_resolved', 30_000);
    expect(approved?.params).toMatchObject({ code: asked.code, outcome: 'approved' });
    const proof = toBase64url(sign(keys.secretKey, pairingMessage(fromBase64url(approved!.params.challenge as string)!)));
    const done = value(await d.call<{ token: string; device_id: string; fingerprint: string }>('pairing.complete', { code: asked.code, signature: proof }));
    expect(done.fingerprint).toBe(asked.fingerprint);
    expect(code(await d.call('pairing.complete', { code: asked.code, signature: proof }))).toBe('unknown_code');

    const session = await connected(done.token, keys);
    const decision = value(await session.call<{ decision: string }>('exec.request', request('ls -la')));
    expect(decision.decision).toBe('allow-once');
    const devices = value(await o.call<{ devices: { id: string; name: string; last_seen_at: string | null }[] }>('devices.list')).devices;
    expect(devices).toEqual([expect.objectContaining({ id: done.device_id, name: 'Phone', last_seen_at: expect.any(String) })]);
    expect(events('device_paired')).toEqual([expect.objectContaining({ device_id: done.device_id, fingerprint: asked.fingerprint })]);
    // The audit log never holds the code itself, not even in the failed proofs of the device that asked.
    expect(events('auth_failed').map((e) => e.reason_code)).toEqual(['not_approved', 'unknown_code']);
    const store = AuditStore.open(auditFile(home));
    expect(JSON.stringify(store.latest(1000))).not.toContain(asked.code);
    store.close();
  });

  it('keeps an approver past the idle timeout while it answers pings, and closes one that stops', async () => {
    await start({ limits: { idleTimeoutMs: 150 } });
    const { token, keys } = await pair();
    const idle = await connected(token, keys);
    const approver = await connected(token, keys);
    value(await approver.call('approvals.subscribe'));
    expect(await idle.closed()).toMatchObject({ code: CLOSE_CODES.IDLE });
    await new Promise((r) => setTimeout(r, 600));
    expect(code(await approver.call('pairing.list'))).toBe('ok');

    // A frozen approver reads nothing, so answers no ping: it is closed, and told why.
    // (The client's socket is private; pausing it is what a hung process looks like.)
    const socket = (approver as unknown as { socket: WebSocket }).socket;
    socket.pause();
    await new Promise((r) => setTimeout(r, 600));
    socket.resume();
    expect((await approver.notification('session_ended', 30_000))?.params).toEqual({ reason: 'No answer to a ping within 150 ms.' });
  });

  it('a rejected request tells the device, and its code is gone', async () => {
    await start();
    const d = await device();
    const asked = value(
      await d.call<{ code: string }>('pairing.request', { name: 'Tablet', type: 'tablet', public_key: toBase64url(newDeviceKeyPair().publicKey) }),
    );
    value(await (await owner()).call('pairing.reject', { code: asked.code }));
    expect((await d.notification('pairing_resolved', 30_000))?.params).toEqual({ code: asked.code, outcome: 'rejected' });
    expect(code(await d.call('pairing.status', { code: asked.code }))).toBe('unknown_code');
  });

  it('an expired code cannot be approved or completed', async () => {
    await start({ pairing: { ttlMs: 300 } });
    const d = await device();
    const asked = value(
      await d.call<{ code: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(newDeviceKeyPair().publicKey) }),
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(code(await (await owner()).call('pairing.approve', { code: asked.code }))).toBe('unknown_code');
    expect(code(await d.call('pairing.status', { code: asked.code }))).toBe('unknown_code');
  });

  it('one local process guessing codes slows guessing for everyone but locks no device out of its own pairing; a peer has at most two requests waiting', async () => {
    await start({ pairing: { codeAttemptsPerMinute: 5 } });
    const o = await owner();
    const keys = newDeviceKeyPair();
    const phone = await device();
    const asked = value(await phone.call<{ code: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(keys.publicKey) }));
    // Another process on this machine (the same address) guesses, and keeps guessing.
    const guesser = await device();
    const results: string[] = [];
    for (const guess of ['AAAAAAAA', 'BBBBBBBB', 'CCCCCCCC', 'DDDDDDDD', 'EEEEEEEE', 'FFFFFFFF', 'GGGGGGGG'])
      results.push(code(await guesser.call('pairing.status', { code: guess })));
    expect(results).toEqual(['unknown_code', 'unknown_code', 'unknown_code', 'unknown_code', 'unknown_code', 'rate_limited', 'rate_limited']);
    // Past the budget even the right code is refused to it: a guess learns nothing.
    expect(code(await guesser.call('pairing.status', { code: asked.code }))).toBe('rate_limited');
    expect(events('auth_failed').length).toBeGreaterThanOrEqual(8);

    // The phone, on the session that asked, goes on and pairs.
    expect(value(await phone.call('pairing.status', { code: asked.code }))).toMatchObject({ approved: false });
    value(await o.call('pairing.approve', { code: asked.code }));
    const challenge = fromBase64url((await phone.notification('pairing_resolved', 30_000))!.params.challenge as string)!;
    const done = value(
      await phone.call<{ token: string }>('pairing.complete', { code: asked.code, signature: toBase64url(sign(keys.secretKey, pairingMessage(challenge))) }),
    );
    expect(code(await (await device()).connect(done.token, keys.secretKey))).toBe('ok');

    const more: string[] = [];
    for (let i = 0; i < 5; i++)
      more.push(code(await guesser.call('pairing.request', { name: `P${i}`, type: 'phone', public_key: toBase64url(newDeviceKeyPair().publicKey) })));
    expect(more).toEqual(['ok', 'ok', 'too_many_pending', 'too_many_pending', 'too_many_pending']);
  });

  it('answers a peer that keeps calling what it may not, but records only its first 20 refusals a minute', async () => {
    await start();
    const d = await device();
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(code(await d.call('devices.list')));
    for (let i = 0; i < 40; i++) answers.push(code(await d.call('pairing.status', { code: 'AAAAAAAA' })));
    expect(new Set(answers)).toEqual(new Set(['owner_only', 'unknown_code', 'rate_limited']));
    const denied = events('policy_denied');
    expect(denied).toHaveLength(20);
    expect(denied[0]).toMatchObject({ reason_code: 'owner_only', peer: 'loopback' });
    expect(denied.filter((e) => String(e.reason).endsWith('(further refusals of this peer within the minute are not recorded)'))).toHaveLength(1);
    expect(events('auth_failed')).toEqual([]);
  });

  it('counts every loopback address as one peer: another address earns no more pairing requests nor recorded refusals', async () => {
    const g = await start();
    const from = async (address: string): Promise<RpcClient> => {
      const c = await RpcClient.open(g.url!, 5_000, address);
      clients.push(c);
      return c;
    };
    const asked: string[] = [];
    for (const address of ['127.0.0.1', '127.0.0.2', '127.9.9.9']) {
      const d = await from(address);
      for (let i = 0; i < 2; i++)
        asked.push(code(await d.call('pairing.request', { name: `P${i}`, type: 'phone', public_key: toBase64url(newDeviceKeyPair().publicKey) })));
    }
    expect(asked).toEqual(['ok', 'ok', 'too_many_pending', 'too_many_pending', 'too_many_pending', 'too_many_pending']);
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      const d = await from(address);
      for (let i = 0; i < 10; i++) expect(code(await d.call('devices.list'))).toBe('owner_only');
    }
    expect(events('policy_denied')).toHaveLength(20);
    expect(new Set(events('policy_denied').map((e) => e.peer))).toEqual(new Set(['loopback']));
  });

  it('keeps no identity change the audit log cannot record: a pairing, an invitation and a revocation are taken back', async () => {
    await start({ auditBusyTimeoutMs: 50 });
    const o = await owner();
    const invited = value(await o.call<{ invitation: string }>('guests.invite', { name: 'Ana', tools: ['exec'] }));
    const { device_id } = await pair();
    const keys = newDeviceKeyPair();
    const d = await device();
    const asked = value(await d.call<{ code: string }>('pairing.request', { name: 'Tablet', type: 'tablet', public_key: toBase64url(keys.publicKey) }));
    value(await o.call('pairing.approve', { code: asked.code }));
    const challenge = fromBase64url((await d.notification('pairing_resolved', 30_000))!.params.challenge as string)!;
    const proof = toBase64url(sign(keys.secretKey, pairingMessage(challenge)));

    // Another process holds the audit log's write lock longer than the gateway waits.
    const holder = new Database(auditFile(home));
    holder.exec('BEGIN IMMEDIATE');
    const guestKey = toBase64url(newDeviceKeyPair().publicKey);
    expect(code(await d.call('guests.accept', { invitation: invited.invitation, public_key: guestKey }))).toBe('audit_unavailable');
    expect(code(await d.call('pairing.complete', { code: asked.code, signature: proof }))).toBe('audit_unavailable');
    expect(code(await o.call('devices.revoke', { id: device_id }))).toBe('audit_unavailable');
    holder.exec('COMMIT');
    holder.close();

    // Nothing of it happened: the phone is still paired, the tablet is not, the invitation is still good.
    expect(value(await o.call<{ devices: { id: string; revoked_at: string | null }[] }>('devices.list')).devices).toEqual([
      expect.objectContaining({ id: device_id, revoked_at: null }),
    ]);
    expect(code(await d.call('guests.accept', { invitation: invited.invitation, public_key: guestKey }))).toBe('ok');
  });

  it('a proof signed by another key fails, and so does a session signed by another key', async () => {
    await start();
    const keys = newDeviceKeyPair();
    const d = await device();
    const asked = value(await d.call<{ code: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(keys.publicKey) }));
    value(await (await owner()).call('pairing.approve', { code: asked.code }));
    const challenge = fromBase64url((await d.notification('pairing_resolved', 30_000))!.params.challenge as string)!;
    const forged = toBase64url(sign(newDeviceKeyPair().secretKey, pairingMessage(challenge)));
    expect(code(await d.call('pairing.complete', { code: asked.code, signature: forged }))).toBe('bad_signature');

    const paired = await pair('Laptop');
    const thief = await device();
    expect(code(await thief.connect(paired.token, newDeviceKeyPair().secretKey))).toBe('bad_proof');
    // A signature over another connection's nonce is no good either.
    const other = await device();
    const replayed = toBase64url(sign(paired.keys.secretKey, new Uint8Array([...new TextEncoder().encode('aleph-connect-v1\n'), ...other.nonce])));
    expect(code(await thief.call('connect', { token: paired.token, signature: replayed }))).toBe('bad_proof');
    expect(code(await thief.call('exec.request', request('ls')))).toBe('anonymous');
  });
});

describe('bearer tokens over the network endpoint', () => {
  it('a flipped bit anywhere in a token fails', async () => {
    await start();
    const { token, keys } = await pair();
    const d = await device();
    for (const at of [0, 7, Math.floor(token.length / 2), token.length - 1]) {
      const bytes = Buffer.from(token);
      bytes[at] = bytes[at]! ^ 1;
      expect(['malformed', 'bad_signature']).toContain(code(await d.connect(bytes.toString('latin1'), keys.secretKey)));
    }
    expect(code(await d.connect(token, keys.secretKey))).toBe('ok');
  });

  it('revoking a device ends its sessions and kills its token at once', async () => {
    await start();
    const { token, keys, device_id } = await pair();
    const session = await connected(token, keys);
    value(await (await owner()).call('devices.revoke', { id: device_id }));
    expect((await session.notification('session_ended', 30_000))?.params.reason).toMatch(/revoked/);
    expect((await session.closed())?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    expect(code(await (await device()).connect(token, keys.secretKey))).toBe('revoked');
    expect(events('device_revoked')).toEqual([expect.objectContaining({ device_id, actor: 'owner' })]);
  });

  it('a revoked device is heard no more, even one that ignores the close and keeps calling', async () => {
    const g = await start();
    const { token, keys, device_id } = await pair();
    const raw = new WebSocket(g.url!);
    const after: unknown[] = [];
    const send = (id: number, method: string, params: Record<string, unknown>): void => raw.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    await new Promise<void>((resolve) =>
      raw.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { id?: number; method?: string; params?: { nonce?: string } };
        if (m.method === 'challenge')
          send(1, 'connect', { token, signature: toBase64url(sign(keys.secretKey, connectMessage(fromBase64url(m.params!.nonce!)!))) });
        else if (m.id === 1) send(4, 'rules.add', { agent: 'phone-agent', action: 'deny', kind: 'prefix', pattern: 'npm publish *' });
        else if (m.id === 4) resolve();
        // Told it is revoked, it sends owner's calls at once, before it answers the close.
        else if (m.method === 'session_ended') {
          send(2, 'policy.set_mode', { mode: 'unrestricted' });
          send(3, 'rules.add', { agent: 'phone-agent', action: 'allow', kind: 'prefix', pattern: 'curl *' });
        } else after.push(m);
      }),
    );
    value(await (await owner()).call('devices.revoke', { id: device_id }));
    await new Promise((resolve) => raw.once('close', resolve));
    expect(after).toEqual([]);
    expect(g.mode).toBe('safe');
    expect(value(await (await owner()).call<{ rules: unknown[] }>('policy.get')).rules).toEqual([expect.objectContaining({ pattern: 'npm publish *' })]);
    // Each change names who made it: the device, then the owner who revoked it.
    expect(events('rule_change')).toEqual([expect.objectContaining({ change: 'added', actor: device_id })]);
    expect(events('device_revoked')).toEqual([expect.objectContaining({ device_id, actor: 'owner' })]);
  });

  it('rotating a device replaces its token: the old one fails, the new one works', async () => {
    await start();
    const { token, keys, device_id } = await pair();
    const rotated = value(await (await owner()).call<{ token: string }>('devices.rotate', { id: device_id }));
    expect(code(await (await device()).connect(token, keys.secretKey))).toBe('revoked');
    expect(code(await (await device()).connect(rotated.token, keys.secretKey))).toBe('ok');
  });

  it('tokens stay valid across a gateway restart', async () => {
    await start();
    const { token, keys } = await pair();
    await gateway!.stop();
    await start();
    const session = await connected(token, keys);
    expect(value(await session.call<{ decision: string }>('exec.request', request('pwd'))).decision).toBe('allow-once');
  });
});

describe('guests and the PolicyEngine on the exec path', () => {
  async function guest(tools: string[], expiresInMs?: number): Promise<{ session: RpcClient; guest_id: string }> {
    const invited = value(
      await (
        await owner()
      ).call<{ invitation: string; guest: { id: string } }>('guests.invite', {
        name: 'Ana',
        tools,
        ...(expiresInMs === undefined ? {} : { expires_in_ms: expiresInMs }),
      }),
    );
    const keys = newDeviceKeyPair();
    const d = await device();
    const accepted = value(await d.call<{ token: string }>('guests.accept', { invitation: invited.invitation, public_key: toBase64url(keys.publicKey) }));
    expect(code(await d.call('guests.accept', { invitation: invited.invitation, public_key: toBase64url(keys.publicKey) }))).toBe('invitation_used');
    return { session: await connected(accepted.token, keys), guest_id: invited.guest.id };
  }

  it('a guest inside its scope runs; outside it is denied with a reason, audited as policy_denied', async () => {
    await start();
    const inside = await guest(['exec']);
    expect(value(await inside.session.call<{ decision: string }>('exec.request', request('ls'))).decision).toBe('allow-once');
    const outside = await guest(['read_file']);
    const denied = await outside.session.call('exec.request', request('ls'));
    expect(denied).toMatchObject({ ok: false, error: { code: 'tool_not_allowed', message: 'This guest may use read_file, not exec.' } });
    expect(events('policy_denied')).toEqual([
      expect.objectContaining({ tool: 'exec', role: 'guest', reason_code: 'tool_not_allowed', identity: outside.guest_id }),
    ]);
    // Approving and administering are the owner's.
    expect(code(await inside.session.call('devices.list'))).toBe('owner_only');
    expect(code(await inside.session.call('approvals.subscribe'))).toBe('owner_only');
  });

  it("a guest speaks only for agents of its own: another agent's rules do not reach it, and approvers see who asks", async () => {
    await start();
    const o = await owner();
    value(await o.call('rules.add', { agent: 'phone-agent', action: 'allow', kind: 'exact', pattern: 'cp a b' }));
    o.send({ type: 'approval_request', id: 'mine', ...request('cp a b') });
    expect(await o.waitFor((m): m is GatewayMessage => m.type === 'approval_decision', 5000)).toMatchObject({ decision: 'allow-once', reason: 'allowlisted' });

    const ana = await guest(['exec']);
    o.send({ type: 'subscribe' });
    const asked = ana.session.call<{ decision: string; reason: string }>('exec.request', request('cp a b'));
    const pending = await o.waitFor((m): m is Extract<GatewayMessage, { type: 'approval_pending' }> => m.type === 'approval_pending', 5000);
    expect(pending?.approval.request.agent_id).toBe(`${ana.guest_id}:phone-agent`);
    o.send({ type: 'resolve', id: pending!.approval.id, decision: 'deny', reason: 'not yours' });
    expect(value(await asked)).toMatchObject({ decision: 'deny', reason: 'not yours' });
    expect(events('terminal_cmd').at(-1)).toMatchObject({ command: 'cp a b', agent: `${ana.guest_id}:phone-agent`, decision: 'deny' });
  });

  it('an expired guest is denied with the reason', async () => {
    await start();
    // Time enough to connect on a busy machine before the access ends.
    const { session } = await guest(['*'], 3000);
    await new Promise((r) => setTimeout(r, 3100));
    const denied = await session.call('exec.request', request('ls'));
    expect(denied).toMatchObject({ ok: false, error: { code: 'scope_expired', message: expect.stringMatching(/access ended at/) } });
  });

  it('revoking a guest ends its sessions', async () => {
    await start();
    const { session, guest_id } = await guest(['exec']);
    value(await (await owner()).call('guests.revoke', { id: guest_id }));
    expect((await session.closed())?.code).toBe(CLOSE_CODES.SESSION_ENDED);
    const listed = value(await (await owner()).call<{ guests: { id: string; revoked_at: string | null }[] }>('guests.list')).guests;
    expect(listed[0]).toMatchObject({ id: guest_id, revoked_at: expect.any(String) });
  });

  it('anonymous callers are denied, unless the configuration turns authentication off', async () => {
    await start();
    const anon = await device();
    expect(await anon.call('exec.request', request('ls'))).toMatchObject({
      ok: false,
      error: { code: 'anonymous', message: expect.stringMatching(/pair this device/) },
    });
    await gateway!.stop();
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    saveConfig(home, { ...config.value, network: { ...config.value.network, authentication: 'off' } });
    await start();
    expect(value(await (await device()).call<{ decision: string }>('exec.request', request('ls'))).decision).toBe('allow-once');
  });
});

describe('chat senders', () => {
  async function bridge(): Promise<RpcClient> {
    const { token, keys } = await pair('Telegram bridge');
    return connected(token, keys);
  }

  function channels(settings: Record<string, unknown>): void {
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    saveConfig(home, { ...config.value, channels: settings as never });
  }

  it('pair by code under the default policy; the owner approves and the sender is let through from then on', async () => {
    await start();
    const b = await bridge();
    const first = value(
      await b.call<{ allowed: boolean; code: string; reason_code: string }>('chat.authorize', { channel: 'telegram', sender: '4711', name: 'Ana' }),
    );
    expect(first).toMatchObject({ allowed: false, reason_code: 'pairing_required', code: expect.stringMatching(/^[A-HJ-NP-Z2-9]{8}$/) });
    const again = value(await b.call<{ code: string }>('chat.authorize', { channel: 'telegram', sender: '4711', name: 'Ana' }));
    expect(again.code).toBe(first.code);
    const o = await owner();
    expect(value(await o.call<{ pending: { kind: string; type: string }[] }>('pairing.list')).pending).toEqual([
      expect.objectContaining({ kind: 'chat', type: 'telegram', name: 'Ana' }),
    ]);
    value(await o.call('pairing.approve', { code: first.code }));
    expect(value(await b.call('chat.authorize', { channel: 'telegram', sender: '4711' }))).toEqual({ allowed: true, identity_id: 'chat:telegram:4711' });
    expect(value(await b.call<{ allowed: boolean }>('chat.authorize', { channel: 'signal', sender: '4711' })).allowed).toBe(false);
  });

  it("follow the channel's DM policy: open, allowlist, disabled", async () => {
    await start();
    channels({ open: { dm_policy: 'open' }, team: { dm_policy: 'allowlist', allow_from: ['7'] }, off: { dm_policy: 'disabled', allow_from: ['7'] } });
    const b = await bridge();
    const ask = async (channel: string, sender: string) =>
      value(await b.call<{ allowed: boolean; reason_code?: string }>('chat.authorize', { channel, sender }));
    expect((await ask('open', 'anyone')).allowed).toBe(true);
    expect((await ask('team', '7')).allowed).toBe(true);
    expect(await ask('team', '8')).toMatchObject({ allowed: false, reason_code: 'not_allowlisted' });
    expect(await ask('off', '7')).toMatchObject({ allowed: false, reason_code: 'dm_disabled' });
    const anon = await device();
    expect(code(await anon.call('chat.authorize', { channel: 'open', sender: 'x' }))).toBe('owner_only');
  });
});

describe("the endpoint's defences", () => {
  it('answers malformed calls with JSON-RPC errors and carries on; an oversized message closes only that connection', async () => {
    await start({ limits: { maxLineBytes: 4096 } });
    const d = await device();
    const raw = new WebSocket(gateway!.url!);
    const replies: Record<string, unknown>[] = [];
    raw.on('message', (m) => replies.push(JSON.parse(m.toString()) as Record<string, unknown>));
    await new Promise((r) => raw.once('open', r));
    for (const text of [
      '{nope',
      '[]',
      '{"jsonrpc":"2.0","id":1,"method":"teleport"}',
      '{"jsonrpc":"2.0","id":2,"method":"exec.request","params":{"request":{}}}',
      '{"jsonrpc":"1.0","id":3,"method":"ping"}',
    ])
      raw.send(text);
    raw.send(Buffer.from([1, 2, 3]));
    raw.send('{"jsonrpc":"2.0","id":4,"method":"ping"}');
    await expect.poll(() => replies.some((r) => r.id === 4)).toBe(true);
    const errors = replies.filter((r) => 'error' in r).map((r) => r.error as { code: number; data: { code: string } });
    expect(errors.map((e) => e.code)).toEqual([-32700, -32600, -32601, -32602, -32600, -32600]);
    expect(replies.at(-1)).toEqual({ jsonrpc: '2.0', id: 4, result: {} });
    const closed = new Promise<number>((r) => raw.once('close', (c) => r(c)));
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping', params: { pad: 'x'.repeat(8192) } }));
    expect(await closed).toBe(1009);
    expect(value(await d.call('ping'))).toEqual({});
  });

  it('refuses browser pages from other origins', async () => {
    await start();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(gateway!.url!, { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const plain = await new Promise<number>((resolve) => {
      httpRequest(gateway!.url!.replace('ws:', 'http:'), (res) => resolve(res.statusCode ?? 0)).end();
    });
    expect(plain).toBe(426);
  });

  it('serves loopback only, unless told otherwise explicitly', async () => {
    await expect(Gateway.start({ home, network: { port: 0, host: '0.0.0.0' } })).rejects.toThrow(/not a loopback address/);
    // The refused start left nothing behind: a normal one starts.
    await start();
    expect(gateway!.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it('says port_in_use when another program holds the port, and leaves nothing behind', async () => {
    await start();
    const other = join(home, '..', 'other');
    const port = Number(new URL(gateway!.url!).port);
    await expect(Gateway.start({ home: other, network: { port } })).rejects.toMatchObject({
      code: 'port_in_use',
      message: expect.stringContaining('the port is in use'),
    });
    const again = await Gateway.start({ home: other, network: { port: 0 } });
    await again.stop();
  });
});

/**
 * Opens an anonymous WebSocket that sends nothing: 'admitted' once the endpoint's challenge comes,
 * or the close code when it is refused first.
 */
function anonymousSocket(url: string): Promise<'admitted' | number> {
  const ws = new WebSocket(url);
  clients.push({ close: () => ws.terminate() });
  ws.on('error', () => undefined);
  return new Promise((resolve) => {
    ws.once('message', () => resolve('admitted'));
    ws.once('close', (code) => resolve(code));
  });
}

/** A call from the web console's page (an owner's session from the start): its result, or its error's code. */
function pageCall(page: WebSocket, method: string): Promise<unknown> {
  return new Promise((resolve) => {
    page.on('message', function answer(data) {
      const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { data: { code: string } } };
      if (m.id !== 7) return;
      page.off('message', answer);
      resolve(m.error === undefined ? m.result : m.error.data.code);
    });
    page.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method }));
  });
}

/** A plain TCP connection to the endpoint's port that sends nothing unless told to. */
function tcp(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(port), hostname, () => resolve(s));
    s.on('error', () => undefined);
    clients.push({ close: () => s.destroy() });
  });
}

const ended = (s: Socket): Promise<void> => new Promise((resolve) => (s.closed ? resolve() : s.once('close', () => resolve())));

describe('hostile peers on the network side', () => {
  /** A raw HTTP exchange: what came back before the gateway closed, or a reset right after sending. */
  function raw(url: string, text: string, reset = false): Promise<string> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
      const s = connect(Number(port), hostname, () => {
        s.write(text);
        if (reset) {
          s.resetAndDestroy();
          resolve('');
        }
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => undefined);
    });
  }

  const alive = async (): Promise<void> => {
    const c = await owner();
    c.send({ type: 'ping', id: 'p' });
    expect(await c.next()).toEqual({ type: 'pong', id: 'p' });
  };

  it('answers an address it cannot read with 400, and lives through upgrades reset mid-refusal', async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    await start({ console: { port: 0, root } });
    const consoleHost = new URL(gateway!.consoleOrigin!).host;
    expect(await raw(gateway!.consoleOrigin!, `GET // HTTP/1.1\r\nHost: ${consoleHost}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = (host: string, path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: https://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\n\r\n`;
    for (let i = 0; i < 20; i++) {
      await raw(gateway!.url!.replace('ws:', 'http:'), upgrade(new URL(gateway!.url!).host, '/'), true);
      await raw(gateway!.consoleOrigin!, upgrade(consoleHost, '//'), true);
    }
    expect(await raw(gateway!.consoleOrigin!, upgrade(consoleHost, '//').replace('https://evil.example', gateway!.consoleOrigin!))).toMatch(/^HTTP\/1\.1 404 /);
    await alive();
  });

  it('stops at once while a signed-in console is open, and tells the console', async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    const g = await start({ console: { port: 0, root } });
    const signedIn = await fetch(g.consoleLoginUrl()!, { redirect: 'manual' });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = new WebSocket(`${g.consoleOrigin!.replace('http:', 'ws:')}/api`, { headers: { cookie, origin: g.consoleOrigin! } });
    await new Promise((resolve) => page.once('message', resolve));
    const closed = new Promise<number>((resolve) => page.once('close', resolve));
    await g.stop();
    gateway = undefined;
    expect(await closed).toBe(CLOSE_CODES.SHUTDOWN);
  });

  it("keeps serving the owner's socket, the console and connected devices while 600 anonymous WebSockets hold on; the extra ones are refused with 4003", async () => {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    const g = await start({ console: { port: 0, root } });
    const { token, keys } = await pair();
    const phone = await connected(token, keys);

    const outcomes = await Promise.all(Array.from({ length: 600 }, () => anonymousSocket(g.url!)));
    const refused = outcomes.filter((o) => o !== 'admitted');
    expect(refused).toHaveLength(600 - DEFAULT_LIMITS.maxAnonymousConnections);
    expect(new Set(refused)).toEqual(new Set([CLOSE_CODES.TOO_MANY]));
    await expect(RpcClient.open(g.url!)).rejects.toMatchObject({
      code: 'connection_refused',
      message: expect.stringMatching(/at most 32 connections that have not connected yet.*\(4003\)$/),
    });

    // The owner's agents on the socket are answered...
    const o = await owner();
    o.send({ type: 'approval_request', id: 'r1', ...request('ls') });
    expect(await o.waitFor((m): m is GatewayMessage => m.type === 'approval_decision', 5000)).toMatchObject({ id: 'r1', decision: 'allow-once' });
    // ...the web console still opens...
    const signedIn = await fetch(g.consoleLoginUrl()!, { redirect: 'manual' });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = new WebSocket(`${g.consoleOrigin!.replace('http:', 'ws:')}/api`, { headers: { cookie, origin: g.consoleOrigin! } });
    clients.push({ close: () => page.close() });
    expect(JSON.parse((await new Promise<Buffer>((resolve) => page.once('message', resolve))).toString())).toMatchObject({ method: 'challenge' });
    expect(await pageCall(page, 'approvals.list')).toEqual({ approvals: [] });
    // ...and a device that had connected goes on.
    expect(value(await phone.call<{ decision: string }>('exec.request', request('pwd'))).decision).toBe('allow-once');
  });

  it('closes an anonymous session at its deadline however busy it keeps itself; a connected one stays', async () => {
    const g = await start({ limits: { anonymousDeadlineMs: 2000 } });
    const { token, keys } = await pair();
    const phone = await connected(token, keys);
    const raw = new WebSocket(g.url!);
    clients.push({ close: () => raw.close() });
    let pongs = 0;
    const said: string[] = [];
    raw.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; method?: string; params?: { reason?: string } };
      if (m.id !== undefined) pongs++;
      if (m.method === 'session_ended') said.push(m.params!.reason!);
    });
    await new Promise((resolve) => raw.once('open', resolve));
    const busy = setInterval(() => raw.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })), 10);
    const code = await new Promise<number>((resolve) => raw.once('close', resolve));
    clearInterval(busy);
    expect(code).toBe(CLOSE_CODES.CONNECT_DEADLINE);
    expect(pongs).toBeGreaterThan(0);
    expect(said).toEqual(['Not connected within 2000 ms.']);
    expect(value(await phone.call('ping'))).toEqual({});
  });

  it('keeps an anonymous device past the deadline while its own pairing request waits for the owner', async () => {
    await start({ limits: { anonymousDeadlineMs: 2000 } });
    const keys = newDeviceKeyPair();
    const d = await device();
    const asked = value(await d.call<{ code: string }>('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(keys.publicKey) }));
    // Opened after it, a session that asked nothing is closed: the deadline has passed for both.
    expect((await (await device()).closed())?.code).toBe(CLOSE_CODES.CONNECT_DEADLINE);
    value(await (await owner()).call('pairing.approve', { code: asked.code }));
    const challenge = fromBase64url((await d.notification('pairing_resolved', 30_000))!.params.challenge as string)!;
    const done = value(
      await d.call<{ token: string }>('pairing.complete', { code: asked.code, signature: toBase64url(sign(keys.secretKey, pairingMessage(challenge))) }),
    );
    expect(code(await d.connect(done.token, keys.secretKey))).toBe('ok');
  });

  it('drops a connection that never finishes its upgrade at the deadline, silent or trickling', async () => {
    const g = await start({ limits: { anonymousDeadlineMs: 2000 } });
    const silent = await tcp(g.url!);
    const trickling = await tcp(g.url!);
    trickling.write(`GET / HTTP/1.1\r\nHost: ${new URL(g.url!).host}\r\n`);
    await Promise.all([ended(silent), ended(trickling)]);
    await alive();
  });

  it('holds at most twice as many connections on the network side as it serves sessions: more are dropped at once', async () => {
    const g = await start({ limits: { maxNetworkConnections: 2, anonymousDeadlineMs: 3_600_000 } });
    const held = await Promise.all([tcp(g.url!), tcp(g.url!), tcp(g.url!), tcp(g.url!)]);
    await ended(await tcp(g.url!));
    expect(held.some((s) => s.closed)).toBe(false);
    await alive();
  });

  it('lives through clients that connect and vanish while the connection cap is reached', async () => {
    await start({ limits: { maxConnections: 1 } });
    const first = await owner();
    for (let i = 0; i < 200; i++) {
      const s = connect(join(home, 'exec-approvals.sock'));
      s.on('error', () => undefined);
      await new Promise<void>((r) =>
        s.on('connect', () => {
          s.destroy();
          r();
        }),
      );
    }
    first.send({ type: 'ping', id: 'still' });
    expect(await first.next()).toEqual({ type: 'pong', id: 'still' });
  });
});

describe('text the audit log could not store as received', () => {
  it('refuses a pairing request whose name holds a lone surrogate before anyone hears of it, and the chain stays intact', async () => {
    await start();
    const d = await device();
    // JSON.stringify spells the lone surrogate as the escape "\ud800": valid JSON, but no text.
    const asked = await d.call('pairing.request', { name: 'Phone\ud800', type: 'phone', public_key: toBase64url(newDeviceKeyPair().publicKey) });
    expect(code(asked)).toBe('invalid_unicode');
    const o = await owner();
    expect(value(await o.call<{ pending: unknown[] }>('pairing.list')).pending).toEqual([]);
    expect(value(await o.call('audit.verify'))).toMatchObject({ ok: true });
  });
});

describe("the web console's HTTP server", () => {
  async function withConsole(limits: GatewayOptions['limits']): Promise<Gateway> {
    const root = join(home, '..', 'renderer');
    mkdirSync(root);
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    return start({ console: { port: 0, root }, limits });
  }

  it("holds at most its own cap of connections: more are dropped at once, and the owner's socket is answered", async () => {
    const g = await withConsole({ maxConsoleConnections: 3, consoleRequestTimeoutMs: 3_600_000 });
    const held = await Promise.all([tcp(g.consoleOrigin!), tcp(g.consoleOrigin!), tcp(g.consoleOrigin!)]);
    const extra = await Promise.all(Array.from({ length: 20 }, () => tcp(g.consoleOrigin!)));
    await Promise.all(extra.map(ended));
    expect(held.some((s) => s.closed)).toBe(false);
    const c = await owner();
    c.send({ type: 'ping', id: 'p' });
    expect(await c.next()).toEqual({ type: 'pong', id: 'p' });
  });

  it('drops a connection that sends no request, or never finishes one, at its request timeout', async () => {
    const g = await withConsole({ consoleRequestTimeoutMs: 1_000 });
    const silent = await tcp(g.consoleOrigin!);
    const trickling = await tcp(g.consoleOrigin!);
    trickling.write(`GET / HTTP/1.1\r\nHost: ${new URL(g.consoleOrigin!).host}\r\n`);
    await Promise.all([ended(silent), ended(trickling)]);
    expect([silent.closed, trickling.closed]).toEqual([true, true]);
  });

  it('drops a kept-alive connection that stays idle after its answer', async () => {
    const g = await withConsole({ consoleRequestTimeoutMs: 1_000 });
    const s = await tcp(g.consoleOrigin!);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.write(`GET /missing HTTP/1.1\r\nHost: ${new URL(g.consoleOrigin!).host}\r\n\r\n`);
    await expect.poll(() => got, { timeout: 10_000 }).toMatch(/^HTTP\/1\.1 404 /);
    await ended(s);
  });
});
