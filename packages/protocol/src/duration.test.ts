import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseWhen } from './duration.js';
import { describeGrant } from './messages.js';

describe('durations', () => {
  it('are read as people write them', () => {
    expect(parseDuration('15m')).toEqual({ ok: true, value: 900_000 });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration('250ms')).toEqual({ ok: true, value: 250 });
    expect(parseDuration('soon')).toMatchObject({ ok: false, error: { code: 'invalid_duration' } });
    expect(parseWhen('7d', 10 * 86_400_000)).toEqual({ ok: true, value: 3 * 86_400_000 });
  });

  it('are written as people say them, in at most two units', () => {
    expect([12.5, 4200, 900_000, 5_400_000, 7_200_000, 3 * 86_400_000, 90_500].map(formatDuration)).toEqual([
      '13 ms',
      '4.2 s',
      '15 min',
      '1 h 30 min',
      '2 h',
      '3 d',
      '1 min 31 s',
    ]);
  });

  it('describe how far a grant reaches', () => {
    expect([describeGrant(undefined, undefined), describeGrant(undefined, 900_000), describeGrant('session', undefined)]).toEqual([
      'always',
      'for 15 min',
      'for this session',
    ]);
  });
});
