import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();

function workspace(): string {
  const dir = join(home(), 'work');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'in.txt'), 'input\n');
  return dir;
}

describe('aleph sandbox run', () => {
  it('passes stdio through and exits with the command’s code, the workspace read-write', () => {
    const w = workspace();
    const r = aleph(['sandbox', 'run', '--workspace', w, '--', 'sh', '-c', 'cat in.txt; cat; echo out > out.txt; exit 7'], 'piped\n');
    expect(r.stdout).toBe('input\npiped\n');
    expect(r.code).toBe(7);
    expect(existsSync(join(w, 'out.txt'))).toBe(true);
  });

  it('with --json, reports the run on standard error: a violation is named', () => {
    const w = workspace();
    const r = aleph(['sandbox', 'run', '--json', '--workspace', w, '--', 'sh', '-c', 'echo x > /etc/escaped']);
    const log = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { status: string; violations: Array<{ kind: string }>; exit_code: number };
    expect(log).toMatchObject({ status: 'sandbox_violation', exit_code: 2 });
    expect(log.violations[0]!.kind).toBe('filesystem');
    expect(r.code).toBe(2);
  });

  it('kills a command that runs out of time and exits 124, saying so', () => {
    const r = aleph(['sandbox', 'run', '--workspace', workspace(), '--timeout-s', '1', '--', 'sh', '-c', 'sleep 30 & sleep 30']);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain('took longer than 1 s');
  });

  it('refuses what a preset fixes, a corrupt profile file and a domain list, with a clear error and nothing run', () => {
    const w = workspace();
    const fixed = aleph(['sandbox', 'run', '--workspace', w, '--preset', 'code_analyzer', '--allow-write', w, '--', 'touch', 'x']);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toContain('The code_analyzer preset fixes its filesystem');
    writeFileSync(join(w, 'caps.json'), '{"filesystem": [');
    const corrupt = aleph(['sandbox', 'run', '--workspace', w, '--capabilities', join(w, 'caps.json'), '--', 'true']);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('caps.json is not valid JSON');
    writeFileSync(join(w, 'caps.json'), JSON.stringify({ filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }], network: { kind: 'allow_domains', domains: ['example.com'] }, process: { max_execution_time_s: 5, max_memory_mb: 64, no_fork: false }, environment: 'none' }));
    const domains = aleph(['sandbox', 'run', '--workspace', w, '--capabilities', join(w, 'caps.json'), '--', 'touch', 'ran']);
    expect(domains.code).toBe(125);
    expect(domains.stderr).toContain('not enforced by this sandbox yet');
    expect(existsSync(join(w, 'ran'))).toBe(false);
    expect(aleph(['sandbox', 'run', '--workspace', w, '--memory-mb', '0', '--', 'true']).stderr).toContain('--memory-mb needs a whole number');
  });
});

describe('aleph sandbox profile', () => {
  it('prints the bubblewrap command line a run would use, with no environment values in it', () => {
    const w = workspace();
    const r = aleph(['sandbox', 'profile', '--platform', 'linux', '--preset', 'code_analyzer', '--workspace', w, '--', 'make']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--ro-bind ${w} ${w}`);
    expect(r.stdout).toContain('--unshare-all');
    expect(r.stdout).not.toContain('--setenv');
    expect(r.stdout.trim().endsWith('make')).toBe(true);
  });

  it('prints the Seatbelt profile, deny by default, with the network when asked', () => {
    const r = aleph(['sandbox', 'profile', '--platform', 'macos', '--workspace', workspace(), '--net', 'all']);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['(version 1)', '(deny default)']);
    expect(r.stdout).toContain('(allow network*)');
    expect(aleph(['sandbox', 'profile', '--platform', 'windows']).code).toBe(2);
  });

  it('lists the presets and says whether this machine can sandbox', () => {
    const presets = JSON.parse(aleph(['sandbox', 'presets', '--json']).stdout) as Array<{ name: string }>;
    expect(presets.map((p) => p.name)).toEqual(['file_processor', 'web_scraper', 'code_analyzer', 'data_transformer']);
    expect(JSON.parse(aleph(['sandbox', 'check', '--json']).stdout)).toMatchObject({ available: true, platform: 'linux' });
  });
});
