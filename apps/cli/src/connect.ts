import { join } from 'node:path';
import { alephHome, GatewayClient, GatewayError, loadSecret, SOCKET_FILE } from '@aleph/gateway/requester';
import { fail, ok, type Result } from '@aleph/protocol';
import { EXIT, type Io } from './io.js';

/**
 * Connects to the running gateway, or explains why not (no configuration, nobody listening). Only
 * the secret is read from the configuration file: a person's half-finished edit elsewhere in it
 * does not cut the agents off from the gateway, which runs on its last good configuration.
 */
export async function connectGateway(io: Io): Promise<GatewayClient> {
  const home = alephHome(io.env);
  const secret = loadSecret(home);
  if (!secret.ok) throw new GatewayError(secret.error.code, secret.error.message);
  return GatewayClient.connect(join(home, SOCKET_FILE), secret.value);
}

/** connectGateway, with why it failed as a value (`gateway_unreachable`, a configuration problem). */
export async function tryConnect(io: Io): Promise<Result<GatewayClient>> {
  try {
    return ok(await connectGateway(io));
  } catch (error) {
    if (error instanceof GatewayError) return fail(error.code, error.message);
    throw error;
  }
}

/**
 * One of the owner's identity calls over the socket: the result, or a failure with its code
 * (`gateway_unreachable` when no gateway runs).
 */
export async function ownerCall<T>(io: Io, method: string, params: Record<string, unknown> = {}): Promise<Result<T>> {
  const connected = await tryConnect(io);
  if (!connected.ok) return connected;
  const client = connected.value;
  try {
    return await client.call<T>(method, params);
  } finally {
    client.close();
  }
}

/**
 * An owner's list call, printed: the gateway's answer as it is with `json`, otherwise one line per
 * item of `key`, or `empty` when there is none.
 */
export async function printList<T>(io: Io, json: boolean, method: string, key: string, empty: string, line: (item: T) => string): Promise<number> {
  const listed = await ownerCall<Record<string, T[]>>(io, method);
  if (!listed.ok) return io.fail(listed.error, json);
  if (json) {
    io.out(JSON.stringify(listed.value));
    return EXIT.ok;
  }
  const items = listed.value[key] ?? [];
  if (items.length === 0) io.out(empty);
  for (const item of items) io.out(line(item));
  return EXIT.ok;
}
