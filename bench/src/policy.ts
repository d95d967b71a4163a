import { CommandPolicy, loadBashParser } from '@aleph/policy';
import { realisticCommands } from './commands.js';
import { medianMs, type Row } from './table.js';

const COUNT = 10_000;

/**
 * Classification of realistic commands end to end, beside the bare tree-sitter parse of the same
 * commands; and with the options the gateway adds (its `alephHome`).
 */
export async function policySuite(): Promise<Row[]> {
  const commands = realisticCommands(COUNT);
  const parser = await loadBashParser();
  const policy = await CommandPolicy.load();
  const options = { cwd: '/home/user/project', home: '/home/user' };
  // What the gateway passes besides: its own home, which no SAFE command may read.
  const gatewayOptions = { ...options, alephHome: '/home/user/.config/aleph' };

  const {
    parse: parseMs,
    classify: classifyMs,
    gateway: gatewayMs,
  } = medianMs({
    parse: () => {
      for (const c of commands) parser.parse(c)!.delete();
    },
    classify: () => {
      for (const c of commands) policy.evaluate(c, options);
    },
    gateway: () => {
      for (const c of commands) policy.evaluate(c, gatewayOptions);
    },
  });
  const perSecond = (ms: number) => COUNT / (ms / 1000);
  return [
    { suite: 'policy', metric: `bare tree-sitter parse (${COUNT.toLocaleString('en-US')} commands)`, value: perSecond(parseMs), unit: 'cmd/s' },
    {
      suite: 'policy',
      metric: 'classification throughput',
      value: perSecond(classifyMs),
      unit: 'cmd/s',
      target: { text: '>= 20,000 cmd/s', met: perSecond(classifyMs) >= 20_000 },
    },
    {
      suite: 'policy',
      metric: 'classification time vs bare parse',
      value: classifyMs,
      unit: 'ms',
      baseline: { name: 'bare parse', value: parseMs },
      target: { text: '<= 2.5x', met: classifyMs / parseMs <= 2.5 },
    },
    {
      suite: 'policy',
      metric: "classification time vs bare parse, with the gateway's alephHome",
      value: gatewayMs,
      unit: 'ms',
      baseline: { name: 'bare parse', value: parseMs },
      target: { text: '<= 2.5x', met: gatewayMs / parseMs <= 2.5 },
    },
  ];
}
