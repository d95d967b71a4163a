import { AuditStore } from '@aleph/audit';
import { newDeviceKeyPair, sign } from '@aleph/identity';
import { connectMessage, fromBase64url, pairingMessage, toBase64url, type GatewayMessage } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { auditFile } from '../config/config.js';
import { CLOSE_CODES } from './websocket.js';
import { RpcClient } from '../client/rpc-client.js';
import { clients, code, connected, device, events, home, owner, pair, request, start, stop, useNetworkHome, value } from './test-network.js';

useNetworkHome();

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
    await stop();
    await start();
    const session = await connected(token, keys);
    expect(value(await session.call<{ decision: string }>('exec.request', request('pwd'))).decision).toBe('allow-once');
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
