import { newDeviceKeyPair } from '@aleph/identity';
import { toBase64url, type GatewayMessage } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { loadConfig, saveConfig } from '../config/config.js';
import { CLOSE_CODES } from './websocket.js';
import { RpcClient } from '../client/rpc-client.js';
import { code, connected, device, events, home, owner, pair, request, start, stop, useNetworkHome, value } from './test-network.js';

useNetworkHome();

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
    await stop();
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
