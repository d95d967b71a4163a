import { describe, expect, it } from 'vitest';
import { clip } from './text.js';

describe('clip', () => {
  it('leaves text that fits as it is', () => {
    expect(clip('cp a b', 6)).toBe('cp a b');
  });

  it('cuts longer text to the length, ending in an ellipsis', () => {
    expect(clip('echo hello world', 8)).toBe('echo he…');
    expect(clip('x'.repeat(10_240), 100)).toHaveLength(100);
  });

  it('never splits a character made of two code units', () => {
    expect(clip('ab😀😀😀', 4)).toBe('ab😀…');
  });
});
