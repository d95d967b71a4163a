import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditStore } from '@aleph/audit';
import { ExecutableCache, Gateway, GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import { CommandPolicy, NO_USER_PATTERNS } from '@aleph/policy';
import { encodeFrame, FrameReader, type GatewayMessage } from '@aleph/protocol';
import { percentile } from './audit.js';
import { spawned } from './process.js';
import type { Row } from './table.js';

const CONNECTS = 200;
const WARMUP_TRIPS = 500;
const ROUND_TRIPS = 5_000;
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

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The floor: a Unix-socket server that answers each JSON line with a JSON line. */
function echoServer(path: string): Promise<() => Promise<void>> {
  const server = createServer((s) => {
    const reader = new FrameReader();
    s.on('data', (chunk: Buffer) => {
      let out = '';
      for (const f of reader.push(chunk)) if (f.kind === 'message') out += encodeFrame({ type: 'echo', ...f.value });
      if (out !== '') s.write(out);
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve(() => new Promise((done) => server.close(() => done())))));
}

/** A minimal line client for the echo server. */
function echoClient(path: string): Promise<{ roundTrip: (m: object) => Promise<void>; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const reader = new FrameReader();
    let waiting: (() => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) if (f.kind === 'message') waiting.shift()?.();
    });
    socket.on('connect', () =>
      resolve({
        socket,
        roundTrip: (m) =>
          new Promise<void>((done) => {
            waiting.push(done);
            socket.write(encodeFrame(m));
          }),
      }),
    );
    waiting = [];
  });
}

const request = (i: number) => ({
  type: 'approval_request' as const,
  id: `r${i}`,
  request: { command: `git log --oneline -n ${i % 50}`, cwd: '/home/user/project', agent_id: 'bench', session_key: 'bench' },
});
const isDecision = (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision';

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

    // The floor of one decision, measured in the same run: (a) the echo round trip of the same
    // request, (b) the bare policy evaluation of the same command, (c) one acknowledged audit
    // append of its event, to a log of its own. Whatever the gateway takes beyond a + b + c is its
    // own machinery.
    const policy = await CommandPolicy.load();
    const executables = new ExecutableCache();
    const floorAudit = AuditStore.open(join(dir, 'floor.db'), { indexOnAppend: false, head: join(dir, 'floor.head.json') });
    const evaluateBare = (i: number): void => {
      const { command, cwd } = request(i).request;
      policy.evaluate(command, {
        mode: 'safe',
        denylist: [],
        asklist: [],
        allowlist: [],
        cwd,
        home: '/home/user',
        resolveExecutable: executables.resolver(cwd, process.env.PATH ?? ''),
        patterns: NO_USER_PATTERNS,
      });
    };
    const appendBare = (i: number): void => {
      const { command, cwd, agent_id, session_key } = request(i).request;
      floorAudit.appendBatch([
        {
          event: 'terminal_cmd',
          command,
          decision: 'allow-once',
          reason: 'safe',
          risk_level: 'low',
          verdict: 'safe',
          mode: 'safe',
          agent: agent_id,
          cwd,
          reasons: [],
          session: session_key,
          actor: agent_id,
          executor: 'policy',
          request_id: `r${i}`,
        },
      ]);
    };

    // Round trips on an open connection, one at a time.
    const echo = await echoClient(echoPath);
    const client = await GatewayClient.connect(gateway.socketPath, secret);
    const echoTrips: number[] = [];
    const decisionTrips: number[] = [];
    // Both warm up alike (JIT, caches), then are measured interleaved.
    const evaluations: number[] = [];
    const appends: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < WARMUP_TRIPS; i++) {
      await echo.roundTrip(request(i));
      evaluateBare(i);
      appendBare(i);
      client.send(request(i));
      await client.waitFor(isDecision);
    }
    for (let i = 0; i < ROUND_TRIPS; i++) {
      let start = process.hrtime.bigint();
      await echo.roundTrip(request(i));
      const trip = elapsedMs(start);
      echoTrips.push(trip);
      start = process.hrtime.bigint();
      evaluateBare(i);
      const evaluation = elapsedMs(start);
      evaluations.push(evaluation);
      start = process.hrtime.bigint();
      appendBare(i);
      const append = elapsedMs(start);
      appends.push(append);
      floors.push(trip + evaluation + append);
      start = process.hrtime.bigint();
      client.send(request(i));
      await client.waitFor(isDecision);
      decisionTrips.push(elapsedMs(start));
    }
    floorAudit.close();

    // Pipelined: many requests in flight on one connection, audit on.
    const start = process.hrtime.bigint();
    for (let i = 0; i < PIPELINED; i++) client.send(request(i));
    for (let i = 0; i < PIPELINED; i++) await client.waitFor(isDecision);
    const perSecond = PIPELINED / (elapsedMs(start) / 1000);
    echo.socket.destroy();
    client.close();

    for (const list of [echoConnects, gatewayConnects, echoTrips, decisionTrips, hookRuns, readRuns, nodeRuns, evaluations, appends, floors])
      list.sort((a, b) => a - b);
    const p50 = percentile(decisionTrips, 50);
    const echoP50 = percentile(echoTrips, 50);
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
        metric: 'decision round trip p50 (open connection)',
        value: p50,
        unit: 'ms',
        baseline: { name: 'echo round trip', value: echoP50 },
        target: { text: '<= 2x', met: p50 / echoP50 <= 2 },
      },
      {
        suite: 'gateway',
        metric: 'decision round trip p99',
        value: percentile(decisionTrips, 99),
        unit: 'ms',
        baseline: { name: 'echo p99', value: percentile(echoTrips, 99) },
      },
      { suite: 'gateway', metric: 'floor part: bare policy evaluation p50', value: percentile(evaluations, 50), unit: 'ms' },
      { suite: 'gateway', metric: 'floor part: one acknowledged audit append p50', value: percentile(appends, 50), unit: 'ms' },
      {
        suite: 'gateway',
        metric: 'decision round trip p50 vs floor (echo + evaluation + append)',
        value: p50,
        unit: 'ms',
        baseline: { name: 'floor p50', value: percentile(floors, 50) },
        target: { text: '<= 1.5x', met: p50 / percentile(floors, 50) <= 1.5 },
      },
      {
        suite: 'gateway',
        metric: 'decision round trip p99 vs floor',
        value: percentile(decisionTrips, 99),
        unit: 'ms',
        baseline: { name: 'floor p99', value: percentile(floors, 99) },
        target: { text: '<= 2x', met: percentile(decisionTrips, 99) / percentile(floors, 99) <= 2 },
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
