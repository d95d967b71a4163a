import { fail, ok, type Result } from './result.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `2h`, `7d`, `1w`, `1h30m` → milliseconds. */
export function parseDuration(text: string): Result<number> {
  const parts = text.trim().match(/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/) ? text.trim().match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g) : null;
  if (parts === null) return fail('invalid_duration', `${JSON.stringify(text)} is not a duration; write it like 90s, 15m, 2h, 7d or 1h30m.`);
  let total = 0;
  for (const part of parts) {
    const unit = /(ms|s|m|h|d|w)$/.exec(part)![1]!;
    total += Number(part.slice(0, -unit.length)) * UNITS[unit]!;
  }
  return ok(Math.round(total));
}

const SPOKEN: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** A duration as a person says it: `850 ms`, `4.2 s`, `15 min`, `2 h`, `1 h 30 min`, `3 d`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))} s`;
  let rest = Math.round(ms / 1000) * 1000;
  const parts: string[] = [];
  for (const [unit, size] of SPOKEN) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.join(' ');
}

/**
 * A point in time given as an ISO 8601 date or time, or as a duration ago (`15m`, `7d`),
 * relative to `now`.
 */
export function parseWhen(text: string, now: number): Result<number> {
  const duration = parseDuration(text);
  if (duration.ok) return ok(now - duration.value);
  const ms = Date.parse(text);
  if (!Number.isNaN(ms)) return ok(ms);
  return fail('invalid_time', `${JSON.stringify(text)} is neither a date (2026-05-01, 2026-05-01T10:00:00Z) nor a duration ago (15m, 7d).`);
}
