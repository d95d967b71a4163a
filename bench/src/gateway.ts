import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gateway, GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import { percentile } from './audit.js';
import { echoClient, echoServer, elapsedMs, isDecision, request } from './echo.js';
import { spawned } from './process.js';
import type { Row } from './table.js';

const CONNECTS = 200;
const PIPELINED = 20_000;
const HOOK_RUNS = 15;

const ALEPH = fileURLToPath(new URL('../../apps/cli/bin/aleph.js', import.meta.url));
/** The floor for a hook: Node starts, sends one line to the echo server, reads the answer, exits. */
const ONE_LINE = "const s = require('node:net').connect(process.argv[1]); s.on('connect', () => s.write('{}\\n')); s.on('data', () => s.destroy());";
const HOOK_INPUT = JSON.stringify({
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'git status' },
  session_id: 'bench',
  cwd: '/home/user/project',
});

/** A file tool inside the project, which the hook decides by itself and has the gateway record. */
const readInput = (project: string): string =>
  JSON.stringify({
    hook_event_name: 'PreToolUse',
    tool_name: 'Read',
    tool_input: { file_path: join(project, 'notes.txt') },
    session_id: 'bench',
    cwd: project,
  });

export async function gatewaySuite(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'algb-'));
  const home = join(dir, 'h');
  const echoPath = join(dir, 'echo.sock');
  const stopEcho = await echoServer(echoPath);
  const gateway = await Gateway.start({ home });
  try {
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    const secret = secretBytes(config.value);

    // Connect (+ handshake) latency.
    const echoConnects: number[] = [];
    const gatewayConnects: number[] = [];
    for (let i = 0; i < CONNECTS; i++) {
      let start = process.hrtime.bigint();
      const e = await echoClient(echoPath);
      await e.roundTrip({ type: 'hello' });
      echoConnects.push(elapsedMs(start));
      e.socket.destroy();
      start = process.hrtime.bigint();
      const g = await GatewayClient.connect(gateway.socketPath, secret);
      gatewayConnects.push(elapsedMs(start));
      g.close();
    }

    // What an agent waits for before each shell command: `aleph hook claude-code`, a process from
    // start to its answer, beside a Node process that sends one line to the echo server.
    const hookRuns: number[] = [];
    const readRuns: number[] = [];
    const nodeRuns: number[] = [];
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'notes\n');
    const { CLAUDE_PROJECT_DIR: _project, ...inherited } = process.env;
    const env = { ...inherited, ALEPH_HOME: home };
    for (let i = 0; i < HOOK_RUNS; i++) {
      let start = process.hrtime.bigint();
      await spawned(process.execPath, ['-e', ONE_LINE, echoPath], env);
      nodeRuns.push(elapsedMs(start));
      start = process.hrtime.bigint();
      await spawned(process.execPath, [ALEPH, 'hook', 'claude-code'], env, { input: HOOK_INPUT });
      hookRuns.push(elapsedMs(start));
      start = process.hrtime.bigint();
      await spawned(process.execPath, [ALEPH, 'hook', 'claude-code'], env, { input: readInput(project) });
      readRuns.push(elapsedMs(start));
    }

    // Pipelined: many requests in flight on one connection, audit on.
    const client = await GatewayClient.connect(gateway.socketPath, secret);
    const start = process.hrtime.bigint();
    for (let i = 0; i < PIPELINED; i++) client.send(request(i));
    for (let i = 0; i < PIPELINED; i++) await client.waitFor(isDecision);
    const perSecond = PIPELINED / (elapsedMs(start) / 1000);
    client.close();

    for (const list of [echoConnects, gatewayConnects, hookRuns, readRuns, nodeRuns]) list.sort((a, b) => a - b);
    return [
      {
        suite: 'gateway',
        metric: 'connect + handshake p50',
        value: percentile(gatewayConnects, 50),
        unit: 'ms',
        baseline: { name: 'echo connect + 1 line', value: percentile(echoConnects, 50) },
      },
      {
        suite: 'gateway',
        metric: 'aleph hook claude-code, start to answer (median)',
        value: percentile(hookRuns, 50),
        unit: 'ms',
        baseline: { name: 'node: start, 1 echo line, exit', value: percentile(nodeRuns, 50) },
      },
      {
        suite: 'gateway',
        metric: 'aleph hook claude-code, a Read inside the project recorded by the gateway, start to answer (median)',
        value: percentile(readRuns, 50),
        unit: 'ms',
        baseline: { name: 'node: start, 1 echo line, exit', value: percentile(nodeRuns, 50) },
      },
      {
        suite: 'gateway',
        metric: `pipelined decisions, one connection, audit on (${PIPELINED.toLocaleString('en-US')})`,
        value: perSecond,
        unit: 'decisions/s',
        target: { text: '>= 10,000/s', met: perSecond >= 10_000 },
      },
    ];
  } finally {
    await gateway.stop();
    await stopEcho();
    rmSync(dir, { recursive: true, force: true });
  }
}
