/**
 * How an allowed shell command runs, for `aleph exec` and `aleph run` alike: in the agent profile
 * (agent-profile.ts: the system, the home and the project readable, secret stores hidden; the
 * project, a private /tmp and the tool caches writable) with the allow's network grant, through
 * the domain proxy when it grants some domains; or, where a person chose so, unconfined. A run the
 * sandbox refused something says so in one `aleph:` line on standard error, so that an agent asks
 * for a wider grant instead of retrying blindly.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as system, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { alephHome, loadConfig, type GatewayClient } from '@aleph/gateway/requester';
import { describeConfinement, type Confinement, type GatewayMessage, type SandboxOutcome } from '@aleph/protocol';
import type { Io } from './io.js';

/** Exit code of a command that was not run (refused), as shells use for "cannot execute". */
export const EXIT_REFUSED = 126;

export interface Ran {
  readonly code: number;
  readonly signal: string | null;
  readonly sandbox?: SandboxOutcome;
}

/**
 * The shell commands run with: bash, which the policy's grammar describes, or sh where there is
 * none. `--norc`: bash started with a socket as its input (as a parent's pipes often are) would
 * otherwise run ~/.bashrc first, which nobody approved.
 */
export const SHELL = existsSync('/bin/bash') ? ['/bin/bash', '--norc', '-c'] : ['/bin/sh', '-c'];

/**
 * The project a command in `cwd` works on: the top of its git repository (so that git can write
 * its `.git` from any directory inside), or `cwd` itself outside one. A repository whose top is the
 * home directory (a dotfiles checkout) is no project: the home stays read-only.
 */
export function projectRoot(cwd: string, home: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (dir === home) return cwd;
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/**
 * Runs an allowed command as its confinement says, standard input and output passed through;
 * its exit code (128 + n when killed by signal n) and, when sandboxed, how the sandbox saw it.
 * A run the sandbox could not start is refused (EXIT_REFUSED or the runner's code), never run
 * unconfined instead.
 */
export async function runConfined(command: string, cwd: string, confinement: Confinement, io: Io): Promise<Ran> {
  if (confinement.kind === 'unconfined') return runUnconfined(command, cwd);
  // Loaded only for a run: a dry run or a denial does not wait for it.
  const sandbox = await import('@aleph/sandbox');
  const available = sandbox.sandboxAvailability();
  if (!available.ok) {
    io.err(`aleph: refused: ${available.error.message}`);
    return { code: EXIT_REFUSED, signal: null };
  }
  const userHome = io.env.HOME ?? homedir();
  const home = alephHome(io.env);
  const project = projectRoot(cwd, userHome);
  // The project is granted read-write: never one inside a credential location or the gateway's own
  // directory, which the sandbox otherwise hides.
  // Nor one so broad that writing it reaches beyond the project: the root, a directory above the
  // home, a system or shared temporary directory.
  const systemPaths = process.platform === 'darwin' ? sandbox.MACOS_SYSTEM_PATHS : sandbox.LINUX_SYSTEM_PATHS;
  for (const dir of new Set([cwd, project])) {
    const [real, realHome] = [sandbox.realPathOf(dir), sandbox.realPathOf(userHome)];
    const unfit = sandbox.protectedReason(real, realHome, sandbox.realPathOf(home)) ?? sandbox.unfitProject(real, realHome, systemPaths);
    if (unfit !== null) {
      io.err(`aleph: refused: ${dir} is no place to run an approved command: ${unfit}.`);
      return { code: EXIT_REFUSED, signal: null };
    }
  }
  const config = loadConfig(home, false);
  sandbox.prepareAgentCaches(userHome);
  const profile = sandbox.agentCapabilities(userHome, { project, extraCaches: config.ok ? config.value.sandbox.tool_caches : [] });
  const log = await sandbox.resolveAndRun(
    {
      capabilities: { ...profile, network: confinement.network },
      vars: { WORKSPACE: cwd, PROJECT_ROOT: project },
      command: [...SHELL, command],
      cwd,
      env: io.env,
    },
    { forwardSignals: true, hide: sandbox.agentHiddenPaths(userHome, io.env) },
  );
  if (log.error !== undefined) io.err(`aleph: ${log.error.message}`);
  for (const gap of log.limits_unenforced) io.err(`aleph: warning: ${gap}`);
  const refused = log.violations[0];
  if (refused !== undefined)
    io.err(
      `aleph: the sandbox refused this command ${refused.kind} access (${refused.evidence}); it ran ${describeConfinement(confinement)}: ask the person for a wider grant rather than retrying.`,
    );
  return { code: sandbox.exitCodeOf(log), signal: log.signal, sandbox: sandbox.sandboxOutcome(log) };
}

/**
 * Runs the command with the shell and no sandbox, passing stdio through. Ctrl-C reaches the
 * command through the terminal; a SIGTERM or SIGHUP sent to aleph alone is passed on to it.
 */
export function runUnconfined(command: string, cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(SHELL[0]!, [...SHELL.slice(1), command], { cwd, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const handlers = { SIGINT: () => undefined, SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP') } as const;
    for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
    const done = (result: Ran) => {
      for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
      resolve(result);
    };
    child.on('error', () => done({ code: 127, signal: null }));
    child.on('exit', (code, signal) => done({ code: code ?? 128 + (signal === null ? 0 : system.signals[signal]), signal }));
  });
}

/** Tells the gateway how an allowed run (`id`, its request's or its redemption's) ended, waits for it to be recorded, and closes the connection. */
export async function reportResult(client: GatewayClient, id: string, outcome: Ran, startedAt: number): Promise<void> {
  client.send({
    type: 'exec_result',
    id,
    exit_code: outcome.signal === null ? outcome.code : null,
    duration_ms: Date.now() - startedAt,
    ...(outcome.signal === null ? {} : { signal: outcome.signal }),
    ...(outcome.sandbox === undefined ? {} : { sandbox: outcome.sandbox }),
  });
  await client.waitFor(
    (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'result_recorded' | 'error' }> =>
      (m.type === 'result_recorded' && m.id === id) || m.type === 'error',
    5_000,
  );
  client.close();
}
