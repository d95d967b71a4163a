import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { illFormedTextAt, isWellFormedText } from './text.js';

/** Whether UTF-8 gives `text` back unchanged: what well-formed means for every store and peer. */
const survivesUtf8 = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text;

describe('well-formed text', () => {
  it('is exactly the text that survives UTF-8 unchanged, whatever its code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(isWellFormedText(text)).toBe(survivesUtf8(text));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }), (text) => {
        expect(isWellFormedText(text)).toBe(survivesUtf8(text));
      }),
    );
  });

  it('accepts surrogate pairs and refuses a surrogate alone, at either end or in the middle', () => {
    expect(isWellFormedText('rocket 🚀 ok')).toBe(true);
    expect(isWellFormedText('\ud800')).toBe(false);
    expect(isWellFormedText('a\udc00')).toBe(false);
    expect(isWellFormedText('\udc00\ud800')).toBe(false);
    expect(isWellFormedText('🚀'.slice(0, 1))).toBe(false);
  });

  it('names where in a JSON value the ill-formed text is, keys included', () => {
    expect(illFormedTextAt({ type: 'approval_request', request: { command: 'ls', cwd: '/' } })).toBeNull();
    expect(illFormedTextAt({ request: { command: 'ls \ud800' } })).toBe('request.command');
    expect(illFormedTextAt({ reasons: ['fine', 'x\udfff'] })).toBe('reasons[1]');
    expect(illFormedTextAt({ rule: { ['\ud800']: 1 } })).toBe('rule.\ud800');
    expect(illFormedTextAt('\ud800')).toBe('');
  });

  it('walks a deeply nested value without exhausting the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`) as unknown;
    expect(illFormedTextAt(deep)).toMatch(/\[0\]$/);
  });
});
