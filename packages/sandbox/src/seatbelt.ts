/**
 * The Seatbelt (SBPL) profile for `sandbox-exec -f` on macOS: deny by default, allow reading the
 * system, reading and writing exactly what the profile declares, credentials inside it hidden
 * (`.env` files by name, wherever they are) and out of reach of a rename, the files that run code
 * later (git hooks and config, shell start-up files) never written, the network and every Unix
 * socket outside the granted paths only when granted (for a domain grant: only the domain proxy's
 * loopback port), and process creation only when not
 * forbidden.
 *
 * Seatbelt matches the real path of what a process opens (`/private/var/folders/...`, never
 * `/var/folders/...`), so every path given here must already be a real path: the runner resolves
 * them (`pathForSandbox`) and this generator stays pure.
 *
 * Each group of rules names the anchor it follows, in the profile itself as a comment:
 * - openai/codex `codex-rs/sandboxing/src/seatbelt_base_policy.sbpl` ("codex base"),
 *   `codex-rs/core/src/seatbelt_platform_defaults.sbpl` ("codex platform defaults"),
 *   `seatbelt_network_policy.sbpl` ("codex network policy"), and in `seatbelt.rs` the access
 *   policy over writable and readable roots ("codex seatbelt.rs access policy") and the unix-socket
 *   policy ("codex unix_socket_policy");
 * - anthropic-experimental/sandbox-runtime `src/sandbox/macos-sandbox-utils.ts` ("sandbox-runtime").
 */
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';
import type { HiddenPath } from './bubblewrap.js';
import { isWithin, PROXY_MISSING, type Capabilities } from './capabilities.js';
import { ENV_FILE, ENV_FILE_PATTERN } from './sensitive.js';

/** Read-only system locations a macOS process needs to start and run, and the tools people use there. */
export const MACOS_SYSTEM_PATHS = [
  '/usr',
  '/bin',
  '/sbin',
  '/System',
  '/Library/Apple',
  '/Library/Frameworks',
  '/Library/Developer/CommandLineTools',
  '/opt/homebrew',
  '/private/etc',
  '/private/var/db/dyld',
  '/private/var/db/timezone',
] as const;

/**
 * Xcode, wherever xcode-select points (`/Applications/Xcode.app` is often a link to a versioned
 * `Xcode_16.4.app`, which is what Seatbelt sees): the developer tools behind `/usr/bin/git`.
 */
export const XCODE_PATTERN = String.raw`^/Applications/Xcode[^/]*\.app(/|$)`;

/**
 * Single system files a process reads: the links `/bin/sh` and `xcrun` (behind `/usr/bin/git`,
 * `/usr/bin/python3`) follow to find the shell and the developer tools.
 */
export const MACOS_SYSTEM_FILES = ['/private/var/select/sh', '/private/var/db/xcode_select_link'] as const;

/**
 * Files that run code the next time someone works in the directory, outside the sandbox: a run
 * may read them but never write them, wherever they are (sandbox-runtime's mandatory deny list,
 * with the zsh and bash start-up files it leaves out).
 */
export const PROTECTED_FILE_PATTERNS = [
  String.raw`/\.git/hooks(/.*)?$`,
  String.raw`/\.git/config$`,
  String.raw`/\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zshenv|zprofile|zlogin|zlogout|gitconfig|gitmodules|ripgreprc|mcp\.json)$`,
  String.raw`/\.(vscode|idea)(/.*)?$`,
] as const;

/**
 * A string as an SBPL literal: backslashes and quotes escaped, nothing else can break out. Paths
 * with NUL or line breaks never get here (capabilities.ts refuses them).
 */
export function sbplString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The path Seatbelt will see for `path`: its real path (symlinks resolved: `/var/folders/...` is
 * `/private/var/folders/...`), or the path itself when it does not exist yet. This is codex's
 * `normalize_path_for_sandbox`; the runner calls it, with the real `realpath`, for every path it
 * hands the generator that it did not resolve already.
 */
export function pathForSandbox(path: string, realpath: (path: string) => string = realpathSync): string {
  try {
    return realpath(path);
  } catch {
    return path;
  }
}

export interface SeatbeltOptions {
  /** The per-run temporary directory that stands for the temporary workspace (a real path). */
  readonly tmp: string;
  /** The helper that starts inside the sandbox: readable and executable, nothing more (a real path). */
  readonly helper?: string;
  /** Existing credential locations inside the granted paths, hidden from the tool (real paths). */
  readonly hide?: readonly HiddenPath[];
  /** A domain grant: the loopback port the domain proxy listens on, the one place the run may connect to. */
  readonly proxyPort?: number;
}

const CODEX_BASE = 'codex base';
const CODEX_PLATFORM = 'codex platform defaults';
const CODEX_NETWORK = 'codex network policy';
const CODEX_UNIX = 'codex unix_socket_policy';
const CODEX_ACCESS = 'codex seatbelt.rs access policy';
const SANDBOX_RUNTIME = 'sandbox-runtime';

/** sysctls a run may read: codex base's list, with sandbox-runtime's additions that V8 and `id` read. */
const SYSCTL_NAMES = [
  'hw.activecpu',
  'hw.busfrequency_compat',
  'hw.byteorder',
  'hw.cacheconfig',
  'hw.cachelinesize_compat',
  'hw.cpufamily',
  'hw.cpufrequency',
  'hw.cpufrequency_compat',
  'hw.cputype',
  'hw.l1dcachesize_compat',
  'hw.l1icachesize_compat',
  'hw.l2cachesize_compat',
  'hw.l3cachesize_compat',
  'hw.logicalcpu',
  'hw.logicalcpu_max',
  'hw.machine',
  'hw.memsize',
  'hw.model',
  'hw.ncpu',
  'hw.nperflevels',
  'hw.packages',
  'hw.pagesize',
  'hw.pagesize_compat',
  'hw.physicalcpu',
  'hw.physicalcpu_max',
  'hw.tbfrequency_compat',
  'hw.vectorunit',
  'kern.argmax',
  'kern.hostname',
  'kern.maxfilesperproc',
  'kern.maxproc',
  'kern.ngroups',
  'kern.osproductversion',
  'kern.osrelease',
  'kern.ostype',
  'kern.osvariant_status',
  'kern.osversion',
  'kern.secure_kernel',
  'kern.tcsm_available',
  'kern.tcsm_enable',
  'kern.usrstack64',
  'kern.version',
  'machdep.cpu.brand_string',
  'machdep.ptrauth_enabled',
  'sysctl.proc_cputype',
  'vm.loadavg',
] as const;
const SYSCTL_PREFIXES = [
  'hw.optional.arm.',
  'hw.optional.armv8_',
  'hw.perflevel',
  'kern.proc.pgrp.',
  'kern.proc.pid.',
  'machdep.cpu.',
  'net.routetable.',
] as const;

/** A group of rules and the anchor it follows, written above them in the profile. */
interface Rules {
  readonly anchor: string;
  readonly why: string;
  readonly rules: readonly string[];
}

export function seatbeltProfile(caps: Capabilities, options: SeatbeltOptions): Result<string> {
  if (caps.network.kind === 'allow_domains' && options.proxyPort === undefined) return fail(PROXY_MISSING.code, PROXY_MISSING.message);
  const subpaths = (paths: readonly string[]) => paths.map((p) => `(subpath ${sbplString(p)})`).join(' ');
  const literals = (paths: readonly string[]) => paths.map((p) => `(literal ${sbplString(p)})`).join(' ');
  const reads = caps.filesystem.flatMap((e) => (e.kind === 'read_only' ? [e.path] : []));
  const writes = caps.filesystem.flatMap((e) => (e.kind === 'read_write' ? [e.path] : e.kind === 'temp_workspace' ? [options.tmp] : []));
  const granted = [...reads, ...writes];
  const hidden = options.hide ?? [];
  const helper = options.helper === undefined ? [] : [options.helper];
  const groups: Rules[] = [
    { anchor: CODEX_BASE, why: 'closed by default', rules: ['(deny default)'] },
    {
      anchor: CODEX_BASE,
      why: 'child processes inherit the profile; they may signal and inspect only each other',
      rules: [
        '(allow process-exec)',
        caps.process.no_fork ? '(deny process-fork)' : '(allow process-fork)',
        '(allow signal (target same-sandbox))',
        '(allow process-info* (target same-sandbox))',
      ],
    },
    {
      anchor: `${CODEX_BASE}, ${SANDBOX_RUNTIME}`,
      why: 'the sysctls runtimes read (CPU, memory, OS version), not the whole kernel state',
      rules: [
        `(allow sysctl-read ${[...SYSCTL_NAMES.map((n) => `(sysctl-name ${sbplString(n)})`), ...SYSCTL_PREFIXES.map((n) => `(sysctl-name-prefix ${sbplString(n)})`)].join(' ')})`,
        // Java (codex) and V8 (sandbox-runtime) pass a buffer that Seatbelt counts as a write.
        '(allow sysctl-write (sysctl-name "kern.grade_cputype") (sysctl-name "kern.tcsm_enable"))',
      ],
    },
    {
      anchor: `${CODEX_BASE}, ${CODEX_PLATFORM}`,
      why: 'user and group look-ups (whoami, id, ssh, os.userInfo) and the system log',
      rules: [
        '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo") (global-name "com.apple.system.opendirectoryd.membership") (global-name "com.apple.system.DirectoryService.libinfo_v1") (global-name "com.apple.system.logger") (global-name "com.apple.system.notification_center"))',
      ],
    },
    // Neither anchor lists it: host_processor_info and host_statistics (Node's os.cpus(), top,
    // vm_stat) need it; setting a host port needs root regardless.
    { anchor: "not in the anchors: Node's os.cpus()", why: 'CPU and memory statistics of the host', rules: ['(allow mach-host*)'] },
    { anchor: CODEX_BASE, why: 'POSIX semaphores (Python multiprocessing)', rules: ['(allow ipc-posix-sem)'] },
    {
      anchor: CODEX_BASE,
      why: 'pseudo-terminals the run opens itself; ioctl on the terminal it was given, so shells know it is one; never another terminal',
      rules: [
        '(allow pseudo-tty)',
        '(allow file-read* file-write* file-ioctl (literal "/dev/ptmx"))',
        '(allow file-read* file-write* (require-all (regex #"^/dev/ttys[0-9]+$") (extension "com.apple.sandbox.pty")))',
        '(allow file-ioctl (regex #"^/dev/ttys[0-9]+$"))',
      ],
    },
    {
      anchor: `${CODEX_PLATFORM}, ${SANDBOX_RUNTIME}`,
      why: 'standard devices; /dev/stdout and /dev/stderr are links to /dev/fd/1 and /dev/fd/2, which Seatbelt sees',
      rules: [
        '(allow file-read* file-write-data file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper"))',
        '(allow file-read* (literal "/dev/random") (literal "/dev/urandom") (literal "/dev/autofs_nowait"))',
        '(allow file-read-data file-write-data (subpath "/dev/fd"))',
        '(allow file-read-metadata (literal "/dev") (regex #"^/dev/[^/]+$"))',
      ],
    },
    {
      anchor: CODEX_PLATFORM,
      why: 'the system, read-only; the root and the links /etc, /tmp and /var resolve',
      rules: [
        `(allow file-read* ${subpaths(MACOS_SYSTEM_PATHS)} (regex #"${XCODE_PATTERN}") ${literals(MACOS_SYSTEM_FILES)})`,
        '(allow file-read* (literal "/"))',
        '(allow file-read-metadata (literal "/etc") (literal "/tmp") (literal "/var"))',
      ],
    },
    {
      anchor: CODEX_PLATFORM,
      why: "libraries may be mapped executable where they may be read: the system's, and a granted project's native modules",
      rules: [`(allow file-map-executable ${subpaths([...MACOS_SYSTEM_PATHS, ...granted])} (regex #"${XCODE_PATTERN}"))`],
    },
    ...grantGroups(reads, writes, 'what the profile grants; a read-only path inside a writable one stays read-only (the later rule wins)'),
  ];
  const above = ancestors([...granted, ...helper]);
  if (above.length > 0) {
    groups.push({
      anchor: SANDBOX_RUNTIME,
      why: 'stat() on the directories above each granted path, so that realpath() works; nothing else of theirs',
      rules: [`(allow file-read-metadata ${literals(above)})`],
    });
  }
  if (hidden.length > 0) {
    groups.push({
      anchor: SANDBOX_RUNTIME,
      why: 'credential locations inside the grants are hidden, and none of the directories above them can be renamed or removed to expose them elsewhere',
      rules: [
        `(deny file-read* file-write* ${hidden.map((h) => `(${h.directory ? 'subpath' : 'literal'} ${sbplString(h.path)})`).join(' ')})`,
        `(deny file-write-unlink ${literals(ancestors(hidden.map((h) => h.path)))})`,
      ],
    });
  }
  groups.push(
    { anchor: SANDBOX_RUNTIME, why: '.env files, wherever they are, by name', rules: [`(deny file-read* file-write* (regex #"/${ENV_FILE_PATTERN}$"))`] },
    {
      anchor: SANDBOX_RUNTIME,
      why: 'git hooks and config, shell start-up files and editor tasks run code later, outside the sandbox: never written, and .git never renamed to get around it',
      rules: [`(deny file-write* ${PROTECTED_FILE_PATTERNS.map((p) => `(regex #"${p}")`).join(' ')})`, String.raw`(deny file-write-unlink (regex #"/\.git$"))`],
    },
  );
  // A grant inside a hidden directory, or a .env file granted by name, is the one thing there the
  // run gets: its rules again, after the denials (the later rule wins).
  const named = (p: string) => ENV_FILE.test(posix.basename(p)) || hidden.some((h) => h.directory && isWithin(h.path, p));
  groups.push(
    ...grantGroups(reads.filter(named), writes.filter(named), 'a grant inside a hidden location, or a .env file granted by name: that and nothing beside it'),
  );
  if (options.helper !== undefined)
    groups.push({ anchor: SANDBOX_RUNTIME, why: 'the helper that starts the tool', rules: [`(allow file-read* (literal ${sbplString(options.helper)}))`] });
  groups.push({
    anchor: `${CODEX_UNIX}, ${SANDBOX_RUNTIME}`,
    why: "a Unix socket may be made (socketpair, Node's child pipes); connecting or binding one by path is the network's to allow",
    rules: ['(allow system-socket (socket-domain AF_UNIX))'],
  });
  if (caps.network.kind === 'allow_all') {
    groups.push(
      {
        anchor: CODEX_NETWORK,
        why: 'the network: IP only, so a granted network still reaches no agent or Docker socket outside the grants',
        rules: [
          '(allow network-outbound (remote ip "*:*"))',
          '(allow network-inbound (local ip "*:*"))',
          '(allow network-bind (local ip "*:*"))',
          '(allow system-socket)',
        ],
      },
      {
        anchor: CODEX_NETWORK,
        why: 'DNS (mDNSResponder and its socket, resolv.conf) and TLS (trust evaluation, OCSP) go through system services',
        rules: [
          '(allow mach-lookup (global-name "com.apple.dnssd.service") (global-name "com.apple.SystemConfiguration.DNSConfiguration") (global-name "com.apple.SystemConfiguration.configd") (global-name "com.apple.networkd") (global-name "com.apple.SecurityServer") (global-name "com.apple.ocspd") (global-name "com.apple.trustd") (global-name "com.apple.trustd.agent"))',
          '(allow network-outbound (remote unix-socket (path-literal "/private/var/run/mDNSResponder")))',
          '(allow file-read* (literal "/private/var/run/resolv.conf"))',
        ],
      },
      {
        anchor: CODEX_UNIX,
        why: 'Unix sockets inside the granted paths, as on Linux; never in a hidden location',
        rules: [
          `(allow network-outbound ${granted.map((p) => `(remote unix-socket (subpath ${sbplString(p)}))`).join(' ')})`,
          ...(writes.length > 0 ? [`(allow network-bind ${writes.map((p) => `(local unix-socket (subpath ${sbplString(p)}))`).join(' ')})`] : []),
          ...(hidden.length > 0
            ? [
                `(deny network-outbound ${hidden.map((h) => `(remote unix-socket (subpath ${sbplString(h.path)}))`).join(' ')})`,
                `(deny network-bind ${hidden.map((h) => `(local unix-socket (subpath ${sbplString(h.path)}))`).join(' ')})`,
              ]
            : []),
        ],
      },
    );
  }
  if (caps.network.kind === 'allow_domains' && options.proxyPort !== undefined) {
    groups.push({
      anchor: SANDBOX_RUNTIME,
      why: "a domain grant: outbound only to the domain proxy's loopback port, which lets through the granted domains alone; no DNS, no other address",
      rules: [`(allow network-outbound (remote ip "localhost:${options.proxyPort}"))`],
    });
  }
  const lines = ['(version 1)'];
  for (const group of groups) lines.push(`; ${group.why} [${group.anchor}]`, ...group.rules);
  return ok(`${lines.join('\n')}\n`);
}

/** The rules that grant these paths; a read-only path inside a writable one stays read-only (the later rule wins). */
function grantGroups(reads: readonly string[], writes: readonly string[], why: string): Rules[] {
  const rules: string[] = [];
  const subpaths = (paths: readonly string[]) => paths.map((p) => `(subpath ${sbplString(p)})`).join(' ');
  if (reads.length > 0) rules.push(`(allow file-read* ${subpaths(reads)})`);
  if (writes.length > 0) rules.push(`(allow file-read* file-write* ${subpaths(writes)})`);
  const nestedReads = reads.filter((r) => writes.some((w) => r !== w && isWithin(w, r)));
  if (nestedReads.length > 0) rules.push(`(deny file-write* ${subpaths(nestedReads)})`);
  return rules.length === 0 ? [] : [{ anchor: CODEX_ACCESS, why, rules }];
}

/** Every directory above these paths, `/` excluded, once each, sorted (sandbox-runtime's getAncestorDirectories). */
export function ancestors(paths: readonly string[]): string[] {
  const found = new Set<string>();
  for (const path of paths) {
    for (let dir = posix.dirname(path); dir !== '/' && dir !== '.' && !found.has(dir); dir = posix.dirname(dir)) found.add(dir);
  }
  return [...found].sort();
}
