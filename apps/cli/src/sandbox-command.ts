import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alephHome } from '@aleph/gateway/requester';
import { shellQuote } from '@aleph/policy';
import { fail, ok, type Result } from '@aleph/protocol';
import {
  applyOverrides,
  DEFAULT_HELPER,
  exitCodeOf,
  insideProfile,
  isPresetName,
  parseCapabilities,
  PRESET_NAMES,
  PRESETS,
  realPathOf,
  resolveAndRun,
  resolveCapabilities,
  sandboxAvailability,
  sandboxLaunch,
  SANDBOX_PLATFORMS,
  withOverrides,
  type Capabilities,
  type FilesystemEntry,
  type Overrides,
  type SandboxPlatform,
} from '@aleph/sandbox';
import { flag, value, type ParsedArgs } from './args.js';
import { defineCommand, type Invocation, type Options } from './command.js';
import { EXIT, type Io } from './io.js';

export const SANDBOX_HELP = `Usage: aleph sandbox run [profile options] [--json] -- <command...>
       aleph sandbox profile --platform macos|linux [profile options] [-- <command...>]
       aleph sandbox presets [--json]
       aleph sandbox check [--json]

Runs a command with exactly the capabilities given, under bubblewrap (Linux) or Seatbelt (macOS):
standard input and output pass through, and it exits with the command's exit code (124 when it ran
out of time, 125 when the sandbox could not start it). --json adds, on standard error, the run's
record: status (success, timeout, sandbox_violation, error), duration and the violations seen.
"profile" prints the Seatbelt profile or the bubblewrap argument list a run would use.

Profile options:
  --preset NAME          start from a preset: ${PRESET_NAMES.join(', ')}
  --capabilities FILE    start from a JSON capability profile instead
  --workspace DIR        \${WORKSPACE}, and where the command starts (default: this directory; a
                         profile that grants nothing here but has a temporary workspace, as
                         web_scraper, starts in that private /tmp instead)
  --project-root DIR     \${PROJECT_ROOT} (default: the workspace)
  --allow-read PATH      also grant PATH read-only (repeatable)
  --allow-write PATH     also grant PATH read-write (repeatable)
  --net deny|all         the network (default: the preset's, or none)
  --memory-mb N          memory per process, MiB
  --timeout-s N          wall-clock limit; the command and everything it started are killed
  --no-fork              the command may not start processes or threads
  --env none|restricted|full
Without a preset or a profile file the workspace is granted read-write. Credentials inside granted
paths (~/.ssh, ~/.aws, keychains, browser profiles, .env files, $ALEPH_HOME, ...) are hidden unless
named; a path inside $ALEPH_HOME is not granted at all.`;

/** The options that describe a capability profile (shared with `aleph tools run`). */
export const PROFILE_OPTIONS: Options = {
  preset: { value: true },
  capabilities: { value: true },
  workspace: { value: true },
  'project-root': { value: true },
  'allow-read': { value: true, multiple: true },
  'allow-write': { value: true, multiple: true },
  net: { value: true },
  'memory-mb': { value: true },
  'timeout-s': { value: true },
  'no-fork': {},
  env: { value: true },
  json: {},
};

export const command = defineCommand({
  help: SANDBOX_HELP,
  subcommands: ['run', 'profile', 'presets', 'check'],
  options: PROFILE_OPTIONS,
  optionsFor: (sub): Options => (sub === 'profile' ? { platform: { value: true } } : {}),
  run: sandbox,
});

async function sandbox({ sub, args, io }: Invocation<'run' | 'profile' | 'presets' | 'check'>): Promise<number> {
  const json = flag(args, 'json');
  switch (sub) {
    case 'presets':
      if (json) io.out(JSON.stringify(PRESET_NAMES.map((n) => PRESETS[n])));
      else for (const n of PRESET_NAMES) io.out(`${n.padEnd(17)} ${PRESETS[n].description} Fixed: ${PRESETS[n].immutable.join(', ')}.`);
      return EXIT.ok;
    case 'check': {
      const available = sandboxAvailability();
      if (json) io.out(JSON.stringify(available.ok ? { available: true, ...available.value } : { available: false, reason: available.error.message }));
      else io.out(available.ok ? `sandbox available: ${available.value.launcher} (${available.value.platform})` : `no sandbox: ${available.error.message}`);
      return available.ok ? EXIT.ok : EXIT.failure;
    }
    case 'run':
    case 'profile':
      break;
  }
  const profile = capabilitiesFrom(args, io);
  if (!profile.ok) return io.fail(profile.error, json);
  const { capabilities, workspace } = profile.value;
  if (sub === 'profile') return printProfile(args, capabilities, workspace, io);

  if (args.operands.length === 0) return io.usage(`No command given.\n\n${SANDBOX_HELP}`);
  // Bound as they are now (one that moves before the run starts is refused); a path that does not
  // exist stops the run before it starts.
  const vars = { WORKSPACE: workspace, PROJECT_ROOT: workspace };
  const inTempWorkspace = startsInTempWorkspace(args, capabilities, workspace);
  if (inTempWorkspace && !json)
    io.err(`aleph: the profile grants nothing in ${workspace}: the command runs in its private temporary workspace (a fresh /tmp, gone after the run).`);
  const log = await resolveAndRun(
    { capabilities, vars, command: args.operands, cwd: workspace, inTempWorkspace, env: io.env },
    { forwardSignals: true, hide: [alephHome(io.env)] },
  );
  if (json) io.err(JSON.stringify(log));
  else if (log.status === 'error' || log.status === 'timeout') io.err(`aleph: ${log.error?.message ?? log.status}`);
  for (const gap of log.limits_unenforced) if (!json) io.err(`aleph: warning: ${gap}`);
  return exitCodeOf(log);
}

/**
 * Whether a run starts in the profile's temporary workspace: a profile that works on no project (a
 * preset such as web_scraper grants no directory, only its private /tmp) started where nothing is
 * granted, with no --workspace named. One named is where the command must start, or nowhere.
 */
function startsInTempWorkspace(args: ParsedArgs, capabilities: Capabilities, workspace: string): boolean {
  if (value(args, 'workspace') !== undefined || !capabilities.filesystem.some((e) => e.kind === 'temp_workspace')) return false;
  return !insideProfile(capabilities, workspace, null) && !insideProfile(capabilities, realPathOf(workspace), null);
}

/** The capabilities the options describe, resolved against the workspace. */
function capabilitiesFrom(args: ParsedArgs, io: Io): Result<{ capabilities: Capabilities; workspace: string }> {
  const declared = declaredCapabilities(args, io);
  if (!declared.ok) return declared;
  const { capabilities, workspace, projectRoot } = declared.value;
  const resolved = resolveCapabilities(capabilities, { WORKSPACE: workspace, PROJECT_ROOT: projectRoot });
  if (!resolved.ok) return resolved;
  return ok({ capabilities: resolved.value, workspace });
}

/**
 * The capabilities the options describe, as declared (`${WORKSPACE}` and `${PROJECT_ROOT}` kept)
 * and checked like a profile file; and the directories those stand for.
 */
export function declaredCapabilities(args: ParsedArgs, io: Io): Result<{ capabilities: Capabilities; workspace: string; projectRoot: string }> {
  const workspace = resolve(io.cwd, value(args, 'workspace') ?? '.');
  const projectRoot = resolve(io.cwd, value(args, 'project-root') ?? workspace);
  const presetName = value(args, 'preset');
  const file = value(args, 'capabilities');
  if (presetName !== undefined && file !== undefined) return fail('usage', 'Give --preset or --capabilities, not both.');
  if (presetName !== undefined && !isPresetName(presetName))
    return fail('usage', `Unknown preset "${presetName}"; the presets are ${PRESET_NAMES.join(', ')}.`);
  const preset = presetName === undefined ? null : PRESETS[presetName];

  const entries: FilesystemEntry[] = [];
  // Neither a preset nor a file: the workspace is what the command works on.
  if (preset === null && file === undefined) entries.push({ kind: 'read_write', path: '${WORKSPACE}' });
  const path = (p: string) => (p.startsWith('${') ? p : resolve(io.cwd, p));
  for (const p of args.options.get('allow-read') ?? []) entries.push({ kind: 'read_only', path: path(p) });
  for (const p of args.options.get('allow-write') ?? []) entries.push({ kind: 'read_write', path: path(p) });
  const overrides: { -readonly [K in keyof Overrides]: Overrides[K] } = {};
  if (entries.length > 0) overrides.filesystem = entries;
  const net = value(args, 'net');
  if (net !== undefined) {
    if (net !== 'deny' && net !== 'all') return fail('usage', '--net takes deny or all.');
    overrides.network = { kind: net === 'all' ? 'allow_all' : 'deny' };
  }
  const process: { max_memory_mb?: number; max_execution_time_s?: number; no_fork?: boolean } = {};
  for (const [option, key] of [
    ['memory-mb', 'max_memory_mb'],
    ['timeout-s', 'max_execution_time_s'],
  ] as const) {
    const text = value(args, option);
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) return fail('usage', `--${option} needs a whole number above 0.`);
    process[key] = n;
  }
  if (flag(args, 'no-fork')) process.no_fork = true;
  if (Object.keys(process).length > 0) overrides.process = process;
  const env = value(args, 'env');
  if (env !== undefined) {
    if (env !== 'none' && env !== 'restricted' && env !== 'full') return fail('usage', '--env takes none, restricted or full.');
    overrides.environment = env;
  }

  let merged: Result<Capabilities>;
  if (file !== undefined) {
    const loaded = loadCapabilities(resolve(io.cwd, file));
    if (!loaded.ok) return loaded;
    merged = ok(applyOverrides(loaded.value, overrides));
  } else merged = withOverrides(preset, overrides);
  if (!merged.ok) return merged;
  // Limits given on the command line are checked like a profile file's.
  const checked = parseCapabilities(merged.value);
  if (!checked.ok) return checked;
  return ok({ capabilities: checked.value, workspace, projectRoot });
}

function loadCapabilities(file: string): Result<Capabilities> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail('capabilities_unreadable', `Cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('capabilities_invalid', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = parseCapabilities(json);
  return parsed.ok ? parsed : fail(parsed.error.code, `${file}: ${parsed.error.message}`);
}

function printProfile(args: ParsedArgs, capabilities: Capabilities, workspace: string, io: Io): number {
  const json = flag(args, 'json');
  const platform = value(args, 'platform');
  if (platform === undefined || !(SANDBOX_PLATFORMS as readonly string[]).includes(platform))
    return io.usage(`--platform takes ${SANDBOX_PLATFORMS.join(' or ')}.`);
  const command = args.operands.length > 0 ? args.operands : ['<command>'];
  const launch = sandboxLaunch({
    platform: platform as SandboxPlatform,
    capabilities,
    command,
    cwd: workspace,
    env: io.env,
    helper: DEFAULT_HELPER,
    cgroupFile: null,
    tmp: '/private/tmp/aleph-run',
    profilePath: '/private/tmp/aleph-run/profile.sb',
    hide: [],
    pinned: false,
    arch: process.arch,
  });
  if (!launch.ok) return io.fail(launch.error, json);
  if (platform === 'macos') {
    if (json) io.out(JSON.stringify({ platform, profile: launch.value.profile, argv: [launch.value.file, ...launch.value.args] }));
    else io.stdout.write(launch.value.profile ?? '');
    return EXIT.ok;
  }
  if (json) io.out(JSON.stringify({ platform, argv: [launch.value.file, ...launch.value.args] }));
  else io.out(optionLines([launch.value.file, ...launch.value.args].map(shellQuote)).join(' \\\n  '));
  return EXIT.ok;
}

/** One line per option with its values: readable, and still one command to paste. */
function optionLines(words: readonly string[]): string[] {
  const lines: string[] = [];
  for (const word of words) {
    if (lines.length === 0 || word.startsWith('--')) lines.push(word);
    else lines[lines.length - 1] += ` ${word}`;
  }
  return lines;
}
