/**
 * Programs that run their arguments as another command. `optionsWithValue` lists the options that
 * consume the next argument; `skip` counts positional arguments before the command (`timeout 5s
 * cmd`); `stopOptions` are options after which nothing runs (`command -v ls` only prints).
 */
export interface WrapperSpec {
  readonly optionsWithValue: readonly string[];
  readonly skip?: number;
  readonly stopOptions?: readonly string[];
  /** `NAME=value` arguments before the command set its environment (`env`). */
  readonly assignments?: boolean;
  /** Options whose value is a shell command line (`su -c 'cmd'`, `env -S 'cmd args'`). */
  readonly commandOptions?: readonly string[];
  /** The rest of the arguments are joined and run by `sh -c` (`watch`), unless one of these is given. */
  readonly joinsIntoShell?: { readonly unless: readonly string[] };
  /**
   * Options by which the wrapper itself writes a file, loads or runs a program, or reaches another
   * process (`time -o FILE`, `strace -o '|cmd'`, `fakeroot -l LIB`): with one of them, the wrapper
   * and its options are judged as a command of their own too.
   */
  readonly ownOptions?: readonly string[];
}

export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  // `--default-signal[=SIG]` and its siblings take their value attached or not at all.
  env: { optionsWithValue: ['-u', '--unset', '-C', '--chdir', '-P'], assignments: true, commandOptions: ['-S', '--split-string'] },
  command: { optionsWithValue: [], stopOptions: ['-v', '-V'] },
  builtin: { optionsWithValue: [] },
  exec: { optionsWithValue: ['-a'] },
  nohup: { optionsWithValue: [] },
  setsid: { optionsWithValue: [] },
  timeout: { optionsWithValue: ['-s', '--signal', '-k', '--kill-after'], skip: 1 },
  gtimeout: { optionsWithValue: ['-s', '--signal', '-k', '--kill-after'], skip: 1 },
  nice: { optionsWithValue: ['-n', '--adjustment'] },
  ionice: { optionsWithValue: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'] },
  renice: { optionsWithValue: ['-n', '-g', '-p', '-u'] },
  stdbuf: { optionsWithValue: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  time: { optionsWithValue: ['-f', '--format', '-o', '--output'], ownOptions: ['-o', '--output'] },
  watch: { optionsWithValue: ['-n', '--interval', '-q', '--equexit'], joinsIntoShell: { unless: ['-x', '--exec'] } },
  // `--eof[=E]`, `--replace[=R]`, `--max-lines[=N]` take their value attached or not at all.
  xargs: {
    optionsWithValue: [
      '-I',
      '-L',
      '-n',
      '-P',
      '-s',
      '-d',
      '-E',
      '-a',
      '--arg-file',
      '--delimiter',
      '--max-args',
      '--max-procs',
      '--max-chars',
      '--process-slot-var',
    ],
  },
  sudo: {
    optionsWithValue: [
      '-u',
      '--user',
      '-g',
      '--group',
      '-C',
      '--close-from',
      '-D',
      '--chdir',
      '--host',
      '-p',
      '--prompt',
      '-r',
      '--role',
      '-t',
      '--type',
      '-U',
      '--other-user',
      '-T',
      '--command-timeout',
    ],
  },
  doas: { optionsWithValue: ['-u', '-C'] },
  su: {
    optionsWithValue: ['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'],
    commandOptions: ['-c', '--command', '--session-command'],
  },
  runuser: { optionsWithValue: ['-u', '--user', '-g', '--group', '-G', '-s', '--shell', '-w'], commandOptions: ['-c', '--command'] },
  pkexec: { optionsWithValue: ['--user'] },
  run0: { optionsWithValue: ['-u', '--user', '-g', '--group', '-D', '--chdir', '--setenv', '--property', '--unit', '--slice'] },
  gosu: { optionsWithValue: [], skip: 1 },
  'su-exec': { optionsWithValue: [], skip: 1 },
  chroot: { optionsWithValue: ['--userspec', '--groups'], skip: 1 },
  busybox: { optionsWithValue: [] },
  flock: { optionsWithValue: ['-w', '--timeout', '-E', '--conflict-exit-code'], skip: 1, commandOptions: ['-c', '--command'] },
  taskset: { optionsWithValue: [], skip: 1 },
  chrt: { optionsWithValue: [], skip: 1 },
  caffeinate: { optionsWithValue: ['-t', '-w'] },
  unbuffer: { optionsWithValue: [] },
  strace: { optionsWithValue: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-b', '-I', '-O', '-P', '-S', '-X'], ownOptions: ['-o', '-p', '-u', '-E'] },
  ltrace: { optionsWithValue: ['-o', '-e', '-p', '-s', '-u', '-a', '-A', '-D', '-F', '-l', '-n', '-x'], ownOptions: ['-o', '-p', '-u', '-F', '-l'] },
  valgrind: { optionsWithValue: [] },
  fakeroot: { optionsWithValue: ['-l', '--lib', '--faked', '-s', '-i'], ownOptions: ['-l', '--lib', '--faked', '-s', '-i'] },
  proxychains: { optionsWithValue: ['-f'], ownOptions: ['-f'] },
  proxychains4: { optionsWithValue: ['-f'], ownOptions: ['-f'] },
  torsocks: { optionsWithValue: ['-u', '-p', '-a', '-P'] },
  firejail: { optionsWithValue: [] },
  catchsegv: { optionsWithValue: [] },
  'dbus-run-session': { optionsWithValue: ['--config-file', '--dbus-daemon'], ownOptions: ['--config-file', '--dbus-daemon'] },
  'xvfb-run': {
    optionsWithValue: ['-n', '--server-num', '-s', '--server-args', '-e', '--error-file', '-f', '--auth-file', '-p', '--xauth-protocol', '-w', '--wait'],
    ownOptions: ['-e', '--error-file', '-f', '--auth-file', '-s', '--server-args'],
  },
  script: {
    optionsWithValue: [
      '-E',
      '--echo',
      '-I',
      '--log-in',
      '-O',
      '--log-out',
      '-B',
      '--log-io',
      '-T',
      '--log-timing',
      '-m',
      '--logging-format',
      '-o',
      '--output-limit',
    ],
    commandOptions: ['-c', '--command'],
    ownOptions: ['-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing'],
  },
  hyperfine: {
    optionsWithValue: [
      '-w',
      '--warmup',
      '-m',
      '--min-runs',
      '-M',
      '--max-runs',
      '-r',
      '--runs',
      '--export-json',
      '--export-markdown',
      '--export-csv',
      '--export-asciidoc',
      '--export-orgmode',
      '-S',
      '--shell',
      '-n',
      '--command-name',
      '--output',
      '--input',
      '--style',
      '--sort',
      '-u',
      '--time-unit',
      '-D',
      '--parameter-step-size',
      '--min-benchmarking-time',
    ],
    commandOptions: ['-p', '--prepare', '-c', '--cleanup', '-s', '--setup', '--conclude', '--reference'],
    joinsIntoShell: { unless: [] },
    ownOptions: ['--export-json', '--export-markdown', '--export-csv', '--export-asciidoc', '--export-orgmode', '--output', '-S', '--shell'],
  },
  entr: { optionsWithValue: [] },
  parallel: {
    optionsWithValue: ['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '-a', '--arg-file', '--delay', '--timeout'],
    joinsIntoShell: { unless: [] },
    ownOptions: ['--joblog', '--results', '-S', '--sshlogin'],
  },
};
