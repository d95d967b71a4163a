/**
 * A suite that cannot run on this machine says so where nobody can miss it: a skipped suite that
 * only shows as "skipped" in a summary reads as a pass. Where the run requires it
 * (ALEPH_REQUIRE_SUITES names it: CI on the platform it is for), it fails instead of skipping.
 */
export function skipLoudly(suite: string, why: string, where: string): void {
  const required = (process.env.ALEPH_REQUIRE_SUITES ?? '').split(',').map((s) => s.trim());
  if (required.includes(suite)) throw new Error(`The ${suite} suite must run here (ALEPH_REQUIRE_SUITES), but cannot: ${why}`);
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! SKIPPED: the ${suite} suite.\n!! ${why}\n!! ${where}\n${line}\n\n`);
}
