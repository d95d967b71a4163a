import { describe, expect, it } from 'vitest';
import { evaluateLiteral, expand, known, UNKNOWN, unknown, type ExpansionEnv } from './expand.js';
import type { ValueSet } from './segment.js';
import { printf } from './values.js';

/** An environment with the given variables; anything else is unknown, substitutions print `out`. */
function env(variables: Record<string, string | string[]>): ExpansionEnv {
  return {
    variable: (name): ValueSet => {
      const v = variables[name];
      if (v === undefined) return unknown(`$${name}`);
      return { values: (Array.isArray(v) ? v : [v]).map((text) => ({ text, glob: false })), why: null };
    },
    substitution: (): ValueSet => known('out\n'),
  };
}

const texts = (set: ValueSet): string[] => set.values.map((v) => v.text);

describe('words expand as bash expands them, as far as the line shows their values', () => {
  it('removes quotes and reads tildes, parameters and substitutions', () => {
    const e = env({ f: '~/.ssh/id_rsa', d: '~/.aws' });
    expect(texts(expand('$f', e))).toEqual(['~/.ssh/id_rsa']);
    expect(texts(expand('"${d}"/credentials', e))).toEqual(['~/.aws/credentials']);
    expect(texts(expand("'$f'", e))).toEqual(['$f']);
    expect(texts(expand('$(echo x).env', e))).toEqual(['out.env']);
    expect(texts(expand('`echo x`', e))).toEqual(['out']);
    expect(texts(expand('~+/x', env({ PWD: '.' })))).toEqual(['./x']);
    expect(texts(expand('$((1 + 2))x', e))).toEqual(['3x']);
    expect(texts(expand('$((i + 2))x', e))).toEqual(['0x']);
  });

  it('applies parameter operators', () => {
    const e = env({ f: '~/.ssh/id_rsa.pub', g: 'ID_RSA', x: 'abc~/.netrc' });
    expect(texts(expand('${f%.pub}', e))).toEqual(['~/.ssh/id_rsa']);
    expect(texts(expand('${f%%.*}', e))).toEqual(['~/']);
    expect(texts(expand('${f#*/}', e))).toEqual(['.ssh/id_rsa.pub']);
    expect(texts(expand('${f##*/}', e))).toEqual(['id_rsa.pub']);
    expect(texts(expand('${f/rsa/dsa}', e))).toEqual(['~/.ssh/id_dsa.pub']);
    expect(texts(expand('${f//s/S}', e))).toEqual(['~/.SSh/id_rSa.pub']);
    expect(texts(expand('${f/#~/HOME}', e))).toEqual(['HOME/.ssh/id_rsa.pub']);
    expect(texts(expand('${f/%.pub}', e))).toEqual(['~/.ssh/id_rsa']);
    expect(texts(expand('${x:3}', e))).toEqual(['~/.netrc']);
    expect(texts(expand('${x:0:3}', e))).toEqual(['abc']);
    expect(texts(expand('${g,,}', e))).toEqual(['ID_RSA']);
    expect(texts(expand('${unset:-~/.netrc}', e))).toEqual([UNKNOWN, '~/.netrc']);
    expect(texts(expand('${g:+~/.netrc}', e))).toEqual(['', '~/.netrc']);
  });

  it('splits unquoted expansions into words and keeps their globs', () => {
    const e = env({ many: 'a b', glob: '~/.ssh/*' });
    expect(texts(expand('$many', e))).toEqual(['a', 'b']);
    expect(texts(expand('"$many"', e))).toEqual(['a b']);
    expect(expand('$glob', e).values[0]!.glob).toBe(true);
    expect(expand('"$glob"', e).values[0]!.glob).toBe(false);
    expect(expand('$glob', e, 'assignment').values[0]!.glob).toBe(false);
  });

  it('marks what the line does not show, and says where it comes from', () => {
    const set = expand('notes-$unset', env({}));
    expect(texts(set)).toEqual([`notes-${UNKNOWN}`]);
    expect(set.why).toBe('$unset');
    expect(texts(expand('${!prefix*}', env({})))).toEqual([UNKNOWN]);
  });

  it('follows alternatives, up to a bound', () => {
    const e = env({ a: ['x', 'y'], b: ['1', '2'] });
    expect(texts(expand('$a$b', e))).toEqual(['x1', 'x2', 'y1', 'y2']);
    const wide = env({ a: Array.from({ length: 40 }, (_, i) => `v${i}`) });
    expect(texts(expand('$a$a', wide))).toEqual([UNKNOWN]);
  });
});

describe('printf prints what bash would', () => {
  it('formats strings, escapes and repeats the format for extra arguments', () => {
    expect(printf('%s\\n', ['~/.ssh/id_rsa'])).toBe('~/.ssh/id_rsa\n');
    expect(printf('%s/%s', ['~/.ssh', 'id_rsa'])).toBe('~/.ssh/id_rsa');
    expect(printf('%s\\n', ['a', 'b'])).toBe('a\nb\n');
    expect(printf('%.6s', ['id_rsaXYZ'])).toBe('id_rsa');
    expect(printf('%b', ['a\\tb'])).toBe('a\tb');
    expect(printf('\\x7e/x', [])).toBe('~/x');
    expect(printf('%d-%s', ['5', 'x'])).toBe('5-x');
    expect(printf('100%%', [])).toBe('100%');
  });
});

describe('arithmetic and printf numbers are computed where they are literals', () => {
  it('evaluates integer literals and their arithmetic, and nothing else', () => {
    expect(evaluateLiteral('25519')).toBe(25519);
    expect(evaluateLiteral('0x0e + 1')).toBe(15);
    expect(evaluateLiteral('16#ff')).toBe(255);
    expect(evaluateLiteral('(2 + 3) * 4 % 7')).toBe(6);
    expect(evaluateLiteral('-010')).toBe(-8);
    expect(evaluateLiteral('i + 1')).toBeNull();
    expect(evaluateLiteral('1 / 0')).toBeNull();
  });

  it('prints numbers in the base a conversion asks for', () => {
    expect(printf('.%xnv', ['14'])).toBe('.env');
    expect(printf('%o-%X-%d', ['8', '255', "'A"])).toBe('10-FF-65');
    expect(printf('%x', ['n'])).toBe(UNKNOWN);
    expect(printf('%d', ['n'])).toBe('0');
  });
});
