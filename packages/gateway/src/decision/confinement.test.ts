/**
 * The confinement an allow carries: suggested on a shell command's approval, chosen (or taken as
 * suggested) by the person, remembered by an Allow Always rule, and recorded in the audit log; an
 * automatic allow runs confined. A real gateway, a real socket, a real audit log.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { CONFINED, type ClientMessage, type Confinement, type ExecRequest, type GatewayMessage } from '@aleph/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayClient } from '../client/socket-client.js';
import { configFile, loadConfig, secretBytes } from '../config/config.js';
import { Gateway } from '../gateway.js';
import { ruleConfinement, settingsConfinement, wider } from './confinement.js';

let home: string;
let gateway: Gateway;
let approver: GatewayClient;
let agent: GatewayClient;
let connect: () => Promise<GatewayClient>;

beforeEach(async () => {
  home = join(mkdtempSync(join(tmpdir(), 'alconf-')), 'h');
  gateway = await Gateway.start({ home });
  const c = loadConfig(home, false);
  if (!c.ok) throw new Error(c.error.message);
  connect = () => GatewayClient.connect(join(home, 'exec-approvals.sock'), secretBytes(c.value));
  approver = await connect();
  approver.send({ type: 'subscribe' });
  await approver.next();
  agent = await connect();
});
afterEach(async () => {
  agent.close();
  approver.close();
  await gateway.stop();
  rmSync(join(home, '..'), { recursive: true, force: true });
});

const request = (command: string): ExecRequest => ({ command, cwd: tmpdir(), agent_id: 'agent-1', session_key: 'session-1' });
const NPM: Confinement = { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } };

const is =
  <T extends GatewayMessage['type']>(type: T) =>
  (m: GatewayMessage): m is Extract<GatewayMessage, { type: T }> =>
    m.type === type;

/** Asks for `command` and waits for the approval a person sees. */
async function asked(command: string, id: string) {
  agent.send({ type: 'approval_request', id, request: request(command) });
  const pending = await approver.waitFor(is('approval_pending'));
  return pending!.approval;
}

function audited(): Record<string, unknown>[] {
  const reader = AuditStore.open(join(home, 'data', 'aleph.db'), { readonly: true });
  const rows = [...reader.rows()].map((r) => ({ event: r.event, ...r.payload }));
  reader.close();
  return rows;
}

describe('the confinement of an allow', () => {
  it('an automatic allow runs confined, and the log says so', async () => {
    agent.send({ type: 'approval_request', id: 'r1', request: request('ls -la') });
    expect(await agent.next()).toMatchObject({ decision: 'allow-once', resolved_by: 'policy', confinement: CONFINED });
    expect(audited().at(-1)).toMatchObject({ event: 'terminal_cmd', confinement: CONFINED });
  });

  it("an automatic allow takes the owner's sandbox settings for the agent: the whole network, or no sandbox", async () => {
    const file = configFile(home);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { agents?: Record<string, unknown> };
    const agents = { ...config.agents, 'agent-net': { sandbox: { network: 'all' } }, 'agent-off': { sandbox: { enabled: false } } };
    // Written while no gateway runs, so that the gateway starts on it.
    agent.close();
    await gateway.stop();
    writeFileSync(file, JSON.stringify({ ...config, agents }));
    gateway = await Gateway.start({ home });
    agent = await connect();
    const ask = async (agent_id: string) => {
      agent.send({ type: 'approval_request', id: agent_id, request: { ...request('ls -la'), agent_id } });
      return agent.next();
    };
    expect(await ask('agent-net')).toMatchObject({ decision: 'allow-once', confinement: { kind: 'sandbox', network: { kind: 'allow_all' } } });
    expect(await ask('agent-off')).toMatchObject({ decision: 'allow-once', confinement: { kind: 'unconfined' } });
    expect(await ask('agent-1')).toMatchObject({ decision: 'allow-once', confinement: CONFINED });
    expect(wider(CONFINED, NPM)).toEqual(NPM);
    expect(wider(NPM, { kind: 'unconfined' })).toEqual({ kind: 'unconfined' });
    expect(settingsConfinement({ enabled: true, network: 'deny' })).toEqual(CONFINED);
  });

  it('suggests the registry for an install, and an allow without a choice carries the suggestion', async () => {
    const approval = await asked('npm install left-pad', 'r1');
    expect(approval.suggested_confinement).toEqual(NPM);
    approver.send({ type: 'resolve', id: approval.id, decision: 'allow-once' });
    expect(await agent.next()).toMatchObject({ id: 'r1', decision: 'allow-once', confinement: NPM });
    const rows = audited();
    expect(rows.find((r) => r.event === 'approval_request')).toMatchObject({ suggested_confinement: NPM });
    expect(rows.find((r) => r.event === 'approval_decision')).toMatchObject({ confinement: NPM });
    expect(rows.at(-1)).toMatchObject({ event: 'terminal_cmd', confinement: NPM });
  });

  it('unconfined only by explicit choice: answered, told in the reason, and audited as such', async () => {
    const approval = await asked('npm install left-pad', 'r1');
    approver.send({ type: 'resolve', id: approval.id, decision: 'allow-once', confinement: { kind: 'unconfined' } });
    const answer = await agent.next();
    expect(answer).toMatchObject({ decision: 'allow-once', confinement: { kind: 'unconfined' } });
    expect(answer).toMatchObject({ reason: expect.stringMatching(/, unconfined$/) });
    expect(audited().filter((r) => r.event !== 'approval_request')).toMatchObject([
      { event: 'approval_decision', confinement: { kind: 'unconfined' } },
      { event: 'terminal_cmd', confinement: { kind: 'unconfined' } },
    ]);
  });

  it('a bad confinement is refused with a clear error (a broken message ends the connection), and the approval still waits', async () => {
    const approval = await asked('npm install left-pad', 'r1');
    const bad = { type: 'resolve', id: approval.id, decision: 'allow-once', confinement: { kind: 'sandbox', network: { kind: 'everything' } } };
    // Sent as it would come from a client that does not check its messages.
    approver.send(bad as unknown as ClientMessage);
    expect(await approver.waitFor(is('error'))).toMatchObject({ code: 'invalid_message', message: expect.stringContaining('"network" must be') });
    const again = await connect();
    again.send({ type: 'get_pending' });
    expect(await again.waitFor(is('pending'))).toMatchObject({ approvals: [{ id: approval.id }] });
    again.send({ type: 'resolve', id: approval.id, decision: 'deny' });
    expect(await agent.next()).toMatchObject({ id: 'r1', decision: 'deny' });
    again.close();
  });

  it('Allow Always remembers the chosen confinement; a later match runs with it', async () => {
    const approval = await asked('npm install left-pad', 'r1');
    const chosen: Confinement = { kind: 'sandbox', network: { kind: 'allow_all' } };
    approver.send({ type: 'resolve', id: approval.id, decision: 'allow-always', confinement: chosen });
    expect(await agent.next()).toMatchObject({ decision: 'allow-always', confinement: chosen });
    const stored = JSON.parse(readFileSync(configFile(home), 'utf8')) as {
      agents: Record<string, { rules: { pattern: string; confinement?: Confinement }[] }>;
    };
    expect(stored.agents['agent-1']!.rules).toMatchObject([{ confinement: chosen }]);
    const rule = stored.agents['agent-1']!.rules[0]!;
    agent.send({ type: 'approval_request', id: 'r2', request: request(rule.pattern.replace(/ \*$/, ' is-odd')) });
    expect(await agent.next()).toMatchObject({ id: 'r2', reason: 'allowlisted', confinement: chosen });
  });

  it('an Allow Always rule kept confined stores no confinement, which means confined', async () => {
    const approval = await asked('npm install left-pad', 'r1');
    approver.send({ type: 'resolve', id: approval.id, decision: 'allow-always', confinement: CONFINED });
    expect(await agent.next()).toMatchObject({ confinement: CONFINED });
    const stored = JSON.parse(readFileSync(configFile(home), 'utf8')) as { agents: Record<string, { rules: Record<string, unknown>[] }> };
    expect(stored.agents['agent-1']!.rules[0]).not.toHaveProperty('confinement');
  });
});

describe("the owner's rules", () => {
  it('a rule added with a confinement keeps it, shows it, and gives it to what it allows; only an allow rule carries one', async () => {
    const npm = { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } };
    const added = await approver.call<{ rule: Record<string, unknown> }>('rules.add', {
      agent: 'agent-1',
      action: 'allow',
      kind: 'prefix',
      pattern: 'npm install *',
      confinement: npm,
    });
    expect(added).toMatchObject({ ok: true, value: { rule: { pattern: 'npm install *', confinement: npm } } });
    expect(await approver.call('policy.get')).toMatchObject({ ok: true, value: { rules: [{ confinement: npm }] } });
    agent.send({ type: 'approval_request', id: 'r1', request: request('npm install left-pad') });
    expect(await agent.next()).toMatchObject({ id: 'r1', reason: 'allowlisted', confinement: npm });
    const denied = await approver.call('rules.add', { agent: 'agent-1', action: 'deny', kind: 'prefix', pattern: 'rm *', confinement: npm });
    expect(denied).toMatchObject({ ok: false, error: { code: 'invalid_message', message: 'Only an allow rule carries a confinement.' } });
  });
});

describe('what allow rules grant together', () => {
  const domains = (...d: string[]): Confinement => ({ kind: 'sandbox', network: { kind: 'allow_domains', domains: d } });
  const rule = (confinement?: Confinement) => ({ kind: 'prefix' as const, pattern: 'x', ...(confinement === undefined ? {} : { confinement }) });
  it.each([
    [[], CONFINED],
    [[rule()], CONFINED],
    [[rule(domains('a.com')), rule()], domains('a.com')],
    [[rule(domains('a.com')), rule(domains('b.com', 'a.com'))], domains('a.com', 'b.com')],
    [[rule(domains('a.com')), rule({ kind: 'sandbox', network: { kind: 'allow_all' } })], { kind: 'sandbox', network: { kind: 'allow_all' } }],
    [[rule({ kind: 'unconfined' })], { kind: 'unconfined' }],
    [[rule({ kind: 'unconfined' }), rule()], CONFINED],
    [[rule({ kind: 'unconfined' }), rule(domains('a.com'))], domains('a.com')],
  ] as const)('%j gives %j', (rules, expected) => {
    expect(ruleConfinement(rules)).toEqual(expected);
  });
});
