/**
 * The hook path, confined: an allowed `true` from the agent's side, as Claude Code takes it. The
 * hook (`aleph hook claude-code`, the bundle) answers through a running gateway with the command
 * rewritten to `aleph run --ticket T -- true`, and bash runs that: the ticket redeemed, `true` run
 * in the agent profile, its end reported to the audit log. The floor is what any confined run
 * started by a Node program costs at the least: Node starting and exiting, then raw bubblewrap with
 * the same profile's arguments (hidden paths and seccomp filter included) running `true`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gateway } from '@aleph/gateway';
import { agentCapabilities, agentHiddenPaths, bubblewrapArgs, pathsToHide, resolveProfile, sandboxAvailability, unixSocketFilter } from '@aleph/sandbox';
import { spawned } from './process.js';
import type { Row } from './table.js';

const ALEPH = fileURLToPath(new URL('../../apps/cli/bin/aleph.js', import.meta.url));
const ROUNDS = 30;
const WARMUP = 3;

/** The hook's answer to a Bash call of `command` in `cwd`: the command Claude Code would run. */
function hookAnswer(env: NodeJS.ProcessEnv, cwd: string, command: string): Promise<string> {
  const input = JSON.stringify({
    session_id: 'bench',
    cwd,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'bench' },
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ALEPH, 'hook', 'claude-code'], { env, cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.end(input);
    child.once('error', reject);
    child.once('close', () => {
      const rewritten = (JSON.parse(out) as { hookSpecificOutput?: { updatedInput?: { command?: string } } }).hookSpecificOutput?.updatedInput?.command;
      if (rewritten === undefined) reject(new Error(`the hook did not allow a confined run: ${out}`));
      else resolve(rewritten);
    });
  });
}

export async function confinedHookSuite(): Promise<Row[]> {
  const available = sandboxAvailability();
  if (!available.ok || available.value.platform !== 'linux') {
    return [
      { suite: 'confined-hook', metric: `not measured: ${available.ok ? 'bubblewrap runs on Linux only' : available.error.message}`, value: 0, unit: '' },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), 'aleph-bench-confined-'));
  const home = join(dir, 'home');
  const project = join(home, 'project');
  const alephHome = join(dir, 'aleph');
  mkdirSync(project, { recursive: true });
  const gateway = await Gateway.start({ home: alephHome });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ALEPH_HOME: alephHome };
    const profile = resolveProfile(agentCapabilities(home), { WORKSPACE: project, PROJECT_ROOT: project });
    if (!profile.ok) throw new Error(profile.error.message);
    const hide = pathsToHide(profile.value, {
      home,
      extra: agentHiddenPaths(home, env),
      agentSocket: undefined,
      walk: true,
      rootOnlyIn: process.getuid?.() === 0 ? '/etc' : null,
    }).paths;
    const seccomp = unixSocketFilter(process.arch);
    const args = bubblewrapArgs(profile.value, { cwd: project, hide, ...(seccomp === null ? {} : { seccompFd: 0 }) });
    if (!args.ok) throw new Error(args.error.message);
    const contenders: Record<string, () => Promise<void>> = {
      floor: async () => {
        await spawned(process.execPath, ['-e', ''], env);
        await spawned('bwrap', [...args.value, '--', '/bin/true'], env, seccomp === null ? {} : { input: seccomp });
      },
      hook: async () => {
        const command = await hookAnswer(env, project, 'true');
        await new Promise<void>((resolve, reject) => {
          const child = spawn('bash', ['-c', command], { env, cwd: project, stdio: 'ignore' });
          child.once('error', reject);
          child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`the confined run exited ${code}`))));
        });
      },
    };
    const times: Record<string, number[]> = { floor: [], hook: [] };
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const started = performance.now();
        await run();
        if (round >= WARMUP) times[name]!.push(performance.now() - started);
      }
    }
    const median = (xs: readonly number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    };
    const hookMs = median(times.hook!);
    const floorMs = median(times.floor!);
    return [
      {
        suite: 'confined-hook',
        metric: 'allowed `true` through the hook path (hook answer + aleph run, confined)',
        value: hookMs,
        unit: 'ms',
        baseline: { name: 'node start + raw bwrap, same profile', value: floorMs },
        target: { text: '≤ 1.5x', met: hookMs <= 1.5 * floorMs },
      },
    ];
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
