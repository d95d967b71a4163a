import { parseDuration, type GuestView } from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { ownerCall, printList } from './connect.js';
import { EXIT } from './io.js';
import { styleFor } from './style.js';

export const GUESTS_HELP = `Usage: aleph guests invite --name NAME --tools TOOL[,TOOL...]|* [--expires-in DURATION] [--json]
       aleph guests list [--json]
       aleph guests revoke ID [--json]

Guests use the gateway within a scope: the tools listed (* for every tool), until --expires-in
(7d, 12h; default: until revoked). invite prints a one-time invitation for the guest to accept
within 15 minutes. revoke ends the guest's sessions at once.`;

export const command = defineCommand({
  help: GUESTS_HELP,
  subcommands: ['invite', 'list', 'revoke'],
  options: { json: {}, name: { value: true }, tools: { value: true }, 'expires-in': { value: true } },
  optionsAnywhere: true,
  run: guests,
});

async function guests({ sub, args, io }: Invocation<'invite' | 'list' | 'revoke'>): Promise<number> {
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
  }
}
