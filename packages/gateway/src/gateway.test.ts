import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore } from '@aleph/audit';
import { encodeFrame } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { GatewayClient } from './client/socket-client.js';
import { configFile, loadConfig } from './config/config.js';
import { newNonce, prove } from './transport/handshake.js';
import { GatewayError } from './errors.js';
import { Gateway } from './gateway.js';
import { client, home, is, raw, request, secret, start, stop, useGatewayHome } from './test-gateway.js';

useGatewayHome();

describe('the gateway socket', () => {
  it('keeps its home 0700 and its configuration and socket 0600', async () => {
    await start();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'exec-approvals.sock')).mode & 0o777).toBe(0o600);
  });

  it('tightens a home that others can read, and says what it changed', async () => {
    mkdirSync(join(home, 'data'), { recursive: true });
    loadConfig(home, true);
    chmodSync(home, 0o755);
    chmodSync(join(home, 'data'), 0o775);
    chmodSync(configFile(home), 0o644);
    const g = await start();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(g.notices).toEqual([
      `${home} was readable by others (0755); it is now 0700.`,
      `${join(home, 'data')} was readable by others (0775); it is now 0700.`,
      `${configFile(home)} was readable by others (0644); it is now 0600.`,
    ]);
    await g.stop();
    expect((await start()).notices).toEqual([]);
  });

  // Only root can give a file to another user here.
  it.skipIf(process.getuid?.() !== 0)('refuses a home whose files belong to another user, and changes nothing', async () => {
    loadConfig(home, true);
    chmodSync(configFile(home), 0o644);
    chownSync(configFile(home), 4242, 4242);
    await expect(start()).rejects.toMatchObject({ code: 'home_not_private', message: expect.stringContaining('belongs to another user (uid 4242)') });
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o644);
  });

  it('rejects a wrong secret before processing anything', async () => {
    await start();
    await expect(GatewayClient.connect(join(home, 'exec-approvals.sock'), randomBytes(32))).rejects.toThrow(/does not know the secret/);
    const r = await raw();
    r.send(encodeFrame({ type: 'approval_request', id: '1', request: request('ls') }));
    await r.closed;
    const lines = await r.lines(2);
    expect(lines.map((l) => l.type)).toEqual(['challenge', 'error']);
    expect(lines[1]).toMatchObject({ code: 'not_authenticated' });
  });

  it('refuses a replayed handshake and a reused client nonce', async () => {
    await start();
    const first = await raw();
    const [challenge] = await first.lines(1);
    const nonce = newNonce();
    const recorded = encodeFrame({ type: 'challenge_response', hmac: prove(secret(), challenge!.nonce as string, 'client'), nonce });
    first.send(recorded);
    expect((await first.lines(2))[1]).toMatchObject({ type: 'auth_ok' });
    const replay = await raw();
    replay.send(recorded);
    expect((await replay.lines(2))[1]).toMatchObject({ type: 'error', code: 'auth_failed' });
    const reuse = await raw();
    const [c2] = await reuse.lines(1);
    reuse.send(encodeFrame({ type: 'challenge_response', hmac: prove(secret(), c2!.nonce as string, 'client'), nonce }));
    expect((await reuse.lines(2))[1]).toMatchObject({ type: 'error', code: 'nonce_reused' });
    // Each failed attempt is audited; the proofs presented are not.
    await stop();
    const audit = AuditStore.open(join(home, 'data', 'aleph.db'));
    const failed = [...audit.rows()].filter((r) => r.event === 'auth_failed');
    expect(failed.map((r) => [r.payload.source, r.payload.reason_code])).toEqual([
      ['unix-socket', 'auth_failed'],
      ['unix-socket', 'nonce_reused'],
    ]);
    expect(JSON.stringify(failed)).not.toContain(JSON.parse(recorded).hmac);
    audit.close();
  });

  it('answers garbage and oversized lines with an error and closes only that connection', async () => {
    await start({ limits: { maxLineBytes: 4096 } });
    const healthy = await client();
    const garbage = await raw();
    garbage.send('this is not json\n');
    expect((await garbage.lines(2))[1]).toMatchObject({ type: 'error', code: 'invalid_json' });
    await garbage.closed;
    const huge = await raw();
    huge.send('{"type":"ping","pad":"' + 'x'.repeat(10_000));
    expect((await huge.lines(2))[1]).toMatchObject({ type: 'error', code: 'line_too_long' });
    await huge.closed;
    healthy.send({ type: 'ping', id: 'still-here' });
    expect(await healthy.next()).toEqual({ type: 'pong', id: 'still-here' });
    healthy.close();
  });

  it('closes a connection that never answers the challenge', async () => {
    await start({ limits: { handshakeTimeoutMs: 100 } });
    const silent = await raw();
    await silent.closed;
    expect((await silent.lines(2))[1]).toMatchObject({ code: 'handshake_timeout' });
  });

  it('answers everything pending with deny on shutdown and removes its socket', async () => {
    await start();
    const approver = await client();
    approver.send({ type: 'subscribe' });
    const agent = await client();
    agent.send({ type: 'approval_request', id: 'late', request: request('cp a b') });
    await approver.waitFor(is('approval_pending'));
    await stop();
    expect(await agent.next()).toMatchObject({ id: 'late', decision: 'deny', reason: 'gateway_shutdown' });
    expect(existsSync(join(home, 'exec-approvals.sock'))).toBe(false);
  });

  it('refuses to start beside a live gateway, and recovers the socket of a killed one', async () => {
    await start();
    await expect(Gateway.start({ home })).rejects.toThrow(/already running/);
    await stop();
    const fixture = fileURLToPath(new URL('../test-fixtures/gateway.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, home], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(home, 'exec-approvals.sock'))).toBe(true);
    await start();
    const c = await client();
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
    c.close();
  });

  it('will not talk to a process squatting on the socket path without the secret', async () => {
    loadConfig(home, true);
    const path = join(home, 'exec-approvals.sock');
    const squatter = createServer((s) => {
      s.write(encodeFrame({ type: 'challenge', nonce: newNonce(), version: 1 }));
      s.on('data', () => s.write(encodeFrame({ type: 'auth_ok', hmac: prove(randomBytes(32), newNonce(), 'server') })));
    });
    await new Promise<void>((r) => squatter.listen(path, r));
    await expect(client()).rejects.toMatchObject({ code: 'gateway_unverified' });
    await new Promise<void>((r) => squatter.close(() => r()));

    // A malformed challenge is the same refusal, not a crash; a well-formed message that is not one is a protocol error.
    for (const challenge of [{ type: 'challenge', nonce: 'x', version: 1 }, { type: 'challenge', version: 1 }, { type: 'auth_ok' }, { type: 'pong' }]) {
      const garbled = createServer((s) => s.write(encodeFrame(challenge)));
      await new Promise<void>((r) => garbled.listen(path, r));
      await expect(client()).rejects.toMatchObject({ code: challenge.type === 'pong' ? 'protocol' : 'gateway_unverified' });
      await new Promise<void>((r) => garbled.close(() => r()));
    }
  });

  it('answers 200 concurrent clients with 50 requests each', async () => {
    await start();
    const clients = await Promise.all(Array.from({ length: 200 }, () => client()));
    const answered = await Promise.all(
      clients.map(async (c, i) => {
        for (let j = 0; j < 50; j++) c.send({ type: 'approval_request', id: `${i}-${j}`, request: request(j % 2 === 0 ? `ls dir${j}` : `rm -rf x${j}`) });
        let n = 0;
        while (n < 50) {
          const m = await c.next(30_000);
          if (m?.type !== 'approval_decision') break;
          n++;
        }
        c.close();
        return n;
      }),
    );
    expect(answered.every((n) => n === 50)).toBe(true);
  }, 60_000);

  it('reports a broken configuration instead of starting', async () => {
    await start();
    await stop();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(configFile(home), '{ nope');
    await expect(Gateway.start({ home })).rejects.toBeInstanceOf(GatewayError);
    await expect(Gateway.start({ home })).rejects.toThrow(/not valid JSON/);
  });
});
