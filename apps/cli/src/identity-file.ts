import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alephHome, loadConfig, writePrivateFile } from '@aleph/gateway/requester';
import { newDeviceKeyPair } from '@aleph/identity';
import { fail, fromBase64url, ok, type Result } from '@aleph/protocol';
import type { Io } from './io.js';

/**
 * What this machine keeps of one identity at a gateway: a paired device (`device.json`) or a
 * guest (`guest.json`) in $ALEPH_HOME. It holds a private key and a bearer token: 0600, written
 * atomically.
 */
export interface IdentityFile {
  readonly gateway: string;
  readonly public_key: string;
  readonly secret_key: string;
  readonly device_id?: string;
  readonly guest_id?: string;
  readonly fingerprint?: string;
  readonly token?: string;
  readonly token_expires_at?: string;
}

export type IdentityKind = 'device' | 'guest';

export function identityFile(io: Io, kind: IdentityKind): string {
  return join(alephHome(io.env), `${kind}.json`);
}

/** The identity kept in `file`, or null when there is none (or it cannot be read as one). */
export function readIdentity(file: string): IdentityFile | null {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<IdentityFile>;
    return typeof kept.gateway === 'string' && typeof kept.public_key === 'string' && typeof kept.secret_key === 'string' ? (kept as IdentityFile) : null;
  } catch {
    return null;
  }
}

/** The key kept in `file` from an earlier request, or a new one. */
export function identityKeys(file: string): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const kept = readIdentity(file);
  const publicKey = kept === null ? null : fromBase64url(kept.public_key);
  const secretKey = kept === null ? null : fromBase64url(kept.secret_key);
  if (publicKey?.length === 32 && secretKey?.length === 64) return { publicKey, secretKey };
  return newDeviceKeyPair();
}

export function writeIdentity(file: string, identity: IdentityFile): void {
  writePrivateFile(file, `${JSON.stringify(identity, null, 2)}\n`);
}

/** The gateway's network endpoint: `given` (--gateway), or this machine's, on the configured port. */
export function gatewayAddress(io: Io, given: string | undefined): Result<string> {
  let url = given;
  if (url === undefined) {
    const config = loadConfig(alephHome(io.env), false);
    if (!config.ok) return config;
    url = `ws://127.0.0.1:${config.value.network.port}`;
  }
  return isGatewayUrl(url) ? ok(url) : fail('usage', '--gateway must be a ws:// or wss:// address.');
}

/** Whether `url` can be a gateway's network endpoint: a ws:// or wss:// address. */
export const isGatewayUrl = (url: string): boolean => /^wss?:\/\/[^/]/.test(url);
