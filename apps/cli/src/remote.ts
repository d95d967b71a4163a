import { GatewayError, RemoteApprover, type Approver } from '@aleph/gateway';
import { fromBase64url } from '@aleph/protocol';
import { connectGateway } from './connect.js';
import { identityFile, isGatewayUrl, readIdentity } from './identity-file.js';
import type { Io } from './io.js';

/**
 * The gateway an approver answers through: this machine's (its socket), or, with `--remote URL`
 * or $ALEPH_REMOTE, a gateway elsewhere, reached at its network endpoint as the device this
 * machine was paired as (`aleph pairing request`), with the token and key kept in device.json.
 */
export async function connectApprover(io: Io, remote: string | undefined): Promise<Approver> {
  const url = remote ?? io.env.ALEPH_REMOTE ?? '';
  if (url === '') return connectGateway(io);
  if (!isGatewayUrl(url)) throw new GatewayError('usage', `--remote (or ALEPH_REMOTE) must be a ws:// or wss:// address, not ${JSON.stringify(url)}.`);
  const file = identityFile(io, 'device');
  const device = readIdentity(file);
  if (device?.token === undefined)
    throw new GatewayError(
      'not_paired',
      `This machine is not paired with a gateway (no token in ${file}). Pair it first: aleph pairing request --name NAME --gateway ${url}`,
    );
  const secretKey = fromBase64url(device.secret_key);
  if (secretKey?.length !== 64)
    throw new GatewayError('not_paired', `${file} holds no usable device key. Pair again: aleph pairing request --name NAME --gateway ${url}`);
  return RemoteApprover.connect(url, device.token, secretKey);
}
