/** One measured figure, compared with a baseline measured in the same run. */
export interface Row {
  readonly suite: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The same quantity for the baseline, when the row is a comparison. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** The target as text, and whether this run met it. */
  readonly target?: { readonly text: string; readonly met: boolean };
}

function fmt(n: number): string {
  if (n >= 1000) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

export function printTable(rows: readonly Row[]): string {
  const header = ['suite', 'metric', 'value', 'baseline', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.suite,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? '' : `${fmt(r.baseline.value)} ${r.unit} (${r.baseline.name})`,
    r.baseline === undefined ? '' : `${(r.value / r.baseline.value).toFixed(2)}x`,
    r.target?.text ?? '',
    r.target === undefined ? '' : r.target.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Median wall time in milliseconds of `rounds` runs of `fn`, after one warm-up run. */
export function medianMs(rounds: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
