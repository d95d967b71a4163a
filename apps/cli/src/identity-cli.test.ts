import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();
let gateway: ChildProcess | undefined;
let deviceHome = '';

beforeEach(() => {
  deviceHome = mkdtempSync(join(tmpdir(), 'aleph-device-'));
});
afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    const exited = new Promise((r) => gateway!.once('exit', r));
    gateway.kill('SIGTERM');
    await exited;
  }
  gateway = undefined;
  rmSync(deviceHome, { recursive: true, force: true });
});

async function startGateway(): Promise<string> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], {
    env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => gateway!.stdout!.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)));
  return (JSON.parse(line) as { url: string }).url;
}

/** `aleph pairing request` as a device with its own home; its JSON lines, as they come. */
function requestPairing(url: string): { next: () => Promise<Record<string, unknown>>; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [ALEPH_BIN, 'pairing', 'request', '--name', 'Laptop', '--gateway', url, '--json'], {
    env: { ...process.env, ALEPH_HOME: deviceHome, NO_COLOR: '1' },
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter === undefined) lines.push(line);
    else waiter(line);
  });
  return {
    next: async () => JSON.parse(lines.shift() ?? (await new Promise<string>((resolve) => waiters.push(resolve)))) as Record<string, unknown>,
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stderr: () => stderr,
  };
}

const json = (args: string[]) => {
  const r = aleph([...args, '--json']);
  return { code: r.code, body: JSON.parse(r.stdout || r.stderr || '{}') as Record<string, unknown> };
};

describe('pairing, devices and guests from the command line', () => {
  it('a device pairs with a code the owner approves; the owner lists, rotates and revokes it', async () => {
    const url = await startGateway();
    const device = requestPairing(url);
    const shown = await device.next();
    expect(shown).toMatchObject({ event: 'code', code: expect.stringMatching(/^[A-HJ-NP-Z2-9]{8}$/), fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const listed = json(['pairing', 'list']).body as { pending: Record<string, unknown>[] };
    expect(listed.pending).toEqual([expect.objectContaining({ code: shown.code, type: 'cli', name: 'Laptop', expires_in_ms: expect.any(Number) })]);
    expect(aleph(['pairing', 'approve', 'ZZZZZZZZ']).code).toBe(2);
    const approved = aleph(['pairing', 'approve', shown.code as string]);
    expect(approved.stdout).toContain('Approved Laptop');
    const paired = await device.next();
    expect(paired).toMatchObject({ event: 'paired', device_id: expect.stringMatching(/^dev_/), fingerprint: shown.fingerprint });
    expect(await device.exit).toBe(0);

    const file = join(deviceHome, 'device.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(kept).toMatchObject({ device_id: paired.device_id, token: expect.stringMatching(/^aleph1\./), gateway: url });

    const devices = json(['devices', 'list']).body as { devices: { id: string; name: string }[] };
    expect(devices.devices.map((d) => [d.id, d.name])).toEqual([[paired.device_id, 'Laptop']]);
    const rotated = json(['devices', 'rotate', paired.device_id as string]);
    expect(rotated.body.token).toMatch(/^aleph1\./);
    expect(rotated.body.token).not.toBe(kept.token);
    expect(aleph(['devices', 'revoke', paired.device_id as string]).stdout).toContain('Revoked Laptop');
    const again = json(['devices', 'revoke', paired.device_id as string]);
    expect(again).toMatchObject({ code: 2, body: { error: { code: 'already_revoked' } } });
    const events = json(['audit', 'search', '--event', 'device_revoked']).body as { rows: unknown[] };
    expect(events.rows).toHaveLength(1);
  });

  it('approvals watch tells the owner of a pairing request and how to approve it', async () => {
    const url = await startGateway();
    const watch = spawn(process.execPath, [ALEPH_BIN, 'approvals', 'watch'], {
      env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let screen = '';
    watch.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    await expect.poll(() => screen).toContain('Watching');
    const device = requestPairing(url);
    const shown = await device.next();
    await expect.poll(() => screen).toContain(`Laptop (cli, key ${shown.fingerprint as string}) asks to pair: aleph pairing approve ${shown.code as string}`);
    watch.stdin.end();
    await new Promise((r) => watch.on('exit', r));
    aleph(['pairing', 'reject', shown.code as string]);
    await device.exit;
  });

  it("a rejected request ends the device's wait with a clear error", async () => {
    const url = await startGateway();
    const device = requestPairing(url);
    const shown = await device.next();
    expect(aleph(['pairing', 'reject', shown.code as string]).code).toBe(0);
    expect(await device.exit).toBe(2);
    expect(device.stderr() + JSON.stringify(await device.next().catch(() => ({})))).toMatch(/rejected/);
  });

  it('guests are invited with a scope, listed and revoked', async () => {
    await startGateway();
    const invited = json(['guests', 'invite', '--name', 'Ana', '--tools', 'exec,read_file', '--expires-in', '7d']);
    expect(invited.body).toMatchObject({
      invitation: expect.stringMatching(/^inv_/),
      guest: { name: 'Ana', allowed_tools: ['exec', 'read_file'], expires_at: expect.any(String) },
    });
    const id = (invited.body.guest as { id: string }).id;
    expect(json(['guests', 'list']).body.guests as unknown[]).toEqual([expect.objectContaining({ id, fingerprint: null, revoked_at: null })]);
    expect(aleph(['guests', 'list']).stdout).toContain('invited, not yet accepted');
    expect(aleph(['guests', 'revoke', id]).stdout).toContain('Revoked Ana');
    expect(aleph(['guests', 'invite', '--name', 'Bo']).code).toBe(2);
    expect(json(['guests', 'invite', '--name', 'Bo', '--tools', 'rm -rf']).body).toMatchObject({ error: { code: 'invalid_message' } });
  });

  it('serves the network endpoint beyond loopback only with --allow-remote', () => {
    const refused = aleph(['gateway', '--headless', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not a loopback address');
    expect(refused.stderr).toContain('--allow-remote');
  });

  it("without a gateway, the owner's commands say so", () => {
    aleph(['audit', 'search']);
    const r = aleph(['pairing', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist: no gateway has run in|No gateway is listening/);
  });
});
