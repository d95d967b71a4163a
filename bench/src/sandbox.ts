/**
 * The cost of the sandbox on one run of `true`: bare, under bubblewrap with the arguments the runner
 * gives it (hidden paths and seccomp filter included), under our runner and helper (as the gateway and `aleph exec` start a run), and under
 * @anthropic-ai/sandbox-runtime where it can run here. Each round runs every contender once, in
 * turn, so drift in machine load falls on all of them alike; the figure is the median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  bubblewrapArgs,
  pathsToHide,
  PRESETS,
  resolveCapabilities,
  runSandboxed,
  sandboxAvailability,
  unixSocketFilter,
  type Capabilities,
} from '@aleph/sandbox';
import { spawned } from './process.js';
import type { Row } from './table.js';

const ROUNDS = 60;
const WARMUP = 5;

interface Contender {
  readonly name: string;
  run(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * The peer. Its Linux dependencies (bwrap, socat, ripgrep) are installed by `npm run bench`; a peer
 * that cannot run stops the bench, saying why, since a comparison that disappears is none.
 */
async function peer(workspace: string): Promise<Contender> {
  const { SandboxManager } = await import('@anthropic-ai/sandbox-runtime');
  const previous = process.cwd();
  process.chdir(workspace);
  try {
    await SandboxManager.initialize({
      network: { allowedDomains: [], deniedDomains: [] },
      filesystem: { denyRead: [], allowWrite: [workspace], denyWrite: [] },
    });
  } catch (e) {
    throw new Error(`@anthropic-ai/sandbox-runtime cannot run here, so the sandbox comparison cannot be made: ${(e as Error).message}`);
  } finally {
    process.chdir(previous);
  }
  return {
    name: '@anthropic-ai/sandbox-runtime',
    async run() {
      const wrapped = await SandboxManager.wrapWithSandbox('true');
      await spawned(wrapped, [], process.env, { shell: true });
      SandboxManager.cleanupAfterCommand();
    },
    close: () => SandboxManager.reset(),
  };
}

export async function sandboxSuite(): Promise<Row[]> {
  const available = sandboxAvailability();
  if (!available.ok || available.value.platform !== 'linux') {
    return [{ suite: 'sandbox', metric: `not measured: ${available.ok ? 'bubblewrap runs on Linux only' : available.error.message}`, value: 0, unit: '' }];
  }
  const workspace = mkdtempSync(join(tmpdir(), 'aleph-bench-sandbox-'));
  try {
    const resolved = resolveCapabilities(PRESETS.file_processor.capabilities, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
    if (!resolved.ok) throw new Error(resolved.error.message);
    const caps: Capabilities = resolved.value;
    // The same sandbox the runner builds: the paths it hides (for a run by root, /etc's root-only
    // entries) and its seccomp filter, read from standard input here.
    const hide = pathsToHide(caps, {
      home: process.env.HOME ?? homedir(),
      extra: [],
      agentSocket: undefined,
      walk: true,
      rootOnlyIn: process.getuid?.() === 0 ? '/etc' : null,
    }).paths;
    const seccomp = unixSocketFilter(process.arch);
    const args = bubblewrapArgs(caps, { cwd: workspace, hide, ...(seccomp === null ? {} : { seccompFd: 0 }) });
    if (!args.ok) throw new Error(args.error.message);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };
    const sink = new PassThrough();
    sink.resume();
    const contenders: Contender[] = [
      { name: 'bare', run: () => spawned('/bin/true', [], env) },
      { name: 'bwrap', run: () => spawned('bwrap', [...args.value, '--', '/bin/true'], env, seccomp === null ? {} : { input: seccomp }) },
      {
        name: 'helper',
        async run() {
          const log = await runSandboxed({ capabilities: caps, command: ['/bin/true'], cwd: workspace, env }, { stdin: 'ignore', stdout: sink, stderr: sink });
          if (log.status !== 'success' || log.exit_code !== 0) throw new Error(`the helper run failed: ${log.error?.message ?? log.status}`);
        },
      },
    ];
    const other = await peer(workspace);
    contenders.push(other);
    const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    try {
      for (let round = 0; round < WARMUP + ROUNDS; round++) {
        for (const c of contenders) {
          const started = performance.now();
          await c.run();
          if (round >= WARMUP) times.get(c.name)!.push(performance.now() - started);
        }
      }
    } finally {
      await other.close?.();
    }
    const median = (name: string) => {
      const sorted = [...times.get(name)!].sort((a, b) => a - b);
      return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    };
    const raw = median('bwrap');
    const helper = median('helper');
    const peerMs = median(other.name);
    return [
      { suite: 'sandbox', metric: '`true` under raw bwrap, same arguments', value: raw, unit: 'ms', baseline: { name: 'bare', value: median('bare') } },
      {
        suite: 'sandbox',
        metric: '`true` under the runner and helper',
        value: helper,
        unit: 'ms',
        baseline: { name: 'raw bwrap', value: raw },
        target: { text: '<= 1.3x raw bwrap', met: helper <= 1.3 * raw },
      },
      {
        suite: 'sandbox',
        metric: '`true` under the runner and helper',
        value: helper,
        unit: 'ms',
        baseline: { name: 'sandbox-runtime', value: peerMs },
        target: { text: 'faster than the peer', met: helper < peerMs },
      },
    ];
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
