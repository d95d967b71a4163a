import { describe, expect, it } from 'vitest';
import { globsIntersect } from './glob.js';
import { classifyWriteTarget, isSensitivePath } from './paths.js';

describe('globs', () => {
  it('intersect when some name matches both, hidden names only through a leading dot', () => {
    expect(globsIntersect('.aws', '.a?s')).toBe(true);
    expect(globsIntersect('id_rsa', 'id_*')).toBe(true);
    expect(globsIntersect('*.pem', '*.p?m')).toBe(true);
    expect(globsIntersect('.ssh', '*')).toBe(false);
    expect(globsIntersect('.ssh', '[.]ssh')).toBe(false);
    expect(globsIntersect('*.pem', '*.ts')).toBe(false);
  });
});

describe('a glob path names every secret it can match', () => {
  const ctx = { cwd: '/home/me/proj', home: '/home/me' };

  it('under secret locations and by secret names', () => {
    for (const p of ['~/.a?s/credentials', '~/.s*/id_*', '/home/me/.dock*/config.json', '.e*', 'certs/*.pem', '/etc/sha*', '~/.ssh/**']) {
      expect(isSensitivePath(p, ctx, true), p).toBe(true);
    }
    for (const p of ['~/*', '~/*/credentials', 'src/*.ts', '*', '*.json', 'package*.json']) {
      expect(isSensitivePath(p, ctx, true), p).toBe(false);
    }
  });

  it('only when bash would expand it', () => {
    expect(isSensitivePath('~/.a?s/credentials', ctx)).toBe(false);
  });

  it('and writes land at the worst place it can match', () => {
    expect(classifyWriteTarget('/et?/passwd', ctx, true)).toBe('system');
    expect(classifyWriteTarget('~/.bash*', ctx, true)).toBe('persistence');
    expect(classifyWriteTarget('/dev/nul?', ctx, true)).toBe('system');
    expect(classifyWriteTarget('/etc/cron.d/x', ctx)).toBe('system');
  });
});
