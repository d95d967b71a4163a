/**
 * The Seatbelt (SBPL) profile for `sandbox-exec -f` on macOS: deny by default, allow reading the
 * system, reading and writing exactly what the profile declares, credentials inside it hidden
 * (`.env` files by name, wherever they are), the network (Unix sockets included) only when
 * granted, and process creation only when not forbidden.
 */
import { posix } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';
import type { HiddenPath } from './bubblewrap.js';
import { isWithin, NO_DOMAIN_FILTER, type Capabilities } from './capabilities.js';
import { ENV_FILE, ENV_FILE_PATTERN } from './sensitive.js';

/** Read-only system locations a macOS process needs to start and run. */
export const MACOS_SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/System', '/Library/Apple', '/private/etc', '/private/var/db/dyld', '/dev'] as const;

/**
 * A string as an SBPL literal: backslashes and quotes escaped, nothing else can break out. Paths
 * with NUL or line breaks never get here (capabilities.ts refuses them).
 */
export function sbplString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface SeatbeltOptions {
  /** The per-run temporary directory that stands for the temporary workspace. */
  readonly tmp: string;
  /** The helper that starts inside the sandbox: readable and executable, nothing more. */
  readonly helper?: string;
  /** Existing credential locations inside the granted paths, hidden from the tool. */
  readonly hide?: readonly HiddenPath[];
}

export function seatbeltProfile(caps: Capabilities, options: SeatbeltOptions): Result<string> {
  if (caps.network.kind === 'allow_domains') return fail(NO_DOMAIN_FILTER.code, NO_DOMAIN_FILTER.message);
  const lines = [
    '(version 1)',
    '(deny default)',
    '(allow process-exec)',
    caps.process.no_fork ? '(deny process-fork)' : '(allow process-fork)',
    '(allow signal (target same-sandbox))',
    '(allow sysctl-read)',
    '(allow mach-lookup (global-name "com.apple.system.logger") (global-name "com.apple.system.notification_center"))',
    '(allow file-read-metadata)',
    `(allow file-read* ${MACOS_SYSTEM_PATHS.map((p) => `(subpath ${sbplString(p)})`).join(' ')})`,
    '(allow file-write* (literal "/dev/null") (literal "/dev/stdout") (literal "/dev/stderr") (regex #"^/dev/tty"))',
  ];
  const reads = caps.filesystem.flatMap((e) => (e.kind === 'read_only' ? [e.path] : []));
  const writes = caps.filesystem.flatMap((e) => (e.kind === 'read_write' ? [e.path] : e.kind === 'temp_workspace' ? [options.tmp] : []));
  lines.push(...grantRules(reads, writes));
  const hidden = options.hide ?? [];
  if (hidden.length > 0) lines.push(`(deny file-read* file-write* ${hidden.map((h) => `(${h.directory ? 'subpath' : 'literal'} ${sbplString(h.path)})`).join(' ')})`);
  lines.push(`(deny file-read* file-write* (regex #"/${ENV_FILE_PATTERN}$"))`);
  // A grant inside a hidden directory, or a .env file granted by name, is the one thing there the
  // run gets: its rules again, after the denials (the later rule wins).
  const named = (p: string) => ENV_FILE.test(posix.basename(p)) || hidden.some((h) => h.directory && isWithin(h.path, p));
  lines.push(...grantRules(reads.filter(named), writes.filter(named)));
  if (options.helper !== undefined) lines.push(`(allow file-read* (literal ${sbplString(options.helper)}))`);
  if (caps.network.kind === 'allow_all') lines.push('(allow network*)', '(allow system-socket)');
  return ok(`${lines.join('\n')}\n`);
}

/** The rules that grant these paths; a read-only path inside a writable one stays read-only (the later rule wins). */
function grantRules(reads: readonly string[], writes: readonly string[]): string[] {
  const rules: string[] = [];
  if (reads.length > 0) rules.push(`(allow file-read* ${reads.map((p) => `(subpath ${sbplString(p)})`).join(' ')})`);
  if (writes.length > 0) rules.push(`(allow file-read* file-write* ${writes.map((p) => `(subpath ${sbplString(p)})`).join(' ')})`);
  const nestedReads = reads.filter((r) => writes.some((w) => r !== w && isWithin(w, r)));
  if (nestedReads.length > 0) rules.push(`(deny file-write* ${nestedReads.map((p) => `(subpath ${sbplString(p)})`).join(' ')})`);
  return rules;
}
