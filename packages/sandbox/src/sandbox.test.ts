import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bubblewrapArgs } from './bubblewrap.js';
import { parseCapabilities, resolveCapabilities, substitutePath, type Capabilities } from './capabilities.js';
import { sandboxEnvironment } from './environment.js';
import { PRESET_NAMES, PRESETS, withOverrides } from './presets.js';
import { sandboxLaunch, SECCOMP_FD } from './launch.js';
import { unixSocketFilter } from './seccomp.js';
import { sbplString, seatbeltProfile } from './seatbelt.js';
import { sensitiveBelow, sensitiveReason } from './sensitive.js';

const vars = { WORKSPACE: '/home/me/work', PROJECT_ROOT: '/home/me/project' };
const env = { PATH: '/usr/bin:/bin', HOME: '/home/me', LANG: 'C.UTF-8', AWS_SECRET_ACCESS_KEY: 'shh', GITHUB_TOKEN: 'ghp_x' };

function resolved(caps: Capabilities): Capabilities {
  const r = resolveCapabilities(caps, vars);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function value<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('capability profiles', () => {
  it('substitute ${WORKSPACE} and ${PROJECT_ROOT}, and refuse anything but a normal absolute path', () => {
    expect(substitutePath('${WORKSPACE}/out/', vars)).toEqual({ ok: true, value: '/home/me/work/out' });
    expect(substitutePath('${HOME}/x', vars)).toMatchObject({ ok: false, error: { code: 'unknown_variable' } });
    expect(substitutePath('relative/x', vars)).toMatchObject({ ok: false, error: { code: 'relative_path' } });
    expect(substitutePath('${WORKSPACE}/../etc', vars)).toMatchObject({ ok: false, error: { code: 'unnormal_path' } });
    expect(substitutePath('/a//b', vars)).toMatchObject({ ok: false, error: { code: 'unnormal_path' } });
    expect(substitutePath('/a/b\nc', vars)).toMatchObject({ ok: false, error: { code: 'invalid_path' } });
  });

  it('parse untrusted JSON, naming what is wrong', () => {
    const good = { filesystem: [{ kind: 'read_only', path: '/x' }, { kind: 'temp_workspace' }], network: { kind: 'allow_domains', domains: ['example.com', '*.example.org'] }, process: { max_execution_time_s: 10, max_memory_mb: 64, no_fork: true }, environment: 'none' };
    expect(parseCapabilities(good).ok).toBe(true);
    expect(parseCapabilities({ ...good, network: { kind: 'allow_domains', domains: ['http://x'] } })).toMatchObject({ ok: false, error: { message: expect.stringContaining('"network"') } });
    expect(parseCapabilities({ ...good, process: { max_execution_time_s: 0, max_memory_mb: 64, no_fork: true } })).toMatchObject({ ok: false, error: { message: expect.stringContaining('"process"') } });
    expect(parseCapabilities({ ...good, filesystem: [{ kind: 'write_everything', path: '/' }] })).toMatchObject({ ok: false, error: { message: expect.stringContaining('filesystem[0]') } });
    expect(parseCapabilities({ ...good, environment: 'some' })).toMatchObject({ ok: false });
  });
});

describe('presets', () => {
  it('keep their immutable fields, filesystem included', () => {
    expect(withOverrides(PRESETS.code_analyzer, { filesystem: [{ kind: 'read_write', path: '/' }] })).toMatchObject({ ok: false, error: { code: 'immutable_field', message: 'The code_analyzer preset fixes its filesystem; it cannot be changed for a run.' } });
    expect(withOverrides(PRESETS.file_processor, { network: { kind: 'allow_all' } })).toMatchObject({ ok: false, error: { code: 'immutable_field' } });
    expect(withOverrides(PRESETS.data_transformer, { environment: 'full' })).toMatchObject({ ok: false });
  });

  it('take what they leave open: a scraper its domains, a file processor more paths and a tighter leash', () => {
    expect(value(withOverrides(PRESETS.web_scraper, { network: { kind: 'allow_domains', domains: ['example.com'] } })).network).toEqual({ kind: 'allow_domains', domains: ['example.com'] });
    const files = value(withOverrides(PRESETS.file_processor, { filesystem: [{ kind: 'read_only', path: '/data' }], process: { max_execution_time_s: 5 } }));
    expect(files.filesystem).toEqual([{ kind: 'read_write', path: '${WORKSPACE}' }, { kind: 'temp_workspace' }, { kind: 'read_only', path: '/data' }]);
    expect(files.process).toEqual({ max_execution_time_s: 5, max_memory_mb: 512, no_fork: false });
  });

  it('without a preset, start from nothing but a temporary space and no network', () => {
    expect(value(withOverrides(null, {}))).toMatchObject({ filesystem: [{ kind: 'temp_workspace' }], network: { kind: 'deny' } });
  });
});

describe('the environment', () => {
  it('restricted keeps what programs need and drops secrets; none keeps nothing; full keeps all', () => {
    expect(sandboxEnvironment('restricted', env, '/tmp')).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/me', LANG: 'C.UTF-8', TMPDIR: '/tmp' });
    expect(sandboxEnvironment('none', env, null)).toEqual({});
    expect(sandboxEnvironment('full', env, '/tmp')).toEqual(env);
  });
});

describe('generated profiles (golden)', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: Seatbelt and bubblewrap`, async () => {
      const caps = resolved(PRESETS[name].capabilities);
      await expect(value(seatbeltProfile(caps, { tmp: '/private/tmp/aleph-run' }))).toMatchFileSnapshot(`golden/${name}.sb`);
      await expect(`${value(bubblewrapArgs(caps, { cwd: '/home/me/work' })).join('\n')}\n`).toMatchFileSnapshot(`golden/${name}.bwrap`);
    });
  }

  it('keep a read-only path inside a writable one read-only, on both platforms', () => {
    const caps = resolved({ ...PRESETS.file_processor.capabilities, filesystem: [{ kind: 'read_only', path: '${WORKSPACE}/.git' }, { kind: 'read_write', path: '${WORKSPACE}' }] });
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/work' }));
    expect(args.indexOf('/home/me/work/.git')).toBeGreaterThan(args.indexOf('/home/me/work'));
    expect(value(seatbeltProfile(caps, { tmp: '/t' }))).toContain('(deny file-write* (subpath "/home/me/work/.git"))');
  });

  it('hide credential locations inside granted paths on both platforms, after the binds', () => {
    const caps = resolved(PRESETS.file_processor.capabilities);
    const hide = [{ path: '/home/me/work/.env', directory: false }, { path: '/home/me/work/.ssh', directory: true }];
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/work', hide }));
    expect(args.join(' ')).toContain('--ro-bind /dev/null /home/me/work/.env --tmpfs /home/me/work/.ssh --remount-ro /home/me/work/.ssh');
    expect(args.lastIndexOf('/home/me/work/.ssh')).toBeGreaterThan(args.indexOf('/home/me/work'));
    expect(value(seatbeltProfile(caps, { tmp: '/t', hide }))).toContain('(deny file-read* file-write* (literal "/home/me/work/.env") (subpath "/home/me/work/.ssh"))');
    expect(sensitiveReason('/home/me/.aws/credentials', '/home/me')).toBe('~/.aws holds credentials');
    expect(sensitiveReason('/srv/app/.env.production', '/home/me')).toBe('.env.production files hold secrets');
    expect(sensitiveReason('/home/me/.sshx', '/home/me')).toBeNull();
    expect(sensitiveBelow('/home/me', '/home/me')).toContain('/home/me/.config/gcloud');
    expect(sensitiveBelow('/home/me/work', '/home/me')).toEqual([]);
  });

  it('bind a grant inside a hidden directory after it, so the run gets that and nothing beside it, on both platforms', () => {
    const caps = resolved({ ...PRESETS.file_processor.capabilities, filesystem: [{ kind: 'read_only', path: '/home/me' }, { kind: 'read_write', path: '/home/me/.ssh/sockets' }] });
    const hide = [{ path: '/home/me/.ssh', directory: true }];
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/.ssh/sockets', hide })).join(' ');
    expect(args).toContain('--ro-bind /home/me /home/me --tmpfs /home/me/.ssh --bind /home/me/.ssh/sockets /home/me/.ssh/sockets');
    expect(args).toContain('--remount-ro /home/me/.ssh --remount-ro /dev --remount-ro /run --remount-ro / --chdir');
    expect(value(seatbeltProfile(caps, { tmp: '/t', hide })).split('\n').slice(-3)).toEqual([
      '(deny file-read* file-write* (regex #"/\\.env(rc)?(\\.[^/]+)?$"))', '(allow file-read* file-write* (subpath "/home/me/.ssh/sockets"))', '',
    ]);
  });

  it('give a Linux run without network the seccomp filter that refuses Unix sockets, where its architecture is known', () => {
    for (const arch of ['x64', 'arm64']) expect(unixSocketFilter(arch)!.length % 8).toBe(0);
    expect(unixSocketFilter('riscv64')).toBeNull();
    const plan = { platform: 'linux' as const, command: ['true'], cwd: '/home/me/work', env, helper: '/h', cgroupFile: null, tmp: '/tmp', profilePath: '', hide: [], pinned: true };
    const denied = value(sandboxLaunch({ ...plan, capabilities: resolved(PRESETS.file_processor.capabilities), arch: 'x64' }));
    expect(denied.args.join(' ')).toContain(`--seccomp ${SECCOMP_FD}`);
    expect(denied.args.join(' ')).toContain('--bind-fd 4 /home/me/work');
    expect(denied.seccomp).toEqual(unixSocketFilter('x64'));
    const elsewhere = value(sandboxLaunch({ ...plan, capabilities: resolved(PRESETS.file_processor.capabilities), arch: 'riscv64' }));
    expect([elsewhere.seccomp, elsewhere.unenforced]).toEqual([null, ['network: there is no seccomp filter for riscv64 here, so Unix sockets inside the granted paths stay reachable']]);
    const networked = value(sandboxLaunch({ ...plan, capabilities: resolved({ ...PRESETS.file_processor.capabilities, network: { kind: 'allow_all' } }), arch: 'x64' }));
    expect([networked.seccomp, networked.args.includes('--seccomp')]).toEqual([null, false]);
  });

  it('quote paths so that none can break out of an SBPL string', () => {
    expect(sbplString('/a"b\\c')).toBe('"/a\\"b\\\\c"');
    const caps = resolved({ ...PRESETS.code_analyzer.capabilities, filesystem: [{ kind: 'read_only', path: '/x") (allow default) ("' }] });
    expect(value(seatbeltProfile(caps, { tmp: '/t' }))).toContain('(subpath "/x\\") (allow default) (\\"")');
  });

  it('refuse a domain list instead of granting all network', () => {
    const caps = { ...PRESETS.web_scraper.capabilities, network: { kind: 'allow_domains' as const, domains: ['example.com'] } };
    expect(bubblewrapArgs(caps, { cwd: '/tmp' })).toMatchObject({ ok: false, error: { code: 'allow_domains_unsupported' } });
    expect(seatbeltProfile(caps, { tmp: '/t' })).toMatchObject({ ok: false, error: { code: 'allow_domains_unsupported' } });
  });
});

describe('the bubblewrap profile under real bwrap', () => {
  const root = mkdtempSync(join(tmpdir(), 'alsb-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const bwrap = (caps: Capabilities, cwd: string, script: string) => {
    const args = value(bubblewrapArgs(caps, { cwd }));
    return spawnSync('bwrap', [...args, '--', '/bin/sh', '-c', script], { encoding: 'utf8', env: sandboxEnvironment(caps.environment, { ...process.env, GITHUB_TOKEN: 'ghp_planted' }, '/tmp') });
  };

  it('lets a code analyzer read the project and write its /tmp, and nothing else', () => {
    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'main.c'), 'int main;');
    const caps = value(resolveCapabilities(PRESETS.code_analyzer.capabilities, { WORKSPACE: project, PROJECT_ROOT: project }));
    const ok = bwrap(caps, project, 'cat main.c && echo scratch > /tmp/s && cat /tmp/s');
    expect(ok.stdout).toBe('int main;scratch\n');
    expect(ok.status).toBe(0);
    const write = bwrap(caps, project, 'echo x > main.c');
    expect(write.status).not.toBe(0);
    expect(readFileSync(join(project, 'main.c'), 'utf8')).toBe('int main;');
    const home = bwrap(caps, project, `ls ${JSON.stringify(process.env.HOME ?? '/root')}/.ssh 2>&1; echo $GITHUB_TOKEN`);
    expect(home.stdout).not.toContain('id_');
    expect(home.stdout).not.toContain('ghp_planted');
    expect(existsSync(join(root, 'outside'))).toBe(false);
  });
});
