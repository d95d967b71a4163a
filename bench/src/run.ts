/**
 * `npm run bench`: every suite, one table. Each comparison's baseline is measured in the same run,
 * on the same machine, so ratios mean something even where absolute numbers vary.
 *
 * Usage: node bench/dist/run.js [suite ...]
 * With suite names (policy, audit, gateway, round-trip, repo-context, identity, sandbox, proxy,
 * console, overview), only those run; an unknown name is an error.
 */
import { auditSuite } from './audit.js';
import { confinedHookSuite } from './confined-hook.js';
import { consoleSuite } from './console.js';
import { gatewaySuite } from './gateway.js';
import { identitySuite } from './identity.js';
import { overviewSuite } from './overview.js';
import { policySuite } from './policy.js';
import { proxySuite } from './proxy.js';
import { repoContextSuite } from './repo-context.js';
import { roundTripSuite } from './round-trip.js';
import { sandboxSuite } from './sandbox.js';
import { printTable, type Row } from './table.js';

const suites: Record<string, () => Promise<Row[]>> = {
  policy: policySuite,
  audit: auditSuite,
  gateway: gatewaySuite,
  'round-trip': roundTripSuite,
  'repo-context': repoContextSuite,
  identity: identitySuite,
  sandbox: sandboxSuite,
  'confined-hook': confinedHookSuite,
  proxy: proxySuite,
  console: consoleSuite,
  overview: overviewSuite,
};

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in suites));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}; usage: node bench/dist/run.js [${Object.keys(suites).join(' | ')} ...]\n`);
  process.exit(2);
}
const rows: Row[] = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`running ${name}...\n`);
  rows.push(...(await suite()));
}
console.log(printTable(rows));
const missed = rows.filter((r) => r.target !== undefined && !r.target.met);
if (missed.length > 0) console.log(`\n${missed.length} target(s) missed.`);
