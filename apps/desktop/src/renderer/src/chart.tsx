/**
 * A stacked bar chart in plain SVG: at most 168 bars of a few series, drawn once per answer. A
 * charting library would bring tens of kilobytes for what a hundred rectangles do; SVG also gives
 * each bar a link and a name a screen reader reads, and the colours come from the stylesheet.
 */
import type { OverviewBucket } from '@aleph/protocol';
import type { TimelineSearch } from './store';

export interface Series<B> {
  readonly name: string;
  /** Its colour, from the stylesheet. */
  readonly className: string;
  readonly value: (bucket: B) => number;
  /** What the timeline shows for one of its bars (the bar's time span is added). */
  readonly search: TimelineSearch;
}

const WIDTH = 600;
const HEIGHT = 150;
const AXIS = 18;
const LEFT = 34;

// Made once: a formatter costs far more to make than to use, and a week's chart names 168 bars twice.
const WITH_DAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const clock = (ms: number, withDay: boolean): string => (withDay ? WITH_DAY : TIME).format(ms);

/** A round top for the scale: 1, 2, 5, 10, 20, 50... at or above `n`. */
function ceiling(n: number): number {
  if (n <= 5) return 5;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
}

export function BarChart({
  title,
  buckets,
  bucketMs,
  series,
  open,
}: {
  title: string;
  buckets: readonly OverviewBucket[];
  bucketMs: number;
  series: readonly Series<OverviewBucket>[];
  open: (search: TimelineSearch) => void;
}) {
  const totals = buckets.map((b) => series.reduce((n, s) => n + s.value(b), 0));
  const top = ceiling(Math.max(0, ...totals));
  const plot = HEIGHT - AXIS;
  const slot = (WIDTH - LEFT) / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.8);
  const withDay = bucketMs >= 3_600_000;
  const ticks = buckets.length === 0 ? [] : [0, Math.floor(buckets.length / 2), buckets.length - 1];
  return (
    <figure className="chart">
      <figcaption>
        {title}
        <span className="legend">
          {series.map((s) => (
            <span key={s.name}>
              <span className={`swatch ${s.className}`} />
              {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`decisions ${title}`} className="bars">
        <line x1={LEFT} x2={WIDTH} y1={plot} y2={plot} className="axis" />
        <line x1={LEFT} x2={WIDTH} y1={0.5} y2={0.5} className="grid" />
        <text x={LEFT - 4} y={10} className="tick" textAnchor="end">
          {top}
        </text>
        <text x={LEFT - 4} y={plot} className="tick" textAnchor="end">
          0
        </text>
        {ticks.map((i) => (
          <text
            key={i}
            x={LEFT + i * slot + slot / 2}
            y={HEIGHT - 4}
            className="tick"
            textAnchor={i === 0 ? 'start' : i === buckets.length - 1 ? 'end' : 'middle'}
          >
            {clock(buckets[i]!.start, withDay)}
          </text>
        ))}
        {buckets.map((b, i) => {
          let y = plot;
          return (
            <g key={b.start}>
              {series.map((s) => {
                const n = s.value(b);
                if (n === 0) return null;
                const h = Math.max(1, (n / top) * plot);
                y -= h;
                const label = `${n} ${s.name}, ${clock(b.start, withDay)} to ${clock(b.start + bucketMs, withDay)}`;
                return (
                  <a
                    key={s.name}
                    href="#timeline"
                    aria-label={label}
                    onClick={(e) => {
                      e.preventDefault();
                      open({ ...s.search, since: b.start, until: b.start + bucketMs });
                    }}
                  >
                    <rect x={LEFT + i * slot + (slot - barWidth) / 2} y={y} width={barWidth} height={h} className={s.className}>
                      <title>{label}</title>
                    </rect>
                  </a>
                );
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
