import { createInterface } from 'node:readline';
import { GatewayError, type GatewayClient } from '@aleph/gateway';
import { ALLOW_RULE_KINDS, type AllowRule, type Decision, type GatewayMessage, type PendingApproval } from '@aleph/protocol';
import { flag, parseArgs, value } from './args.js';
import { connectGateway } from './connect.js';
import { EXIT, type Io } from './io.js';
import { styleFor, type Style } from './style.js';

export const APPROVALS_HELP = `Usage: aleph approvals list [--json]
       aleph approvals allow ID [--always [--rule KIND:PATTERN]]
       aleph approvals deny ID [--reason TEXT]
       aleph approvals watch

Answers the commands agents are waiting on. --always remembers a rule for the agent (default: the
suggested one); KIND is exact, prefix or path, e.g. --rule 'prefix:npm run test:*'. watch shows
each pending command with its risk and reasons, and asks: [o]nce, [a]lways, [d]eny or [s]kip.`;

export async function approvalsCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    io.out(APPROVALS_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const parsed = parseArgs(rest, { json: {}, always: {}, rule: { value: true }, reason: { value: true }, help: {} }, true);
  if (!parsed.ok) return io.usage(`${parsed.error.message}\n\n${APPROVALS_HELP}`);
  const args = parsed.value;
  const json = flag(args, 'json');
  if (!['list', 'allow', 'deny', 'watch'].includes(sub)) return io.usage(`Unknown approvals command "${sub}".\n\n${APPROVALS_HELP}`);
  const id = args.operands[0];
  if ((sub === 'allow' || sub === 'deny') && (id === undefined || args.operands.length > 1)) return io.usage(`Give the ID of one pending approval.\n\n${APPROVALS_HELP}`);
  let rule: AllowRule | undefined;
  const ruleText = value(args, 'rule');
  if (ruleText !== undefined) {
    const colon = ruleText.indexOf(':');
    const kind = ruleText.slice(0, colon);
    if (colon < 0 || !(ALLOW_RULE_KINDS as readonly string[]).includes(kind) || ruleText.slice(colon + 1).trim() === '') {
      return io.usage('--rule must be KIND:PATTERN with KIND exact, prefix or path.');
    }
    if (!flag(args, 'always')) return io.usage('--rule goes with --always.');
    rule = { kind: kind as AllowRule['kind'], pattern: ruleText.slice(colon + 1).trim() };
  }

  let client: GatewayClient;
  try {
    client = await connectGateway(io);
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  try {
    const style = styleFor(io.stdout, io.env);
    if (sub === 'list') {
      client.send({ type: 'get_pending' });
      const pending = await client.waitFor(isType('pending'), 5_000);
      const approvals = pending?.approvals ?? [];
      if (json) io.out(JSON.stringify({ pending: approvals }));
      else if (approvals.length === 0) io.out('Nothing is waiting for approval.');
      else for (const a of approvals) io.out(describe(a, style));
      return EXIT.ok;
    }
    if (sub === 'watch') return await watch(client, io, style);
    const decision: Decision = sub === 'deny' ? 'deny' : flag(args, 'always') ? 'allow-always' : 'allow-once';
    const reason = value(args, 'reason');
    return await answer(client, io, id!, decision, rule, reason, json);
  } finally {
    client.close();
  }
}

function isType<T extends GatewayMessage['type']>(type: T) {
  return (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> => m.type === type;
}

async function answer(client: GatewayClient, io: Io, id: string, decision: Decision, rule: AllowRule | undefined, reason: string | undefined, json: boolean): Promise<number> {
  client.send({ type: 'resolve', id, decision, ...(rule === undefined ? {} : { rule }), ...(reason === undefined ? {} : { reason }) });
  const reply = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'resolved' | 'error' }> => m.type === 'resolved' || m.type === 'error', 5_000);
  if (reply === null) return io.fail({ code: 'gateway_gone', message: 'The gateway did not confirm the answer.' }, json);
  if (reply.type === 'error') return io.fail({ code: reply.code, message: reply.message }, json);
  io.out(json ? JSON.stringify({ id, decision }) : `${decision === 'deny' ? 'Denied' : 'Allowed'} ${id}${decision === 'allow-always' ? ' (always)' : ''}.`);
  return EXIT.ok;
}

function describe(a: PendingApproval, style: Style): string {
  const risk = a.risk.level === 'critical' || a.risk.level === 'high' ? style.red(`${a.risk.level} ${a.risk.score}`) : style.yellow(`${a.risk.level} ${a.risk.score}`);
  const lines = [
    `${style.bold(a.id)}  ${risk}  ${style.dim(`${a.request.agent_id} in ${a.request.cwd}, until ${a.expires_at.slice(11, 19)}`)}`,
    `  $ ${a.request.command}`,
    ...a.risk.reasons.map((r) => `  - ${r.message}`),
  ];
  if (a.suggested_rule !== null) lines.push(style.dim(`  always would remember: ${a.suggested_rule.kind}:${a.suggested_rule.pattern}`));
  return lines.join('\n');
}

/** An interactive prompt: each pending command in turn, answered with one key and Enter. */
async function watch(client: GatewayClient, io: Io, style: Style): Promise<number> {
  client.send({ type: 'subscribe' });
  const first = await client.waitFor(isType('pending'), 5_000);
  const queue: PendingApproval[] = [...(first?.approvals ?? [])];
  const input = createInterface({ input: io.stdin, crlfDelay: Infinity });
  const lines = input[Symbol.asyncIterator]();
  io.out(style.dim('Watching for approvals. Ctrl-C to stop.'));
  for (;;) {
    const approval = queue.shift();
    if (approval === undefined) {
      const m = await client.next();
      if (m === null) break;
      if (m.type === 'approval_pending') queue.push(m.approval);
      continue;
    }
    io.out(describe(approval, style));
    io.stdout.write('  [o]nce  [a]lways  [d]eny  [s]kip > ');
    const line = await lines.next();
    if (line.done === true) break;
    const key = line.value.trim().toLowerCase()[0];
    if (key === 's' || key === undefined) continue;
    const decision: Decision | undefined = key === 'o' ? 'allow-once' : key === 'a' ? 'allow-always' : key === 'd' ? 'deny' : undefined;
    if (decision === undefined) {
      queue.unshift(approval);
      continue;
    }
    client.send({ type: 'resolve', id: approval.id, decision });
    const reply = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'resolved' | 'error' }> => (m.type === 'resolved' || m.type === 'error'), 5_000);
    io.out(reply?.type === 'resolved' ? style.dim(`  ${decision}`) : style.red(`  ${reply?.type === 'error' ? reply.message : 'no answer from the gateway'}`));
  }
  input.close();
  return EXIT.ok;
}
