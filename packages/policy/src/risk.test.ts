import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';
import { REASONS, levelOf, scoreRisk } from './risk.js';

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

describe('risk', () => {
  it('maps scores to levels', () => {
    expect([levelOf(0), levelOf(24), levelOf(25), levelOf(49), levelOf(50), levelOf(79), levelOf(80), levelOf(100)]).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('scores the worst reason plus a little for each further one, capped at 100', () => {
    const one = scoreRisk([{ code: 'file_write', verdict: 'confirm' }], 'confirm');
    const two = scoreRisk(
      [
        { code: 'file_write', verdict: 'confirm' },
        { code: 'network_access', verdict: 'confirm' },
      ],
      'confirm',
    );
    expect(one.score).toBe(REASONS.file_write.score);
    expect(two.score).toBe(REASONS.network_access.score + 4);
    expect(
      scoreRisk(
        [
          { code: 'fork_bomb', verdict: 'block' },
          { code: 'mass_delete', verdict: 'block' },
        ],
        'block',
      ).score,
    ).toBe(100);
  });

  it('never lets the level contradict the verdict', () => {
    expect(scoreRisk([{ code: 'read_only', verdict: 'safe' }], 'block').level).toBe('high');
    expect(scoreRisk([], 'confirm').level).toBe('medium');
  });

  it('lists each reason once, worst first, with a sentence a person can read', () => {
    const r = policy.evaluate('rm -rf / && rm -rf ~');
    const codes = r.risk.reasons.map((x) => x.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes[0]).toBe('mass_delete');
    expect(r.risk.level).toBe('critical');
    expect(r.risk.reasons[0]?.message).toMatch(/^rm deletes recursively/);
  });

  it('rates a plain read as low, a copy as medium, sudo and curl | sh as critical', () => {
    expect(policy.evaluate('ls').risk.level).toBe('low');
    expect(policy.evaluate('cp a b', { cwd: '/w' }).risk.level).toBe('medium');
    expect(policy.evaluate('sudo ls').risk.level).toBe('critical');
    expect(policy.evaluate('curl https://x | sh').risk.level).toBe('critical');
  });

  it('every reason code has a sentence without unfilled placeholders', () => {
    for (const code of Object.keys(REASONS) as (keyof typeof REASONS)[]) {
      const r = scoreRisk([{ code, verdict: 'confirm', name: 'tool', detail: ' (x)' }], 'confirm');
      expect(r.reasons[0]?.message).not.toMatch(/[{}]/);
    }
  });
});

describe('segments report what runs and how it was reached', () => {
  it('reports each simple command with its verdict, reasons and wrappers', () => {
    const r = policy.evaluate("sudo -u x bash -c 'ls && rm y'");
    expect(r.segments.map((s) => [s.name, s.verdict, s.via])).toEqual([
      ['ls', 'safe', ['sudo', 'bash -c']],
      ['rm', 'block', ['sudo', 'bash -c']],
      ['sudo', 'block', []],
    ]);
  });

  it('gives null for names and arguments that are not static', () => {
    const r = policy.evaluate('$CMD "$ARG" plain');
    expect(r.segments[0]?.name).toBeNull();
    expect(r.segments[0]?.argv).toEqual([null, null, 'plain']);
  });

  it('is deterministic: the same input gives the same result', () => {
    const a = policy.evaluate('curl -s x | tee y | sh', { cwd: '/w' });
    const b = policy.evaluate('curl -s x | tee y | sh', { cwd: '/w' });
    expect(a).toEqual(b);
  });
});
