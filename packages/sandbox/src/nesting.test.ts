/**
 * A run started from inside another sandbox: for real, the sandbox's own availability check run
 * inside an enclosing bubblewrap (one like Aleph's, which forbids new user namespaces, and one like
 * an agent's sandbox mode, with its own /proc); and bubblewrap's words with each kind of
 * surroundings, as a container or Flatpak would show them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bubblewrapRefused, enclosingSandbox, NESTED_SANDBOX, type EnclosingHints } from './nesting.js';
import { skipLoudly } from '../../../scripts/skip-notice.js';

const linux = process.platform === 'linux';
if (!linux)
  skipLoudly('bubblewrap', `nesting.test.ts nests bubblewrap, which needs Linux; this is ${process.platform}.`, 'The classification tests below still run.');

/** The built package: the enclosed process is a plain node, without the test runner's source aliases. */
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** sandboxAvailability() as a process inside an enclosing bubblewrap sees it. */
function availabilityInside(enclosing: readonly string[]): { ok: boolean; error?: { code: string; message: string } } {
  const script = `import(${JSON.stringify(built)}).then((m) => console.log(JSON.stringify(m.sandboxAvailability())))`;
  const r = spawnSync(
    'bwrap',
    [
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      // No private /tmp: the checkout, or the node running it, may live there.
      '--unshare-all',
      '--unshare-user',
      ...enclosing,
      '--',
      process.execPath,
      '-e',
      script,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`the enclosing sandbox did not run: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ok: boolean; error?: { code: string; message: string } };
}

describe.runIf(linux)('a run from inside another sandbox (real nested bubblewrap)', () => {
  it('has the built package to run inside the enclosing sandbox', () => {
    expect(existsSync(built)).toBe(true);
  });

  it("inside a sandbox that forbids user namespaces (as Aleph's own does): refused, saying where it is", () => {
    const inside = availabilityInside(['--disable-userns']);
    expect(inside).toMatchObject({ ok: false, error: { code: NESTED_SANDBOX } });
    expect(inside.error!.message).toMatch(/^This command already runs inside a bubblewrap sandbox .*max_\*_namespaces exceeded.*nothing was run/);
  });

  it("inside a sandbox with its own /proc (as an agent's sandbox mode): refused, saying where it is and what to do", () => {
    const inside = availabilityInside([]);
    expect(inside).toMatchObject({ ok: false, error: { code: NESTED_SANDBOX } });
    expect(inside.error!.message).toContain('This command already runs inside a bubblewrap sandbox');
    expect(inside.error!.message).toContain("Can't mount proc on /newroot/proc: Operation not permitted");
    expect(inside.error!.message).toContain('run the agent (and Aleph) outside that sandbox');
  });
});

describe("what bubblewrap's refusal means, by the surroundings", () => {
  const none: EnclosingHints = { pid1: 'systemd', markers: [], env: {} };

  it('names the enclosing sandbox from what this process can see', () => {
    expect(enclosingSandbox(none)).toBeNull();
    expect(enclosingSandbox({ ...none, pid1: 'bwrap' })).toContain('bubblewrap sandbox');
    expect(enclosingSandbox({ ...none, pid1: 'bwrap', markers: ['/run/aleph/sandbox-helper'] })).toBe("Aleph's own sandbox");
    expect(enclosingSandbox({ ...none, env: { SANDBOX_RUNTIME: '1' } })).toContain('sandbox-runtime');
    expect(enclosingSandbox({ ...none, markers: ['/.dockerenv'] })).toBe('a Docker container');
    expect(enclosingSandbox({ ...none, markers: ['/run/.containerenv'] })).toBe('a Podman container');
    expect(enclosingSandbox({ ...none, env: { container: 'lxc' } })).toBe('a lxc container');
  });

  it("says a nested sandbox when bubblewrap's words and the surroundings agree, and the machine's setting otherwise", () => {
    const docker = bubblewrapRefused('bwrap: Creating new namespace failed: Operation not permitted', 1, { ...none, markers: ['/.dockerenv'] });
    expect(docker).toMatchObject({ ok: false, error: { code: NESTED_SANDBOX, message: expect.stringContaining('inside a Docker container') } });
    const claude = bubblewrapRefused("bwrap: Can't mount proc on /newroot/proc: Operation not permitted", 1, {
      ...none,
      pid1: 'bwrap',
      env: { SANDBOX_RUNTIME: '1' },
    });
    expect(claude).toMatchObject({ ok: false, error: { code: NESTED_SANDBOX, message: expect.stringContaining('Claude Code: turn its sandbox mode off') } });
    const ours = bubblewrapRefused('bwrap: Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces exceeded (ENOSPC)', 1, none);
    expect(ours).toMatchObject({ ok: false, error: { code: NESTED_SANDBOX, message: expect.stringContaining('likely inside a sandbox that forbids them') } });
    const host = bubblewrapRefused(
      'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.',
      1,
      none,
    );
    expect(host).toMatchObject({
      ok: false,
      error: { code: 'sandbox_unavailable', message: expect.stringContaining('unprivileged user namespaces may be disabled') },
    });
    // A container that is not what stopped bubblewrap (another failure) is not blamed.
    expect(bubblewrapRefused('bwrap: execvp /bin/true: No such file or directory', 1, { ...none, markers: ['/.dockerenv'] })).toMatchObject({
      ok: false,
      error: { code: 'sandbox_unavailable' },
    });
  });
});
