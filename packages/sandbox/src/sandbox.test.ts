import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bubblewrapArgs } from './bubblewrap.js';
import { parseCapabilities, resolveCapabilities, substitutePath, type Capabilities } from './capabilities.js';
import { sandboxEnvironment } from './environment.js';
import { execCapabilities, PRESET_NAMES, PRESETS, withOverrides } from './presets.js';
import { HELPER_READY, MACOS_UNENFORCED, sandboxLaunch, SECCOMP_FD } from './launch.js';
import { DEFAULT_HELPER } from './sandbox-run.js';
import { unixSocketFilter } from './seccomp.js';
import { pathForSandbox, PROTECTED_FILE_PATTERNS, sbplString, seatbeltProfile, XCODE_PATTERN } from './seatbelt.js';
import { sensitiveBelow, sensitiveReason } from './sensitive.js';
import { skipLoudly } from '../../../scripts/skip-notice.js';

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
    const good = {
      filesystem: [{ kind: 'read_only', path: '/x' }, { kind: 'temp_workspace' }],
      network: { kind: 'allow_domains', domains: ['example.com', '*.example.org'] },
      process: { max_execution_time_s: 10, max_memory_mb: 64, no_fork: true },
      environment: 'none',
    };
    expect(parseCapabilities(good).ok).toBe(true);
    expect(parseCapabilities({ ...good, network: { kind: 'allow_domains', domains: ['http://x'] } })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('"network"') },
    });
    expect(parseCapabilities({ ...good, process: { max_execution_time_s: 0, max_memory_mb: 64, no_fork: true } })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('"process"') },
    });
    expect(parseCapabilities({ ...good, filesystem: [{ kind: 'write_everything', path: '/' }] })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('filesystem[0]') },
    });
    expect(parseCapabilities({ ...good, environment: 'some' })).toMatchObject({ ok: false });
  });
});

describe('presets', () => {
  it('keep their immutable fields, filesystem included', () => {
    expect(withOverrides(PRESETS.code_analyzer, { filesystem: [{ kind: 'read_write', path: '/' }] })).toMatchObject({
      ok: false,
      error: { code: 'immutable_field', message: 'The code_analyzer preset fixes its filesystem; it cannot be changed for a run.' },
    });
    expect(withOverrides(PRESETS.file_processor, { network: { kind: 'allow_all' } })).toMatchObject({ ok: false, error: { code: 'immutable_field' } });
    expect(withOverrides(PRESETS.data_transformer, { environment: 'full' })).toMatchObject({ ok: false });
  });

  it('take what they leave open: a scraper its domains, a file processor more paths and a tighter leash', () => {
    expect(value(withOverrides(PRESETS.web_scraper, { network: { kind: 'allow_domains', domains: ['example.com'] } })).network).toEqual({
      kind: 'allow_domains',
      domains: ['example.com'],
    });
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
    expect(sandboxEnvironment('full', env, null)).toEqual(env);
  });

  it("points TMPDIR at the run's own temporary directory, even when it keeps the caller's environment", () => {
    // The caller's TMPDIR (macOS: /var/folders/...) is not granted to the run: heredocs and mktemp would fail there.
    const caller = { ...env, TMPDIR: '/var/folders/xy/T/' };
    expect(sandboxEnvironment('full', caller, '/private/var/folders/ab/aleph-run-1/tmp')).toEqual({
      ...caller,
      TMPDIR: '/private/var/folders/ab/aleph-run-1/tmp',
    });
    expect(sandboxEnvironment('restricted', caller, '/tmp').TMPDIR).toBe('/tmp');
  });
});

/** macOS's links, as realpath resolves them there: /var, /tmp and /etc live under /private. */
const macRealpath = (path: string): string => path.replace(/^\/(var|tmp|etc)(?=\/|$)/, '/private/$1');
const macVars = { WORKSPACE: '/Users/me/work', PROJECT_ROOT: '/Users/me/project' };
/** What the runner hands the generator on a Mac: tmpdir() is /var/folders/..., resolved as Seatbelt sees it. */
const macOptions = {
  tmp: pathForSandbox('/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/aleph-run-a1B2c3/tmp', macRealpath),
  helper: pathForSandbox('/Applications/Aleph Console.app/Contents/Resources/aleph-sandbox-helper', macRealpath),
};

/** The paths a profile names in its rules (literal, subpath, path-literal). */
const profilePaths = (profile: string): string[] => [...profile.matchAll(/\((?:literal|subpath|path-literal) "([^"]*)"\)/g)].map((m) => m[1]!);

describe('generated profiles (golden)', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: Seatbelt and bubblewrap`, async () => {
      const caps = resolved(PRESETS[name].capabilities);
      const macCaps = value(resolveCapabilities(PRESETS[name].capabilities, macVars));
      await expect(value(seatbeltProfile(macCaps, macOptions))).toMatchFileSnapshot(`golden/${name}.sb`);
      await expect(`${value(bubblewrapArgs(caps, { cwd: '/home/me/work' })).join('\n')}\n`).toMatchFileSnapshot(`golden/${name}.bwrap`);
    });
  }

  it("aleph exec's default on a Mac, with credentials hidden, without and with the network: Seatbelt", async () => {
    const caps = value(resolveCapabilities(execCapabilities('/Users/me'), macVars));
    const hide = [
      { path: '/Users/me/.ssh', directory: true },
      { path: '/Users/me/Library/Keychains', directory: true },
    ];
    await expect(value(seatbeltProfile(caps, { ...macOptions, hide }))).toMatchFileSnapshot('golden/exec.sb');
    await expect(value(seatbeltProfile({ ...caps, network: { kind: 'allow_all' } }, { ...macOptions, hide }))).toMatchFileSnapshot('golden/exec_network.sb');
  });

  it('name only real paths in a Seatbelt profile: the temporary workspace as Seatbelt sees it, never through /var, /tmp or /etc', () => {
    expect(macOptions.tmp).toBe('/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/aleph-run-a1B2c3/tmp');
    // Xcode as xcode-select names it is often a link to a versioned copy: that is what Seatbelt sees.
    const xcode = new RegExp(XCODE_PATTERN);
    expect(['/Applications/Xcode_16.4.app/Contents/Developer/usr/bin/git', '/Applications/Xcode.app'].every((p) => xcode.test(p))).toBe(true);
    expect(xcode.test('/Applications/Xcode.apps/x')).toBe(false);
    expect(
      pathForSandbox('/nowhere/yet', () => {
        throw new Error('ENOENT');
      }),
    ).toBe('/nowhere/yet');
    for (const name of PRESET_NAMES) {
      const profile = value(seatbeltProfile(value(resolveCapabilities(PRESETS[name].capabilities, macVars)), macOptions));
      const through = profilePaths(profile).filter((p) => /^\/(var|tmp|etc)\//.test(p));
      expect(through, name).toEqual([]);
      expect(profile).toContain(`(allow file-read* file-write* `);
      expect(profile).toContain(`(subpath "${macOptions.tmp}")`);
    }
  });

  it('grant on a Mac no more than the anchors do: no blanket sysctl, stat, network or terminal rule', () => {
    const caps = value(resolveCapabilities(execCapabilities('/Users/me'), macVars));
    for (const network of [{ kind: 'deny' as const }, { kind: 'allow_all' as const }]) {
      const profile = value(seatbeltProfile({ ...caps, network }, macOptions));
      const rules = profile.split('\n').filter((l) => !l.startsWith(';'));
      for (const open of [
        '(allow sysctl-read)',
        '(allow file-read-metadata)',
        '(allow network*)',
        '(allow network-outbound)',
        '(allow file-read*)',
        '(allow file-write*)',
      ]) {
        expect(rules, `${network.kind}: ${open}`).not.toContain(open);
      }
      // Another terminal of the user's (/dev/ttys003) is never opened for writing; /dev/stdout is /dev/fd/1 to Seatbelt.
      expect(profile).not.toContain('#"^/dev/tty"');
      expect(profile).toContain('(allow file-read-data file-write-data (subpath "/dev/fd"))');
      expect(profile).toContain('(global-name "com.apple.system.opendirectoryd.libinfo")');
      // Every group of rules names the anchor it follows.
      const comments = profile.split('\n').filter((l) => l.startsWith(';'));
      expect(comments.length).toBeGreaterThan(10);
      for (const c of comments) expect(c).toMatch(/\[(codex|sandbox-runtime|not in the anchors)[^\]]*\]$/);
    }
  });

  it('keep hidden locations out of reach of a rename of any directory above them, and the files that run code later unwritten', () => {
    const caps = value(resolveCapabilities(execCapabilities('/Users/me'), macVars));
    const profile = value(seatbeltProfile(caps, { ...macOptions, hide: [{ path: '/Users/me/.config/gcloud', directory: true }] }));
    expect(profile).toContain('(deny file-write-unlink (literal "/Users") (literal "/Users/me") (literal "/Users/me/.config"))');
    const protectedFile = PROTECTED_FILE_PATTERNS.map((p) => new RegExp(p));
    for (const path of [
      '/Users/me/work/.git/hooks/pre-commit',
      '/Users/me/work/.git/hooks',
      '/Users/me/work/.git/config',
      '/Users/me/.zshrc',
      '/Users/me/.bash_profile',
      '/Users/me/work/.vscode/tasks.json',
    ]) {
      expect(
        protectedFile.some((r) => r.test(path)),
        path,
      ).toBe(true);
    }
    for (const path of [
      '/Users/me/work/.git/index',
      '/Users/me/work/.git/objects/ab/cdef',
      '/Users/me/work/.git/configured',
      '/Users/me/work/src/profile',
      '/Users/me/work/.github/workflows/ci.yml',
    ]) {
      expect(
        protectedFile.some((r) => r.test(path)),
        path,
      ).toBe(false);
    }
    expect(profile).toContain(String.raw`(deny file-write-unlink (regex #"/\.git$"))`);
  });

  it('on a Mac without network, reach no Unix socket by path; with it, only those inside the grants and never a hidden one', () => {
    const caps = value(resolveCapabilities(execCapabilities('/Users/me'), macVars));
    const hide = [{ path: '/Users/me/.ssh', directory: true }];
    const denied = value(seatbeltProfile(caps, { ...macOptions, hide }));
    expect(denied).not.toMatch(/\(allow network/);
    expect(denied).toContain('(allow system-socket (socket-domain AF_UNIX))');
    const granted = value(seatbeltProfile({ ...caps, network: { kind: 'allow_all' } }, { ...macOptions, hide }));
    expect(granted).toContain('(allow network-outbound (remote ip "*:*"))');
    expect(granted).toContain('(allow network-outbound (remote unix-socket (subpath "/Users/me")) (remote unix-socket (subpath "/Users/me/work"))');
    expect(granted).toContain('(deny network-outbound (remote unix-socket (subpath "/Users/me/.ssh")))');
    expect(granted).toContain('(global-name "com.apple.dnssd.service")');
    expect(granted).toContain('(global-name "com.apple.trustd.agent")');
  });

  it('start a macOS run in its working directory, with the limits macOS cannot enforce said, not failed on', () => {
    const plan = {
      platform: 'macos' as const,
      command: ['git', 'status'],
      cwd: '/Users/me/work',
      env: { ...env, HOME: '/Users/me' },
      helper: '/h',
      cgroupFile: null,
      tmp: macOptions.tmp,
      profilePath: '/p.sb',
      hide: [],
      pinned: false,
      arch: 'arm64',
    };
    const launch = value(sandboxLaunch({ ...plan, capabilities: value(resolveCapabilities(PRESETS.file_processor.capabilities, macVars)) }));
    expect(launch.cwd).toBe('/Users/me/work');
    expect(launch.args).toEqual(['-f', '/p.sb', '/h', '-', '-', '', '--', 'git', 'status']);
    expect(launch.unenforced).toEqual([MACOS_UNENFORCED.memory, MACOS_UNENFORCED.processes]);
    // The home is not granted: git is given an empty global config instead of dying on one it cannot read.
    expect(launch.env.GIT_CONFIG_GLOBAL).toBe('/dev/null');
    const single = value(sandboxLaunch({ ...plan, capabilities: value(resolveCapabilities(PRESETS.data_transformer.capabilities, macVars)) }));
    expect(single.unenforced).toEqual([MACOS_UNENFORCED.memory]);
    const atHome = value(sandboxLaunch({ ...plan, capabilities: value(resolveCapabilities(execCapabilities('/Users/me'), macVars)) }));
    expect(atHome.env.GIT_CONFIG_GLOBAL).toBeUndefined();
    const linux = value(sandboxLaunch({ ...plan, platform: 'linux', cwd: '/home/me/work', capabilities: resolved(PRESETS.file_processor.capabilities) }));
    expect([linux.cwd, linux.unenforced, linux.args.includes('--chdir')]).toEqual([null, [], true]);
  });

  it('keep a read-only path inside a writable one read-only, on both platforms', () => {
    const caps = resolved({
      ...PRESETS.file_processor.capabilities,
      filesystem: [
        { kind: 'read_only', path: '${WORKSPACE}/.git' },
        { kind: 'read_write', path: '${WORKSPACE}' },
      ],
    });
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/work' }));
    expect(args.indexOf('/home/me/work/.git')).toBeGreaterThan(args.indexOf('/home/me/work'));
    expect(value(seatbeltProfile(caps, { tmp: '/t' }))).toContain('(deny file-write* (subpath "/home/me/work/.git"))');
  });

  it('hide credential locations inside granted paths on both platforms, after the binds', () => {
    const caps = resolved(PRESETS.file_processor.capabilities);
    const hide = [
      { path: '/home/me/work/.env', directory: false },
      { path: '/home/me/work/.ssh', directory: true },
    ];
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/work', hide }));
    expect(args.join(' ')).toContain('--ro-bind /dev/null /home/me/work/.env --tmpfs /home/me/work/.ssh --remount-ro /home/me/work/.ssh');
    expect(args.lastIndexOf('/home/me/work/.ssh')).toBeGreaterThan(args.indexOf('/home/me/work'));
    expect(value(seatbeltProfile(caps, { tmp: '/t', hide }))).toContain(
      '(deny file-read* file-write* (literal "/home/me/work/.env") (subpath "/home/me/work/.ssh"))',
    );
    expect(sensitiveReason('/home/me/.aws/credentials', '/home/me')).toBe('~/.aws holds credentials');
    expect(sensitiveReason('/srv/app/.env.production', '/home/me')).toBe('.env.production files hold secrets');
    expect(sensitiveReason('/home/me/.sshx', '/home/me')).toBeNull();
    expect(sensitiveBelow('/home/me', '/home/me')).toContain('/home/me/.config/gcloud');
    expect(sensitiveBelow('/home/me/work', '/home/me')).toEqual([]);
  });

  it('bind a grant inside a hidden directory after it, so the run gets that and nothing beside it, on both platforms', () => {
    const caps = resolved({
      ...PRESETS.file_processor.capabilities,
      filesystem: [
        { kind: 'read_only', path: '/home/me' },
        { kind: 'read_write', path: '/home/me/.ssh/sockets' },
      ],
    });
    const hide = [{ path: '/home/me/.ssh', directory: true }];
    const args = value(bubblewrapArgs(caps, { cwd: '/home/me/.ssh/sockets', hide })).join(' ');
    expect(args).toContain('--ro-bind /home/me /home/me --tmpfs /home/me/.ssh --bind /home/me/.ssh/sockets /home/me/.ssh/sockets');
    expect(args).toContain('--remount-ro /home/me/.ssh --remount-ro /dev --remount-ro /run --remount-ro / --chdir');
    const rules = value(seatbeltProfile(caps, { tmp: '/t', hide })).split('\n');
    const envDeny = rules.indexOf('(deny file-read* file-write* (regex #"/\\.env(rc)?(\\.[^/]+)?$"))');
    expect(envDeny).toBeGreaterThan(rules.indexOf('(deny file-read* file-write* (subpath "/home/me/.ssh"))'));
    expect(rules.lastIndexOf('(allow file-read* file-write* (subpath "/home/me/.ssh/sockets"))')).toBeGreaterThan(envDeny);
  });

  it('give a Linux run without network the seccomp filter that refuses Unix sockets, where its architecture is known', () => {
    for (const arch of ['x64', 'arm64']) expect(unixSocketFilter(arch)!.length % 8).toBe(0);
    expect(unixSocketFilter('riscv64')).toBeNull();
    const plan = {
      platform: 'linux' as const,
      command: ['true'],
      cwd: '/home/me/work',
      env,
      helper: '/h',
      cgroupFile: null,
      tmp: '/tmp',
      profilePath: '',
      hide: [],
      pinned: true,
    };
    const denied = value(sandboxLaunch({ ...plan, capabilities: resolved(PRESETS.file_processor.capabilities), arch: 'x64' }));
    expect(denied.args.join(' ')).toContain(`--seccomp ${SECCOMP_FD}`);
    expect(denied.args.join(' ')).toContain('--bind-fd 4 /home/me/work');
    expect(denied.seccomp).toEqual(unixSocketFilter('x64'));
    const elsewhere = value(sandboxLaunch({ ...plan, capabilities: resolved(PRESETS.file_processor.capabilities), arch: 'riscv64' }));
    expect([elsewhere.seccomp, elsewhere.unenforced]).toEqual([
      null,
      ['network: there is no seccomp filter for riscv64 here, so Unix sockets inside the granted paths stay reachable'],
    ]);
    const networked = value(
      sandboxLaunch({ ...plan, capabilities: resolved({ ...PRESETS.file_processor.capabilities, network: { kind: 'allow_all' } }), arch: 'x64' }),
    );
    expect([networked.seccomp, networked.args.includes('--seccomp')]).toEqual([null, false]);
  });

  it('quote paths so that none can break out of an SBPL string', () => {
    expect(sbplString('/a"b\\c')).toBe('"/a\\"b\\\\c"');
    const caps = resolved({ ...PRESETS.code_analyzer.capabilities, filesystem: [{ kind: 'read_only', path: '/x") (allow default) ("' }] });
    expect(value(seatbeltProfile(caps, { tmp: '/t' }))).toContain('(subpath "/x\\") (allow default) (\\"")');
  });

  it('refuse a domain list that has no proxy to enforce it, instead of granting all network', () => {
    const caps = { ...PRESETS.web_scraper.capabilities, network: { kind: 'allow_domains' as const, domains: ['example.com'] } };
    expect(seatbeltProfile(caps, { tmp: '/t' })).toMatchObject({ ok: false, error: { code: 'proxy_missing' } });
    const files = resolved({ ...PRESETS.file_processor.capabilities, network: caps.network });
    const plan = {
      platform: 'linux' as const,
      command: ['true'],
      cwd: '/home/me/work',
      env,
      helper: '/h',
      cgroupFile: null,
      tmp: '/tmp',
      profilePath: '',
      hide: [],
      pinned: false,
      arch: 'x64',
      capabilities: files,
    };
    expect(sandboxLaunch(plan)).toMatchObject({ ok: false, error: { code: 'proxy_missing' } });
    // A proxy of the other platform's kind (a port where the bridge needs a socket) is none either.
    expect(sandboxLaunch({ ...plan, proxy: { host: '127.0.0.1', port: 8080 } })).toMatchObject({ ok: false, error: { code: 'proxy_missing' } });
    expect(sandboxLaunch({ ...plan, platform: 'macos', proxy: { path: '/p.sock' } })).toMatchObject({ ok: false, error: { code: 'proxy_missing' } });
  });

  it("on a Mac with a domain grant, connect only to the proxy's loopback port: Seatbelt", async () => {
    const caps = {
      ...value(resolveCapabilities(execCapabilities('/Users/me'), macVars)),
      network: { kind: 'allow_domains' as const, domains: ['registry.npmjs.org'] },
    };
    const hide = [{ path: '/Users/me/.ssh', directory: true }];
    const profile = value(seatbeltProfile(caps, { ...macOptions, hide, proxyPort: 61234 }));
    await expect(profile).toMatchFileSnapshot('golden/exec_domains.sb');
    const network = profile.split('\n').filter((l) => !l.startsWith(';') && /network|system-socket|dnssd/.test(l));
    expect(network).toEqual(['(allow system-socket (socket-domain AF_UNIX))', '(allow network-outbound (remote ip "localhost:61234"))']);
    expect(profile).toContain(
      "; a domain grant: outbound only to the domain proxy's loopback port, which lets through the granted domains alone; no DNS, no other address [sandbox-runtime]",
    );
    const launch = value(
      sandboxLaunch({
        platform: 'macos',
        command: ['npm', 'ci'],
        cwd: '/Users/me/work',
        env: { ...env, HOME: '/Users/me' },
        helper: '/h',
        cgroupFile: null,
        tmp: macOptions.tmp,
        profilePath: '/p.sb',
        hide: [],
        pinned: false,
        arch: 'arm64',
        capabilities: caps,
        proxy: { host: '127.0.0.1', port: 61234 },
      }),
    );
    expect([launch.env.HTTPS_PROXY, launch.env.all_proxy]).toEqual(['http://127.0.0.1:61234', 'socks5h://127.0.0.1:61234']);
    expect(launch.profile).toContain('(allow network-outbound (remote ip "localhost:61234"))');
  });

  it("on Linux with a domain grant, keep the network namespace, bind the proxy's socket, and let the bridge load the seccomp filter after socat", () => {
    const caps = resolved({ ...PRESETS.file_processor.capabilities, network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } });
    const launch = value(
      sandboxLaunch({
        platform: 'linux',
        command: ['npm', 'ci'],
        cwd: '/home/me/work',
        env,
        helper: '/h',
        cgroupFile: null,
        tmp: '/tmp',
        profilePath: '',
        hide: [],
        pinned: false,
        arch: 'x64',
        capabilities: caps,
        proxy: { path: '/tmp/aleph-proxy-x/proxy.sock' },
      }),
    );
    const args = launch.args.join(' ');
    expect(launch.args).not.toContain('--share-net');
    expect(launch.args).not.toContain('--seccomp');
    expect(args).toContain('--ro-bind /tmp/aleph-proxy-x/proxy.sock /run/aleph/proxy.sock');
    expect(launch.seccomp).toEqual(unixSocketFilter('x64'));
    const dash = launch.args.indexOf('--');
    expect(launch.args.slice(dash + 1, dash + 3)).toEqual(['/bin/sh', '-c']);
    expect(launch.args.slice(dash + 4, dash + 8)).toEqual(['aleph-sandbox-bridge', '/run/aleph/proxy.sock', '3128', '157']);
    expect(launch.args.slice(dash + 9)).toEqual(['/run/aleph/sandbox-helper', '524288', '256', '', '--', 'npm', 'ci']);
    expect(launch.env).toMatchObject({
      PATH: '/usr/bin:/bin',
      HTTP_PROXY: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      ALL_PROXY: 'socks5h://127.0.0.1:3128',
      NO_PROXY: 'localhost,127.0.0.1,::1',
    });
    expect(launch.env.GITHUB_TOKEN).toBeUndefined();
  });
});

if (process.platform !== 'linux')
  skipLoudly(
    'bubblewrap',
    `sandbox.test.ts runs real bwrap, which needs Linux; this is ${process.platform}.`,
    'macos.test.ts runs profiles under real sandbox-exec on a Mac.',
  );

describe.runIf(process.platform === 'linux')('the bubblewrap profile under real bwrap', () => {
  const root = mkdtempSync(join(tmpdir(), 'alsb-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const bwrap = (caps: Capabilities, cwd: string, script: string) => {
    const args = value(bubblewrapArgs(caps, { cwd }));
    return spawnSync('bwrap', [...args, '--', '/bin/sh', '-c', script], {
      encoding: 'utf8',
      env: sandboxEnvironment(caps.environment, { ...process.env, GITHUB_TOKEN: 'ghp_planted' }, '/tmp'),
    });
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

describe('the sandbox helper, run by the shell as the sandbox runs it', () => {
  const helper = (...args: string[]) => spawnSync('sh', [DEFAULT_HELPER, ...args], { encoding: 'utf8' });

  it('skips a limit given as "-" (one the platform cannot enforce) and still runs the tool, saying when it starts', () => {
    const skipped = helper('-', '-', '', '--', 'sh', '-c', 'echo ran');
    expect([skipped.status, skipped.stdout, skipped.stderr]).toEqual([0, 'ran\n', `${HELPER_READY}\n`]);
  });

  it('applies the limits it is given, as soft and hard limits the tool cannot raise', () => {
    const limited = helper('1048576', '-', '', '--', 'sh', '-c', 'ulimit -d; ulimit -H -d; ulimit -d 2097152 2>/dev/null || echo refused');
    expect([limited.status, limited.stdout]).toEqual([0, '1048576\n1048576\nrefused\n']);
  });

  it('refuses to start the tool (exit 125, before the ready line) when a limit cannot be set', () => {
    const refused = helper('lots', '-', '', '--', 'sh', '-c', 'echo ran');
    expect([refused.status, refused.stdout]).toEqual([125, '']);
    expect(refused.stderr).toMatch(/^aleph-sandbox-helper: cannot limit memory to lots KiB\n$/m);
    expect(refused.stderr).not.toContain(HELPER_READY);
  });
});
