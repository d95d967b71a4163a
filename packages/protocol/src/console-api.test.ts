import { describe, expect, it } from 'vitest';
import { parseOwnerCall } from './calls.js';
import { formatPairingCode, OVERVIEW_SPANS, parseOverviewQuery, sandboxStatus } from './console-api.js';
import { fail, ok } from './result.js';

describe('the Overview call', () => {
  it('takes a range, a day by default, and refuses any other', () => {
    expect(parseOverviewQuery({})).toEqual(ok({ method: 'audit.overview', range: 'day' }));
    expect(parseOwnerCall('audit.overview', { range: 'week' })).toEqual(ok({ method: 'audit.overview', range: 'week' }));
    expect(parseOwnerCall('audit.overview', { range: 'month' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(parseOverviewQuery({ range: 7 })).toMatchObject({ ok: false });
  });

  it('cuts each range into whole buckets that divide a day', () => {
    for (const { range_ms, bucket_ms } of Object.values(OVERVIEW_SPANS)) {
      expect(range_ms % bucket_ms).toBe(0);
      expect(86_400_000 % bucket_ms).toBe(0);
    }
  });

  it('says whether the sandbox is there, with what, or why not', () => {
    const settings = { enabled: true, when_unavailable: 'refuse' } as const;
    expect(sandboxStatus(ok({ platform: 'linux', launcher: 'bwrap' }), settings)).toEqual({
      available: true,
      platform: 'linux',
      launcher: 'bwrap',
      reason: null,
      enabled: true,
      when_unavailable: 'refuse',
    });
    expect(sandboxStatus(fail('sandbox_unavailable', 'bubblewrap is not installed.'), { enabled: false, when_unavailable: 'run_unsandboxed' })).toEqual({
      available: false,
      platform: null,
      launcher: null,
      reason: 'bubblewrap is not installed.',
      enabled: false,
      when_unavailable: 'run_unsandboxed',
    });
  });
});

describe('a pairing code as people read it', () => {
  it('is written as the device prints it, whichever way it was typed', () => {
    for (const typed of ['NFLD2D7C', 'nfld-2d7c', ' NFLD 2D7C ']) expect(formatPairingCode(typed)).toBe('NFLD-2D7C');
  });

  it('leaves what is not a code as it is', () => {
    expect(formatPairingCode('NFLD2D7')).toBe('NFLD2D7');
    expect(formatPairingCode('')).toBe('');
  });
});
