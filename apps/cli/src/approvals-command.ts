import { GatewayError, type Approver } from '@aleph/gateway';
import {
  CONFINED,
  confinementChoices,
  fail,
  ok,
  parseNetworkGrant,
  describeConfinement,
  describeGrant,
  formatDuration,
  parseDuration,
  parseRuleText,
  type AllowRule,
  type ClientMessage,
  type Confinement,
  type Decision,
  type GatewayMessage,
  type PendingApproval,
  type PendingTool,
  type Result,
  describeCapabilities,
  visibleText,
} from '@aleph/protocol';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { EXIT, type Io } from './io.js';
import { promptInput } from './prompt-input.js';
import { connectApprover } from './remote.js';
import { styleFor, type Style } from './style.js';

export const APPROVALS_HELP = `Usage: aleph approvals list [--remote URL] [--json]
       aleph approvals allow ID [--always | --for DURATION | --session] [--rule KIND:PATTERN]
                                [--network none|all|DOMAIN,... | --unconfined] [--remote URL]
       aleph approvals deny ID [--reason TEXT] [--remote URL]
       aleph approvals watch [--remote URL] [--json]

Answers the commands agents are waiting on. --always remembers a rule for the agent (default: the
suggested one); --for 15m remembers it for that long, --session for the rest of the agent's
session (a day at most); both expire by themselves. KIND is exact, prefix or path, e.g.
--rule 'prefix:npm run test:*'. A shell command runs as its approval suggests (aleph approvals
list shows it) unless --network says otherwise: confined with no network, with the whole network,
or with these domains only; --unconfined runs it outside the sandbox. A deny's --reason is told to
the agent. watch shows each pending
command with its risk and reasons, and asks: [o]nce, [a]lways, [t]his session, [d]eny or [s]kip,
one key on a terminal, or a duration such as 15m then Enter (remember it that long); [c] first
cycles how a shell command will run (confined with no network, with the domains it needs, with
the whole network, unconfined), the suggestion until you change it; Ctrl-C stops.
From a pipe, each line is an answer. watch --json asks nothing: it prints what waits, then every
approval and pairing as it comes and goes, one JSON object per line.
--remote ws://HOST:PORT (or $ALEPH_REMOTE) answers a gateway on another machine through its network
endpoint, as the device this machine was paired as (aleph pairing request): its token and key are
in $ALEPH_HOME/device.json.`;

/** What an approver can answer, besides the approval's id. */
type Answer = Pick<Extract<ClientMessage, { type: 'resolve' }>, 'decision' | 'rule' | 'reason' | 'duration_ms' | 'scope' | 'confinement'>;

export const command = defineCommand({
  help: APPROVALS_HELP,
  subcommands: ['list', 'allow', 'deny', 'watch'],
  options: {
    json: {},
    always: {},
    for: { value: true },
    session: {},
    rule: { value: true },
    reason: { value: true },
    network: { value: true },
    unconfined: {},
    remote: { value: true },
  },
  optionsAnywhere: true,
  run: approvals,
});

async function approvals({ sub, args, io }: Invocation<'list' | 'allow' | 'deny' | 'watch'>): Promise<number> {
  const json = flag(args, 'json');
  const id = args.operands[0];
  if ((sub === 'allow' || sub === 'deny') && (id === undefined || args.operands.length > 1))
    return io.usage(`Give the ID of one pending approval.\n\n${APPROVALS_HELP}`);
  let rule: AllowRule | undefined;
  const ruleText = value(args, 'rule');
  if (ruleText !== undefined) {
    const parsedRule = parseRuleText(ruleText);
    if (!parsedRule.ok) return io.usage(`--rule: ${parsedRule.error.message}`);
    rule = parsedRule.value;
  }
  const forText = value(args, 'for');
  const duration = forText === undefined ? undefined : parseDuration(forText);
  if (duration !== undefined && !duration.ok) return io.usage(duration.error.message);
  const grants = [flag(args, 'always'), duration !== undefined, flag(args, 'session')].filter(Boolean).length;
  if (grants > 1) return io.usage('Give one of --always, --for and --session.');
  if (grants === 0 && rule !== undefined) return io.usage('--rule goes with --always, --for or --session.');
  if (sub === 'deny' && grants > 0) return io.usage('--always, --for and --session go with allow.');
  const confinement = confinementOption(value(args, 'network'), flag(args, 'unconfined'));
  if (!confinement.ok) return io.usage(confinement.error.message);
  if (sub !== 'allow' && confinement.value !== undefined) return io.usage('--network and --unconfined go with allow.');

  let client: Approver;
  try {
    client = await connectApprover(io, value(args, 'remote'));
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  try {
    const style = styleFor(io.stdout, io.env);
    if (sub === 'list') {
      client.send({ type: 'get_pending' });
      const pending = await client.waitFor(isType('pending'), 5_000);
      // No answer is not "nothing waits": say so, rather than an empty list.
      if (pending === null) return io.fail(client.failure ?? { code: 'gateway_gone', message: 'The gateway did not list what is pending.' }, json);
      const approvals = pending.approvals;
      if (json) io.out(JSON.stringify({ pending: approvals }));
      else if (approvals.length === 0) io.out('Nothing is waiting for approval.');
      else for (const a of approvals) io.out(describe(a, style));
      return EXIT.ok;
    }
    if (sub === 'watch') return await (json ? feed(client, io) : watch(client, io, style));
    const decision: Decision = sub === 'deny' ? 'deny' : grants > 0 ? 'allow-always' : 'allow-once';
    const reason = value(args, 'reason');
    return await answer(
      client,
      io,
      id!,
      {
        decision,
        ...(rule === undefined ? {} : { rule }),
        ...(reason === undefined ? {} : { reason }),
        ...(duration === undefined ? {} : { duration_ms: duration.value }),
        ...(flag(args, 'session') ? { scope: 'session' as const } : {}),
        ...(confinement.value === undefined ? {} : { confinement: confinement.value }),
      },
      json,
    );
  } finally {
    client.close();
  }
}

/** `--network none|all|DOMAIN,...` or `--unconfined`: how an allowed shell command runs; undefined: as suggested. */
function confinementOption(network: string | undefined, unconfined: boolean): Result<Confinement | undefined> {
  if (unconfined && network !== undefined) return fail('usage', 'Give one of --network and --unconfined.');
  if (unconfined) return ok({ kind: 'unconfined' });
  if (network === undefined) return ok(undefined);
  if (network === 'none') return ok(CONFINED);
  if (network === 'all') return ok({ kind: 'sandbox', network: { kind: 'allow_all' } });
  const grant = parseNetworkGrant({ kind: 'allow_domains', domains: network.split(',').map((d) => d.trim().toLowerCase()) }, 'usage');
  if (!grant.ok)
    return fail('usage', `--network takes none, all, or domain names separated by commas (registry.npmjs.org,*.example.org); got ${JSON.stringify(network)}.`);
  return ok({ kind: 'sandbox', network: grant.value });
}

function isType<T extends GatewayMessage['type']>(type: T) {
  return (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> => m.type === type;
}

async function answer(client: Approver, io: Io, id: string, a: Answer, json: boolean): Promise<number> {
  const reply = await send(client, id, a);
  if (reply.type === 'error') return io.fail({ code: reply.code, message: reply.message }, json);
  io.out(json ? JSON.stringify({ id, ...a }) : `${a.decision === 'deny' ? 'Denied' : 'Allowed'} ${id}${grantText(a)}.`);
  return EXIT.ok;
}

/** Sends an answer and waits for the gateway to confirm it (or say why not). */
async function send(client: Approver, id: string, a: Answer): Promise<Extract<GatewayMessage, { type: 'resolved' | 'error' }>> {
  client.send({ type: 'resolve', id, ...a });
  const reply = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'resolved' | 'error' }> =>
      (m.type === 'resolved' && m.id === id) || (m.type === 'error' && m.id === id),
    5_000,
  );
  return reply ?? { type: 'error', code: 'gateway_gone', message: 'The gateway did not confirm the answer.' };
}

function grantText(a: Answer): string {
  const runs = a.confinement === undefined ? '' : `, ${describeConfinement(a.confinement)}`;
  return `${a.decision === 'allow-always' ? ` (${describeGrant(a.scope, a.duration_ms)})` : ''}${runs}`;
}

/** How a shell command will run, as the watch shows it: unconfined in red, with a warning. */
function describeRun(c: Confinement, style: Style): string {
  return c.kind === 'unconfined'
    ? style.red(`  runs: UNCONFINED: everything you can reach (your files, secrets, the whole network), outside the sandbox  [c] to change`)
    : `  runs: ${describeConfinement(c)}  ${style.dim('[c] to change')}`;
}

/** What a key (or a duration) typed at the watch prompt means; null when it means nothing. */
function keyAnswer(text: string): Answer | null {
  if (text === 'o') return { decision: 'allow-once' };
  if (text === 'a') return { decision: 'allow-always' };
  if (text === 't') return { decision: 'allow-always', scope: 'session' };
  if (text === 'd') return { decision: 'deny' };
  const duration = parseDuration(text);
  return duration.ok && duration.value >= 1000 ? { decision: 'allow-always', duration_ms: duration.value } : null;
}

function describe(a: PendingApproval, style: Style): string {
  const risk =
    a.risk.level === 'critical' || a.risk.level === 'high' ? style.red(`${a.risk.level} ${a.risk.score}`) : style.yellow(`${a.risk.level} ${a.risk.score}`);
  const lines = [
    `${style.bold(a.id)}  ${risk}  ${style.dim(`${visibleText(a.request.agent_id)} in ${visibleText(a.request.cwd)}, until ${a.expires_at.slice(11, 19)}`)}`,
    `  $ ${visibleText(a.request.command)}`,
    ...a.risk.reasons.map((r) => `  - ${visibleText(r.message)}`),
  ];
  if (a.suggested_rule !== null) lines.push(style.dim(`  always would remember: ${a.suggested_rule.kind}:${visibleText(a.suggested_rule.pattern)}`));
  if (a.tool === undefined && a.suggested_confinement !== undefined) lines.push(style.dim(`  suggested: runs ${describeConfinement(a.suggested_confinement)}`));
  for (const note of a.confinement_notes ?? []) lines.push(style.dim(`  note: ${visibleText(note)}`));
  if (a.tool !== undefined) lines.push(...describeTool(a.tool, style));
  return lines.join('\n');
}

/** A tool approval: what is decided (the contract, or this run) and what the contract grants. */
function describeTool(t: PendingTool, style: Style): string[] {
  const what =
    t.gate === 'approve_contract'
      ? `tool ${t.name} (${t.stage}): approve its capability contract${t.changed_from === null ? '' : ', changed since it was approved'}`
      : `tool ${t.name} (${t.stage}): confirm this run`;
  return [
    `  ${style.bold(what)}`,
    `  ${visibleText(t.reason)}`,
    style.dim(`    runs ${visibleText(t.program.path)} (content ${visibleText(t.program.hash.slice(0, 12))}…)`),
    ...describeCapabilities(t.capabilities, t.directories).map((line) => style.dim(`    ${line}`)),
    ...(t.parameters === null ? [] : [style.dim(`    parameters: ${t.parameters.join(' ') || 'none'}`)]),
    style.dim(
      t.gate === 'approve_contract'
        ? '  once: approve it and count this as a trial run; always: verify it now'
        : t.stage === 'trial'
          ? '  once: count this trial run; always: verify the tool now'
          : '  allowing lets this one run through; the contract stays as approved',
    ),
  ];
}

/** The keys the watch prompt answers on at once, on a terminal. */
const WATCH_KEYS: ReadonlySet<string> = new Set(['o', 'a', 't', 'd', 's', 'c']);

/** The gateway's pushes a watcher is told of. */
const WATCHED: ReadonlySet<GatewayMessage['type']> = new Set([
  'approval_pending',
  'approval_resolved',
  'pairing_pending',
  'pairing_resolved',
  'config_invalid',
  'config_recovered',
]);

/**
 * With --json, a feed for programs: what waits now (`{"type": "pending", ...}`), then every push as
 * the gateway sends it, one JSON object per line, until the gateway goes away. Nothing is asked.
 */
async function feed(client: Approver, io: Io): Promise<number> {
  client.send({ type: 'subscribe' });
  for (;;) {
    const m = await client.next();
    if (m === null) break;
    if (m.type === 'pending' || WATCHED.has(m.type)) io.out(JSON.stringify(m));
  }
  return io.fail(client.failure ?? { code: 'gateway_unreachable', message: 'The gateway closed the connection; nothing is being watched.' }, true);
}

/**
 * An interactive prompt: each pending command in turn. On a terminal one key answers ([o]nce,
 * [a]lways, [t]his session, [d]eny, [s]kip); a duration (15m) is typed and ends with Enter;
 * [c] cycles a shell command's confinement before it is allowed. From a pipe, each line is an answer.
 */
async function watch(client: Approver, io: Io, style: Style): Promise<number> {
  client.send({ type: 'subscribe' });
  const first = await client.waitFor(isType('pending'), 5_000);
  const queue: PendingApproval[] = [...(first?.approvals ?? [])];
  const input = promptInput(io.stdin, io.stdout, WATCH_KEYS);
  // The end of input (Ctrl-C or Ctrl-D at the prompt, a closed pipe) ends the watch, even while waiting for the gateway.
  let inputEnded = false;
  input.onEnd(() => {
    inputEnded = true;
    client.close();
  });
  io.out(style.dim('Watching for approvals. Ctrl-C to stop.'));
  // The confinement picked for each shell command shown, by approval id (absent: the suggestion).
  const picks = new Map<string, number>();
  const apply = (m: GatewayMessage): void => {
    if (m.type === 'approval_pending') queue.push(m.approval);
    // Pairing requests are the owner's to see too; they are answered by code, not at this prompt.
    if (m.type === 'pairing_pending') {
      const p = m.pairing;
      const who = visibleText(p.kind === 'chat' ? `${p.name} on ${p.type}` : `${p.name} (${p.type}, key ${p.fingerprint})`);
      io.out(
        `${style.yellow('pairing')}  ${who} asks to pair: ${style.bold(`aleph pairing approve ${p.code}`)} ${style.dim(`(or reject; valid ${formatDuration(p.expires_in_ms)})`)}`,
      );
    }
    // Answered elsewhere (another approver, the timeout): no longer ours to ask about.
    if (m.type === 'approval_resolved') queue.splice(0, queue.length, ...queue.filter((a) => a.id !== m.id));
  };
  for (;;) {
    client.drain().forEach(apply);
    const approval = queue.shift();
    if (approval === undefined) {
      const m = await client.next();
      if (m === null) break;
      apply(m);
      continue;
    }
    const confinable = approval.tool === undefined && approval.suggested_confinement !== undefined;
    const { choices, preferred } = confinementChoices(approval.suggested_confinement);
    const picked = picks.get(approval.id) ?? preferred;
    const confinement = confinable ? choices[picked]! : undefined;
    if (!picks.has(approval.id)) io.out(describe(approval, style));
    if (confinement !== undefined) io.out(describeRun(confinement, style));
    io.stdout.write(`  [o]nce  [a]lways  [t]his session  15m/2h  [d]eny  [s]kip${confinable ? '  [c]onfinement' : ''} > `);
    const typed = await input.next();
    if (typed === null) {
      inputEnded = true;
      break;
    }
    const text = typed.trim().toLowerCase();
    if (text === '' || text === 's') continue;
    if (text === 'c' && confinable) {
      picks.set(approval.id, (picked + 1) % choices.length);
      queue.unshift(approval);
      continue;
    }
    const key = keyAnswer(text);
    if (key === null) {
      io.out(style.dim(`  "${visibleText(text)}" is no answer: o, a, t, d, s${confinable ? ', c' : ''} or a duration such as 15m.`));
      queue.unshift(approval);
      continue;
    }
    const a: Answer = key.decision === 'deny' || confinement === undefined ? key : { ...key, confinement };
    picks.delete(approval.id);
    const reply = await send(client, approval.id, a);
    io.out(reply.type === 'resolved' ? style.dim(`  ${a.decision}${grantText(a)}`) : style.red(`  ${reply.message}`));
  }
  if (inputEnded) return EXIT.ok;
  input.close();
  // The gateway went away (stopped, restarted): say so, rather than end as if asked to.
  return io.fail(
    { code: 'gateway_unreachable', message: 'The gateway closed the connection; nothing is being watched. Start it again, then run aleph approvals watch.' },
    false,
  );
}
