import type { DeviceView } from '@aleph/protocol';
import { flag } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { ownerCall, printList } from './connect.js';
import { EXIT } from './io.js';
import { styleFor } from './style.js';

export const DEVICES_HELP = `Usage: aleph devices list [--json]
       aleph devices revoke ID [--json]
       aleph devices rotate ID [--json]

The devices paired with the gateway. revoke ends the device's sessions and kills every token it
holds, at once and for good. rotate replaces its token: the old one stops working, and the new one
is printed once, for you to hand to the device.`;

export const command = defineCommand({
  help: DEVICES_HELP,
  subcommands: ['list', 'revoke', 'rotate'],
  options: { json: {} },
  optionsAnywhere: true,
  run: devices,
});

async function devices({ sub, args, io }: Invocation<'list' | 'revoke' | 'rotate'>): Promise<number> {
  const json = flag(args, 'json');
  const style = styleFor(io.stdout, io.env);
  if (sub === 'list') {
    return printList<DeviceView>(
      io,
      json,
      'devices.list',
      'devices',
      'No paired devices. Pair one with: aleph pairing request --name NAME (on the device)',
      (d) => {
        const state = d.revoked_at === null ? `last seen ${d.last_seen_at ?? 'never'}` : `revoked ${d.revoked_at}`;
        return `${style.bold(d.id)}  ${d.name} (${d.type})  key ${d.fingerprint}${style.dim(`  ${state}`)}`;
      },
    );
  }
  if (args.operands.length !== 1) return io.usage(`Give one device id.\n\n${DEVICES_HELP}`);
  const done = await ownerCall<{ device: DeviceView; token?: string; token_expires_at?: string }>(io, `devices.${sub}`, { id: args.operands[0]! });
  if (!done.ok) return io.fail(done.error, json);
  const d = done.value.device;
  if (json) io.out(JSON.stringify(done.value));
  else if (sub === 'revoke') io.out(`Revoked ${d.name} (${d.id}): its sessions ended and its tokens no longer work.`);
  else
    io.out(
      `Rotated the token of ${d.name} (${d.id}). The old one no longer works. The new one (shown once, valid until ${done.value.token_expires_at}):\n${done.value.token}`,
    );
  return EXIT.ok;
}
