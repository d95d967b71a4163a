/**
 * Where each agent keeps its hooks, and how Aleph's hook is put in and taken out of them. All
 * three agents here share one shape, `{"hooks": {EVENT: [{"matcher", "hooks": [HANDLER]}]}}`; a
 * handler is Aleph's when its command runs `aleph hook AGENT` (by whatever path). Everything else
 * in the file is kept as it is. Sources: apps/cli/test-fixtures/hooks/README.md.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';

export const INSTALLABLE = ['claude-code', 'codex', 'gemini'] as const;
export type InstallableAgent = (typeof INSTALLABLE)[number];
export type Scope = 'user' | 'project';

interface HookEntry {
  readonly event: string;
  readonly matcher: string;
  readonly handler: Readonly<Record<string, unknown>>;
}

export interface AgentTarget {
  readonly agent: InstallableAgent;
  /** The settings file, or why this scope has none that is not meant to be committed. */
  file(scope: Scope, home: string, project: string): Result<string>;
  /** What to add for the hook command. */
  entries(command: string): readonly HookEntry[];
  /** What to tell the person after installing. */
  readonly note: string;
}

/** The tools Aleph judges for Claude Code, matched whole (a matcher with `.` or `*` is a regular expression there). */
const CLAUDE_MATCHER = '^(Bash|Write|Edit|MultiEdit|NotebookEdit|Read|WebFetch|WebSearch|mcp__.*)$';
const CODEX_MATCHER = '^(Bash|mcp__.*)$';
const GEMINI_MATCHER = '^(run_shell_command|write_file|replace|read_file)$';

const committedOnly = (agent: string, file: string): Result<string> =>
  fail(
    'no_local_settings',
    `${agent} keeps project hooks in ${file}, a file meant to be committed, and has no local one: Aleph's hook names paths of this machine, so it is installed for your user only (--user).`,
  );

export const TARGETS: Readonly<Record<InstallableAgent, AgentTarget>> = {
  'claude-code': {
    agent: 'claude-code',
    // ~/.claude/settings.json: "all your projects, local to your machine"; .claude/settings.local.json:
    // "single project, not shareable (gitignored)". .claude/settings.json is meant to be committed.
    file: (scope, home, project) => ok(scope === 'user' ? join(home, '.claude', 'settings.json') : join(project, '.claude', 'settings.local.json')),
    // 600 s is Claude Code's own default for a command hook; written out so that a person's answer has that long.
    entries: (command) =>
      ['PreToolUse', 'PermissionRequest'].map((event) => ({ event, matcher: CLAUDE_MATCHER, handler: { type: 'command', command, timeout: 600 } })),
    note: 'Claude Code picks up the change by itself; /hooks lists it.',
  },
  codex: {
    agent: 'codex',
    file: (scope, home) => (scope === 'user' ? ok(join(home, '.codex', 'hooks.json')) : committedOnly('Codex', '.codex/hooks.json')),
    entries: (command) =>
      ['PreToolUse', 'PermissionRequest'].map((event) => ({ event, matcher: CODEX_MATCHER, handler: { type: 'command', command, timeout: 600 } })),
    note: 'Codex runs a new hook only once you trust it: open /hooks in Codex and trust the Aleph hook.',
  },
  gemini: {
    agent: 'gemini',
    file: (scope, home) => (scope === 'user' ? ok(join(home, '.gemini', 'settings.json')) : committedOnly('Gemini CLI', '.gemini/settings.json')),
    // Gemini CLI counts a hook's timeout in milliseconds (default 60000).
    entries: (command) => [{ event: 'BeforeTool', matcher: GEMINI_MATCHER, handler: { name: 'aleph', type: 'command', command, timeout: 600_000 } }],
    note: 'Gemini CLI lists it under /hooks panel.',
  },
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a handler's command runs `aleph hook AGENT`, whatever the path to node or to aleph. */
export function isAlephHook(command: unknown, agent: string): boolean {
  return typeof command === 'string' && new RegExp(`(^|[/\\s'"])aleph(\\.js)?['"]? hook ${agent.replace('-', '\\-')}(\\s|$)`).test(command);
}

/** The settings as they are (`{}` when there is no file), or why they cannot be used; never changed here. */
export function readSettings(file: string): Result<{ readonly value: Json; readonly exists: boolean; readonly mode: number }> {
  let textValue: string;
  let mode = 0o644;
  try {
    textValue = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ok({ value: {}, exists: false, mode });
    return fail('settings_unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = textValue.trim() === '' ? {} : JSON.parse(textValue);
  } catch (error) {
    return fail('settings_invalid', `${file} is not valid JSON (${(error as Error).message}); it was left untouched. Fix it, then run this again.`);
  }
  if (!isObject(value)) return fail('settings_invalid', `${file} is not a JSON object; it was left untouched.`);
  const hooks = value.hooks;
  if (
    hooks !== undefined &&
    (!isObject(hooks) ||
      !Object.values(hooks).every((groups) => Array.isArray(groups) && groups.every((g) => isObject(g) && (g.hooks === undefined || Array.isArray(g.hooks)))))
  ) {
    return fail('settings_invalid', `${file}: "hooks" is not of the shape {EVENT: [{"matcher", "hooks": [...]}]}; it was left untouched.`);
  }
  return ok({ value, exists: true, mode });
}

/** The settings without any of Aleph's hooks for `agent`; containers emptied by that are removed. */
export function withoutAleph(settings: Json, agent: string): Json {
  if (!isObject(settings.hooks)) return settings;
  const hooks: Json = {};
  for (const [event, groups] of Object.entries(settings.hooks)) {
    const kept: unknown[] = [];
    for (const group of groups as Json[]) {
      const handlers = Array.isArray(group.hooks) ? group.hooks : undefined;
      if (handlers === undefined) {
        kept.push(group);
        continue;
      }
      const left = handlers.filter((h) => !(isObject(h) && isAlephHook(h.command, agent)));
      if (left.length === handlers.length) kept.push(group);
      else if (left.length > 0) kept.push({ ...group, hooks: left });
    }
    if (kept.length > 0 || (groups as unknown[]).length === 0) hooks[event] = kept;
  }
  const rest = { ...settings };
  if (Object.keys(hooks).length === 0) delete rest.hooks;
  else rest.hooks = hooks;
  return rest;
}

/** The settings with exactly Aleph's hooks for `agent` running `command`, and nothing else changed. */
export function withAleph(settings: Json, target: AgentTarget, command: string): Json {
  if (hasExactly(settings, target, command)) return settings;
  const base = withoutAleph(settings, target.agent);
  const hooks: Json = isObject(base.hooks) ? { ...base.hooks } : {};
  for (const entry of target.entries(command)) {
    const groups = Array.isArray(hooks[entry.event]) ? [...(hooks[entry.event] as unknown[])] : [];
    groups.push({ matcher: entry.matcher, hooks: [entry.handler] });
    hooks[entry.event] = groups;
  }
  return { ...base, hooks };
}

/** Whether the settings hold Aleph's entries for this command and no other hook of Aleph's for the agent. */
function hasExactly(settings: Json, target: AgentTarget, command: string): boolean {
  if (!isObject(settings.hooks)) return false;
  const hooks = settings.hooks;
  const wanted = target.entries(command);
  let count = 0;
  for (const groups of Object.values(hooks)) {
    for (const group of groups as Json[])
      for (const h of Array.isArray(group.hooks) ? group.hooks : []) if (isObject(h) && isAlephHook(h.command, target.agent)) count++;
  }
  return (
    count === wanted.length &&
    wanted.every(
      (entry) =>
        Array.isArray(hooks[entry.event]) &&
        (hooks[entry.event] as Json[]).some(
          (group) =>
            group.matcher === entry.matcher &&
            Array.isArray(group.hooks) &&
            group.hooks.length === 1 &&
            JSON.stringify(group.hooks[0]) === JSON.stringify(entry.handler),
        ),
    )
  );
}

/** The hook commands of Aleph's installed in these settings for `agent`, each once. */
export function installedCommands(settings: Json, agent: string): string[] {
  if (!isObject(settings.hooks)) return [];
  const found = new Set<string>();
  for (const groups of Object.values(settings.hooks)) {
    for (const group of groups as Json[]) {
      for (const h of Array.isArray(group.hooks) ? group.hooks : []) if (isObject(h) && isAlephHook(h.command, agent)) found.add(h.command as string);
    }
  }
  return [...found];
}

export interface Written {
  readonly changed: boolean;
  readonly backup: string | null;
}

/**
 * Writes `next` over `file` when it differs from what is there: first a copy of the file as it was
 * beside it (`FILE.aleph-backup`), then the new content through a temporary file renamed over it,
 * so that the settings are never found half written. The file keeps its mode.
 */
export function writeSettings(file: string, before: { readonly value: Json; readonly exists: boolean; readonly mode: number }, next: Json): Result<Written> {
  if (JSON.stringify(before.value) === JSON.stringify(next)) return ok({ changed: false, backup: null });
  try {
    mkdirSync(dirname(file), { recursive: true });
    let backup: string | null = null;
    if (before.exists) {
      backup = `${file}.aleph-backup`;
      copyFileSync(file, backup);
    }
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: before.mode });
    chmodSync(temp, before.mode);
    renameSync(temp, file);
    return ok({ changed: true, backup });
  } catch (error) {
    return fail('settings_unwritable', `Cannot write ${file}: ${(error as Error).message}`);
  }
}
