import type { DeviceView } from '@aleph/protocol';
import { flag, parseArgs } from './args.js';
import { ownerCall, printList } from './connect.js';
import { EXIT, type Io } from './io.js';
import { styleFor } from './style.js';

export const DEVICES_HELP = `Usage: aleph devices list [--json]
       aleph devices revoke ID [--json]
       aleph devices rotate ID [--json]

The devices paired with the gateway. revoke ends the device's sessions and kills every token it
holds, at once and for good. rotate replaces its token: the old one stops working, and the new one
is printed once, for you to hand to the device.`;

export async function devicesCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(DEVICES_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const parsed = parseArgs(rest, { json: {} }, true);
  if (!parsed.ok) return io.usage(`${parsed.error.message}\n\n${DEVICES_HELP}`);
  const json = flag(parsed.value, 'json');
  const style = styleFor(io.stdout, io.env);
  if (sub === 'list') {
    return printList<DeviceView>(io, json, 'devices.list', 'devices', 'No paired devices. Pair one with: aleph pairing request --name NAME (on the device)', (d) => {
      const state = d.revoked_at === null ? `last seen ${d.last_seen_at ?? 'never'}` : `revoked ${d.revoked_at}`;
      return `${style.bold(d.id)}  ${d.name} (${d.type})  key ${d.fingerprint}${style.dim(`  ${state}`)}`;
    });
  }
  if (sub !== 'revoke' && sub !== 'rotate') return io.usage(`Unknown devices command "${sub}".\n\n${DEVICES_HELP}`);
  if (parsed.value.operands.length !== 1) return io.usage(`Give one device id.\n\n${DEVICES_HELP}`);
  const done = await ownerCall<{ device: DeviceView; token?: string; token_expires_at?: string }>(io, `devices.${sub}`, { id: parsed.value.operands[0]! });
  if (!done.ok) return io.fail(done.error, json);
  const d = done.value.device;
  if (json) io.out(JSON.stringify(done.value));
  else if (sub === 'revoke') io.out(`Revoked ${d.name} (${d.id}): its sessions ended and its tokens no longer work.`);
  else io.out(`Rotated the token of ${d.name} (${d.id}). The old one no longer works. The new one (shown once, valid until ${done.value.token_expires_at}):\n${done.value.token}`);
  return EXIT.ok;
}
