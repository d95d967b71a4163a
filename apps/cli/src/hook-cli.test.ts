import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

/**
 * Every documented input shape (test-fixtures/hooks/<agent>/, with their sources) fed to the real
 * `aleph hook AGENT`, through a real gateway: the exact shape of each answer, and its exit code.
 */
const FIXTURES = fileURLToPath(new URL('../test-fixtures/hooks/', import.meta.url));
const { home: alephHome, aleph } = useAlephHome();

let gateway: ChildProcess | undefined;
let scratch = '';
/** A user's home, with a ~/.ssh, and a project in it. */
const userHome = () => join(scratch, 'home');
const project = () => join(userHome(), 'project');

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'aleph-hook-'));
  mkdirSync(join(userHome(), '.ssh'), { recursive: true });
  mkdirSync(project(), { recursive: true });
  writeFileSync(join(project(), 'README.md'), 'hello\n');
});
afterEach(async () => {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
  rmSync(scratch, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const { CLAUDE_PROJECT_DIR: _c, GEMINI_PROJECT_DIR: _g, ...rest } = process.env;
  return { ...rest, ALEPH_HOME: alephHome(), HOME: userHome(), NO_COLOR: '1' };
}

async function startGateway(): Promise<void> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0', '--ask-timeout-ms', '60000'], {
    env: env(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => gateway!.stdout!.once('data', () => resolve()));
}

async function stopGateway(): Promise<void> {
  gateway!.kill('SIGTERM');
  await new Promise((r) => gateway!.on('exit', r));
}

/** A fixture with its placeholders filled in. */
function fixture(agent: string, name: string, fill: Record<string, string> = {}): string {
  const values: Record<string, string> = { PROJECT: project(), COMMAND: 'ls', PATH: join(project(), 'README.md'), URL: 'https://example.com/api', ...fill };
  return readFileSync(join(FIXTURES, agent, `${name}.json`), 'utf8').replace(/\$\{([A-Z]+)\}/g, (_, key: string) => JSON.stringify(values[key]!).slice(1, -1));
}

interface Answer {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the hook as an agent does: a process, the input on standard input. */
function hook(agent: string, input: string, ...flags: string[]): Promise<Answer> {
  const child = spawn(process.execPath, [ALEPH_BIN, 'hook', agent, ...flags], { env: env(), cwd: project() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const json = (a: Answer): unknown => JSON.parse(a.stdout);
const preToolUse = (decision: string) => ({
  hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: expect.any(String) },
});

async function pendingId(): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(() => (id = (JSON.parse(aleph(['approvals', 'list', '--json']).stdout) as { pending: { id: string }[] }).pending[0]?.id), {
      message: 'nothing became pending',
    })
    .toBeDefined();
  return id!;
}

function hookSettings(value: object): void {
  writeFileSync(join(alephHome(), 'hooks.json'), JSON.stringify(value));
}

describe('Claude Code: PreToolUse', () => {
  it('Bash goes through the gateway: a safe command is allowed, a blocked one denied with the reason', async () => {
    await startGateway();
    const safe = await hook('claude-code', fixture('claude-code', 'pretooluse-bash'));
    // Allowed as a confined run of the same command: every other field of the input kept.
    const input = (JSON.parse(fixture('claude-code', 'pretooluse-bash')) as { tool_input: Record<string, unknown> }).tool_input;
    expect([safe.code, json(safe)]).toEqual([
      0,
      {
        hookSpecificOutput: {
          ...preToolUse('allow').hookSpecificOutput,
          updatedInput: { ...input, command: expect.stringMatching(/ run --ticket [\w-]{22} -- ls$/) },
        },
      },
    ]);
    const blocked = await hook('claude-code', fixture('claude-code', 'pretooluse-bash', { COMMAND: 'rm -rf /' }));
    expect([blocked.code, json(blocked)]).toEqual([0, preToolUse('deny')]);
    expect(blocked.stdout).toContain('blocked');
  });

  it('Write to ~/.ssh/authorized_keys is refused; Edit inside the project is allowed; Read of the project too', async () => {
    await startGateway();
    const keys = await hook('claude-code', fixture('claude-code', 'pretooluse-write', { PATH: join(userHome(), '.ssh', 'authorized_keys') }));
    expect([keys.code, json(keys)]).toEqual([0, preToolUse('deny')]);
    expect(keys.stdout).toContain('~/.ssh holds credentials');
    const edit = await hook('claude-code', fixture('claude-code', 'pretooluse-edit'));
    expect([edit.code, json(edit)]).toEqual([0, preToolUse('allow')]);
    const read = await hook('claude-code', fixture('claude-code', 'pretooluse-read'));
    expect([read.code, json(read)]).toEqual([0, preToolUse('allow')]);
  });

  it('an agent may not write its own hook settings, even inside the project', async () => {
    for (const file of [join(project(), '.claude', 'settings.local.json'), join(userHome(), '.claude', 'settings.json')]) {
      const r = await hook('claude-code', fixture('claude-code', 'pretooluse-edit', { PATH: file }));
      expect(json(r)).toEqual(preToolUse('deny'));
      expect(r.stdout).toContain("holds the agent's hooks");
    }
  });

  it('a link inside the project that leads to a credential is judged where it leads', async () => {
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(userHome(), '.ssh'), join(project(), 'keys'));
    const r = await hook('claude-code', fixture('claude-code', 'pretooluse-write', { PATH: join(project(), 'keys', 'authorized_keys') }));
    expect(json(r)).toEqual(preToolUse('deny'));
    expect(r.stdout).toContain('which leads to');
  });

  it('NotebookEdit into a system directory is refused; $ALEPH_HOME is refused even for reading', async () => {
    const system = await hook('claude-code', fixture('claude-code', 'pretooluse-notebookedit', { PATH: '/etc/aleph-test.ipynb' }));
    expect(json(system)).toEqual(preToolUse('deny'));
    expect(system.stdout).toContain('/etc is a system directory');
    const own = await hook('claude-code', fixture('claude-code', 'pretooluse-read', { PATH: join(alephHome(), 'exec-approvals.json') }));
    expect(json(own)).toEqual(preToolUse('deny'));
    expect(own.stdout).toContain('$ALEPH_HOME');
  });

  it('a file outside the project is put to a person through the gateway, who sees the tool and the path', async () => {
    await startGateway();
    const outside = join(scratch, 'elsewhere.txt');
    const asked = hook('claude-code', fixture('claude-code', 'pretooluse-read', { PATH: outside }));
    const id = await pendingId();
    expect(aleph(['approvals', 'list']).stdout).toContain(`Read ${outside}`);
    expect(aleph(['approvals', 'allow', id]).code).toBe(0);
    expect(json(await asked)).toEqual(preToolUse('allow'));
    // With no gateway, the person cannot be asked: denied.
    await stopGateway();
    const alone = await hook('claude-code', fixture('claude-code', 'pretooluse-read', { PATH: outside }));
    expect(json(alone)).toEqual(preToolUse('deny'));
    expect(alone.stdout).toContain('unreachable');
  });

  it('WebFetch and WebSearch are allowed for a granted domain only; MCP tools follow their rules', async () => {
    await startGateway();
    hookSettings({ web: { allow_domains: ['example.com', '*.example.com'] }, mcp: { rules: [{ server: 'memory', tool: 'create_*', action: 'deny' }] } });
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-webfetch')))).toEqual(preToolUse('allow'));
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-websearch')))).toEqual(preToolUse('allow'));
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-webfetch', { URL: 'file:///etc/passwd' })))).toEqual(preToolUse('deny'));
    const mcp = await hook('claude-code', fixture('claude-code', 'pretooluse-mcp'));
    expect(json(mcp)).toEqual(preToolUse('deny'));
    expect(mcp.stdout).toContain('MCP tool create_entities of server memory refused');
    hookSettings({ mcp: { rules: [{ server: 'memory', tool: '*', action: 'allow' }] } });
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-mcp')))).toEqual(preToolUse('allow'));
    await stopGateway();
    // Not a granted domain, and no gateway to ask a person through: denied.
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-webfetch', { URL: 'https://elsewhere.test/' })))).toEqual(preToolUse('deny'));
    // Hook settings that do not parse deny every web call, naming the file.
    writeFileSync(join(alephHome(), 'hooks.json'), '{"web": ');
    const broken = await hook('claude-code', fixture('claude-code', 'pretooluse-webfetch'));
    expect(json(broken)).toEqual(preToolUse('deny'));
    expect(broken.stdout).toContain('hooks.json is not valid JSON');
  });

  it('every call decided on the spot is in the audit log: who, the tool and what it names, the outcome, the reason', async () => {
    await startGateway();
    hookSettings({ web: { allow_domains: ['example.com'] }, mcp: { rules: [{ server: 'memory', tool: '*', action: 'deny' }] } });
    const keys = join(userHome(), '.ssh', 'authorized_keys');
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-edit')))).toEqual(preToolUse('allow'));
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-write', { PATH: keys })))).toEqual(preToolUse('deny'));
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-webfetch')))).toEqual(preToolUse('allow'));
    expect(json(await hook('claude-code', fixture('claude-code', 'pretooluse-mcp')))).toEqual(preToolUse('deny'));
    const audited = JSON.parse(aleph(['audit', 'search', '--event', 'hook_decision', '--json']).stdout) as {
      rows: { session: string; actor: string; summary: string; payload: Record<string, unknown> }[];
    };
    const session = (JSON.parse(fixture('claude-code', 'pretooluse-edit')) as { session_id: string }).session_id;
    expect(audited.rows.map((r) => [r.session, r.actor, r.payload.tool, r.payload.target, r.payload.decision]).reverse()).toEqual([
      [session, 'claude-code', 'Edit', join(project(), 'README.md'), 'allow'],
      [session, 'claude-code', 'Write', keys, 'deny'],
      [session, 'claude-code', 'WebFetch', 'https://example.com/api', 'allow'],
      [session, 'claude-code', 'mcp__memory__create_entities', 'memory/create_entities', 'deny'],
    ]);
    expect(audited.rows.every((r) => typeof r.payload.reason === 'string' && r.payload.cwd === project())).toBe(true);
    expect(audited.rows[2]!.payload.reason).toContain('~/.ssh holds credentials');
    expect(audited.rows[2]!.summary).toBe(`claude-code's Write ${keys}: deny by its hook: ${audited.rows[2]!.payload.reason as string}`);
  });

  it('with no gateway to record it, a call the hook would allow is denied; one it refuses stays refused', async () => {
    const edit = await hook('claude-code', fixture('claude-code', 'pretooluse-edit'));
    expect(json(edit)).toEqual(preToolUse('deny'));
    expect(edit.stdout).toContain('unreachable');
    const keys = await hook('claude-code', fixture('claude-code', 'pretooluse-write', { PATH: join(userHome(), '.ssh', 'authorized_keys') }));
    expect(json(keys)).toEqual(preToolUse('deny'));
    expect(keys.stdout).toContain('~/.ssh holds credentials');
  });

  it('other tools are left to Claude Code: no output', async () => {
    const glob = JSON.stringify({ ...JSON.parse(fixture('claude-code', 'pretooluse-bash')), tool_name: 'Glob', tool_input: { pattern: '**/*.ts' } });
    expect(await hook('claude-code', glob)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.each(['[1,2]', 'null', '"x"', '{}', '42', 'not json', ''])('input %j is denied, in the PreToolUse shape', async (input) => {
    const r = await hook('claude-code', input);
    expect([r.code, json(r)]).toEqual([0, preToolUse('deny')]);
  });

  it('a usage error in its own flags denies with the reason on standard error, and no help', async () => {
    const r = await hook('claude-code', fixture('claude-code', 'pretooluse-bash'), '--timeout-ms', 'soon');
    expect([r.code, json(r)]).toEqual([0, preToolUse('deny')]);
    expect(r.stderr).toBe('aleph hook: --timeout-ms needs a whole number of milliseconds.\n');
    expect(r.stdout).not.toContain('Usage');
    const unknown = await hook('claude-code', fixture('claude-code', 'pretooluse-bash'), '--frob');
    expect(json(unknown)).toEqual(preToolUse('deny'));
    expect(unknown.stderr).toBe('aleph hook: Unknown option --frob.\n');
  });
});

describe('Claude Code: PermissionRequest', () => {
  const permission = (decision: object) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } });

  it('answers in its own shape: decision.behavior allow, or deny with the message', async () => {
    await startGateway();
    const safe = await hook('claude-code', fixture('claude-code', 'permissionrequest-bash'));
    expect([safe.code, json(safe)]).toEqual([0, permission({ behavior: 'allow' })]);
    const blocked = await hook('claude-code', fixture('claude-code', 'permissionrequest-bash', { COMMAND: 'rm -rf /' }));
    expect([blocked.code, json(blocked)]).toEqual([0, permission({ behavior: 'deny', message: expect.stringContaining('blocked') })]);
    const broken = await hook('claude-code', JSON.stringify({ hook_event_name: 'PermissionRequest' }));
    expect(json(broken)).toEqual(permission({ behavior: 'deny', message: expect.stringContaining('names no tool') }));
  });

  it("an owner's allow-always becomes Claude Code's own rule for the session, from its own suggestion", async () => {
    await startGateway();
    const asked = hook('claude-code', fixture('claude-code', 'permissionrequest-bash', { COMMAND: 'cp a.txt b.txt' }));
    expect(aleph(['approvals', 'allow', await pendingId(), '--always']).code).toBe(0);
    expect(json(await asked)).toEqual(
      permission({
        behavior: 'allow',
        updatedPermissions: [{ type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'cp a.txt b.txt' }], behavior: 'allow', destination: 'session' }],
      }),
    );
  });
});

describe('Codex', () => {
  it('PreToolUse: an allowed command prints nothing (Codex decides the rest), a blocked one is denied', async () => {
    await startGateway();
    expect(await hook('codex', fixture('codex', 'pretooluse-bash'))).toEqual({ code: 0, stdout: '', stderr: '' });
    const blocked = await hook('codex', fixture('codex', 'pretooluse-bash', { COMMAND: 'rm -rf /' }));
    expect([blocked.code, json(blocked)]).toEqual([0, preToolUse('deny')]);
  });

  it('PreToolUse for an MCP tool follows the rules', async () => {
    hookSettings({ mcp: { rules: [{ server: 'fs', tool: '*', action: 'deny' }] } });
    expect(json(await hook('codex', fixture('codex', 'pretooluse-mcp')))).toEqual(preToolUse('deny'));
  });

  it('PermissionRequest: allow, or deny with the message', async () => {
    await startGateway();
    const permission = (decision: object) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } });
    expect(json(await hook('codex', fixture('codex', 'permissionrequest-bash')))).toEqual(permission({ behavior: 'allow' }));
    expect(json(await hook('codex', fixture('codex', 'permissionrequest-bash', { COMMAND: 'rm -rf /' })))).toEqual(
      permission({ behavior: 'deny', message: expect.stringContaining('blocked') }),
    );
  });

  it('denies when no gateway answers, and any broken input', async () => {
    expect(json(await hook('codex', fixture('codex', 'pretooluse-bash')))).toEqual(preToolUse('deny'));
    expect(json(await hook('codex', '[]'))).toEqual(preToolUse('deny'));
  });
});

describe('Gemini CLI: BeforeTool', () => {
  const denied = { decision: 'deny', reason: expect.any(String) };

  it('run_shell_command through the gateway: an allow is left to Gemini CLI ({}), a block denied', async () => {
    await startGateway();
    const safe = await hook('gemini', fixture('gemini', 'beforetool-run-shell-command'));
    expect([safe.code, json(safe)]).toEqual([0, {}]);
    const blocked = await hook('gemini', fixture('gemini', 'beforetool-run-shell-command', { COMMAND: 'rm -rf /' }));
    expect([blocked.code, json(blocked)]).toEqual([0, denied]);
  });

  it('write_file to a credential is denied; read_file inside the project is not', async () => {
    await startGateway();
    expect(json(await hook('gemini', fixture('gemini', 'beforetool-write-file', { PATH: join(userHome(), '.ssh', 'config') })))).toEqual(denied);
    expect(json(await hook('gemini', fixture('gemini', 'beforetool-read-file')))).toEqual({});
    expect(json(await hook('gemini', 'null'))).toEqual(denied);
  });
});
