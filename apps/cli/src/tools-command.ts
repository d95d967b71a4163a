import { randomBytes } from 'node:crypto';
import { alephHome, changeWithoutGateway, loadConfig, own } from '@aleph/gateway';
import { fail, ok, TOOL_NAME, TRUST_STAGES, type GatewayMessage } from '@aleph/protocol';
import { exitCodeOf, TRIAL_RUNS, type TrustRecord } from '@aleph/sandbox';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { tryConnect } from './connect.js';
import { EXIT_DENIED } from './exec-command.js';
import { EXIT, type Io } from './io.js';
import { declaredCapabilities, PROFILE_OPTIONS } from './sandbox-command.js';

export const TOOLS_HELP = `Usage: aleph tools run NAME [profile options] [--param OPTION]... [--agent ID] [--session KEY] [--timeout-ms N] [--json] -- <command...>
       aleph tools list [--json]
       aleph tools forget NAME [--json]

"run" asks the gateway to run a tool in its sandbox under the capability contract the profile
options declare (as for "aleph sandbox run"; \${WORKSPACE} is --workspace, default this directory,
and \${PROJECT_ROOT} is --project-root, default the workspace; the approver sees the paths they are).
The gateway keeps each tool's trust: a new or changed contract (Draft) waits for the owner to
approve it; its first ${TRIAL_RUNS} runs (Trial) are confirmed one by one; after that (Verified) it runs
without asking, unless a run names a path outside the contract, a credential location, or an
option it did not declare. --param declares an option the tool may be given (repeatable); without
any, every option is allowed. The tool's output is printed; it exits with the tool's exit code,
126 when denied, 124 when it ran out of time, 125 when the sandbox could not run it.
"list" shows each tool's stage. "forget" drops a tool's trust: its next run needs approval again.`;

/** `aleph sandbox run`'s profile options, and the tool's own. */
const RUN_OPTIONS = {
  ...PROFILE_OPTIONS,
  param: { value: true, multiple: true },
  agent: { value: true },
  session: { value: true },
  'timeout-ms': { value: true },
};

export const command = defineCommand({
  help: TOOLS_HELP,
  subcommands: ['run', 'list', 'forget'],
  optionsFor: (sub) => (sub === 'run' ? RUN_OPTIONS : { json: {} }),
  optionsAnywhere: true,
  run: tools,
});

function tools({ sub, args, io }: Invocation<'run' | 'list' | 'forget'>): Promise<number> | number {
  switch (sub) {
    case 'run':
      return runTool(args, io);
    case 'list':
      return listTools(flag(args, 'json'), io);
    case 'forget':
      return forgetTool(args.operands, flag(args, 'json'), io);
  }
}

async function runTool(args: Parameters<typeof declaredCapabilities>[0], io: Io): Promise<number> {
  const json = flag(args, 'json');
  const [name, ...command] = args.operands;
  if (name === undefined || !TOOL_NAME.test(name))
    return io.usage(`Give the tool's name (lower-case letters, digits, ".", "_", "-"), then -- and its command.\n\n${TOOLS_HELP}`);
  if (command.length === 0) return io.usage(`No command given.\n\n${TOOLS_HELP}`);
  const timeoutText = value(args, 'timeout-ms');
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) return io.usage('--timeout-ms needs a whole number of milliseconds.');
  const declared = declaredCapabilities(args, io);
  if (!declared.ok) return io.fail(declared.error, json);
  const parameters = args.options.get('param');

  const connected = await tryConnect(io);
  if (!connected.ok) return io.fail(connected.error, json);
  const client = connected.value;
  const id = randomBytes(8).toString('hex');
  client.send({
    type: 'tool_run',
    id,
    ...(timeout === undefined ? {} : { timeout_ms: timeout }),
    run: {
      tool: name,
      capabilities: declared.value.capabilities,
      ...(parameters === undefined ? {} : { parameters }),
      argv: command,
      cwd: declared.value.workspace,
      project_root: declared.value.projectRoot,
      agent_id: value(args, 'agent') ?? io.env.ALEPH_AGENT ?? 'cli',
      session_key: value(args, 'session') ?? io.env.ALEPH_SESSION ?? `shell-${process.ppid}`,
    },
  });
  const answer = await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'tool_result' | 'error' }> => (m.type === 'tool_result' && m.id === id) || m.type === 'error',
  );
  client.close();
  if (answer === null)
    return io.fail({ code: 'gateway_gone', message: 'The gateway closed the connection before the tool finished; treat it as not run.' }, json);
  if (answer.type === 'error') return io.fail({ code: answer.code, message: answer.message }, json);
  if (json) io.out(JSON.stringify(answer));
  if (answer.decision === 'deny' || answer.run === undefined) {
    if (!json) io.err(`aleph: denied: ${answer.reason}`);
    return EXIT_DENIED;
  }
  const run = answer.run;
  if (!json) {
    io.stdout.write(Buffer.from(run.stdout, 'base64'));
    io.stderr.write(Buffer.from(run.stderr, 'base64'));
    if (run.truncated) io.err('aleph: warning: the output was cut at 256 KiB per stream.');
    if (run.error !== undefined) io.err(`aleph: ${run.error}`);
  }
  return exitCodeOf({ status: run.sandbox.status, exit_code: run.exit_code, signal: run.signal ?? null });
}

function listTools(json: boolean, io: Io): number {
  const config = loadConfig(alephHome(io.env), false);
  if (!config.ok) return io.fail(config.error, json);
  const tools = Object.values(config.value.tools).sort((a, b) => a.tool.localeCompare(b.tool));
  if (json) io.out(JSON.stringify({ tools }));
  else if (tools.length === 0) io.out('No tool has an approved contract yet.');
  else {
    for (const t of tools) {
      const stage = t.stage === 'trial' ? `trial (${t.confirmed_runs} of ${TRIAL_RUNS} runs confirmed)` : t.stage;
      const since = t.approved_at === null ? '' : `, approved ${new Date(t.approved_at).toISOString().slice(0, 16).replace('T', ' ')}`;
      io.out(`${t.tool.padEnd(20)} ${stage.padEnd(32)} contract ${t.contract_hash.slice(0, 12)}${since}`);
    }
  }
  return EXIT.ok;
}

function forgetTool(operands: readonly string[], json: boolean, io: Io): number {
  if (operands.length !== 1) return io.usage(`Give one tool's name.\n\n${TOOLS_HELP}`);
  const name = operands[0]!;
  const home = alephHome(io.env);
  const forgotten = changeWithoutGateway<TrustRecord>(home, false, (live, audit) => {
    const config = live.fresh();
    const record = own(config.tools, name);
    if (record === undefined) return fail('unknown_tool', `No tool named ${name} has a contract; "aleph tools list" shows those that do.`);
    const { [name]: _gone, ...tools } = config.tools;
    const saved = live.update((c) => ({ ...c, tools }), `forgetting ${name}`);
    if (!saved.ok) return saved;
    audit({
      event: {
        event: 'capability_approval',
        tool_id: name,
        capabilities_hash: record.contract_hash,
        stage: TRUST_STAGES[0],
        stage_before: record.stage,
        decision: 'revoked',
        resolved_by: 'owner',
        actor: 'owner',
      },
    });
    audit({ undo: saved.value });
    return ok(record);
  });
  if (!forgotten.ok) return io.fail(forgotten.error, json);
  io.out(json ? JSON.stringify({ tool: name, forgotten: forgotten.value }) : `${name} forgotten: its next run needs the owner's approval again.`);
  return EXIT.ok;
}
