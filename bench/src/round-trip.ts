/**
 * The decision round trip on an open connection, against its floor measured in the same run: an
 * echo round trip over the same kind of socket, the bare policy evaluation of the same command, and
 * one acknowledged audit append. Whatever the gateway takes beyond their sum is its own machinery.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '@aleph/audit';
import { ExecutableCache, Gateway, GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import { CommandPolicy, NO_USER_PATTERNS } from '@aleph/policy';
import { percentile } from './audit.js';
import { echoClient, echoServer, elapsedMs, isDecision, request } from './echo.js';
import type { Row } from './table.js';

const WARMUP_TRIPS = 500;
const ROUND_TRIPS = 5_000;

export async function roundTripSuite(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'algr-'));
  const home = join(dir, 'h');
  const echoPath = join(dir, 'echo.sock');
  const stopEcho = await echoServer(echoPath);
  const gateway = await Gateway.start({ home });
  try {
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    const secret = secretBytes(config.value);

    // The floor of one decision, measured in the same run: (a) the echo round trip of the same
    // request, (b) the bare policy evaluation of the same command, (c) one acknowledged audit
    // append of its event, to a log of its own. Whatever the gateway takes beyond a + b + c is its
    // own machinery.
    const policy = await CommandPolicy.load();
    const executables = new ExecutableCache();
    // Laid out as the gateway's: the log in a directory of its own, its head outside it.
    const floorAudit = AuditStore.open(join(dir, 'floor', 'floor.db'), { indexOnAppend: false, head: join(dir, 'floor.head.json') });
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
    echo.socket.destroy();
    client.close();

    for (const list of [echoTrips, decisionTrips, evaluations, appends, floors]) list.sort((a, b) => a - b);
    const p50 = percentile(decisionTrips, 50);
    const echoP50 = percentile(echoTrips, 50);

    return [
      {
        suite: 'round-trip',
        metric: 'decision round trip p50 (open connection)',
        value: p50,
        unit: 'ms',
        // No target against the bare echo: a decision parses the command and makes its audit event
        // durable before it answers, so its target is against the floor below.
        baseline: { name: 'echo round trip', value: echoP50 },
      },
      {
        suite: 'round-trip',
        metric: 'decision round trip p99',
        value: percentile(decisionTrips, 99),
        unit: 'ms',
        baseline: { name: 'echo p99', value: percentile(echoTrips, 99) },
      },
      { suite: 'round-trip', metric: 'floor part: bare policy evaluation p50', value: percentile(evaluations, 50), unit: 'ms' },
      { suite: 'round-trip', metric: 'floor part: one acknowledged audit append p50', value: percentile(appends, 50), unit: 'ms' },
      {
        suite: 'round-trip',
        metric: 'decision round trip p50 vs floor (echo + evaluation + append)',
        value: p50,
        unit: 'ms',
        baseline: { name: 'floor p50', value: percentile(floors, 50) },
        target: { text: '<= 1.5x', met: p50 / percentile(floors, 50) <= 1.5 },
      },
      {
        suite: 'round-trip',
        metric: 'decision round trip p99 vs floor',
        value: percentile(decisionTrips, 99),
        unit: 'ms',
        baseline: { name: 'floor p99', value: percentile(floors, 99) },
        target: { text: '<= 2x', met: percentile(decisionTrips, 99) / percentile(floors, 99) <= 2 },
      },
    ];
  } finally {
    await gateway.stop();
    await stopEcho();
    rmSync(dir, { recursive: true, force: true });
  }
}
