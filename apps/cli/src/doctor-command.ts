import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { alephHome, auditFile, auditHeadFile, configFile, loadConfig, SOCKET_FILE } from '@aleph/gateway/requester';
import type { GatewayMessage } from '@aleph/protocol';
import { flag } from './args.js';
import { INSTALLABLE, installedCommands, readSettings, TARGETS, type InstallableAgent } from './agent-settings.js';
import { defineCommand, type Invocation } from './command.js';
import { tryConnect } from './connect.js';
import { loadHookConfig } from './hooks/hook-config.js';
import { EXIT, type Io } from './io.js';

export const DOCTOR_HELP = `Usage: aleph doctor [--json]

Checks the whole chain an agent's tool calls go through, and says what to fix: the configuration
and the hooks' settings parse; the gateway is up and answers; each installed hook of Aleph's (in
Claude Code's, Codex's and Gemini CLI's settings, and this project's .claude/settings.local.json)
starts and decides end to end, run exactly as the agent runs it with the input the agent sends:
"ls" allowed, "rm -rf /" denied, and "ls" denied when no gateway answers (the hook pointed at an
empty ALEPH_HOME; the running gateway is left alone); the sandbox is available; the audit log's
chain is intact (read only). Exits 0 when all is well, 1 otherwise.`;

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do, when it failed. */
  readonly fix?: string;
}

export const command = defineCommand({
  help: DOCTOR_HELP,
  options: { json: {} },
  run: doctor,
});

/** How long one canary run of a hook may take: the policy decides both canaries at once. */
const CANARY_TIMEOUT_MS = 20_000;

async function doctor({ args, io }: Invocation): Promise<number> {
  const home = alephHome(io.env);
  const checks: Check[] = [];
  const add = (check: Check): void => {
    checks.push(check);
    if (!flag(args, 'json'))
      io.out(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}${check.ok || check.fix === undefined ? '' : `\n      fix: ${check.fix}`}`);
  };

  const config = loadConfig(home, false);
  add(
    config.ok
      ? {
          name: 'configuration',
          ok: true,
          detail: existsSync(configFile(home)) ? `${configFile(home)} parses` : `no ${configFile(home)} yet (the gateway makes it)`,
        }
      : {
          name: 'configuration',
          ok: false,
          detail: config.error.message,
          fix: `Fix ${configFile(home)} by hand (it is never overwritten while it does not parse).`,
        },
  );
  const hookConfig = loadHookConfig(home);
  add(
    hookConfig.ok
      ? {
          name: 'hook settings',
          ok: true,
          detail: `web domains granted: ${hookConfig.value.allowDomains.length}, MCP rules: ${hookConfig.value.mcpRules.length}`,
        }
      : { name: 'hook settings', ok: false, detail: hookConfig.error.message, fix: 'Fix the file: until then the hooks deny every web and MCP tool call.' },
  );

  add(await gatewayCheck(io, home));

  const installed = findInstalled(io);
  if (installed.problems.length > 0) for (const p of installed.problems) add(p);
  if (installed.hooks.length === 0 && installed.problems.length === 0) {
    add({
      name: 'hooks',
      ok: false,
      detail: "no hook of Aleph's is installed for Claude Code, Codex or Gemini CLI",
      fix: 'Run "aleph install claude-code" (or codex, gemini).',
    });
  }
  for (const hook of installed.hooks) for (const check of await canaries(hook, io)) add(check);

  add(await sandboxCheck());
  add(auditCheck(home));

  const ok = checks.every((c) => c.ok);
  if (flag(args, 'json')) io.out(JSON.stringify({ ok, checks }));
  else io.out(ok ? 'All is well.' : `${checks.filter((c) => !c.ok).length} of ${checks.length} checks failed.`);
  return ok ? EXIT.ok : EXIT.failure;
}

async function gatewayCheck(io: Io, home: string): Promise<Check> {
  const connected = await tryConnect(io);
  if (!connected.ok) {
    return {
      name: 'gateway',
      ok: false,
      detail: connected.error.message,
      fix: `Start the gateway: "aleph gateway --headless" (or "npm start" in the checkout, or the desktop app). Its socket is ${join(home, SOCKET_FILE)}.`,
    };
  }
  const client = connected.value;
  client.send({ type: 'ping', id: 'doctor' });
  const pong = await client.waitFor((m: GatewayMessage): m is Extract<GatewayMessage, { type: 'pong' }> => m.type === 'pong', 5_000);
  client.close();
  return pong === null
    ? { name: 'gateway', ok: false, detail: 'the gateway took the connection but did not answer a ping within 5 s', fix: 'Restart the gateway.' }
    : { name: 'gateway', ok: true, detail: `answers on ${join(home, SOCKET_FILE)}` };
}

interface InstalledHook {
  readonly agent: InstallableAgent;
  readonly file: string;
  readonly command: string;
}

function findInstalled(io: Io): { hooks: InstalledHook[]; problems: Check[] } {
  const hooks: InstalledHook[] = [];
  const problems: Check[] = [];
  const home = io.env.HOME ?? homedir();
  for (const agent of INSTALLABLE) {
    for (const scope of ['user', 'project'] as const) {
      const file = TARGETS[agent].file(scope, home, io.cwd);
      if (!file.ok) continue;
      const settings = readSettings(file.value);
      if (!settings.ok) {
        problems.push({
          name: `${agent} settings`,
          ok: false,
          detail: settings.error.message,
          fix: `Fix ${file.value}: ${agent} cannot read its hooks from it either.`,
        });
        continue;
      }
      for (const command of installedCommands(settings.value.value, agent)) hooks.push({ agent, file: file.value, command });
    }
  }
  return { hooks, problems };
}

/** What the agent sends for a shell command, in its documented shape. */
function shellInput(agent: InstallableAgent, command: string, cwd: string): string {
  const common = { session_id: 'aleph-doctor', transcript_path: null, cwd };
  switch (agent) {
    case 'claude-code':
      return JSON.stringify({
        ...common,
        hook_event_name: 'PreToolUse',
        permission_mode: 'default',
        tool_name: 'Bash',
        tool_input: { command, description: 'aleph doctor canary' },
        tool_use_id: 'toolu_aleph_doctor',
      });
    case 'codex':
      return JSON.stringify({
        ...common,
        turn_id: 'aleph-doctor',
        hook_event_name: 'PreToolUse',
        model: 'aleph-doctor',
        permission_mode: 'default',
        tool_name: 'Bash',
        tool_input: { command },
        tool_use_id: 'aleph-doctor',
      });
    case 'gemini':
      return JSON.stringify({
        ...common,
        hook_event_name: 'BeforeTool',
        timestamp: new Date().toISOString(),
        tool_name: 'run_shell_command',
        tool_input: { command },
      });
  }
}

/** What the hook answered, read as the agent reads it. */
function verdictOf(agent: InstallableAgent, code: number | null, stdout: string): 'allow' | 'deny' | 'other' {
  if (code === 2) return 'deny';
  if (code !== 0) return 'other';
  const out = stdout.trim();
  let answer: Record<string, unknown> = {};
  try {
    answer = out === '' ? {} : (JSON.parse(out) as Record<string, unknown>);
  } catch {
    return 'other';
  }
  const specific = (answer.hookSpecificOutput ?? {}) as Record<string, unknown>;
  if (agent === 'claude-code') return specific.permissionDecision === 'allow' ? 'allow' : specific.permissionDecision === 'deny' ? 'deny' : 'other';
  if (agent === 'codex') return specific.permissionDecision === 'deny' ? 'deny' : out === '' ? 'allow' : 'other';
  return answer.decision === 'deny' || answer.decision === 'block' ? 'deny' : 'allow';
}

function runHook(
  command: string,
  input: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    // As the agents run a command hook: through the shell (bash where there is one).
    const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    const child = spawn(shell, ['-c', command], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CANARY_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error: error.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ...(signal === null ? {} : { error: `ended by ${signal} (it took more than ${CANARY_TIMEOUT_MS / 1000} s)` }) });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function canaries(hook: InstalledHook, io: Io): Promise<Check[]> {
  const name = `${hook.agent} hook (${hook.file})`;
  const fix = `Run "aleph install ${hook.agent}" again to write the hook with this aleph's paths.`;
  const cwd = io.cwd;
  const safe = await runHook(hook.command, shellInput(hook.agent, 'ls', cwd), io.env, cwd);
  if (safe.error !== undefined || (safe.code !== 0 && safe.code !== 2)) {
    const why = safe.error ?? `it exited ${safe.code}${safe.stderr.trim() === '' ? '' : `: ${safe.stderr.trim().split('\n').slice(-1)[0]}`}`;
    return [{ name, ok: false, detail: `the hook command does not start: ${why} (an agent treats that as no decision, and runs the tool)`, fix }];
  }
  const checks: Check[] = [{ name, ok: true, detail: `starts: ${hook.command}` }];
  const expect = (what: string, got: 'allow' | 'deny' | 'other', want: 'allow' | 'deny', run: { stdout: string; stderr: string }, hint: string): void => {
    checks.push(
      got === want
        ? { name: `${hook.agent} canary: ${what}`, ok: true, detail: want === 'allow' ? 'allowed' : 'denied' }
        : {
            name: `${hook.agent} canary: ${what}`,
            ok: false,
            detail: `expected ${want === 'allow' ? 'allowed' : 'denied'}, got ${JSON.stringify((run.stdout.trim() || run.stderr.trim()).slice(0, 300))}`,
            fix: hint,
          },
    );
  };
  const gatewayHint = 'Start the gateway ("aleph gateway --headless"), then run "aleph doctor" again.';
  expect('"ls"', verdictOf(hook.agent, safe.code, safe.stdout), 'allow', safe, gatewayHint);
  const block = await runHook(hook.command, shellInput(hook.agent, 'rm -rf /', cwd), io.env, cwd);
  expect('"rm -rf /"', verdictOf(hook.agent, block.code, block.stdout), 'deny', block, gatewayHint);
  // The same hook against an ALEPH_HOME where no gateway runs: it must fail closed.
  const empty = mkdtempSync(join(tmpdir(), 'aleph-doctor-'));
  try {
    const alone = await runHook(hook.command, shellInput(hook.agent, 'ls', cwd), { ...io.env, ALEPH_HOME: empty }, cwd);
    expect(
      '"ls" with no gateway',
      verdictOf(hook.agent, alone.code, alone.stdout),
      'deny',
      alone,
      `The hook lets calls through when no gateway answers: take --when-unreachable out of its command in ${hook.file}, or run "aleph install ${hook.agent}" again.`,
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  return checks;
}

async function sandboxCheck(): Promise<Check> {
  // Loaded here only: the rest of the doctor does not need the sandbox's runner.
  const { sandboxAvailability } = await import('@aleph/sandbox');
  const available = sandboxAvailability();
  return available.ok
    ? { name: 'sandbox', ok: true, detail: `available (${available.value.platform})` }
    : {
        name: 'sandbox',
        ok: false,
        detail: available.error.message,
        fix:
          process.platform === 'darwin'
            ? 'sandbox-exec ships with macOS: check that /usr/bin/sandbox-exec exists.'
            : 'Install bubblewrap ("apt install bubblewrap" or your system\'s package).',
      };
}

function auditCheck(home: string): Check {
  const file = auditFile(home);
  if (!existsSync(file) && !existsSync(auditHeadFile(home))) return { name: 'audit log', ok: true, detail: `no log yet at ${file} (the gateway makes it)` };
  const check = AuditStore.verifyFile(file, { head: auditHeadFile(home) });
  return check.ok
    ? { name: 'audit log', ok: true, detail: `chain intact over ${check.rows} events` }
    : {
        name: 'audit log',
        ok: false,
        detail: `${check.problem_count} problem(s): ${check.problems
          .slice(0, 3)
          .map((p) => p.reason)
          .join('; ')}`,
        fix: 'Run "aleph audit verify" for the whole list; the log must not be edited by hand.',
      };
}
