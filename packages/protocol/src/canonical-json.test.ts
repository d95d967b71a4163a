import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonical JSON', () => {
  it('sorts keys at every level, whatever order they came in', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ z: 'x', a: ['q', 2, true] })).toBe(canonicalJson({ a: ['q', 2, true], z: 'x' }));
  });

  it('leaves out undefined members and keeps integer-like keys in sorted string order', () => {
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
    expect(canonicalJson({ 9: 'a', 10: 'b', x: 1 })).toBe('{"10":"b","9":"a","x":1}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ s: 'line\nbreak "quoted" \u2028' })).toBe(JSON.stringify({ s: 'line\nbreak "quoted" \u2028' }));
  });
});
