import { join } from 'node:path';
import { GatewayClient, GatewayError, loadConfig, secretBytes, SOCKET_FILE } from '@aleph/gateway';
import { alephHome } from './home.js';
import type { Io } from './io.js';

/** Connects to the running gateway, or explains why not (no configuration, nobody listening). */
export async function connectGateway(io: Io): Promise<GatewayClient> {
  const home = alephHome(io.env);
  const config = loadConfig(home, false);
  if (!config.ok) throw new GatewayError(config.error.code, config.error.message);
  return GatewayClient.connect(join(home, SOCKET_FILE), secretBytes(config.value));
}
