/**
 * The bubblewrap (Linux) argument list for a capability profile: every namespace new, the system
 * directories read-only, the declared paths bound as declared (deeper paths after shallower ones,
 * so a read-only directory inside a writable one stays read-only), a private /tmp when asked, the
 * network only when granted (all of it, or through the domain proxy), and credentials inside granted paths hidden. What the sandbox makes
 * of its own (its root, /dev, /run) is read-only, and what it may write there (/tmp, /dev/shm) is
 * no larger than the profile's memory. The environment is not here: bwrap starts with exactly the
 * one the profile allows (see launch.ts), so no variable's value ever shows in a process list.
 */
import { ok, type Result } from '@aleph/protocol';
import type { Capabilities } from './capabilities.js';

/** Read-only system directories every run gets (those that exist). */
export const LINUX_SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc', '/opt', '/run/current-system'] as const;

/** bubblewrap's first release with every option these arguments use (`--disable-userns`, `--size`). */
export const MIN_BUBBLEWRAP = '0.8.0';

export interface BubblewrapOptions {
  /** Where the tool starts; must be inside a declared path or the temporary workspace. */
  readonly cwd: string;
  /** Existing credential locations inside the granted paths, hidden from the tool. */
  readonly hide?: readonly HiddenPath[];
  /**
   * The descriptors (as bwrap has them) of the granted paths the runner opened and checked, one
   * per path in the profile's order: each is bound through its descriptor, so a path swapped for
   * a symlink since binds nothing else.
   */
  readonly grantFds?: readonly number[];
  /** Files the launcher adds under the sandbox's own /run (the helper), before /run is made read-only. */
  readonly runFiles?: readonly RunFile[];
  /** The descriptor bwrap reads the seccomp filter from (seccomp.ts), when there is one. */
  readonly seccompFd?: number;
}

/** A path the sandbox hides: an empty read-only directory, or an empty file, stands in its place. */
export interface HiddenPath {
  readonly path: string;
  readonly directory: boolean;
}

/** A host file bound into the sandbox's /run. */
export interface RunFile {
  readonly source: string;
  readonly dest: string;
  readonly writable: boolean;
}

/** The bwrap arguments that precede the command (and `--`). */
export function bubblewrapArgs(caps: Capabilities, options: BubblewrapOptions): Result<string[]> {
  // --unshare-all only tries a user namespace; asking for one outright lets us also forbid nested
  // ones (a classic way to regain capabilities) and drop every capability inside.
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--unshare-user', '--disable-userns', '--cap-drop', 'ALL'];
  // A domain grant keeps the network namespace of its own too: its way out is the proxy's socket,
  // bound in by the launcher (network-bridge.ts).
  if (caps.network.kind === 'allow_all') args.push('--share-net');
  if (options.seccompFd !== undefined) args.push('--seccomp', String(options.seccompFd));
  const size = String(caps.process.max_memory_mb * 1024 * 1024);
  // Mounts go shallow to deep: a bind of / first, then the private /proc, /dev, /run and /tmp over
  // it (a later / would bring the host's /proc back), then deeper binds over those. /run is always
  // private: it holds the host's service sockets (Docker, D-Bus), which a read-only bind does not
  // stop anyone from connecting to, and it is where the helper is mounted. /proc/sys is the host's
  // kernel settings: bwrap leaves it writable to a sandbox that is root on the host, so it is
  // bound read-only. A hidden path comes before a grant of the same depth, so a path the profile
  // grants as it stands is not hidden, and a grant inside a hidden directory is bound over it.
  const mounts: Array<{ depth: number; args: string[] }> = LINUX_SYSTEM_PATHS.map((p) => ({ depth: depth(p), args: ['--ro-bind-try', p, p] }));
  mounts.push(
    { depth: 1, args: ['--proc', '/proc'] },
    { depth: 2, args: ['--ro-bind', '/proc/sys', '/proc/sys'] },
    { depth: 1, args: ['--dev', '/dev'] },
    { depth: 2, args: ['--size', size, '--tmpfs', '/dev/shm'] },
    { depth: 1, args: ['--tmpfs', '/run'] },
  );
  const temp = caps.filesystem.some((e) => e.kind === 'temp_workspace');
  if (temp) mounts.push({ depth: 1, args: ['--size', size, '--tmpfs', '/tmp'] });
  const hide = options.hide ?? [];
  for (const h of hide) mounts.push({ depth: depth(h.path), args: h.directory ? ['--tmpfs', h.path] : ['--ro-bind', '/dev/null', h.path] });
  const binds = caps.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [e])).map((e, i) => ({ ...e, fd: options.grantFds?.[i] }));
  binds.sort((a, b) => depth(a.path) - depth(b.path) || (a.kind === b.kind ? 0 : a.kind === 'read_write' ? -1 : 1));
  for (const b of binds) {
    const option = `${b.kind === 'read_only' ? '--ro-bind' : '--bind'}${b.fd === undefined ? '' : '-fd'}`;
    mounts.push({ depth: depth(b.path), args: [option, b.fd === undefined ? b.path : String(b.fd), b.path] });
  }
  // Stable: at equal depth the system's mounts come first, then the hidden paths, then the grants.
  mounts.sort((a, b) => a.depth - b.depth);
  for (const m of mounts) args.push(...m.args);
  for (const f of options.runFiles ?? []) args.push(f.writable ? '--bind' : '--ro-bind', f.source, f.dest);
  // Read-only last: until now bwrap made mount points in them. Only the mount itself: what is
  // bound into it keeps its own mode. The sandbox's own /dev, /run and root, unless a grant took
  // their place.
  const own = ['/dev', '/run', '/'].filter((p) => !binds.some((b) => b.path === p));
  for (const path of [...hide.flatMap((h) => (h.directory ? [h.path] : [])), ...own]) args.push('--remount-ro', path);
  args.push('--chdir', options.cwd);
  return ok(args);
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}
