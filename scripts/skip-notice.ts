/**
 * A suite that cannot run on this machine says so where nobody can miss it: a skipped suite that
 * only shows as "skipped" in a summary reads as a pass.
 */
export function skipLoudly(what: string, why: string, where: string): void {
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! SKIPPED: ${what}.\n!! ${why}\n!! ${where}\n${line}\n\n`);
}
