/**
 * The bubblewrap (Linux) argument list for a capability profile: every namespace new, the system
 * directories read-only, the declared paths bound as declared (deeper paths after shallower ones,
 * so a read-only directory inside a writable one stays read-only), a private /tmp when asked, the
 * network only when granted, and credentials inside granted paths hidden. The environment is not
 * here: bwrap starts with exactly the one the profile allows (see launch.ts), so no variable's
 * value ever shows in a process list.
 */
import { fail, ok, type Result } from '@aleph/protocol';
import { NO_DOMAIN_FILTER, type Capabilities } from './capabilities.js';

/** Read-only system directories every run gets (those that exist). */
export const LINUX_SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/etc', '/opt', '/run/current-system'] as const;

export interface BubblewrapOptions {
  /** Where the tool starts; must be inside a declared path or the temporary workspace. */
  readonly cwd: string;
  /** Existing credential locations inside the granted paths, hidden from the tool. */
  readonly hide?: readonly HiddenPath[];
}

/** A path the sandbox hides: an empty read-only directory, or an empty file, stands in its place. */
export interface HiddenPath {
  readonly path: string;
  readonly directory: boolean;
}

/** The bwrap arguments that precede the command (and `--`). */
export function bubblewrapArgs(caps: Capabilities, options: BubblewrapOptions): Result<string[]> {
  if (caps.network.kind === 'allow_domains') return fail(NO_DOMAIN_FILTER.code, NO_DOMAIN_FILTER.message);
  // --unshare-all only tries a user namespace; asking for one outright lets us also forbid nested
  // ones (a classic way to regain capabilities) and drop every capability inside.
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--unshare-user', '--disable-userns', '--cap-drop', 'ALL'];
  if (caps.network.kind === 'allow_all') args.push('--share-net');
  // Mounts go shallow to deep: a bind of / first, then the private /proc, /dev, /run and /tmp over
  // it (a later / would bring the host's /proc back), then deeper binds over those. /run is always
  // private: it holds the host's service sockets (Docker, D-Bus), which a read-only bind does not
  // stop anyone from connecting to, and it is where the helper is mounted.
  const mounts: Array<{ depth: number; args: string[] }> = LINUX_SYSTEM_PATHS.map((p) => ({ depth: depth(p), args: ['--ro-bind-try', p, p] }));
  mounts.push({ depth: 1, args: ['--proc', '/proc'] }, { depth: 1, args: ['--dev', '/dev'] }, { depth: 1, args: ['--tmpfs', '/run'] });
  const temp = caps.filesystem.some((e) => e.kind === 'temp_workspace');
  if (temp) mounts.push({ depth: 1, args: ['--tmpfs', '/tmp'] });
  const binds = caps.filesystem.flatMap((e) => (e.kind === 'temp_workspace' ? [] : [e]));
  binds.sort((a, b) => depth(a.path) - depth(b.path) || (a.kind === b.kind ? 0 : a.kind === 'read_write' ? -1 : 1));
  for (const b of binds) mounts.push({ depth: depth(b.path), args: [b.kind === 'read_only' ? '--ro-bind' : '--bind', b.path, b.path] });
  // Stable: at equal depth the system's mounts come before the declared ones.
  mounts.sort((a, b) => a.depth - b.depth);
  for (const m of mounts) args.push(...m.args);
  for (const h of options.hide ?? []) args.push(...(h.directory ? ['--tmpfs', h.path, '--remount-ro', h.path] : ['--ro-bind', '/dev/null', h.path]));
  args.push('--chdir', options.cwd);
  return ok(args);
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}
