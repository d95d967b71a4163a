import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

const { home, aleph } = useAlephHome();

afterEach(() => {
  rmSync(`${home()}-work`, { recursive: true, force: true });
});

/** Beside $ALEPH_HOME: a path inside it is no run's to be granted. */
function workspace(): string {
  const dir = `${home()}-work`;
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

  it('runs a preset that grants no project in its private temporary workspace, from any directory, and says so', () => {
    const w = workspace();
    const fromHere = (...args: string[]) =>
      spawnSync(process.execPath, [ALEPH_BIN, 'sandbox', 'run', ...args], {
        cwd: w,
        encoding: 'utf8',
        env: { ...process.env, ALEPH_HOME: home(), NO_COLOR: '1' },
      });
    const r = fromHere('--preset', 'web_scraper', '--', 'sh', '-c', 'pwd; echo kept > made.txt; cat made.txt');
    expect(r.stderr).toContain(`the profile grants nothing in ${w}: the command runs in its private temporary workspace`);
    expect(r.status).toBe(0);
    const [startedIn, written] = r.stdout.trim().split('\n');
    expect(written).toBe('kept');
    expect(existsSync(join(w, 'made.txt'))).toBe(false);
    const logged = fromHere('--preset', 'web_scraper', '--json', '--', 'pwd');
    expect(JSON.parse(logged.stderr.trim().split('\n').at(-1)!)).toMatchObject({ status: 'success', cwd: startedIn });
    // A workspace named is where the command must start: there, this preset cannot.
    const named = fromHere('--preset', 'web_scraper', '--workspace', w, '--', 'pwd');
    expect(named.status).toBe(125);
    expect(named.stderr).toContain('is not one the profile grants');
  });

  it('kills a command that runs out of time and exits 124, saying so', () => {
    const r = aleph(['sandbox', 'run', '--workspace', workspace(), '--timeout-s', '1', '--', 'sh', '-c', 'sleep 30 & sleep 30']);
    expect(r.code).toBe(124);
    expect(r.stderr).toContain('took longer than 1 s');
  });

  it('refuses what a preset fixes and a corrupt profile file, with a clear error and nothing run; runs a domain list through its proxy', () => {
    const w = workspace();
    const fixed = aleph(['sandbox', 'run', '--workspace', w, '--preset', 'code_analyzer', '--allow-write', w, '--', 'touch', 'x']);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toContain('The code_analyzer preset fixes its filesystem');
    writeFileSync(join(w, 'caps.json'), '{"filesystem": [');
    const corrupt = aleph(['sandbox', 'run', '--workspace', w, '--capabilities', join(w, 'caps.json'), '--', 'true']);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('caps.json is not valid JSON');
    writeFileSync(
      join(w, 'caps.json'),
      JSON.stringify({
        filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }],
        network: { kind: 'allow_domains', domains: ['example.com'] },
        process: { max_execution_time_s: 5, max_memory_mb: 64, no_fork: false },
        environment: 'none',
      }),
    );
    const domains = aleph(['sandbox', 'run', '--workspace', w, '--capabilities', join(w, 'caps.json'), '--', 'sh', '-c', 'touch ran; echo "$HTTPS_PROXY"']);
    expect([domains.code, domains.stdout]).toEqual([0, 'http://127.0.0.1:3128\n']);
    expect(existsSync(join(w, 'ran'))).toBe(true);
    rmSync(join(w, 'ran'));
    expect(aleph(['sandbox', 'run', '--workspace', w, '--memory-mb', '0', '--', 'true']).stderr).toContain('--memory-mb needs a whole number');
    const own = aleph(['sandbox', 'run', '--workspace', home(), '--', 'touch', 'ran']);
    expect([own.code, own.stderr]).toEqual([125, `aleph: The profile grants ${home()}, inside ${home()}, which no run sees unless a person allows it.\n`]);
    expect(existsSync(join(home(), 'ran'))).toBe(false);
  });

  it('passes on none of the descriptors it was started with: the command cannot reach through one', () => {
    const w = workspace();
    const elsewhere = join(home(), 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'secret.txt'), 'planted');
    const dir = openSync(elsewhere, 'r');
    try {
      // The directory is this aleph's descriptor 64, as a shell's `64<` would make it.
      const stdio: Array<'pipe' | 'ignore' | number> = ['pipe', 'pipe', 'pipe', ...Array<'ignore'>(61).fill('ignore'), dir];
      const script = 'cat /proc/self/fd/64/secret.txt; echo x > /proc/self/fd/64/written; readlink /proc/self/fd/64';
      const r = spawnSync(process.execPath, [ALEPH_BIN, 'sandbox', 'run', '--workspace', w, '--', 'sh', '-c', script], {
        stdio,
        encoding: 'utf8',
        env: { ...process.env, ALEPH_HOME: home() },
      });
      expect(r.stdout).toBe('/dev/null\n');
      expect(existsSync(join(elsewhere, 'written'))).toBe(false);
    } finally {
      closeSync(dir);
    }
  });
});

describe('aleph sandbox check', () => {
  it('says a bubblewrap too old for the sandbox is, and which version is needed, and runs nothing', () => {
    // A stand-in for bubblewrap 0.6 (Ubuntu 22.04), which has no --disable-userns.
    const bwrap = spawnSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).stdout.trim();
    const bin = join(home(), 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'bwrap'),
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = --disable-userns ] && { echo "bwrap: Unknown option --disable-userns" >&2; exit 1; }; done\nexec ${bwrap} "$@"\n`,
    );
    chmodSync(join(bin, 'bwrap'), 0o755);
    const env = { ...process.env, ALEPH_HOME: home(), PATH: `${bin}:${process.env.PATH ?? ''}` };
    const check = spawnSync(process.execPath, [ALEPH_BIN, 'sandbox', 'check'], { env, encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stdout).toBe(
      'no sandbox: This bubblewrap is too old for the sandbox (bwrap: Unknown option --disable-userns): bubblewrap 0.8.0 or newer is needed.\n',
    );
    const run = spawnSync(process.execPath, [ALEPH_BIN, 'sandbox', 'run', '--workspace', workspace(), '--', 'touch', 'ran'], { env, encoding: 'utf8' });
    expect(run.status).toBe(125);
    expect(existsSync(join(workspace(), 'ran'))).toBe(false);
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
    const rules = r.stdout.split('\n').filter((line) => !line.startsWith(';'));
    expect(rules.slice(0, 2)).toEqual(['(version 1)', '(deny default)']);
    // The network over IP; a Unix socket only inside the grants.
    expect(rules).toContain('(allow network-outbound (remote ip "*:*"))');
    expect(rules).not.toContain('(allow network*)');
    expect(aleph(['sandbox', 'profile', '--platform', 'windows']).code).toBe(2);
  });

  it('lists the presets and says whether this machine can sandbox', () => {
    const presets = JSON.parse(aleph(['sandbox', 'presets', '--json']).stdout) as Array<{ name: string }>;
    expect(presets.map((p) => p.name)).toEqual(['file_processor', 'web_scraper', 'code_analyzer', 'data_transformer']);
    expect(JSON.parse(aleph(['sandbox', 'check', '--json']).stdout)).toMatchObject({ available: true, platform: 'linux' });
  });
});
