import { GatewayError, RpcClient } from '@aleph/gateway';
import { fingerprint, newDeviceKeyPair } from '@aleph/identity';
import { parseDuration, toBase64url, type GuestView, type SessionView } from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { ownerCall, printList } from './connect.js';
import { gatewayAddress, identityFile, writeIdentity } from './identity-file.js';
import { EXIT, type Io } from './io.js';
import { styleFor } from './style.js';

export const GUESTS_HELP = `Usage: aleph guests invite --name NAME --tools TOOL[,TOOL...]|* [--expires-in DURATION] [--json]
       aleph guests list [--json]
       aleph guests revoke ID [--json]
       aleph guests accept INVITATION|- [--gateway ws://HOST:PORT] [--json]

Guests use the gateway within a scope: the tools listed (* for every tool), until --expires-in
(7d, 12h; default: until revoked). invite prints a one-time invitation for the guest to accept
within 15 minutes. revoke ends the guest's sessions at once. invite, list and revoke are the
owner's. accept is the guest's, on its own machine: it makes a key, accepts the invitation (- reads
it from standard input, out of the shell's history) at the gateway's network endpoint (default:
this machine's), and keeps the key and the token it is given in $ALEPH_HOME/guest.json (0600).`;

export const command = defineCommand({
  help: GUESTS_HELP,
  subcommands: ['invite', 'list', 'revoke', 'accept'],
  options: { json: {}, name: { value: true }, tools: { value: true }, 'expires-in': { value: true }, gateway: { value: true } },
  optionsAnywhere: true,
  run: guests,
});

async function guests({ sub, args, io }: Invocation<'invite' | 'list' | 'revoke' | 'accept'>): Promise<number> {
  const json = flag(args, 'json');
  const style = styleFor(io.stdout, io.env);
  switch (sub) {
    case 'invite': {
      const name = value(args, 'name');
      const tools = value(args, 'tools');
      if (name === undefined || tools === undefined) return io.usage(`--name and --tools are required.\n\n${GUESTS_HELP}`);
      const expiresText = value(args, 'expires-in');
      const expires = expiresText === undefined ? undefined : parseDuration(expiresText);
      if (expires !== undefined && !expires.ok) return io.usage(`--expires-in: ${expires.error.message}`);
      const invited = await ownerCall<{ guest: GuestView; invitation: string; accept_by: string }>(io, 'guests.invite', {
        name,
        tools: tools
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
        ...(expires === undefined ? {} : { expires_in_ms: expires.value }),
      });
      if (!invited.ok) return io.fail(invited.error, json);
      const { guest, invitation, accept_by } = invited.value;
      if (json) io.out(JSON.stringify(invited.value));
      else
        io.out(
          `Invited ${guest.name} (${guest.id}) to use ${guest.allowed_tools.join(', ')}${guest.expires_at === null ? '' : ` until ${guest.expires_at}`}.\nInvitation (shown once, accept by ${accept_by}):\n${invitation}`,
        );
      return EXIT.ok;
    }
    case 'list':
      return printList<GuestView>(io, json, 'guests.list', 'guests', 'No guests.', (g) => {
        const state = g.revoked_at !== null ? `revoked ${g.revoked_at}` : g.fingerprint === null ? 'invited, not yet accepted' : `key ${g.fingerprint}`;
        return `${style.bold(g.id)}  ${g.name}  ${g.allowed_tools.join(', ')}${g.expires_at === null ? '' : `  until ${g.expires_at}`}${style.dim(`  ${state}`)}`;
      });
    case 'revoke': {
      if (args.operands.length !== 1) return io.usage(`Give one guest id.\n\n${GUESTS_HELP}`);
      const done = await ownerCall<{ guest: GuestView }>(io, 'guests.revoke', { id: args.operands[0]! });
      if (!done.ok) return io.fail(done.error, json);
      io.out(json ? JSON.stringify(done.value) : `Revoked ${done.value.guest.name} (${done.value.guest.id}): its sessions ended.`);
      return EXIT.ok;
    }
    case 'accept':
      return accept(io, args.operands, value(args, 'gateway'), json);
  }
}

/**
 * Accepts an invitation as a guest: a fresh key, proven to nobody yet but named in the acceptance,
 * and the token the gateway gives for it, kept together (0600) only once the gateway has said yes,
 * so that a refused invitation leaves an earlier guest.json as it was.
 */
async function accept(io: Io, operands: readonly string[], given: string | undefined, json: boolean): Promise<number> {
  if (operands.length !== 1) return io.usage(`Give the invitation (or - to read it from standard input).\n\n${GUESTS_HELP}`);
  const invitation = operands[0] === '-' ? (await text(io.stdin)).trim() : operands[0]!;
  if (invitation === '') return io.usage('The invitation is empty.');
  const address = gatewayAddress(io, given);
  if (!address.ok) return address.error.code === 'usage' ? io.usage(address.error.message) : io.fail(address.error, json);
  const url = address.value;
  const keys = newDeviceKeyPair();
  let client: RpcClient;
  try {
    client = await RpcClient.open(url);
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  try {
    const accepted = await client.call<{ guest_id: string; token: string; token_expires_at: string; session: SessionView }>('guests.accept', {
      invitation,
      public_key: toBase64url(keys.publicKey),
    });
    if (!accepted.ok) return io.fail(accepted.error, json);
    const { guest_id, token, token_expires_at, session } = accepted.value;
    const file = identityFile(io, 'guest');
    writeIdentity(file, {
      gateway: url,
      public_key: toBase64url(keys.publicKey),
      secret_key: toBase64url(keys.secretKey),
      guest_id,
      fingerprint: fingerprint(keys.publicKey),
      token,
      token_expires_at,
    });
    io.out(
      json
        ? JSON.stringify({ guest_id, token_expires_at, session, file })
        : `Accepted as ${session.name} (${guest_id}): ${session.allowed_tools.join(', ') || 'no tools'}${session.expires_at === null ? '' : ` until ${session.expires_at}`}. The key and token are kept in ${file}.`,
    );
    return EXIT.ok;
  } finally {
    client.close();
  }
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let read = '';
  for await (const chunk of stream) read += chunk.toString();
  return read;
}
