/**
 * How a Linux run with a domain grant reaches the proxy: it has a network namespace of its own
 * with nothing but loopback in it, the proxy's Unix socket bound in at PROXY_SOCKET_IN_SANDBOX,
 * and socat inside, listening on loopback port PROXY_PORT_IN_SANDBOX and carrying each connection
 * to that socket. The run's environment names that port as its HTTP and SOCKS proxy. This is
 * anthropic-experimental/sandbox-runtime's design (`src/sandbox/linux-sandbox-utils.ts`:
 * `--unshare-net`, the bound sockets, socat in the sandbox), with one endpoint for both protocols.
 *
 * socat must make a Unix socket for each connection, which the run's seccomp filter (seccomp.ts)
 * forbids. So the filter is not handed to bubblewrap for these runs: the bridge starts socat first
 * and then loads the filter itself, just before the helper (and so the tool) starts, as
 * sandbox-runtime's `apply-seccomp` does; here with perl's `syscall`, which every Debian-like system
 * carries (perl-base is essential), instead of a binary to ship. It also waits for socat to listen,
 * so that the tool's first connection never races it. Pure: the runner does the I/O.
 */

/** Where the proxy's socket appears inside the sandbox. */
export const PROXY_SOCKET_IN_SANDBOX = '/run/aleph/proxy.sock';

/** The loopback port socat listens on inside the sandbox's own network namespace. */
export const PROXY_PORT_IN_SANDBOX = 3128;

/** How long the bridge waits for socat to listen before the run fails to start. */
export const BRIDGE_START_SECONDS = 10;

/** The prefix of the bridge's own messages on its error output (before the helper's ready line). */
export const BRIDGE_NAME = 'aleph-sandbox-bridge';

/** prctl(2)'s system call number, per Node architecture name: the filter is loaded through it. */
const PRCTL: Readonly<Record<string, number>> = { x64: 157, arm64: 167 };

/**
 * The variables that point a run's tools at the proxy: HTTP(S) for curl, npm, pip, git over HTTPS
 * and most runtimes; SOCKS5 with names resolved by the proxy (`socks5h`) for what speaks SOCKS.
 * Loopback is the run's own (its namespace's) and goes direct.
 */
export function proxyEnvironment(port: number): Record<string, string> {
  const http = `http://127.0.0.1:${port}`;
  const socks = `socks5h://127.0.0.1:${port}`;
  const direct = 'localhost,127.0.0.1,::1';
  return {
    HTTP_PROXY: http,
    HTTPS_PROXY: http,
    ALL_PROXY: socks,
    NO_PROXY: direct,
    http_proxy: http,
    https_proxy: http,
    all_proxy: socks,
    no_proxy: direct,
  };
}

/**
 * Waits until socat listens (its namespace's /proc/net/tcp shows the port in LISTEN state), loads
 * the seccomp filter from descriptor 3 unless told "-", and becomes the command.
 * Arguments: PORT PRCTL_NR -- COMMAND...
 */
const APPLY = [
  'my ($port, $prctl) = splice(@ARGV, 0, 2); shift @ARGV;',
  `my $want = sprintf(":%04X 00000000:0000 0A", $port); my $until = time + ${BRIDGE_START_SECONDS};`,
  'for (;;) { open(my $t, "<", "/proc/net/tcp") or last; local $/; my $all = <$t>; close $t; last if index($all, $want) >= 0;',
  `  if (time > $until) { print STDERR "${BRIDGE_NAME}: socat did not start listening for the domain proxy\\n"; exit 125 } select(undef, undef, undef, 0.002) }`,
  'if ($prctl ne "-") {',
  `  open(my $f, "<&=", 3) or do { print STDERR "${BRIDGE_NAME}: no seccomp filter: $!\\n"; exit 125 }; binmode $f; local $/; my $b = <$f>; close $f;`,
  '  my $p = pack("S x![P] P", length($b) / 8, $b);',
  // PR_SET_NO_NEW_PRIVS (38), then PR_SET_SECCOMP (22) with SECCOMP_MODE_FILTER (2).
  `  syscall($prctl, 38, 1, 0, 0, 0) == 0 && syscall($prctl, 22, 2, $p, 0, 0) == 0 or do { print STDERR "${BRIDGE_NAME}: cannot load the seccomp filter: $!\\n"; exit 125 };`,
  '}',
  `exec { $ARGV[0] } @ARGV or do { print STDERR "${BRIDGE_NAME}: cannot start $ARGV[0]: $!\\n"; exit 125 };`,
].join('\n');

/** Starts socat in the background (without the filter's descriptor), then the perl step above. */
const SCRIPT = [
  'socat "TCP-LISTEN:$2,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$1" </dev/null >/dev/null 2>&1 3<&- &',
  'port=$2 prctl=$3 apply=$4',
  'shift 4',
  'exec perl -e "$apply" "$port" "$prctl" -- "$@"',
].join('\n');

/**
 * The argv prefix that starts the bridge inside the sandbox, to be followed by the helper's argv.
 * `filter`: whether a seccomp filter waits on descriptor 3 (null from seccomp.ts: there is none
 * for this architecture, and the run's record says so).
 */
export function bridgeCommand(arch: string, filter: boolean): string[] | null {
  const prctl = PRCTL[arch];
  if (filter && prctl === undefined) return null;
  return ['/bin/sh', '-c', SCRIPT, BRIDGE_NAME, PROXY_SOCKET_IN_SANDBOX, String(PROXY_PORT_IN_SANDBOX), filter ? String(prctl) : '-', APPLY];
}

/** The programs the bridge needs inside the sandbox (from the system's read-only directories). */
export const BRIDGE_PROGRAMS = ['socat', 'perl'] as const;
