import { describe, expect, it } from 'vitest';
import { COMMANDS, HELP } from './commands.js';
import { EXIT, type Io } from './io.js';
import { main } from './main.js';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aleph ...argv` in this process, keeping what it prints. Only for runs that stop at usage. */
async function aleph(...argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: { ...process.env, NO_COLOR: '1' },
    cwd: process.cwd(),
    out: (text) => out.push(`${text}\n`),
    err: (text) => err.push(`${text}\n`),
    usage(message) {
      this.err(message);
      return EXIT.usage;
    },
    fail(error, json) {
      if (json) this.out(JSON.stringify({ error: { code: error.code, message: error.message } }));
      else this.err(`aleph: ${error.message}`);
      return EXIT.usage;
    },
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Each command's help, as its module declares it, and its subcommands. */
const declared = await Promise.all(COMMANDS.map(async (entry) => ({ name: entry.name, command: (await entry.load()).command })));
const subcommands = declared.flatMap(({ name, command }) => (command.subcommands ?? []).map((sub) => [name, sub] as const));

describe('help', () => {
  it('lists every command with its summary, for aleph, aleph help and aleph --help alike', async () => {
    for (const c of COMMANDS) expect(HELP).toContain(`  ${(c.listedAs ?? c.name).padEnd(15)}${c.summary}\n`);
    for (const argv of [[], ['help'], ['--help'], ['-h']]) expect(await aleph(...argv)).toEqual({ code: EXIT.ok, stdout: `${HELP}\n`, stderr: '' });
  });

  it.each(declared)("aleph help $name prints that command's help, which begins with its usage", async ({ name, command }) => {
    expect(command.help).toMatch(new RegExp(`^Usage: aleph ${name}\\b`));
    expect(await aleph('help', name)).toEqual({ code: EXIT.ok, stdout: `${command.help}\n`, stderr: '' });
  });

  it.each(declared)('aleph $name --help prints the same', async ({ name, command }) => {
    expect(await aleph(name, '--help')).toEqual({ code: EXIT.ok, stdout: `${command.help}\n`, stderr: '' });
  });

  it.each(subcommands)("aleph %s %s --help prints the command's help too", async (name, sub) => {
    const { command } = declared.find((d) => d.name === name)!;
    expect(await aleph(name, sub, '--help')).toEqual({ code: EXIT.ok, stdout: `${command.help}\n`, stderr: '' });
  });

  it("prints a command's help, and exits 2, when a subcommand is missing", async () => {
    const { command } = declared.find((d) => d.name === 'devices')!;
    expect(await aleph('devices')).toEqual({ code: EXIT.usage, stdout: `${command.help}\n`, stderr: '' });
    expect(await aleph('devices', 'help')).toEqual({ code: EXIT.ok, stdout: `${command.help}\n`, stderr: '' });
  });

  it('names an unknown command and says where the list is, without printing the whole help', async () => {
    for (const argv of [['frob'], ['help', 'frob']]) {
      expect(await aleph(...argv)).toEqual({ code: EXIT.usage, stdout: '', stderr: 'Unknown command "frob". Run "aleph help" to see every command.\n' });
    }
  });

  it.each([
    ['exce', 'exec'],
    ['exc', 'exec'],
    ['gatway', 'gateway'],
    ['aprovals', 'approvals'],
    ['approval', 'approvals'],
    ['Audit', 'audit'],
    ['devcies', 'devices'],
    ['sandbx', 'sandbox'],
    ['versoin', 'version'],
    ['instal', 'install'],
    ['doc', 'doctor'],
  ])('suggests the command a slip most likely meant: %s -> %s', async (typed, meant) => {
    expect(await aleph(typed)).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr: `Unknown command "${typed}". Did you mean "${meant}"? Run "aleph help" to see every command.\n`,
    });
  });

  it('answers an unknown command in JSON when --json is among its arguments', async () => {
    const r = await aleph('exce', '--json');
    expect([r.code, r.stderr]).toEqual([EXIT.usage, '']);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'unknown_command', message: 'Unknown command "exce". Did you mean "exec"? Run "aleph help" to see every command.' },
    });
  });

  it.each([['--version'], ['-V'], ['-v'], ['version']])('aleph %s prints the version, and {version} with --json', async (spelling) => {
    const text = await aleph(spelling);
    expect([text.code, text.stderr]).toEqual([EXIT.ok, '']);
    expect(text.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(JSON.parse((await aleph(spelling, '--json')).stdout)).toEqual({ version: text.stdout.trim() });
  });
});

describe('usage errors', () => {
  // The hook answers its usage errors as denials in the agent's format, never with help (below).
  const commands = declared.filter(({ name }) => name !== 'hook');

  it.each(commands)('aleph $name refuses an unknown option with exit 2, the reason, then its help', async ({ name, command }) => {
    const sub = command.subcommands?.[0];
    const r = await aleph(...(sub === undefined ? [name] : [name, sub]), '--frob');
    expect(r).toEqual({ code: EXIT.usage, stdout: '', stderr: `Unknown option --frob.\n\n${command.help}\n` });
  });

  it('refuses an option of one subcommand given to another', async () => {
    expect((await aleph('audit', 'verify', '--follow')).stderr).toMatch(/^Unknown option --follow\./);
    expect((await aleph('sandbox', 'run', '--platform', 'linux')).stderr).toMatch(/^Unknown option --platform\./);
  });

  it('names an unknown subcommand', async () => {
    expect((await aleph('devices', 'frob')).stderr).toMatch(/^Unknown devices command "frob"\.\n\nUsage: aleph devices/);
  });

  it('aleph hook names an unknown agent on standard error, exits 2 (a block for every agent), and prints no help', async () => {
    for (const argv of [['hook', 'frob'], ['hook']]) {
      const r = await aleph(...argv);
      expect([r.code, r.stdout]).toEqual([EXIT.usage, '']);
      expect(r.stderr).toMatch(
        /^aleph hook: (unknown agent "frob"|no agent named); aleph hook knows claude-code, codex, gemini\. The tool call is refused\.\n$/,
      );
    }
  });
});
