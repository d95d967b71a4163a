import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { flag } from './args.js';
import { INSTALLABLE, readSettings, TARGETS, withAleph, withoutAleph, writeSettings, type InstallableAgent, type Scope } from './agent-settings.js';
import { defineCommand, type Invocation } from './command.js';
import { EXIT, type Io } from './io.js';

const AGENTS = [...INSTALLABLE, 'cursor'] as const;

export const INSTALL_HELP = `Usage: aleph install claude-code|codex|gemini [--user | --project] [--json]
       aleph uninstall claude-code|codex|gemini [--user | --project] [--json]

Puts Aleph's hook into the agent's own settings, or takes exactly that out again. The hook is
written with absolute paths (this Node and this aleph), so it does not depend on the agent's PATH,
and with the agent's hook timeout set to 600 s, so that a person has time to answer. Everything
else in the settings is kept; before any change the file is copied beside itself
(FILE.aleph-backup). Running it twice changes nothing the second time. A settings file that does
not parse is refused and left untouched.

  claude-code  --user: ~/.claude/settings.json; --project: .claude/settings.local.json here
               (the project's own file that is not committed)
  codex        ~/.codex/hooks.json (--user only); trust the hook in Codex's /hooks afterwards
  gemini       ~/.gemini/settings.json (--user only)

Cursor is not supported yet: its hook format could not be confirmed from its own documentation.
Then run "aleph doctor" to check the whole chain.`;

export const UNINSTALL_HELP = INSTALL_HELP.replace(
  /^Usage: aleph install (.*)\n {7}aleph uninstall (.*)\n/,
  'Usage: aleph uninstall $2\n       aleph install $1\n',
);

/** The command an agent runs: this Node and this CLI's entry, by absolute real path, shell-quoted. */
export function hookCommand(agent: InstallableAgent): string {
  const entry = realpathSync(fileURLToPath(new URL('../bin/aleph.js', import.meta.url)));
  return `${shellQuote(process.execPath)} ${shellQuote(entry)} hook ${agent}`;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

const definition = (install: boolean) =>
  defineCommand({
    help: install ? INSTALL_HELP : UNINSTALL_HELP,
    subcommands: AGENTS,
    unknown: (name) => `Unknown agent "${name}"; aleph ${install ? 'install' : 'uninstall'} knows ${INSTALLABLE.join(', ')}.`,
    options: { user: {}, project: {}, json: {} },
    run: (invocation: Invocation) => change(install, invocation),
  });

export const command = definition(true);
export const uninstallCommand = definition(false);

function change(install: boolean, { sub, args, io }: Invocation): number {
  const json = flag(args, 'json');
  if (sub === 'cursor') {
    return io.fail(
      {
        code: 'unsupported_agent',
        message:
          "Cursor is not supported yet: its hook format could not be confirmed from Cursor's own documentation, and Aleph does not guess at it. Nothing was changed.",
      },
      json,
    );
  }
  if (flag(args, 'user') && flag(args, 'project')) return io.usage('Give --user or --project, not both.');
  const scope: Scope = flag(args, 'project') ? 'project' : 'user';
  const agent = sub as InstallableAgent;
  const target = TARGETS[agent];
  const file = target.file(scope, io.env.HOME ?? homedir(), io.cwd);
  if (!file.ok) return io.fail(file.error, json);
  const before = readSettings(file.value);
  if (!before.ok) return io.fail(before.error, json);
  const command = install ? hookCommand(agent) : null;
  const next = command === null ? withoutAleph(before.value.value, agent) : withAleph(before.value.value, target, command);
  const written = writeSettings(file.value, before.value, next);
  if (!written.ok) return io.fail(written.error, json);
  report(io, json, { install, agent, file: file.value, command, ...written.value, note: target.note });
  return EXIT.ok;
}

function report(
  io: Io,
  json: boolean,
  r: { install: boolean; agent: string; file: string; command: string | null; changed: boolean; backup: string | null; note: string },
): void {
  if (json) {
    io.out(
      JSON.stringify({
        agent: r.agent,
        action: r.install ? 'install' : 'uninstall',
        file: r.file,
        changed: r.changed,
        backup: r.backup,
        ...(r.command === null ? {} : { command: r.command }),
      }),
    );
    return;
  }
  if (!r.changed) {
    io.out(
      r.install
        ? `Aleph's hook for ${r.agent} is already in ${r.file}; nothing changed.`
        : `There is no hook of Aleph's for ${r.agent} in ${r.file}; nothing changed.`,
    );
    return;
  }
  io.out(r.install ? `Installed Aleph's hook for ${r.agent} in ${r.file}:\n  ${r.command}` : `Took Aleph's hook for ${r.agent} out of ${r.file}.`);
  if (r.backup !== null) io.out(`The file as it was is kept in ${r.backup}.`);
  if (r.install) io.out(`${r.note}\nRun "aleph doctor" to check the whole chain.`);
}
