import { describe, expect, it } from 'vitest';
import { isLoopback, peerOf, RefusalBudget } from './refusals.js';

describe('who a peer is', () => {
  it('counts every loopback address as one peer, and other addresses as themselves', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.9.9.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3', 'localhost']) {
      expect(isLoopback(a)).toBe(true);
      expect(peerOf(a)).toBe(peerOf('127.0.0.1'));
    }
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '::2']) {
      expect(isLoopback(a)).toBe(false);
      expect(peerOf(a)).toBe(a);
    }
  });
});

describe('the refusals the audit log records', () => {
  it("records a peer's first refusals of a minute, whatever loopback address it uses", () => {
    const budget = new RefusalBudget(3, 100);
    const charges = ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '127.9.9.9'].map((a) => budget.charge(a, 1_000));
    expect(charges).toEqual(['record', 'record', 'last', 'skip', 'skip']);
    expect(budget.charge('127.0.0.1', 61_000)).toBe('record');
  });

  it('records at most so many refusals a minute of all peers together, the last saying so', () => {
    const budget = new RefusalBudget(3, 10);
    const charges = Array.from({ length: 15 }, (_, i) => budget.charge(`10.0.0.${i}`, 1_000));
    expect(charges.filter((c) => c !== 'skip')).toHaveLength(10);
    expect(charges[9]).toBe('last_in_all');
    expect(charges.slice(10)).toEqual(Array(5).fill('skip'));
    expect(budget.charge('10.0.1.1', 61_000)).toBe('record');
  });
});
