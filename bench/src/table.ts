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

/**
 * Median wall time in milliseconds of each function, measured in interleaved rounds after warm-up
 * rounds, so that JIT warm-up and drift in machine load fall on every contender alike.
 */
export function medianMs<K extends string>(fns: Readonly<Record<K, () => void>>, rounds = 25, warmup = 5): Record<K, number> {
  const names = Object.keys(fns) as K[];
  const times = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const name of names) {
      const start = process.hrtime.bigint();
      fns[name]();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (round >= warmup) times.get(name)!.push(ms);
    }
  }
  const out = {} as Record<K, number>;
  for (const name of names) {
    const sorted = times.get(name)!.sort((a, b) => a - b);
    out[name] = sorted[Math.floor(sorted.length / 2)]!;
  }
  return out;
}
