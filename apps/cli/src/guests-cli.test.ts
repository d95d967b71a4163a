import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '@aleph/gateway';
import { fromBase64url } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

/** The owner's machine is the test's home; the guest's has a home of its own. */
const { home, aleph } = useAlephHome();
let guestHome = '';
let gateway: ChildProcess | undefined;

beforeEach(() => {
  guestHome = mkdtempSync(join(tmpdir(), 'aleph-guest-'));
});
afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
  rmSync(guestHome, { recursive: true, force: true });
});

/** Runs `aleph ARGS` on the guest's machine, to its end. */
function asGuest(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [ALEPH_BIN, ...args], { env: { ...process.env, ALEPH_HOME: guestHome, NO_COLOR: '1' } });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('aleph guests accept', () => {
  it("accepts an invitation from another machine, keeping the guest's key and token in its own 0600 file, which connects", async () => {
    gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], {
      env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = (
      JSON.parse(await new Promise<string>((resolve) => gateway!.stdout!.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)))) as {
        url: string;
      }
    ).url;
    const invited = JSON.parse(aleph(['guests', 'invite', '--name', 'Ana', '--tools', 'exec', '--json']).stdout) as {
      invitation: string;
      guest: { id: string };
    };

    const accepted = await asGuest(['guests', 'accept', '-', '--gateway', url], `${invited.invitation}\n`);
    expect(accepted.code).toBe(0);
    const file = join(guestHome, 'guest.json');
    expect(accepted.stdout).toBe(`Accepted as Ana (${invited.guest.id}): exec. The key and token are kept in ${file}.\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { gateway: string; guest_id: string; token: string; secret_key: string; fingerprint: string };
    expect(kept).toMatchObject({ gateway: url, guest_id: invited.guest.id });
    const listed = JSON.parse(aleph(['guests', 'list', '--json']).stdout) as { guests: { id: string; fingerprint: string | null }[] };
    expect(listed.guests).toEqual([expect.objectContaining({ id: invited.guest.id, fingerprint: kept.fingerprint })]);

    // The kept key and token open a guest's session.
    const session = await RpcClient.open(url);
    try {
      const connected = await session.connect(kept.token, fromBase64url(kept.secret_key)!);
      expect(connected).toMatchObject({ ok: true, value: { session: { identity_id: invited.guest.id, role: 'guest', allowed_tools: ['exec'] } } });
    } finally {
      session.close();
    }

    // An invitation works once: a second acceptance is refused and leaves the kept file as it was.
    const before = readFileSync(file, 'utf8');
    const again = await asGuest(['guests', 'accept', invited.invitation, '--gateway', url, '--json']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'invitation_used' } });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
