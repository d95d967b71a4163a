import { alephHome, loadConfig } from '@aleph/gateway';
import { parseSecurityMode, SECURITY_MODES } from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { changePolicy } from './changes.js';
import { EXIT } from './io.js';

export const MODE_HELP = `Usage: aleph mode set safe|dev|unrestricted [--agent ID] [--json]
       aleph mode show [--json]

Sets the security mode of one agent, or the default for all agents without their own. A running
gateway applies it to the next request. Every change is recorded in the audit log.`;

export const command = defineCommand({
  help: MODE_HELP,
  subcommands: ['set', 'show'],
  options: { agent: { value: true }, json: {} },
  optionsAnywhere: true,
  run: mode,
});

async function mode({ sub, args, io }: Invocation<'set' | 'show'>): Promise<number> {
  const json = flag(args, 'json');
  const home = alephHome(io.env);
  if (sub === 'show') {
    const config = loadConfig(home, false);
    if (!config.ok) return io.fail(config.error, json);
    const agents = Object.fromEntries(
      Object.entries(config.value.agents)
        .filter(([, a]) => a.mode !== undefined)
        .map(([id, a]) => [id, a.mode]),
    );
    if (json) io.out(JSON.stringify({ default: config.value.defaults.mode, agents }));
    else {
      io.out(`default: ${config.value.defaults.mode}`);
      for (const [id, mode] of Object.entries(agents)) io.out(`${id}: ${mode}`);
    }
    return EXIT.ok;
  }
  if (args.operands.length !== 1) return io.usage(`Give one mode: ${SECURITY_MODES.join(', ')}.`);
  const mode = parseSecurityMode(args.operands[0]);
  if (!mode.ok) return io.usage(mode.error.message);
  const agent = value(args, 'agent');
  const changed = changePolicy(home, { method: 'policy.set_mode', mode: mode.value, ...(agent === undefined ? {} : { agent }) });
  if (!changed.ok) return io.fail(changed.error, json);
  const { from } = changed.value as { from: string };
  // The same words as `mode show`: "default", or the agent's id, then the mode.
  io.out(json ? JSON.stringify({ agent: agent ?? null, from, to: mode.value }) : `${agent ?? 'default'}: ${from} -> ${mode.value}`);
  return EXIT.ok;
}
