import { describe, expect, it } from 'vitest';
import { ApprovalQueue, type Clock } from './approval-queue.js';

/** A clock moved by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; run: () => void; live: boolean }[] = [];
  return {
    now: () => now,
    after(ms, run) {
      const timer = { at: now + ms, run, live: true };
      timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
    advance(ms) {
      now += ms;
      for (const t of timers) {
        if (t.live && t.at <= now) {
          t.live = false;
          t.run();
        }
      }
    },
  };
}

describe('the approval queue', () => {
  it('hands an entry out once, and cancels its deadline', () => {
    const clock = manualClock();
    const queue = new ApprovalQueue<string>(clock);
    const expired: string[] = [];
    queue.add('a', 'first', 1000, (id) => expired.push(id));
    queue.add('b', 'second', 1000, (id) => expired.push(id));
    expect(queue.values()).toEqual(['first', 'second']);
    expect(queue.take('a')).toBe('first');
    expect(queue.take('a')).toBeUndefined();
    clock.advance(1000);
    expect(expired).toEqual(['b']);
  });

  it('expires nothing before its deadline', () => {
    const clock = manualClock();
    const queue = new ApprovalQueue<number>(clock);
    const expired: string[] = [];
    queue.add('a', 1, 500, (id) => expired.push(id));
    clock.advance(499);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(['a']);
    expect(queue.now).toBe(500);
  });
});
