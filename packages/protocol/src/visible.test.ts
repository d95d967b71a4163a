import { describe, expect, it } from 'vitest';
import { visibleText } from './visible.js';

describe('visibleText', () => {
  it('leaves ordinary commands, in any script, as they are', () => {
    for (const text of ['git log --oneline -n 5', 'grep -rn "a\\|b" src', 'echo "שלום עולם"', 'echo مرحبا', 'ls 📁', 'printf "%s  %s" a b']) {
      expect(visibleText(text)).toBe(text);
    }
  });

  it('shows what terminal escapes, carriage returns and bidi overrides would hide', () => {
    expect(visibleText('touch PWNED \u001b[2K\u001b[1Gls -la')).toBe('touch PWNED \\x1b[2K\\x1b[1Gls -la');
    expect(visibleText('touch PWNED #\rls -la')).toBe('touch PWNED #\\rls -la');
    expect(visibleText('echo hi \u202e\u2066; touch X \u2069\u2066 #\u2069\u202c')).toBe(
      'echo hi <U+202E><U+2066>; touch X <U+2069><U+2066> #<U+2069><U+202C>',
    );
    expect(visibleText('r\u200bm -rf x\u0000\u007f')).toBe('r<U+200B>m -rf x\\x00\\x7f');
    expect(visibleText('a\u2028b')).toBe('a<U+2028>b');
  });

  it('shows a run of spaces that would push the rest out of sight by its length', () => {
    expect(visibleText(`echo hello${' '.repeat(400)}; touch PWNED`)).toBe('echo hello ⟨400 spaces⟩ ; touch PWNED');
    expect(visibleText('a        b')).toBe('a        b');
  });

  it('escapes line breaks and tabs on one line, and keeps line breaks where each line is drawn apart', () => {
    expect(visibleText('ls\nfake-row  low  0\tx')).toBe('ls\\nfake-row  low  0\\tx');
    expect(visibleText('cat <<EOF\nhi\r\nEOF', true)).toBe('cat <<EOF\nhi\\r\nEOF');
  });
});
