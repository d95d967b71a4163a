import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, type CliRun } from './test-cli.js';

/** A fresh HOME, ALEPH_HOME and project for each test; the real `aleph` run in them. */
let dir = '';
const home = () => join(dir, 'home');
const alephHome = () => join(dir, 'aleph');
const project = () => join(dir, 'project');
let gateway: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-install-'));
  for (const d of [home(), alephHome(), project()]) mkdirSync(d, { mode: 0o700 });
});
afterEach(async () => {
  await stopGateway();
  rmSync(dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home(), ALEPH_HOME: alephHome(), NO_COLOR: '1' };
}

function aleph(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [ALEPH_BIN, ...args], { encoding: 'utf8', env: env(), cwd: project() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function startGateway(): Promise<void> {
  gateway = spawn(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--json', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => gateway!.stdout!.once('data', () => resolve()));
}

async function stopGateway(): Promise<void> {
  if (gateway !== undefined && gateway.exitCode === null) {
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway!.on('exit', r));
  }
  gateway = undefined;
}

const claudeSettings = () => join(home(), '.claude', 'settings.json');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const ENTRY = realpathSync(ALEPH_BIN);
const COMMAND = `${process.execPath} ${ENTRY} hook claude-code`;

describe('aleph install / uninstall', () => {
  it("writes Claude Code's user settings with absolute paths, the 600 s timeout, and both events; twice changes nothing", () => {
    const first = aleph('install', 'claude-code');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(COMMAND);
    const handler = { type: 'command', command: COMMAND, timeout: 600 };
    const matcher = '^(Bash|Write|Edit|MultiEdit|NotebookEdit|Read|WebFetch|WebSearch|mcp__.*)$';
    expect(read(claudeSettings())).toEqual({ hooks: { PreToolUse: [{ matcher, hooks: [handler] }], PermissionRequest: [{ matcher, hooks: [handler] }] } });
    // Nothing to back up: there was no file.
    expect(existsSync(`${claudeSettings()}.aleph-backup`)).toBe(false);
    const bytes = readFileSync(claudeSettings(), 'utf8');
    const mtime = statSync(claudeSettings()).mtimeMs;
    const second = aleph('install', 'claude-code', '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ agent: 'claude-code', action: 'install', changed: false, backup: null });
    expect([readFileSync(claudeSettings(), 'utf8'), statSync(claudeSettings()).mtimeMs]).toEqual([bytes, mtime]);
  });

  it('keeps every other key and hook, backs the file up first, and uninstall takes exactly its own out', () => {
    const before = {
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'] },
      hooks: {
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo mine' }] }],
        Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
      },
    };
    mkdirSync(join(home(), '.claude'));
    const original = JSON.stringify(before, null, 4);
    writeFileSync(claudeSettings(), original);
    expect(aleph('install', 'claude-code').code).toBe(0);
    expect(readFileSync(`${claudeSettings()}.aleph-backup`, 'utf8')).toBe(original);
    const installed = read(claudeSettings());
    expect(installed).toMatchObject({ model: 'opus', permissions: before.permissions, hooks: { Stop: before.hooks.Stop } });
    expect((installed.hooks as Record<string, unknown[]>).PreToolUse).toHaveLength(2);
    const removed = aleph('uninstall', 'claude-code');
    expect(removed.stdout).toContain("Took Aleph's hook for claude-code out of");
    expect(read(claudeSettings())).toEqual(before);
    expect(aleph('uninstall', 'claude-code').stdout).toContain('nothing changed');
  });

  it('refuses a settings file that does not parse, and leaves it untouched', () => {
    mkdirSync(join(home(), '.claude'));
    writeFileSync(claudeSettings(), '{"hooks": {');
    const r = aleph('install', 'claude-code');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not valid JSON');
    expect(r.stderr).toContain('left untouched');
    expect(readFileSync(claudeSettings(), 'utf8')).toBe('{"hooks": {');
    expect(existsSync(`${claudeSettings()}.aleph-backup`)).toBe(false);
    writeFileSync(claudeSettings(), '{"hooks": []}');
    expect(aleph('install', 'claude-code').stderr).toContain('"hooks" is not of the shape');
  });

  it("--project writes the project's local settings, never the committed .claude/settings.json", () => {
    expect(aleph('install', 'claude-code', '--project').code).toBe(0);
    expect(existsSync(join(project(), '.claude', 'settings.local.json'))).toBe(true);
    expect(existsSync(join(project(), '.claude', 'settings.json'))).toBe(false);
    expect(existsSync(claudeSettings())).toBe(false);
    // Codex and Gemini CLI have no local project file: refused, nothing written.
    for (const agent of ['codex', 'gemini']) {
      const r = aleph('install', agent, '--project');
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('meant to be committed')]);
    }
    expect(existsSync(join(project(), '.codex'))).toBe(false);
  });

  it("writes Codex's hooks.json and Gemini CLI's settings in their own shapes", () => {
    expect(aleph('install', 'codex').code).toBe(0);
    const codexHandler = { type: 'command', command: COMMAND.replace('claude-code', 'codex'), timeout: 600 };
    expect(read(join(home(), '.codex', 'hooks.json'))).toEqual({
      hooks: {
        PreToolUse: [{ matcher: '^(Bash|mcp__.*)$', hooks: [codexHandler] }],
        PermissionRequest: [{ matcher: '^(Bash|mcp__.*)$', hooks: [codexHandler] }],
      },
    });
    expect(aleph('install', 'gemini').code).toBe(0);
    expect(read(join(home(), '.gemini', 'settings.json'))).toEqual({
      hooks: {
        BeforeTool: [
          {
            matcher: '^(run_shell_command|write_file|replace|read_file)$',
            hooks: [{ name: 'aleph', type: 'command', command: COMMAND.replace('claude-code', 'gemini'), timeout: 600_000 }],
          },
        ],
      },
    });
  });

  it('refuses Cursor, whose format is not confirmed', () => {
    const r = aleph('install', 'cursor');
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('Cursor is not supported yet')]);
  });
});

describe('aleph doctor', () => {
  it('on a fresh HOME with a gateway: install, then the canary passes end to end; with the gateway stopped, it fails naming it, and the installed hook denies', async () => {
    await startGateway();
    expect(aleph('install', 'claude-code').code).toBe(0);
    const well = aleph('doctor', '--json');
    const report = JSON.parse(well.stdout) as { ok: boolean; checks: { name: string; ok: boolean; fix?: string }[] };
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect([well.code, report.ok]).toEqual([0, true]);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'gateway',
        'claude-code canary: "ls"',
        'claude-code canary: "rm -rf /"',
        'claude-code canary: "ls" with no gateway',
        'sandbox',
        'audit log',
      ]),
    );

    await stopGateway();
    const sick = aleph('doctor');
    expect(sick.code).toBe(1);
    expect(sick.stdout).toMatch(/FAIL {2}gateway: .*\n {6}fix: Start the gateway/);
    // The command the settings hold, run as Claude Code runs it: denied.
    const installed = (read(claudeSettings()).hooks as { PreToolUse: { hooks: { command: string }[] }[] }).PreToolUse[0]!.hooks[0]!.command;
    const input = JSON.stringify({
      session_id: 's',
      cwd: project(),
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'ls' },
      tool_use_id: 't',
    });
    const r = spawnSync('/bin/sh', ['-c', installed], { input, encoding: 'utf8', env: env() });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny' } });
  });

  it('names a settings file that does not parse, and a hook that does not start', () => {
    mkdirSync(join(home(), '.claude'));
    writeFileSync(
      claudeSettings(),
      JSON.stringify({
        hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/nowhere/node /nowhere/aleph.js hook claude-code' }] }] },
      }),
    );
    const r = aleph('doctor');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the hook command does not start');
    expect(r.stdout).toContain('fix: Run "aleph install claude-code" again');
  });
});

describe('aleph on the PATH', () => {
  it('npm install -g from the checkout puts an aleph on the PATH that runs this CLI', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const prefix = join(dir, 'prefix');
    const npm = spawnSync('npm', ['install', '-g', '--prefix', prefix, root, '--ignore-scripts', '--no-audit', '--no-fund', '--offline'], {
      encoding: 'utf8',
      env: env(),
    });
    expect(npm.status, npm.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'aleph');
    expect(realpathSync(bin)).toBe(ENTRY);
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env: { ...env(), PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` } });
    expect([r.status, r.stdout.trim()]).toEqual([0, JSON.parse(readFileSync(join(root, 'apps/cli/package.json'), 'utf8')).version]);
    // The hook too, through the same link: a broken input is denied.
    const hook = spawnSync(bin, ['hook', 'claude-code'], { input: '[]', encoding: 'utf8', env: env() });
    expect(JSON.parse(hook.stdout)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'deny' } });
  });
});
