/** Options whose value a tool runs, loads or writes, and the tools that read such values. */

/**
 * Options whose value a tool acts on, per tool: `program`, a command line the tool runs (it is
 * parsed and judged as the command it is: `man -P 'sh -c ...'` is that shell command); `loads`, a
 * file of code, key bindings or configuration that can name programs (`less --lesskey-src`,
 * `ssh -F`): CONFIRM; `writes`, a file the tool writes (`less -o FILE`), judged as any write to
 * that path (`/etc/...` is BLOCK). Every tool listed is CONFIRM with such an option (the rules are
 * made from this table), whatever the value.
 */
export type OptionEffect = 'program' | 'loads' | 'writes';

const PAGER_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '-k': 'loads',
  '--lesskey-file': 'loads',
  '--lesskey-src': 'loads',
  '--lesskey-content': 'loads',
  '-o': 'writes',
  '-O': 'writes',
  '--log-file': 'writes',
  '--LOG-FILE': 'writes',
};

const TAR_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '--to-command': 'program',
  '--use-compress-program': 'program',
  '-I': 'program',
  '--checkpoint-action': 'program',
  '--info-script': 'program',
  '--new-volume-script': 'program',
  '-F': 'program',
  '--rsh-command': 'program',
  '--rmt-command': 'program',
};
const SSH_EFFECTS: Readonly<Record<string, OptionEffect>> = { '-F': 'loads', '-E': 'writes' };
const NC_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '-e': 'program',
  '-c': 'program',
  '--exec': 'program',
  '--sh-exec': 'program',
  '--lua-exec': 'loads',
};
/** Vim's own: `-c`, `--cmd` and `+cmd` Ex commands are read by the policy (a `:!` runs the shell). */
const VIM_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '-S': 'loads',
  '-s': 'loads',
  '-w': 'writes',
  '-W': 'writes',
  '--startuptime': 'writes',
  '-i': 'writes',
};
const EMACS_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '--eval': 'loads',
  '-eval': 'loads',
  '--execute': 'loads',
  '-l': 'loads',
  '--load': 'loads',
  '--script': 'loads',
  '-f': 'loads',
  '--funcall': 'loads',
};

export const OPTION_EFFECTS: Readonly<Record<string, Readonly<Record<string, OptionEffect>>>> = {
  less: PAGER_EFFECTS,
  zless: PAGER_EFFECTS,
  man: { '-P': 'program', '--pager': 'program', '-H': 'program', '--html': 'program', '-C': 'loads', '--config-file': 'loads' },
  bat: { '--pager': 'program' },
  batcat: { '--pager': 'program' },
  delta: { '--pager': 'program' },
  ag: { '--pager': 'program' },
  ack: { '--pager': 'program' },
  tar: TAR_EFFECTS,
  bsdtar: TAR_EFFECTS,
  rg: { '--pre': 'program' },
  ripgrep: { '--pre': 'program' },
  sort: { '--compress-program': 'program' },
  diff3: { '--diff-program': 'program' },
  sdiff: { '--diff-program': 'program' },
  zip: { '-TT': 'program', '--unzip-command': 'program' },
  rsync: { '-e': 'program', '--rsh': 'program', '--rsync-path': 'program', '--log-file': 'writes', '--write-batch': 'writes', '--only-write-batch': 'writes' },
  ssh: SSH_EFFECTS,
  scp: { '-S': 'program', '-F': 'loads' },
  sftp: { '-S': 'program', '-D': 'program', '-F': 'loads', '-b': 'loads' },
  nc: NC_EFFECTS,
  ncat: NC_EFFECTS,
  netcat: NC_EFFECTS,
  'nc.traditional': NC_EFFECTS,
  'nc.openbsd': NC_EFFECTS,
  strace: { '-o': 'writes' },
  ltrace: { '-o': 'writes' },
  wget: { '--use-askpass': 'program', '-e': 'loads', '--execute': 'loads' },
  npx: { '-c': 'program', '--call': 'program' },
  vim: VIM_EFFECTS,
  vi: VIM_EFFECTS,
  nvim: VIM_EFFECTS,
  view: VIM_EFFECTS,
  vimdiff: VIM_EFFECTS,
  gvim: VIM_EFFECTS,
  ex: VIM_EFFECTS,
  rvim: VIM_EFFECTS,
  vim_basic: VIM_EFFECTS,
  emacs: EMACS_EFFECTS,
  gdb: {
    '-x': 'loads',
    '--command': 'loads',
    '-ix': 'loads',
    '--init-command': 'loads',
    '-ex': 'loads',
    '--eval-command': 'loads',
    '-iex': 'loads',
    '--init-eval-command': 'loads',
  },
};

/** Editors that take Ex commands in `-c`, `--cmd` and `+cmd`, and read them from standard input in Ex mode. */
export const VIM_EDITORS: ReadonlySet<string> = new Set(['vim', 'vi', 'nvim', 'view', 'vimdiff', 'gvim', 'ex', 'rvim', 'vim_basic']);

/** ssh options (`-o Key=Value`) whose value is a command ssh runs locally, or a library or file it loads. */
export const SSH_PROGRAM_OPTIONS: Readonly<Record<string, OptionEffect>> = {
  proxycommand: 'program',
  localcommand: 'program',
  knownhostscommand: 'program',
  remotecommand: 'program',
  pkcs11provider: 'loads',
  securitykeyprovider: 'loads',
  include: 'loads',
};
/** Tools that read ssh's `-o` options. */
export const SSH_CLIENTS: ReadonlySet<string> = new Set(['ssh', 'scp', 'sftp', 'autossh', 'sshfs', 'mosh']);

/** socat addresses that run a program (`EXEC:cmd`, `SYSTEM:shell-command`), and those that reach the network. */
export const SOCAT_ADDRESSES = {
  program: /^(exec|system)[:,]/i,
  network:
    /^(tcp[46]?(-connect|-listen)?|udp[46]?(-connect|-listen|-sendto|-recvfrom|-recv|-datagram)?|openssl(-connect|-listen)?|ssl(-l)?|sctp[46]?(-connect|-listen)?|dccp[46]?(-connect|-listen)?|socks[45]a?|proxy(-connect)?|ip[46]?(-sendto|-recvfrom|-recv|-datagram)?|vsock(-connect|-listen)?|udp-l|tcp-l)[:,]/i,
  file: /^(open|gopen|create|file)[:,]/i,
} as const;

/** Pagers whose `+cmd` arguments are commands they run as if typed (`less +G`, but also `less '+!sh'`). */
export const PAGERS: ReadonlySet<string> = new Set(['less', 'zless', 'more', 'zmore', 'most', 'pg']);
