import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, newDeviceKeyPair, fingerprint, verifyToken } from '@aleph/identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityStore, INVITATION_TTL_MS } from './devices-and-guests-store.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alid-'));
  file = join(dir, 'h', 'data', 'identity.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pairDevice(store: IdentityStore) {
  const keys = newDeviceKeyPair();
  return store.addDevice({
    name: 'Laptop',
    type: 'cli',
    public_key: Buffer.from(keys.publicKey),
    fingerprint: fingerprint(keys.publicKey),
    role: 'owner',
    created_at: T0,
  });
}

describe('the identity store', () => {
  it('is created 0600 in a 0700 directory and keeps its token secret across reopenings', () => {
    const first = IdentityStore.open(file);
    const secret = Buffer.from(first.tokenSecret);
    const device = pairDevice(first);
    const token = issueToken(first.tokenSecret, { sub: device.id, role: 'owner', scopes: ['*'], iat: T0, exp: T0 + 60_000, gen: device.generation });
    first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'h', 'data')).mode & 0o777).toBe(0o700);
    const again = IdentityStore.open(file);
    expect(again.tokenSecret.equals(secret)).toBe(true);
    expect(verifyToken(again.tokenSecret, token, T0, (id) => again.subject(id)).ok).toBe(true);
    again.close();
  });

  it('revoking a device kills its tokens at once; rotating kills the old one only', () => {
    const store = IdentityStore.open(file);
    const device = pairDevice(store);
    const issue = (gen: number) => issueToken(store.tokenSecret, { sub: device.id, role: 'owner', scopes: ['*'], iat: T0, exp: T0 + 60_000, gen });
    const check = (token: string) => {
      const r = verifyToken(store.tokenSecret, token, T0, (id) => store.subject(id));
      return r.ok ? 'ok' : r.error.code;
    };
    const old = issue(1);
    const rotated = store.rotateDevice(device.id);
    expect(rotated.ok && rotated.value.generation).toBe(2);
    const fresh = issue(2);
    expect([check(old), check(fresh)]).toEqual(['revoked', 'ok']);
    expect(store.revokeDevice(device.id, T0).ok).toBe(true);
    expect(check(fresh)).toBe('revoked');
    expect(store.revokeDevice(device.id, T0)).toMatchObject({ ok: false, error: { code: 'already_revoked' } });
    expect(store.rotateDevice(device.id)).toMatchObject({ ok: false, error: { code: 'revoked' } });
    expect(store.revokeDevice('dev_nope', T0)).toMatchObject({ ok: false, error: { code: 'unknown_device' } });
    store.close();
  });

  it('an invitation works once, within 15 minutes, and never after its guest is revoked', () => {
    const store = IdentityStore.open(file);
    const { guest, invitation } = store.invite('Ana', ['exec'], T0 + 7 * 86_400_000, T0);
    const keys = newDeviceKeyPair();
    const key = { public_key: Buffer.from(keys.publicKey), fingerprint: fingerprint(keys.publicKey) };
    expect(store.accept('inv_wrong', key, T0)).toMatchObject({ ok: false, error: { code: 'unknown_invitation' } });
    expect(store.accept(invitation, key, T0 + 1000)).toMatchObject({
      ok: true,
      value: { id: guest.id, allowed_tools: ['exec'], fingerprint: key.fingerprint },
    });
    expect(store.guest(guest.id)?.public_key?.equals(key.public_key)).toBe(true);
    expect(store.accept(invitation, key, T0 + 2000)).toMatchObject({ ok: false, error: { code: 'invitation_used' } });
    const late = store.invite('Bo', ['*'], null, T0);
    expect(store.accept(late.invitation, key, T0 + INVITATION_TTL_MS)).toMatchObject({ ok: false, error: { code: 'invitation_expired' } });
    const revoked = store.invite('Cy', ['exec'], null, T0);
    expect(store.revokeGuest(revoked.guest.id, T0).ok).toBe(true);
    expect(store.accept(revoked.invitation, key, T0 + 1)).toMatchObject({ ok: false, error: { code: 'revoked' } });
    expect(store.subject(revoked.guest.id)).toEqual({ revoked: true, generation: 2 });
    expect(store.guests().map((g) => g.name)).toEqual(['Ana', 'Bo', 'Cy']);
    store.close();
  });

  it('remembers the chat senders the owner paired, per channel', () => {
    const store = IdentityStore.open(file);
    store.addChatSender('telegram', '4711', 'Ana', T0);
    expect(store.isChatSenderPaired('telegram', '4711')).toBe(true);
    expect(store.isChatSenderPaired('slack', '4711')).toBe(false);
    store.close();
    const again = IdentityStore.open(file);
    expect(again.isChatSenderPaired('telegram', '4711')).toBe(true);
    again.close();
  });

  it('never stores an invitation itself, only its hash', () => {
    const store = IdentityStore.open(file);
    const { invitation } = store.invite('Ana', ['exec'], null, T0);
    store.close();
    const files = [file, `${file}-wal`].filter((f) => existsSync(f));
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(invitation))).toBe(false);
  });
});
