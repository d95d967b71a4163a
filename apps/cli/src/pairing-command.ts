import { GatewayError, RpcClient } from '@aleph/gateway';
import { sign } from '@aleph/identity';
import { formatDuration, fromBase64url, pairingMessage, toBase64url, type PairingView, visibleText } from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { ownerCall, printList } from './connect.js';
import { gatewayAddress, identityFile, identityKeys, writeIdentity, type IdentityFile } from './identity-file.js';
import { EXIT, type Io } from './io.js';
import { styleFor } from './style.js';

export const PAIRING_HELP = `Usage: aleph pairing list [--json]
       aleph pairing approve CODE [--json]
       aleph pairing reject CODE [--json]
       aleph pairing request --name NAME [--type cli] [--gateway ws://127.0.0.1:PORT] [--json]

Devices and chat senders pair before they may use the gateway. list, approve and reject are the
owner's (on this machine's gateway). request makes this machine a device of a gateway: it makes
and keeps a device key ($ALEPH_HOME/device.json, 0600), prints an 8-character code for the owner
to approve, proves it holds the key, and keeps the token it is given. A code is valid 5 minutes.`;

export const command = defineCommand({
  help: PAIRING_HELP,
  subcommands: ['list', 'approve', 'reject', 'request'],
  options: { json: {}, name: { value: true }, type: { value: true }, gateway: { value: true } },
  optionsAnywhere: true,
  run: pairing,
});

async function pairing({ sub, args, io }: Invocation<'list' | 'approve' | 'reject' | 'request'>): Promise<number> {
  const json = flag(args, 'json');
  const style = styleFor(io.stdout, io.env);

  switch (sub) {
    case 'list':
      return printList<PairingView>(io, json, 'pairing.list', 'pending', 'No pairing requests.', (p) => {
        const who = visibleText(p.kind === 'chat' ? `${p.name} on ${p.type}` : `${p.name} (${p.type}, key ${p.fingerprint})`);
        return `${style.bold(p.code)}  ${who}${style.dim(`  ${p.approved ? "approved, waiting for the device's proof" : `expires in ${formatDuration(p.expires_in_ms)}`}`)}`;
      });
    case 'approve':
    case 'reject': {
      if (args.operands.length !== 1) return io.usage(`Give one pairing code.\n\n${PAIRING_HELP}`);
      const done = await ownerCall<{ pairing: PairingView }>(io, `pairing.${sub}`, { code: args.operands[0]! });
      if (!done.ok) return io.fail(done.error, json);
      const p = done.value.pairing;
      if (json) io.out(JSON.stringify(done.value));
      else if (sub === 'reject') io.out(`Rejected ${p.name}.`);
      else
        io.out(
          p.kind === 'chat' ? `Paired ${p.name} on ${p.type}.` : `Approved ${p.name}; it is paired once it proves its key (fingerprint ${p.fingerprint}).`,
        );
      return EXIT.ok;
    }
    case 'request':
      return request(io, value(args, 'name'), value(args, 'type') ?? 'cli', value(args, 'gateway'), json);
  }
}

async function request(io: Io, name: string | undefined, type: string, gatewayUrl: string | undefined, json: boolean): Promise<number> {
  if (name === undefined || name.trim() === '') return io.usage('--name is required: the owner sees it beside the code.');
  const address = gatewayAddress(io, gatewayUrl);
  if (!address.ok) return address.error.code === 'usage' ? io.usage(address.error.message) : io.fail(address.error, json);
  const url = address.value;
  const file = identityFile(io, 'device');
  const keys = identityKeys(file);
  let device: IdentityFile = { gateway: url, public_key: toBase64url(keys.publicKey), secret_key: toBase64url(keys.secretKey) };
  writeIdentity(file, device);

  let client: RpcClient;
  try {
    client = await RpcClient.open(url);
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  try {
    const asked = await client.call<{ code: string; fingerprint: string; expires_at: string }>('pairing.request', {
      name,
      type,
      public_key: device.public_key,
    });
    if (!asked.ok) return io.fail(asked.error, json);
    const { code, fingerprint, expires_at } = asked.value;
    io.out(
      json
        ? JSON.stringify({ event: 'code', code, fingerprint, expires_at })
        : `Pairing code: ${code.slice(0, 4)}-${code.slice(4)}\nKey fingerprint: ${fingerprint}\nWaiting for the owner: aleph pairing approve ${code} (valid until ${new Date(expires_at).toLocaleTimeString()})`,
    );
    const outcome = await client.notification('pairing_resolved', Math.max(0, Date.parse(expires_at) - Date.now()) + 1000);
    if (outcome === null) {
      return io.fail(
        client.closeInfo === null
          ? { code: 'code_expired', message: `The code ${code} expired before the owner approved it.` }
          : { code: 'connection_closed', message: 'The gateway closed the connection.' },
        json,
      );
    }
    if (outcome.params.outcome !== 'approved') return io.fail({ code: 'pairing_rejected', message: 'The owner rejected the pairing request.' }, json);
    const challenge = typeof outcome.params.challenge === 'string' ? fromBase64url(outcome.params.challenge) : null;
    if (challenge === null) return io.fail({ code: 'protocol', message: 'The gateway approved without a challenge to sign.' }, json);
    const done = await client.call<{ device_id: string; token: string; token_expires_at: string; fingerprint: string }>('pairing.complete', {
      code,
      signature: toBase64url(sign(keys.secretKey, pairingMessage(challenge))),
    });
    if (!done.ok) return io.fail(done.error, json);
    device = {
      ...device,
      device_id: done.value.device_id,
      fingerprint: done.value.fingerprint,
      token: done.value.token,
      token_expires_at: done.value.token_expires_at,
    };
    writeIdentity(file, device);
    io.out(
      json
        ? JSON.stringify({
            event: 'paired',
            device_id: done.value.device_id,
            fingerprint: done.value.fingerprint,
            token_expires_at: done.value.token_expires_at,
          })
        : `Paired as ${done.value.device_id}. The token is kept in ${file}.`,
    );
    return EXIT.ok;
  } finally {
    client.close();
  }
}
