/**
 * The command policy's tables. This file is data, meant to be read by a person reviewing what the
 * policy does; the code that applies it lives in classify.ts and decompose.ts.
 *
 * Order (as in the seed policy): a segment that matches any BLOCK rule is blocked, whatever the
 * mode; otherwise any CONFIRM rule makes it CONFIRM; otherwise a SAFE rule makes it SAFE; anything
 * unmatched is CONFIRM.
 *
 * Matching:
 * - `commands`: normalised command names (`/bin/rm`, `\rm`, `"rm"` are all `rm`). A trailing `*`
 *   matches a prefix (`mkfs*` matches `mkfs.ext4`).
 * - `subcommands`: the first positional argument after the tool's own options (`git -C x push`). A
 *   BLOCK or CONFIRM rule applies when any word that may be the subcommand is one (`git -c k=v
 *   push`, `npm --tag x run y`); a SAFE rule only when the subcommand is certain, every option before
 *   it known (OPTIONS).
 * - `withOption`: applies only if one of these options is given; `withoutOption`: only if none is.
 *   A short option also matches inside a cluster (`-ni`) and with its value attached (`-i.bak`,
 *   `-p/etc/x.conf`); `--in-place` also matches `--in-place=.bak` and any abbreviation GNU getopt
 *   would accept (`--in-pl`). What leads away from SAFE needs only that the option may be given; what
 *   leads to SAFE (a SAFE rule's `withOption`, a stricter rule's `withoutOption`) needs it surely
 *   given: the very word, not an abbreviation, and not the value of the option before it.
 * - An option entry that does not start with `-` matches the word right after the subcommand
 *   (`git stash list`, but not `git stash push -m list`).
 * - `noPositionals`: applies only when nothing follows the command (or subcommand) but options.
 * - `withArg`: applies only if some positional argument matches the pattern.
 * - The command `*` stands for any command these tables name (never an unknown program).
 * - Tools that do not read their options as getopt does (`find`, `ip`, `go`): OPTION_STYLES.
 */
import type { Verdict } from '@aleph/protocol';
import type { OptionSpec, OptionStyle } from './options.js';
import type { ReasonCode } from './risk.js';

export interface CommandRule {
  readonly verdict: Verdict;
  readonly reason: ReasonCode;
  readonly commands: readonly string[];
  readonly subcommands?: readonly string[];
  readonly withOption?: readonly string[];
  readonly withoutOption?: readonly string[];
  readonly noPositionals?: boolean;
  /** Applies only if some positional argument matches. */
  readonly withArg?: RegExp;
}

const SYSTEM_PACKAGE_MANAGERS = ['apt', 'apt-get', 'aptitude', 'yum', 'dnf', 'microdnf', 'zypper', 'apk', 'brew', 'port', 'snap', 'flatpak', 'emerge', 'nix-env', 'choco', 'winget', 'scoop', 'mas', 'pkg', 'xbps-install', 'softwareupdate'];
const JS_PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'];
const PYTHON_PACKAGE_MANAGERS = ['pip', 'pip3', 'pipx', 'uv', 'poetry', 'pdm', 'conda', 'mamba', 'micromamba'];
/**
 * Options with which a tool only prints its version or help text. Short ones (`-v`, `-V`, `-h`)
 * mean other things to most tools (`tar -xvf`, `curl -v`, `python3 -v`), so only an interpreter's
 * own are listed, below.
 */
export const VERSION_OPTIONS: readonly string[] = ['--version', '--help'];
/**
 * The version and help options of interpreters beyond VERSION_OPTIONS: with them the interpreter
 * prints and exits; with anything else and no program it runs what it reads from standard input
 * (`python3 -V` prints the version, `python3 -v` is verbose and runs its input).
 */
export const INTERPRETER_VERSION_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  python: ['-V', '-h'], python2: ['-V', '-h'], python3: ['-V', '-h'], pypy: ['-V', '-h'], pypy3: ['-V', '-h'],
  node: ['-v', '-h'], nodejs: ['-v', '-h'], bun: ['-v', '-h'], deno: ['-V', '-h'], ruby: ['-h'], perl: ['-v', '-h'],
  php: ['-v', '-h'], lua: ['-v'], luajit: ['-v'], julia: ['-v', '-h'], java: ['-version', '-help', '-h'], expect: ['-v'],
  groovy: ['-v', '-h'], guile: ['-v', '-h'], elixir: ['-v'],
};
/** Interpreters that take even `--version` and `--help` as "read the program from standard input". */
export const NO_VERSION_OPTIONS: readonly string[] = ['tclsh', 'wish', 'erl'];

/** Subcommands with which each tool only reports (`npm ls`, `docker ps`, `terraform output`). */
const READ_ONLY_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = {
  npm: ['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'search', 'outdated', 'why', 'explain', 'root', 'prefix', 'query', 'get'],
  pnpm: ['ls', 'list', 'll', 'la', 'why', 'outdated', 'root', 'bin', 'licenses', 'view', 'info', 'show', 'search', 'help'],
  // Subcommands yarn 1 and yarn 2+ both have built in: any other runs the package script of that name.
  yarn: ['why', 'info', 'bin', 'help'],
  pip: ['list', 'show', 'freeze', 'check', 'help'], pip3: ['list', 'show', 'freeze', 'check', 'help'],
  poetry: ['show', 'check', 'list', 'help'],
  conda: ['list', 'info', 'search', 'help'],
  gem: ['list', 'info', 'search', 'help', 'which', 'outdated'],
  cargo: ['tree', 'metadata', 'locate-project', 'pkgid', 'search', 'info', 'help', 'version'],
  go: ['version', 'list', 'help'],
  brew: ['list', 'ls', 'info', 'search', 'outdated', 'deps', 'leaves', 'desc', 'cat', 'doctor', 'help'],
  apt: ['list', 'show', 'search', 'policy', 'depends', 'rdepends'],
  'apt-cache': ['show', 'search', 'policy', 'depends', 'rdepends'],
  dnf: ['list', 'info', 'search'], yum: ['list', 'info', 'search'],
  docker: ['ps', 'images', 'inspect', 'logs', 'info', 'version', 'top', 'search'],
  podman: ['ps', 'images', 'inspect', 'logs', 'info', 'version', 'top', 'search'],
  kubectl: ['get', 'describe', 'logs', 'top', 'api-resources', 'cluster-info', 'version', 'explain'],
  helm: ['list', 'ls', 'get', 'show', 'search', 'version', 'env'],
  rustup: ['show', 'which', 'check', 'help'],
  nvm: ['ls', 'list', 'current', 'which', 'version'],
  pyenv: ['versions', 'version', 'which', 'whence', 'root', 'prefix', 'help'],
  rbenv: ['versions', 'version', 'which', 'whence', 'root', 'prefix', 'help'],
  asdf: ['list', 'current', 'which', 'help'],
  mise: ['ls', 'list', 'current', 'which', 'help'],
  // `plan`, `validate`, `show` and `state` start provider plugins (and `plan` runs external data sources).
  terraform: ['output', 'version', 'help'], tofu: ['output', 'version', 'help'],
};
/** `git branch` options that create, delete, rename or reconfigure branches. */
const GIT_BRANCH_CHANGES = ['-d', '-D', '--delete', '-m', '-M', '--move', '-c', '-C', '--copy', '-f', '--force', '-u', '--set-upstream-to', '--unset-upstream', '--edit-description', '-t', '--track', '--no-track', '--recurse-submodules', '--create-reflog'];
/** `git tag` options that create, delete or sign tags. */
const GIT_TAG_CHANGES = ['-d', '--delete', '-f', '--force', '-a', '--annotate', '-s', '--sign', '-m', '--message', '-F', '--file', '-u', '--local-user', '-e', '--edit', '--cleanup', '--trailer', '--create-reflog'];
/** `sysctl` options that write kernel settings (`-p`/`-f` load them from a file). */
const SYSCTL_WRITES = ['-w', '--write', '-p', '--load', '-f', '--system'];

export const BLOCK_RULES: readonly CommandRule[] = [
  // Deleting files.
  { verdict: 'block', reason: 'destructive_delete', commands: ['rm', 'shred', 'srm', 'unlink', 'wipe', 'trash', 'trash-put'] },
  // rsync deletes files of the destination that the source lacks, or the source files it sent.
  { verdict: 'block', reason: 'destructive_delete', commands: ['rsync'], withOption: ['--delete', '--delete-before', '--delete-during', '--delete-delay', '--delete-after', '--delete-excluded', '--delete-missing-args', '--del', '--remove-source-files'] },
  { verdict: 'block', reason: 'destructive_delete', commands: ['find'], withOption: ['-delete'] },
  // Without -f git clean refuses only while clean.requireForce is true, which `-c` or the user's config can change.
  { verdict: 'block', reason: 'destructive_delete', commands: ['git'], subcommands: ['clean'], withoutOption: ['-n', '--dry-run'] },
  // Disks and filesystems.
  { verdict: 'block', reason: 'disk_overwrite', commands: ['dd', 'mkfs', 'mkfs*', 'mke2fs', 'mkswap', 'fdisk', 'sfdisk', 'cfdisk', 'gdisk', 'sgdisk', 'parted', 'wipefs', 'blkdiscard', 'hdparm', 'badblocks', 'cryptsetup', 'lvremove', 'vgremove', 'pvremove', 'zpool', 'newfs*'] },
  { verdict: 'block', reason: 'disk_overwrite', commands: ['diskutil'], subcommands: ['eraseDisk', 'eraseVolume', 'partitionDisk', 'zeroDisk', 'randomDisk', 'secureErase', 'reformat', 'apfs'] },
  // Running as someone else.
  { verdict: 'block', reason: 'privilege_escalation', commands: ['sudo', 'doas', 'su', 'pkexec', 'runuser', 'run0', 'gosu', 'su-exec', 'chroot', 'sudoedit', 'setpriv', 'capsh'] },
  // Ownership and permissions.
  { verdict: 'block', reason: 'permission_change', commands: ['chmod', 'chown', 'chgrp', 'chattr', 'chflags', 'setfacl', 'setcap', 'icacls', 'takeown'] },
  // Other processes.
  { verdict: 'block', reason: 'process_kill', commands: ['kill', 'killall', 'pkill', 'xkill', 'skill', 'killall5', 'taskkill'] },
  // The system itself.
  { verdict: 'block', reason: 'system_modification', commands: ['shutdown', 'reboot', 'halt', 'poweroff', 'init', 'telinit', 'mount', 'umount', 'swapon', 'swapoff', 'modprobe', 'insmod', 'rmmod', 'kextload', 'kextunload', 'iptables', 'ip6tables', 'iptables-restore', 'nft', 'ufw', 'firewall-cmd', 'pfctl', 'useradd', 'userdel', 'usermod', 'adduser', 'deluser', 'groupadd', 'groupdel', 'groupmod', 'passwd', 'chpasswd', 'chsh', 'visudo', 'dscl', 'csrutil', 'spctl', 'nvram', 'bless', 'update-grub', 'grub-install', 'efibootmgr', 'timedatectl', 'hostnamectl', 'localectl', 'setenforce', 'aa-disable', 'auditctl', 'tccutil'] },
  { verdict: 'block', reason: 'system_modification', commands: ['systemctl'], subcommands: ['start', 'stop', 'restart', 'try-restart', 'reload', 'reload-or-restart', 'enable', 'disable', 'reenable', 'mask', 'unmask', 'kill', 'clean', 'freeze', 'thaw', 'daemon-reload', 'daemon-reexec', 'set-property', 'revert', 'edit', 'isolate', 'link', 'preset', 'preset-all', 'set-default', 'set-environment', 'unset-environment', 'import-environment', 'poweroff', 'reboot', 'halt', 'suspend', 'hibernate', 'hybrid-sleep', 'kexec', 'rescue', 'emergency', 'default', 'switch-root', 'add-wants', 'add-requires', 'reset-failed'] },
  { verdict: 'block', reason: 'system_modification', commands: ['launchctl'], subcommands: ['load', 'unload', 'bootstrap', 'bootout', 'enable', 'disable', 'kickstart', 'kill', 'remove', 'submit', 'start', 'stop', 'setenv', 'unsetenv', 'config', 'reboot', 'asuser', 'bsexec', 'limit'] },
  { verdict: 'block', reason: 'system_modification', commands: ['service', 'rc-service', 'rc-update', 'sv', 'update-rc.d', 'chkconfig'], withoutOption: ['--help', '--version', '--status-all'] },
  { verdict: 'block', reason: 'system_modification', commands: ['sysctl'], withOption: SYSCTL_WRITES },
  { verdict: 'block', reason: 'system_modification', commands: ['sysctl'], withArg: /=/ },
  { verdict: 'block', reason: 'persistence', commands: ['crontab', 'at', 'batch'], withoutOption: ['-l'] },
  // Publishing and re-pointing git remotes.
  { verdict: 'block', reason: 'git_remote_write', commands: ['git'], subcommands: ['push', 'remote', 'send-email', 'request-pull', 'svn'] },
  // System-wide package installs and removals.
  { verdict: 'block', reason: 'system_package_install', commands: SYSTEM_PACKAGE_MANAGERS, subcommands: ['install', 'reinstall', 'remove', 'uninstall', 'purge', 'erase', 'autoremove', 'upgrade', 'dist-upgrade', 'full-upgrade', 'update', 'add', 'del', 'fix', 'tap', 'cask', 'link', 'unlink', 'refresh', 'downgrade', 'build-dep', 'source', 'dup', 'patch', 'in', 'rm', 'up'] },
  { verdict: 'block', reason: 'system_package_install', commands: ['pacman', 'yay', 'paru'], withOption: ['-S', '-R', '-U', '--sync', '--remove', '--upgrade'] },
  { verdict: 'block', reason: 'system_package_install', commands: ['dpkg'], withOption: ['-i', '-r', '-P', '--install', '--remove', '--purge', '--unpack', '--configure'] },
  { verdict: 'block', reason: 'system_package_install', commands: ['rpm'], withOption: ['-i', '-U', '-F', '-e', '--install', '--upgrade', '--freshen', '--erase'], withoutOption: ['-q', '--query'] },
  { verdict: 'block', reason: 'system_package_install', commands: ['installer'] },
  { verdict: 'block', reason: 'system_package_install', commands: JS_PACKAGE_MANAGERS, withOption: ['-g', '--global', '--location=global'] },
  { verdict: 'block', reason: 'system_package_install', commands: ['yarn'], subcommands: ['global'] },
  { verdict: 'block', reason: 'system_package_install', commands: PYTHON_PACKAGE_MANAGERS, withOption: ['--break-system-packages', '--system', '--root'] },
  // Reverse shells: a network tool told to execute a program.
  { verdict: 'block', reason: 'remote_code_execution', commands: ['nc', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd'], withOption: ['-e', '-c', '--exec', '--sh-exec', '--lua-exec'] },
];

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
  '-k': 'loads', '--lesskey-file': 'loads', '--lesskey-src': 'loads', '--lesskey-content': 'loads',
  '-o': 'writes', '-O': 'writes', '--log-file': 'writes', '--LOG-FILE': 'writes',
};

const TAR_EFFECTS: Readonly<Record<string, OptionEffect>> = {
  '--to-command': 'program', '--use-compress-program': 'program', '-I': 'program', '--checkpoint-action': 'program', '--info-script': 'program',
  '--new-volume-script': 'program', '-F': 'program', '--rsh-command': 'program', '--rmt-command': 'program',
};
const SSH_EFFECTS: Readonly<Record<string, OptionEffect>> = { '-F': 'loads', '-E': 'writes' };
const NC_EFFECTS: Readonly<Record<string, OptionEffect>> = { '-e': 'program', '-c': 'program', '--exec': 'program', '--sh-exec': 'program', '--lua-exec': 'loads' };
/** Vim's own: `-c`, `--cmd` and `+cmd` Ex commands are read by the policy (a `:!` runs the shell). */
const VIM_EFFECTS: Readonly<Record<string, OptionEffect>> = { '-S': 'loads', '-s': 'loads', '-w': 'writes', '-W': 'writes', '--startuptime': 'writes', '-i': 'writes' };
const EMACS_EFFECTS: Readonly<Record<string, OptionEffect>> = { '--eval': 'loads', '-eval': 'loads', '--execute': 'loads', '-l': 'loads', '--load': 'loads', '--script': 'loads', '-f': 'loads', '--funcall': 'loads' };

export const OPTION_EFFECTS: Readonly<Record<string, Readonly<Record<string, OptionEffect>>>> = {
  less: PAGER_EFFECTS, zless: PAGER_EFFECTS,
  man: { '-P': 'program', '--pager': 'program', '-H': 'program', '--html': 'program', '-C': 'loads', '--config-file': 'loads' },
  bat: { '--pager': 'program' }, batcat: { '--pager': 'program' }, delta: { '--pager': 'program' }, ag: { '--pager': 'program' }, ack: { '--pager': 'program' },
  tar: TAR_EFFECTS, bsdtar: TAR_EFFECTS,
  rg: { '--pre': 'program' }, ripgrep: { '--pre': 'program' },
  sort: { '--compress-program': 'program' },
  diff3: { '--diff-program': 'program' }, sdiff: { '--diff-program': 'program' },
  zip: { '-TT': 'program', '--unzip-command': 'program' },
  rsync: { '-e': 'program', '--rsh': 'program', '--rsync-path': 'program', '--log-file': 'writes', '--write-batch': 'writes', '--only-write-batch': 'writes' },
  ssh: SSH_EFFECTS,
  scp: { '-S': 'program', '-F': 'loads' },
  sftp: { '-S': 'program', '-D': 'program', '-F': 'loads', '-b': 'loads' },
  nc: NC_EFFECTS, ncat: NC_EFFECTS, netcat: NC_EFFECTS, 'nc.traditional': NC_EFFECTS, 'nc.openbsd': NC_EFFECTS,
  strace: { '-o': 'writes' }, ltrace: { '-o': 'writes' },
  wget: { '--use-askpass': 'program', '-e': 'loads', '--execute': 'loads' },
  npx: { '-c': 'program', '--call': 'program' },
  vim: VIM_EFFECTS, vi: VIM_EFFECTS, nvim: VIM_EFFECTS, view: VIM_EFFECTS, vimdiff: VIM_EFFECTS, gvim: VIM_EFFECTS, ex: VIM_EFFECTS, rvim: VIM_EFFECTS, vim_basic: VIM_EFFECTS,
  emacs: EMACS_EFFECTS,
  gdb: { '-x': 'loads', '--command': 'loads', '-ix': 'loads', '--init-command': 'loads', '-ex': 'loads', '--eval-command': 'loads', '-iex': 'loads', '--init-eval-command': 'loads' },
};

/** Editors that take Ex commands in `-c`, `--cmd` and `+cmd`, and read them from standard input in Ex mode. */
export const VIM_EDITORS: ReadonlySet<string> = new Set(['vim', 'vi', 'nvim', 'view', 'vimdiff', 'gvim', 'ex', 'rvim', 'vim_basic']);

/** ssh options (`-o Key=Value`) whose value is a command ssh runs locally, or a library or file it loads. */
export const SSH_PROGRAM_OPTIONS: Readonly<Record<string, OptionEffect>> = {
  proxycommand: 'program', localcommand: 'program', knownhostscommand: 'program', remotecommand: 'program',
  pkcs11provider: 'loads', securitykeyprovider: 'loads', include: 'loads',
};
/** Tools that read ssh's `-o` options. */
export const SSH_CLIENTS: ReadonlySet<string> = new Set(['ssh', 'scp', 'sftp', 'autossh', 'sshfs', 'mosh']);

/** socat addresses that run a program (`EXEC:cmd`, `SYSTEM:shell-command`), and those that reach the network. */
export const SOCAT_ADDRESSES = {
  program: /^(exec|system)[:,]/i,
  network: /^(tcp[46]?(-connect|-listen)?|udp[46]?(-connect|-listen|-sendto|-recvfrom|-recv|-datagram)?|openssl(-connect|-listen)?|ssl(-l)?|sctp[46]?(-connect|-listen)?|dccp[46]?(-connect|-listen)?|socks[45]a?|proxy(-connect)?|ip[46]?(-sendto|-recvfrom|-recv|-datagram)?|vsock(-connect|-listen)?|udp-l|tcp-l)[:,]/i,
  file: /^(open|gopen|create|file)[:,]/i,
} as const;

/**
 * Environment variables whose value is a command line something runs (`GIT_SSH_COMMAND`,
 * `PAGER`, `LESSOPEN`, `PROMPT_COMMAND`): on a command or exported, the value is parsed and judged
 * as the command it is, on top of the variable being risky (RISKY_ENV).
 */
export const PROGRAM_ENV: ReadonlySet<string> = new Set([
  'GIT_SSH_COMMAND', 'GIT_SSH', 'GIT_EDITOR', 'GIT_PAGER', 'GIT_SEQUENCE_EDITOR', 'GIT_EXTERNAL_DIFF', 'GIT_ASKPASS', 'GIT_PROXY_COMMAND',
  'PAGER', 'MANPAGER', 'SYSTEMD_PAGER', 'BAT_PAGER', 'DELTA_PAGER', 'EDITOR', 'VISUAL', 'BROWSER', 'SSH_ASKPASS', 'SUDO_ASKPASS',
  'RSYNC_RSH', 'CVS_RSH', 'PROMPT_COMMAND', 'LESSOPEN', 'LESSCLOSE',
]);

/** Pagers whose `+cmd` arguments are commands they run as if typed (`less +G`, but also `less '+!sh'`). */
export const PAGERS: ReadonlySet<string> = new Set(['less', 'zless', 'more', 'zmore', 'most', 'pg']);

/** The CONFIRM rules OPTION_EFFECTS implies. */
function optionEffectRules(): CommandRule[] {
  const out: CommandRule[] = [];
  const reasons: Readonly<Record<OptionEffect, ReasonCode>> = { program: 'runs_program', loads: 'runs_program', writes: 'file_write' };
  for (const [command, effects] of Object.entries(OPTION_EFFECTS)) {
    for (const effect of ['program', 'loads', 'writes'] as const) {
      const options = Object.keys(effects).filter((o) => effects[o] === effect);
      if (options.length > 0) out.push({ verdict: 'confirm', reason: reasons[effect], commands: [command], withOption: options });
    }
  }
  return out;
}

export const CONFIRM_RULES: readonly CommandRule[] = [
  ...optionEffectRules(),
  // Network fetches and connections.
  { verdict: 'confirm', reason: 'network_access', commands: ['curl', 'wget', 'wget2', 'fetch', 'http', 'https', 'httpie', 'xh', 'aria2c', 'axel', 'lynx', 'w3m', 'links', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'ftp', 'lftp', 'tftp', 'rsync', 'rclone', 'mosh', 'gh', 'hub', 'glab', 'aws', 'gcloud', 'gsutil', 'az', 'doctl', 'heroku', 'vercel', 'netlify', 'fly', 'flyctl', 'wrangler', 'firebase', 'ngrok', 'cloudflared', 'tailscale', 'nmap', 'ping', 'traceroute', 'dig', 'nslookup', 'host', 'whois'], withoutOption: VERSION_OPTIONS },
  // Talking to a server other than the configured one, or with another configuration (which can name credential programs).
  { verdict: 'confirm', reason: 'network_access', commands: ['kubectl', 'helm'], withOption: ['-s', '--server', '--kube-apiserver', '--kubeconfig'] },
  { verdict: 'confirm', reason: 'network_access', commands: ['docker', 'podman'], withOption: ['-H', '--host', '--url', '--config', '--connection'] },
  { verdict: 'confirm', reason: 'network_access', commands: ['systemctl'], withOption: ['-H', '--host'] },
  // Uploads: local data leaving the machine.
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['curl'], withOption: ['-d', '--data', '--data-binary', '--data-raw', '--data-urlencode', '--data-ascii', '-F', '--form', '--form-string', '-T', '--upload-file', '--json'] },
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['wget', 'wget2'], withOption: ['--post-file', '--body-file', '--post-data', '--body-data'] },
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['http', 'https', 'xh', 'httpie'], withArg: /^[\w-]+(=|:=)@|^@/ },
  // Tools that print secrets they hold or fetch: tokens, decoded Kubernetes secrets, keychain and vault entries.
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['kubectl', 'oc', 'k3s'], subcommands: ['get'], withArg: /^secrets?(\/|$)|(^|,)secrets?(,|$)/, withOption: ['-o', '--output', '--template', '--show-managed-fields'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['kubectl', 'oc'], subcommands: ['config'], withOption: ['--raw'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['gh'], subcommands: ['auth'], withOption: ['token', '-t', '--show-token'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['glab'], subcommands: ['auth'], withOption: ['--show-token', '-t'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['git'], subcommands: ['credential', 'credential-store', 'credential-cache', 'credential-osxkeychain', 'credential-libsecret', 'credential-manager'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['aws'], subcommands: ['configure'], withOption: ['get', 'export-credentials', 'list'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['aws'], subcommands: ['ecr', 'ecr-public'], withOption: ['get-login-password', 'get-authorization-token'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['aws'], subcommands: ['secretsmanager'], withOption: ['get-secret-value', 'batch-get-secret-value'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['aws'], subcommands: ['sts'], withOption: ['get-session-token', 'assume-role', 'assume-role-with-web-identity', 'assume-role-with-saml', 'get-federation-token'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['aws'], subcommands: ['ssm'], withOption: ['--with-decryption'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['gcloud'], subcommands: ['auth'], withOption: ['print-access-token', 'print-identity-token', 'application-default'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['gcloud'], subcommands: ['secrets'], withOption: ['versions'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['az'], subcommands: ['account'], withOption: ['get-access-token'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['az'], subcommands: ['keyvault'], withOption: ['secret'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['heroku'], subcommands: ['auth:token', 'config'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['security'], subcommands: ['find-generic-password', 'find-internet-password', 'find-certificate', 'dump-keychain', 'export', 'export-item'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['secret-tool'], subcommands: ['lookup', 'search'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['pass', 'gopass', 'passage'], withoutOption: VERSION_OPTIONS },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['op'], subcommands: ['read', 'item', 'inject', 'document', 'run', 'signin'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['vault'], subcommands: ['read', 'kv', 'print', 'token'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['bw', 'lpass', 'keeper', 'doppler', 'infisical', 'sops', 'age', 'chamber'], withoutOption: VERSION_OPTIONS },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['gpg', 'gpg2'], withOption: ['-d', '--decrypt', '--export-secret-keys', '--export-secret-subkeys'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['docker-credential-*'] },
  { verdict: 'confirm', reason: 'reads_secrets', commands: ['kwallet-query', 'keyring'] },
  // Package installs (project-local; global installs are blocked above).
  { verdict: 'confirm', reason: 'package_install', commands: JS_PACKAGE_MANAGERS, subcommands: ['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isntal', 'add', 'ci', 'clean-install', 'install-clean', 'update', 'up', 'upgrade', 'remove', 'rm', 'uninstall', 'un', 'unlink', 'link', 'ln', 'dedupe', 'prune', 'rebuild', 'rb', 'exec', 'x', 'dlx', 'create', 'init', 'innit', 'publish', 'unpublish', 'deprecate', 'pack', 'set-script', 'patch'] },
  { verdict: 'confirm', reason: 'package_install', commands: ['npx', 'pnpx', 'bunx', 'uvx', 'pipx'], withoutOption: VERSION_OPTIONS },
  { verdict: 'confirm', reason: 'package_install', commands: PYTHON_PACKAGE_MANAGERS, subcommands: ['install', 'uninstall', 'download', 'wheel', 'add', 'remove', 'sync', 'lock', 'update', 'upgrade', 'pip', 'run', 'tool', 'create', 'env'] },
  { verdict: 'confirm', reason: 'package_install', commands: ['gem', 'bundle', 'composer', 'cpan', 'cpanm', 'luarocks', 'opam', 'cabal', 'stack', 'mix', 'dotnet', 'nuget', 'vcpkg', 'conan', 'helm'], subcommands: ['install', 'add', 'update', 'upgrade', 'remove', 'uninstall', 'exec', 'restore', 'require', 'get', 'deps.get', 'repo'] },
  { verdict: 'confirm', reason: 'package_install', commands: ['cargo'], subcommands: ['install', 'add', 'remove', 'rm', 'update', 'fetch', 'publish', 'uninstall', 'new', 'init', 'generate-lockfile', 'vendor'] },
  { verdict: 'confirm', reason: 'package_install', commands: ['go'], subcommands: ['install', 'get', 'mod', 'generate', 'work'] },
  // Running the project's own code (build scripts, tests, task runners).
  { verdict: 'confirm', reason: 'runs_project_code', commands: JS_PACKAGE_MANAGERS, subcommands: ['run', 'run-script', 'rum', 'urn', 'test', 't', 'tst', 'start', 'stop', 'restart', 'build', 'dev', 'serve', 'lint', 'format', 'watch'] },
  { verdict: 'confirm', reason: 'runs_project_code', commands: ['cargo'], subcommands: ['build', 'b', 'check', 'c', 'test', 't', 'run', 'r', 'bench', 'clippy', 'doc', 'fmt', 'fix'] },
  { verdict: 'confirm', reason: 'runs_project_code', commands: ['go'], subcommands: ['build', 'run', 'test', 'vet', 'fmt', 'tool'] },
  // git operations that can lose work or rewrite history (push and remote are blocked above).
  { verdict: 'confirm', reason: 'git_history_rewrite', commands: ['git'], subcommands: ['reset', 'rebase', 'filter-branch', 'filter-repo', 'replace', 'update-ref', 'gc', 'prune', 'repack', 'checkout-index', 'read-tree', 'restore', 'rm'] },
  { verdict: 'confirm', reason: 'git_history_rewrite', commands: ['git'], subcommands: ['reflog'], withOption: ['expire', 'delete'] },
  // git operations that change the repository or the working tree.
  { verdict: 'confirm', reason: 'git_state_change', commands: ['git'], subcommands: ['clone', 'checkout', 'switch', 'merge', 'pull', 'fetch', 'commit', 'add', 'mv', 'cherry-pick', 'revert', 'am', 'apply', 'init', 'notes', 'bisect', 'mergetool', 'difftool', 'commit-tree', 'hash-object', 'update-index', 'bundle', 'archive', 'format-patch', 'maintenance', 'sparse-checkout', 'ls-remote', 'instaweb', 'daemon', 'p4', 'cvsimport'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['git'], withOption: ['--output'] },
  { verdict: 'confirm', reason: 'git_runs_program', commands: ['git'], subcommands: ['grep'], withOption: ['-O', '--open-files-in-pager'] },
  { verdict: 'confirm', reason: 'git_runs_program', commands: ['git'], withOption: ['--upload-pack', '--receive-pack', '--extcmd', '--template', '--exec'] },
  // Writing, copying, moving, linking, archiving, editing.
  { verdict: 'confirm', reason: 'file_write', commands: ['cp', 'mv', 'ln', 'link', 'install', 'touch', 'mkdir', 'rmdir', 'truncate', 'patch', 'split', 'csplit', 'mkfifo', 'mknod', 'ditto', 'rename', 'zip', '7z', '7za', 'rar', 'unrar', 'gzip', 'gunzip', 'bzip2', 'bunzip2', 'xz', 'unxz', 'zstd', 'unzstd', 'lz4', 'compress', 'uncompress', 'cpio', 'ar', 'pax', 'hdiutil', 'convert', 'magick', 'ffmpeg', 'pandoc', 'sqlite3', 'psql', 'mysql', 'redis-cli', 'mongosh', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'ed', 'ex', 'code', 'subl', 'pbcopy', 'xclip', 'xsel', 'wl-copy'], withoutOption: VERSION_OPTIONS },
  { verdict: 'confirm', reason: 'file_write', commands: ['tar', 'bsdtar'], withoutOption: ['-t', '--list', ...VERSION_OPTIONS] },
  { verdict: 'confirm', reason: 'file_write', commands: ['unzip'], withoutOption: ['-l', '-Z', '-v', '-t'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['tree', 'xmllint', 'info'], withOption: ['-o', '--output'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['sdiff'], withOption: ['-o', '--output'] },
  // xmllint's shell reads commands such as `save FILE` from standard input.
  { verdict: 'confirm', reason: 'file_write', commands: ['xmllint'], withOption: ['--shell'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['file'], withOption: ['-C', '--compile'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['yq'], withOption: ['-s', '--split-exp'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['gawk', 'awk'], withOption: ['-p', '--profile', '-d', '--dump-variables', '-o', '--pretty-print'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['ss'], withOption: ['-D', '--diag'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['sed', 'gsed'], withOption: ['-i', '--in-place'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['perl'], withOption: ['-i'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['yq', 'xq'], withOption: ['-i', '--inplace', '--in-place'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['sort'], withOption: ['-o', '--output'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['find'], withOption: ['-fprint', '-fprint0', '-fprintf', '-fls'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['time'], withOption: ['-o', '--output'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['history'], withOption: ['-c', '-d', '-w', '-a', '-r', '-n', '-s'] },
  // Tools that run a program named in their options.
  { verdict: 'confirm', reason: 'runs_program', commands: ['fd', 'fdfind'], withOption: ['-x', '--exec', '-X', '--exec-batch'] },
  { verdict: 'confirm', reason: 'runs_program', commands: ['go'], subcommands: ['list'], withOption: ['-export', '-compiled', '-toolexec', '-exec'] },
  { verdict: 'confirm', reason: 'runs_program', commands: ['rpm'], withOption: ['--pipe', '--eval', '-E', '--define', '-D', '--macros', '--rcfile', '--load', '--predefine'] },
  // `-i`/`-E` run awk code from a file, `-l` loads a shared library, mawk's `-W exec` reads a program file.
  { verdict: 'confirm', reason: 'script_execution', commands: ['awk', 'gawk', 'mawk', 'nawk'], withOption: ['-i', '--include', '-l', '--load', '-E', '--exec', '-W'] },
  { verdict: 'confirm', reason: 'inline_code', commands: ['awk', 'gawk', 'mawk', 'nawk'], withOption: ['-e', '--source'] },
  // Interpreters that read a program from standard input even when asked for a version.
  { verdict: 'confirm', reason: 'interactive_shell', commands: NO_VERSION_OPTIONS, noPositionals: true },
  // Changing the system clock, names, network configuration, journals.
  { verdict: 'confirm', reason: 'system_modification', commands: ['date'], withOption: ['-s', '--set'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['date'], withArg: /^\d{8,}/ },
  { verdict: 'confirm', reason: 'system_modification', commands: ['hostname', 'scutil'], withArg: /^[^-]/ },
  { verdict: 'confirm', reason: 'system_modification', commands: ['hostname'], withOption: ['-F', '--file'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['ip', 'route', 'ifconfig'], withArg: /^(add|del|delete|deleteall|change|chg|replace|prepend|set|flush|append|restore|attach|exec|up|down|inet6?|netmask|mtu|alias|-alias)$/ },
  // ip runs the commands of a batch file (`-b -` reads them from standard input); it accepts any abbreviation of `-batch`.
  { verdict: 'confirm', reason: 'system_modification', commands: ['ip'], withOption: ['-b', '-ba', '-bat', '-batc', '-batch'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['ss'], withOption: ['-K', '--kill'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['journalctl'], withOption: ['--vacuum-size', '--vacuum-time', '--vacuum-files', '--rotate', '--flush', '--relinquish-var', '--smart-relinquish-var', '--setup-keys', '--update-catalog'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['dmesg'], withOption: ['-c', '-C', '--clear', '--read-clear', '-n', '--console-level', '-D', '-E'] },
  // Changing how later commands behave.
  { verdict: 'confirm', reason: 'persistence', commands: ['alias'], withArg: /=/ },
  { verdict: 'confirm', reason: 'persistence', commands: ['enable'], withOption: ['-f'] },
  { verdict: 'confirm', reason: 'persistence', commands: ['bind'], withOption: ['-x'] },
  // `hash -p PATH NAME` makes NAME run PATH (`hash -p /bin/bash ls`).
  { verdict: 'confirm', reason: 'persistence', commands: ['hash'], withOption: ['-p'] },
  // Completion specs run their word lists, commands and functions when completing, and compgen runs them now.
  { verdict: 'confirm', reason: 'persistence', commands: ['complete'], withOption: ['-C', '-F', '-W'] },
  { verdict: 'confirm', reason: 'dynamic_code', commands: ['compgen'], withOption: ['-C', '-F', '-W'] },
];

export const SAFE_RULES: readonly CommandRule[] = [
  // Reading files and directories.
  { verdict: 'safe', reason: 'read_only', commands: ['ls', 'll', 'la', 'dir', 'vdir', 'exa', 'eza', 'lsd', 'tree', 'cat', 'bat', 'batcat', 'tac', 'nl', 'head', 'tail', 'less', 'more', 'most', 'wc', 'file', 'stat', 'du', 'df', 'find', 'fd', 'fdfind', 'locate', 'mlocate', 'plocate', 'grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ripgrep', 'ag', 'ack', 'readlink', 'realpath', 'basename', 'dirname', 'pwd', 'cd', 'pushd', 'popd', 'dirs', 'md5sum', 'md5', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'shasum', 'b2sum', 'cksum', 'sum', 'xxd', 'od', 'hexdump', 'hd', 'strings', 'diff', 'diff3', 'sdiff', 'cmp', 'comm', 'colordiff', 'delta', 'difft', 'zcat', 'bzcat', 'xzcat', 'zstdcat', 'zless', 'zmore', 'lsof', 'lsattr', 'getfacl', 'namei', 'test', '[', 'look', 'tar', 'bsdtar', 'unzip'] },
  // Text processing to standard output (writes through redirections and file arguments are judged separately).
  { verdict: 'safe', reason: 'read_only', commands: ['echo', 'printf', 'sort', 'uniq', 'cut', 'tr', 'paste', 'join', 'fold', 'fmt', 'expand', 'unexpand', 'column', 'rev', 'seq', 'jq', 'jaq', 'gojq', 'yq', 'xq', 'base64', 'base32', 'basenc', 'sed', 'gsed', 'awk', 'gawk', 'mawk', 'nawk', 'iconv', 'numfmt', 'shuf', 'tsort', 'pr', 'csvlook', 'xmllint', 'envsubst', 'tee', 'sponge', 'true', 'false', ':', 'yes', 'sleep', 'wait', 'clear', 'reset', 'tput', 'stty', 'type', 'which', 'whereis', 'hash', 'help', 'man', 'info', 'tldr', 'apropos', 'whatis', 'printenv', 'env', 'export', 'declare', 'typeset', 'local', 'readonly', 'unset', 'set', 'shopt', 'alias', 'unalias', 'history', 'jobs', 'fg', 'bg', 'disown', 'read', 'getopts', 'shift', 'return', 'exit', 'break', 'continue', 'let', 'umask', 'times', 'ulimit', 'command', 'builtin', 'enable', 'bind', 'complete', 'compgen', 'caller', 'logout', 'xargs', 'time', 'nohup', 'nice'] },
  // Reading system state.
  { verdict: 'safe', reason: 'read_only', commands: ['date', 'cal', 'uptime', 'whoami', 'id', 'groups', 'users', 'who', 'w', 'last', 'uname', 'hostname', 'arch', 'nproc', 'free', 'vm_stat', 'vmstat', 'iostat', 'mpstat', 'ps', 'pgrep', 'pstree', 'top', 'htop', 'btop', 'lscpu', 'lsblk', 'lsusb', 'lspci', 'lsmod', 'sw_vers', 'system_profiler', 'locale', 'tty', 'getconf', 'ss', 'netstat', 'ifconfig', 'ioreg', 'dmesg', 'journalctl', 'ip', 'route', 'scutil'] },
  { verdict: 'safe', reason: 'read_only', commands: ['crontab', 'at', 'atq'], withOption: ['-l'] },
  { verdict: 'safe', reason: 'read_only', commands: ['sysctl'], withoutOption: SYSCTL_WRITES },
  { verdict: 'safe', reason: 'read_only', commands: ['systemctl'], subcommands: ['status', 'show', 'cat', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'help', 'get-default', 'show-environment'] },
  { verdict: 'safe', reason: 'read_only', commands: ['launchctl'], subcommands: ['list', 'print', 'print-cache', 'print-disabled', 'blame', 'version', 'help', 'managerpid', 'manageruid', 'managername', 'error'] },
  // Read-only git.
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['status', 'log', 'diff', 'show', 'blame', 'annotate', 'describe', 'shortlog', 'rev-parse', 'rev-list', 'ls-files', 'ls-tree', 'cat-file', 'grep', 'name-rev', 'merge-base', 'show-ref', 'for-each-ref', 'count-objects', 'whatchanged', 'diff-tree', 'diff-files', 'diff-index', 'check-ignore', 'check-attr', 'check-ref-format', 'var', 'version', 'help', 'range-diff', 'cherry', 'show-branch', 'verify-commit', 'verify-tag', 'fsck', 'reflog'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['branch'], noPositionals: true, withoutOption: GIT_BRANCH_CHANGES },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['branch'], withOption: ['-l', '--list', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--show-current'], withoutOption: GIT_BRANCH_CHANGES },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['tag'], noPositionals: true, withoutOption: GIT_TAG_CHANGES },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['tag'], withOption: ['-l', '--list', '-v', '--verify', '--contains', '--no-contains', '--points-at', '--merged', '--no-merged'], withoutOption: GIT_TAG_CHANGES },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['config'], withOption: ['--get', '--get-all', '--get-regexp', '--get-urlmatch', '-l', '--list', 'get', 'list'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['stash'], withOption: ['list', 'show'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['worktree'], withOption: ['list'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['submodule'], withOption: ['status', 'summary'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['lfs'], withOption: ['ls-files', 'status', 'env', 'version'] },
  // Asking tools about themselves and the project, without changing either.
  ...Object.entries(READ_ONLY_SUBCOMMANDS).map(([tool, subcommands]): CommandRule => ({ verdict: 'safe', reason: 'read_only', commands: [tool], subcommands })),
  { verdict: 'safe', reason: 'read_only', commands: ['go'], subcommands: ['env'], withoutOption: ['-w', '-u'] },
  { verdict: 'safe', reason: 'read_only', commands: ['dpkg', 'rpm', 'pacman'], withOption: ['-l', '--list', '-L', '--listfiles', '-s', '--status', '-S', '--search', '-q', '--query', '-Q'] },
  { verdict: 'safe', reason: 'read_only', commands: ['*'], noPositionals: true, withOption: VERSION_OPTIONS },
  ...Object.entries(INTERPRETER_VERSION_OPTIONS).map(([name, options]): CommandRule => ({ verdict: 'safe', reason: 'read_only', commands: [name], noPositionals: true, withOption: options })),
];

/**
 * What a known command that matched no rule above is about. Such a command is CONFIRM like any
 * unmatched command, but the reason says what kind of thing it does rather than "unknown".
 */
export const FALLBACK_REASONS: Readonly<Record<string, ReasonCode>> = {
  git: 'git_state_change',
  ...Object.fromEntries(['docker', 'podman', 'nerdctl', 'buildah', 'kubectl', 'k3s', 'minikube', 'kind', 'terraform', 'tofu', 'pulumi', 'ansible', 'ansible-playbook', 'vagrant', 'packer', 'multipass', 'lxc', 'virsh', 'colima', 'orb', 'networksetup', 'nmcli', 'defaults', 'pmset', 'open', 'xdg-open', 'gio', 'systemd-run'].map((c) => [c, 'system_modification' as const])),
  ...Object.fromEntries(['make', 'gmake', 'cmake', 'ninja', 'meson', 'bazel', 'bazelisk', 'buck', 'buck2', 'gradle', 'gradlew', 'mvn', 'mvnw', 'ant', 'sbt', 'lein', 'rake', 'just', 'task', 'invoke', 'nox', 'tox', 'pytest', 'py.test', 'jest', 'vitest', 'mocha', 'ava', 'karma', 'playwright', 'cypress', 'tsc', 'tsx', 'ts-node', 'esbuild', 'vite', 'webpack', 'rollup', 'parcel', 'turbo', 'nx', 'lerna', 'eslint', 'prettier', 'biome', 'ruff', 'black', 'isort', 'mypy', 'pyright', 'flake8', 'pylint', 'rubocop', 'phpunit', 'swift', 'xcodebuild', 'gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'rustc', 'javac', 'kotlinc', 'scalac', 'ghc', 'zig', 'nim', 'dune', 'npm', 'pnpm', 'yarn', 'bun', 'cargo', 'go', 'dotnet'].map((c) => [c, 'runs_project_code' as const])),
  ...Object.fromEntries([...SYSTEM_PACKAGE_MANAGERS, 'pacman', 'dpkg', 'rpm', ...PYTHON_PACKAGE_MANAGERS, 'gem', 'bundle', 'composer', 'helm'].map((c) => [c, 'package_install' as const])),
};

const PIP_OPTIONS: OptionSpec = {
  withValue: ['--python', '--log', '--proxy', '--cert', '--client-cert', '--cache-dir', '--trusted-host', '--retries', '--timeout', '--exists-action', '--use-feature', '--use-deprecated', '--keyring-provider', '--resume-retries'],
  flags: ['-v', '--verbose', '-q', '--quiet', '--isolated', '--no-input', '--no-cache-dir', '--disable-pip-version-check', '--no-color', '--require-virtualenv', '--debug', '--no-python-version-warning'],
};
const APT_OPTIONS: OptionSpec = { withValue: ['-o', '-c', '-t', '--target-release'], flags: ['-y', '--yes', '-q', '-qq', '--quiet'] };

/**
 * What the rules know about tools' options. Keyed by tool: its options before its subcommand (`git
 * -C dir status`), or all of them for a tool without subcommands (`tar`); keyed by tool and
 * subcommand (`git config`): the options after the subcommand. `withValue` lets the subcommand be
 * found past `-C dir`; `flags` let an option or subcommand after them be certain. An option that is
 * in neither may take the next word as its value, so what follows it is never certain.
 */
export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  git: {
    withValue: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--list-cmds', '--attr-source'],
    flags: ['-P', '--no-pager', '-p', '--paginate', '--bare', '--no-replace-objects', '--no-lazy-fetch', '--no-optional-locks', '--no-advice', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs'],
  },
  'git config': { withValue: [], flags: ['--global', '--system', '--local', '--worktree', '--includes', '--no-includes', '--show-origin', '--show-scope', '-z', '--null', '--name-only', '--fixed-value', '--bool', '--int', '--bool-or-int', '--path', '--expiry-date', '--no-type'] },
  'git branch': { withValue: [], flags: ['-a', '--all', '-r', '--remotes', '-v', '-vv', '--verbose', '-q', '--quiet', '-i', '--ignore-case', '--omit-empty', '--no-color', '--no-column', '--no-abbrev', '-l', '--list', '--show-current'] },
  'git tag': { withValue: [], flags: ['-l', '--list', '-n', '-i', '--ignore-case', '--omit-empty', '--no-color', '--no-column', '-v', '--verify'] },
  'git clean': { withValue: [], flags: ['-d', '-x', '-X', '-q', '--quiet'] },
  npm: {
    withValue: ['--prefix', '-w', '--workspace', '--userconfig', '--globalconfig', '--cache', '--registry', '--loglevel'],
    flags: ['--json', '-s', '--silent', '-q', '--quiet', '-d', '--verbose', '-ws', '--workspaces', '--include-workspace-root', '-l', '--long', '-a', '--all', '-p', '--parseable', '--no-color'],
  },
  pnpm: { withValue: ['-C', '--dir', '--filter', '-F', '--workspace-dir', '--loglevel'], flags: ['-r', '--recursive', '--json', '-s', '--silent', '-w', '--workspace-root'] },
  yarn: { withValue: ['--cwd', '--modules-folder', '--cache-folder'], flags: ['-s', '--silent', '--json', '--verbose', '--offline'] },
  cargo: { withValue: ['--manifest-path', '-Z', '--config', '-C', '--color'], flags: ['-q', '--quiet', '-v', '--verbose', '-vv', '--frozen', '--locked', '--offline'] },
  go: { withValue: ['-C'], flags: [] },
  docker: { withValue: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'], flags: ['-D', '--debug', '--tls', '--tlsverify'] },
  podman: { withValue: ['-c', '--connection', '--url', '--log-level', '--root', '--runroot', '--storage-driver'], flags: [] },
  kubectl: { withValue: ['-n', '--namespace', '--context', '--cluster', '--kubeconfig', '-s', '--server', '--user', '-o', '--output', '-v', '--v', '--request-timeout'], flags: ['-A', '--all-namespaces'] },
  helm: { withValue: ['-n', '--namespace', '--kube-context', '--kubeconfig', '--kube-apiserver', '--registry-config', '--repository-config', '--repository-cache'], flags: ['--debug'] },
  apt: APT_OPTIONS,
  'apt-get': APT_OPTIONS,
  pip: PIP_OPTIONS,
  pip3: PIP_OPTIONS,
  brew: { withValue: [], flags: ['-v', '--verbose', '-d', '--debug', '-q', '--quiet'] },
  systemctl: {
    withValue: ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal', '--state', '-n', '--lines', '-o', '--output', '--root'],
    flags: ['--user', '--system', '--global', '--no-pager', '--no-legend', '--plain', '-l', '--full', '-a', '--all', '-q', '--quiet', '--failed', '-r', '--recursive', '--reverse', '--after', '--before', '--show-types', '--value', '--runtime'],
  },
  tar: { withValue: [], flags: ['-t', '--list', '-v', '--verbose', '-z', '--gzip', '-j', '--bzip2', '-J', '--xz', '--zstd', '-a', '--auto-compress', '-O', '--to-stdout'] },
  bsdtar: { withValue: [], flags: ['-t', '--list', '-v', '--verbose', '-z', '--gzip', '-j', '--bzip2', '-J', '--xz', '--zstd', '-O', '--to-stdout'] },
  unzip: { withValue: [], flags: ['-q', '-qq', '-v', '-z', '-l', '-t', '-Z'] },
};

/** Tools that do not read their options as getopt does (see OptionStyle). */
export const OPTION_STYLES: Readonly<Record<string, OptionStyle>> = { find: 'expression', ip: 'words', go: 'words' };

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
  xargs: { optionsWithValue: ['-I', '-L', '-n', '-P', '-s', '-d', '-E', '-a', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars', '--process-slot-var'] },
  sudo: { optionsWithValue: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'] },
  doas: { optionsWithValue: ['-u', '-C'] },
  su: { optionsWithValue: ['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'], commandOptions: ['-c', '--command', '--session-command'] },
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
  'xvfb-run': { optionsWithValue: ['-n', '--server-num', '-s', '--server-args', '-e', '--error-file', '-f', '--auth-file', '-p', '--xauth-protocol', '-w', '--wait'], ownOptions: ['-e', '--error-file', '-f', '--auth-file', '-s', '--server-args'] },
  script: { optionsWithValue: ['-E', '--echo', '-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing', '-m', '--logging-format', '-o', '--output-limit'], commandOptions: ['-c', '--command'], ownOptions: ['-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing'] },
  hyperfine: { optionsWithValue: ['-w', '--warmup', '-m', '--min-runs', '-M', '--max-runs', '-r', '--runs', '--export-json', '--export-markdown', '--export-csv', '--export-asciidoc', '--export-orgmode', '-S', '--shell', '-n', '--command-name', '--output', '--input', '--style', '--sort', '-u', '--time-unit', '-D', '--parameter-step-size', '--min-benchmarking-time'], commandOptions: ['-p', '--prepare', '-c', '--cleanup', '-s', '--setup', '--conclude', '--reference'], joinsIntoShell: { unless: [] }, ownOptions: ['--export-json', '--export-markdown', '--export-csv', '--export-asciidoc', '--export-orgmode', '--output', '-S', '--shell'] },
  entr: { optionsWithValue: [] },
  parallel: { optionsWithValue: ['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '-a', '--arg-file', '--delay', '--timeout'], joinsIntoShell: { unless: [] }, ownOptions: ['--joblog', '--results', '-S', '--sshlogin'] },
};

/**
 * Where commands write, so that the destination can be judged (a secret, a system directory, a
 * startup file, outside the working directory). `targets` says which positional arguments are
 * written: all of them, the last one (`cp a b dir/`), or all after the first (`chmod MODE files`);
 * `targetOptions` name options whose value is written (`sort -o FILE`, `dd of=FILE`).
 */
export interface WriteTargetSpec {
  readonly targets: 'all' | 'last' | 'after-first' | 'none';
  readonly optionsWithValue: readonly string[];
  readonly targetOptions?: readonly string[];
  /** Only when one of these options is given (`sed -i`). */
  readonly when?: readonly string[];
  /** When one of these options carries the program, every positional is a file (`sed -e P f`). */
  readonly programOptions?: readonly string[];
}

const COPY: WriteTargetSpec = { targets: 'last', optionsWithValue: ['-S', '--suffix', '-t', '--target-directory', '-m', '--mode', '-o', '--owner', '-g', '--group'], targetOptions: ['-t', '--target-directory'] };
const REMOVE: WriteTargetSpec = { targets: 'all', optionsWithValue: ['-n', '--iterations', '-s', '--size', '--random-source'] };

export const WRITE_TARGETS: Readonly<Record<string, WriteTargetSpec>> = {
  cp: COPY, mv: COPY, install: COPY, ln: COPY, link: COPY, ditto: COPY, gcp: COPY, gmv: COPY,
  rsync: { targets: 'last', optionsWithValue: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--log-file', '--password-file', '--files-from', '--backup-dir', '--chmod', '--rsync-path', '-T', '--temp-dir', '--partial-dir', '--compare-dest', '--link-dest', '--copy-dest', '-B', '--block-size', '--timeout', '--bwlimit', '--port', '--suffix', '--max-size', '--min-size'] },
  scp: { targets: 'last', optionsWithValue: ['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S', '-D'] },
  touch: { targets: 'all', optionsWithValue: ['-d', '--date', '-r', '--reference', '-t'] },
  mkdir: { targets: 'all', optionsWithValue: ['-m', '--mode'] },
  rmdir: { targets: 'all', optionsWithValue: [] },
  truncate: { targets: 'all', optionsWithValue: ['-s', '--size', '-r', '--reference'] },
  tee: { targets: 'all', optionsWithValue: ['--output-error'] },
  sponge: { targets: 'all', optionsWithValue: [] },
  rm: REMOVE, shred: REMOVE, srm: REMOVE, unlink: REMOVE,
  chmod: { targets: 'after-first', optionsWithValue: [] },
  chown: { targets: 'after-first', optionsWithValue: [] },
  chgrp: { targets: 'after-first', optionsWithValue: [] },
  dd: { targets: 'none', optionsWithValue: [], targetOptions: ['of='] },
  sort: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  curl: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output', '--output-dir', '-c', '--cookie-jar', '-D', '--dump-header', '--trace', '--trace-ascii', '--stderr'] },
  wget: { targets: 'none', optionsWithValue: [], targetOptions: ['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output'] },
  time: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  shuf: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  iconv: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  base64: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  tree: { targets: 'none', optionsWithValue: [], targetOptions: ['-o'] },
  xmllint: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  info: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  sdiff: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  ss: { targets: 'none', optionsWithValue: [], targetOptions: ['-D', '--diag'] },
  tar: { targets: 'none', optionsWithValue: [], targetOptions: ['--index-file', '--volno-file'] },
  // `uniq IN OUT`, `xxd IN OUT`, `split FILE PREFIX` write their second operand.
  uniq: { targets: 'last', optionsWithValue: ['-f', '--skip-fields', '-s', '--skip-chars', '-w', '--check-chars'] },
  xxd: { targets: 'last', optionsWithValue: ['-c', '-cols', '-g', '-groupsize', '-l', '-len', '-o', '-offset', '-s', '-seek', '-n', '-name', '-R'] },
  split: { targets: 'last', optionsWithValue: ['-a', '--suffix-length', '--additional-suffix', '-b', '--bytes', '-C', '--line-bytes', '-l', '--lines', '-n', '--number', '-t', '--separator', '--filter'] },
  find: { targets: 'none', optionsWithValue: [], targetOptions: ['-fprint', '-fprint0', '-fprintf', '-fls'] },
  git: { targets: 'none', optionsWithValue: [], targetOptions: ['--output'] },
  patch: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  sed: { targets: 'after-first', optionsWithValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'], when: ['-i', '--in-place'], programOptions: ['-e', '--expression', '-f', '--file'] },
  perl: { targets: 'after-first', optionsWithValue: ['-e', '-E', '-M', '-I'], when: ['-i'], programOptions: ['-e', '-E'] },
};

/** Shells: `-c STRING` is re-parsed; a script argument is a script run; no argument reads stdin. */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'yash', 'posh', 'rbash', 'busybox-sh']);
/** Shell options that take a value (`bash -o pipefail -c ...`). */
export const SHELL_OPTIONS_WITH_VALUE: readonly string[] = ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'];

/** Interpreters and the options with which they run code given inline. */
export const INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  python: ['-c'], python2: ['-c'], python3: ['-c'], pypy: ['-c'], pypy3: ['-c'],
  node: ['-e', '--eval', '-p', '--print'], nodejs: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'], bun: ['-e', '--eval', '-p', '--print'],
  ruby: ['-e'], perl: ['-e', '-E'], php: ['-r'], lua: ['-e'], luajit: ['-e'],
  Rscript: ['-e'], julia: ['-e', '--eval'], osascript: ['-e'], pwsh: ['-c', '-Command', '-EncodedCommand', '-e', '-ec'], powershell: ['-c', '-Command', '-EncodedCommand', '-e', '-ec'],
  tclsh: [], wish: [], expect: ['-c'], groovy: ['-e'], scala: ['-e'], kotlin: ['-e'], jshell: [], java: [], swift: ['-e'], elixir: ['-e'], erl: ['-eval'], ghci: ['-e'], racket: ['-e'], guile: ['-c'], sbcl: ['--eval'], clojure: ['-e'], bb: ['-e'],
};
/** `python3.12` and the like are `python3`. */
export const VERSIONED_INTERPRETER = /^(python|pypy|ruby|perl|php|lua|node)\d+(\.\d+)*$/;

/** Programs that can send data to another machine. */
export const NETWORK_SENDERS: ReadonlySet<string> = new Set(['curl', 'wget', 'wget2', 'http', 'https', 'httpie', 'xh', 'aria2c', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'ftp', 'lftp', 'tftp', 'rsync', 'rclone', 'gh', 'aws', 'gsutil', 'gcloud', 'az', 'openssl', 'mail', 'sendmail', 'mutt']);
/** Programs whose output can carry code fetched from elsewhere. */
export const NETWORK_FETCHERS: ReadonlySet<string> = new Set(['curl', 'wget', 'wget2', 'fetch', 'http', 'https', 'httpie', 'xh', 'aria2c', 'lynx', 'w3m', 'links', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'gh', 'aws', 'gsutil', 'openssl', 'ftp', 'tftp', 'lftp']);

/** Programs that turn encoded text back into code: piping them into a shell is obfuscation. */
export const DECODERS: Readonly<Record<string, readonly string[]>> = {
  base64: ['-d', '--decode', '-D'], base32: ['-d', '--decode'], basenc: ['-d', '--decode'],
  xxd: ['-r', '-revert'], openssl: ['-d', '-base64', 'base64', 'enc'], uudecode: [], rev: [],
  gunzip: [], zcat: [], gzip: ['-d', '--decode', '--decompress'], bzcat: [], xzcat: [], unxz: [], zstdcat: [],
  tr: [], iconv: [], printf: ['%b'],
};

/**
 * Environment variables that change which code runs or how, when set on a command or exported.
 * `*` at the end matches a prefix.
 */
export const RISKY_ENV: readonly string[] = [
  'PATH', 'LD_*', 'DYLD_*', 'GCONV_PATH', 'OPENSSL_CONF', 'OPENSSL_ENGINES', 'OPENSSL_MODULES', 'GIT_*', 'BASH_ENV',
  'ENV', 'PROMPT_COMMAND', 'PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'IFS', 'SHELLOPTS', 'BASHOPTS', 'GLOBIGNORE', 'EXECIGNORE',
  'CDPATH', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONINSPECT', 'PERL5OPT',
  'PERL5LIB', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'GEM_HOME', 'GEM_PATH', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS', 'CLASSPATH', 'EDITOR', 'VISUAL', 'BROWSER', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'HISTFILE', 'HOME',
  'ZDOTDIR', 'XDG_CONFIG_HOME', 'NPM_CONFIG_*', 'npm_config_*', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'CARGO_*',
  'RUSTC', 'RUSTC_WRAPPER', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'GOFLAGS', 'GOENV', 'GOROOT', 'GOTOOLCHAIN', 'CC', 'CXX',
  'MAKEFLAGS', 'http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'SSL_CERT_FILE', 'SSLKEYLOGFILE',
  'NODE_TLS_REJECT_UNAUTHORIZED', 'GNUPGHOME', 'KUBECONFIG', 'DOCKER_HOST', 'DOCKER_CONFIG', 'CURL_HOME', 'WGETRC',
  // Pagers, preprocessors and default options of the tools the tables call read-only: each can name a
  // program to run or a file to write (`RIPGREP_CONFIG_PATH` can add `--pre`, `TAR_OPTIONS` a checkpoint action).
  'PAGER', 'MANPAGER', 'MANOPT', 'GIT_PAGER', 'SYSTEMD_PAGER', 'BAT_PAGER', 'BAT_CONFIG_PATH', 'BAT_CONFIG_DIR',
  'DELTA_PAGER', 'LESS', 'LESSOPEN', 'LESSCLOSE', 'LESSKEY', 'LESSKEYIN', 'LESSKEY_CONTENT', 'LESSEDIT',
  'RIPGREP_CONFIG_PATH', 'GREP_OPTIONS', 'TAR_OPTIONS', 'ACK_OPTIONS', 'ACK_PAGER', 'ACK_PAGER_COLOR', 'UNZIP',
  'UNZIPOPT', 'ZIPINFO', 'ZIPINFOOPT', 'PARALLEL', 'MORE', 'MOST_INITFILE', 'MOST_EDITOR', 'MANROFFOPT', 'GROFF_COMMAND_PREFIX',
];
/** The most dangerous of those: loading arbitrary code into every process. */
export const CODE_INJECTION_ENV: readonly string[] = ['LD_PRELOAD', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'GCONV_PATH', 'BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'NODE_OPTIONS', 'PERL5OPT', 'RUBYOPT', 'JAVA_TOOL_OPTIONS', 'PYTHONSTARTUP'];

/**
 * Builtins that assign the variables their arguments name: `optionsWithValue` take a value,
 * `nameOptions` take a variable name (`printf -v NAME`, `read -a NAME`), and with `positionalNames`
 * every positional argument is one (`read PS4`). Assigning a RISKY_ENV name this way is as risky
 * as `PS4=...`.
 */
export const ASSIGNING_BUILTINS: Readonly<Record<string, { readonly optionsWithValue: readonly string[]; readonly nameOptions: readonly string[]; readonly positionalNames: boolean }>> = {
  printf: { optionsWithValue: ['-v'], nameOptions: ['-v'], positionalNames: false },
  read: { optionsWithValue: ['-a', '-d', '-i', '-n', '-N', '-p', '-t', '-u'], nameOptions: ['-a'], positionalNames: true },
  mapfile: { optionsWithValue: ['-d', '-n', '-O', '-s', '-u', '-C', '-c'], nameOptions: [], positionalNames: true },
  readarray: { optionsWithValue: ['-d', '-n', '-O', '-s', '-u', '-C', '-c'], nameOptions: [], positionalNames: true },
};
/** Declarations whose `-n` makes a variable a reference: assigning it assigns the variable it names. */
export const NAMEREF_BUILTINS: readonly string[] = ['declare', 'typeset', 'local'];
/** Shell options that let a glob name hidden files (after `shopt -s dotglob`, `*` matches `.aws`). */
export const RISKY_SHELL_OPTIONS: readonly string[] = ['dotglob'];

/** git configuration keys whose values git runs as programs (`git -c core.pager='sh -c ...' log`). */
export const GIT_PROGRAM_KEYS: readonly string[] = [
  'core.pager', 'core.editor', 'core.sshcommand', 'core.fsmonitor', 'core.hookspath', 'core.askpass', 'core.gitproxy',
  'sequence.editor', 'diff.external', 'diff.*.command', 'diff.*.textconv', 'merge.*.driver', 'filter.*.clean',
  'filter.*.smudge', 'filter.*.process', 'credential.helper', 'credential.*.helper', 'gpg.program', 'gpg.*.program',
  'pager.*', 'alias.*', 'protocol.allow', 'protocol.*.allow', 'uploadpack.packobjectshook', 'remote.*.uploadpack',
  'remote.*.receivepack', 'remote.*.proxy', 'http.proxy', 'include.path', 'includeif.*.path', 'init.templatedir',
  'mergetool.*.cmd', 'difftool.*.cmd', 'interactive.difffilter', 'web.browser', 'browser.*.cmd', 'man.*.cmd',
  'sendemail.*', 'ssh.variant', 'submodule.*.update', 'receive.procreceiverefs', 'http.sslcainfo',
];

/** Directories whose programs are trusted to be what their names say. */
export const SYSTEM_BIN_DIRS: readonly string[] = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/opt/homebrew/bin', '/opt/homebrew/sbin', '/usr/libexec', '/run/current-system/sw/bin', '/nix/var/nix/profiles/default/bin', '/snap/bin'];

/**
 * Locations that hold secrets. `~` is the home directory; a pattern without `/` matches a file or
 * directory name anywhere in a path (`.env`, `id_rsa`); `*` matches within one path component.
 */
export const SENSITIVE_PATHS: readonly string[] = [
  '~/.ssh', '~/.gnupg', '~/.aws', '~/.azure', '~/.kube', '~/.docker', '~/.config/gcloud', '~/.config/gh', '~/.config/hub',
  '~/.config/op', '~/.password-store', '~/.netrc', '~/.git-credentials', '~/.npmrc', '~/.pypirc', '~/.gem/credentials',
  '~/.cargo/credentials', '~/.cargo/credentials.toml', '~/.terraform.d', '~/.vault-token', '~/.pgpass', '~/.my.cnf',
  '~/.bash_history', '~/.zsh_history', '~/.python_history', '~/.node_repl_history', '~/.psql_history', '~/.mysql_history',
  '~/Library/Keychains', '/Library/Keychains', '~/.local/share/keyrings', '~/.mozilla', '~/.thunderbird',
  '~/.config/google-chrome', '~/.config/chromium', '~/.config/BraveSoftware', '~/.config/microsoft-edge',
  '~/Library/Application Support/Google/Chrome', '~/Library/Application Support/Firefox', '~/Library/Cookies',
  '~/Library/Application Support/BraveSoftware', '~/Library/Safari', '~/.electrum', '~/.bitcoin', '~/.ethereum',
  '~/.aleph', '/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/sudoers.d', '/etc/ssh', '/etc/ssl/private',
  '/root', '/var/root', '/proc/*/environ', '/proc/*/mem', '/dev/mem', '/dev/kmem',
  // Agents' and tools' own tokens, keyrings, and the tokens a container or pod is given.
  '~/.claude/.credentials.json', '~/.codex/auth.json', '~/.gemini/oauth_creds.json', '~/.config/github-copilot',
  '~/.cache/huggingface/token', '~/.huggingface/token', '~/.config/git/credentials', '~/.config/rclone', '~/.config/doctl',
  '~/.s3cfg', '~/.boto', '~/.oci', '~/.terraformrc', '~/.m2/settings.xml', '~/.gradle/gradle.properties',
  '~/.gnome2/keyrings', '~/.local/share/kwalletd', '~/.kde/share/apps/kwallet', '/etc/krb5.keytab',
  '/var/run/secrets', '/run/secrets',
  '.env', '.env.*', '.envrc', 'id_rsa', 'id_rsa.*', 'id_dsa', 'id_ecdsa', 'id_ecdsa.*', 'id_ed25519', 'id_ed25519.*',
  '*.pem', '*.key', '*.p12', '*.pfx', '*.keychain', '*.keychain-db', '*.kdbx', 'credentials.json', 'service-account*.json',
  'secrets.yml', 'secrets.yaml', '.htpasswd', 'known_hosts', 'authorized_keys',
];

/** System locations no agent should write to. */
export const SYSTEM_PATHS: readonly string[] = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/opt', '/var', '/sys', '/proc', '/System', '/Library', '/Applications', '/private/etc', '/private/var', '/snap', '/srv', '/root'];
/** Writable places outside the working directory that are expected scratch space. */
export const SCRATCH_PATHS: readonly string[] = ['/tmp', '/var/tmp', '/private/tmp', '/dev/shm', '/var/folders'];
/** Devices that are harmless to write to. */
export const HARMLESS_DEVICES: readonly string[] = ['/dev/null', '/dev/zero', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/tty', '/dev/fd/*', '/dev/pts/*', '/proc/self/fd/*'];

/** Files and folders whose contents run later, automatically. */
export const PERSISTENCE_PATHS: readonly string[] = [
  '~/.bashrc', '~/.bash_profile', '~/.bash_login', '~/.bash_logout', '~/.profile', '~/.zshrc', '~/.zshenv', '~/.zprofile',
  '~/.zlogin', '~/.zlogout', '~/.config/fish', '~/.inputrc', '~/.xinitrc', '~/.xprofile', '~/.xsession', '~/.config/autostart',
  '~/.config/systemd', '~/Library/LaunchAgents', '/Library/LaunchAgents', '/Library/LaunchDaemons', '~/.vimrc', '~/.gitconfig',
  '~/.config/git', '~/.npmrc', '~/.pip', '~/.config/pip', '~/.cargo/config', '~/.cargo/config.toml', '~/.ssh/rc', '~/.ssh/config',
  '~/.ssh/authorized_keys', '/etc/cron*', '/var/spool/cron', '/etc/profile', '/etc/profile.d', '/etc/bash.bashrc',
  '/etc/zshrc', '/etc/rc.local', '/etc/systemd', '/etc/init.d', '.git/hooks', '.husky', '.git/config', '.gitattributes',
  '.envrc', '.vscode/tasks.json', '.vscode/settings.json', '.devcontainer', '.github/workflows',
];

/**
 * Dev mode auto-approves a few CONFIRM commands without a prompt (the seed's narrow git list):
 * `git clone`, and `git checkout` of a branch or ref. Anything that can lose work or run code is
 * excluded.
 */
export const DEV_AUTO_APPROVE = {
  clone: {
    excludedOptions: ['-c', '--config', '-u', '--upload-pack', '--template', '--separate-git-dir', '--reference', '--server-option'],
    excludedUrls: /^(ext::|fd::|file:|-)/,
  },
  checkout: {
    excludedOptions: ['-b', '-B', '--orphan', '--merge', '-m', '--force', '-f', '-p', '--patch', '--ours', '--theirs', '--conflict', '--pathspec-from-file', '--overwrite-ignore', '-t', '--track'],
  },
  /** Ref names git accepts: no spaces, `..`, control characters, `~^:?*[\`, or leading `-`/`.`. */
  refName: /^(?![-.])(?!.*\.\.)(?!.*\/\.)(?!.*@\{)[^\s~^:?*[\\\x00-\x1f\x7f]+(?<![./])(?<!\.lock)$/,
  /** Global options that make even a clone or checkout run programs. */
  excludedGlobalOptions: ['-c', '--config-env', '--exec-path', '--git-dir', '--work-tree'],
} as const;

/**
 * Variables that name a place holding credentials, with the place they name when unset: a path
 * written through one of them (`"$XDG_CONFIG_HOME/gh/hosts.yml"`, `$ALEPH_HOME/exec-approvals.json`)
 * is judged as that place. `ALEPH_HOME` is the actual one when the caller gives it.
 */
export const PATH_VARIABLES: Readonly<Record<string, string>> = {
  HOME: '~', ALEPH_HOME: '~/.aleph', XDG_CONFIG_HOME: '~/.config', XDG_CACHE_HOME: '~/.cache', XDG_DATA_HOME: '~/.local/share',
  XDG_STATE_HOME: '~/.local/state', GNUPGHOME: '~/.gnupg', KUBECONFIG: '~/.kube/config', DOCKER_CONFIG: '~/.docker',
  AWS_SHARED_CREDENTIALS_FILE: '~/.aws/credentials', AWS_CONFIG_FILE: '~/.aws/config', CARGO_HOME: '~/.cargo',
  PASSWORD_STORE_DIR: '~/.password-store', CODEX_HOME: '~/.codex', CLAUDE_CONFIG_DIR: '~/.claude', HF_HOME: '~/.cache/huggingface',
  HF_TOKEN_PATH: '~/.cache/huggingface/token', NETRC: '~/.netrc', GH_CONFIG_DIR: '~/.config/gh', NPM_CONFIG_USERCONFIG: '~/.npmrc',
  GOOGLE_APPLICATION_CREDENTIALS: '~/.config/gcloud/application_default_credentials.json', VAULT_TOKEN_PATH: '~/.vault-token',
};

/**
 * What makes an environment variable's name look like a credential's. A name is split at `_`; it is
 * one when a part is one of `parts` (`GITHUB_TOKEN`, `OPENAI_API_KEY`) or ends with a `suffix`,
 * when it starts with one of `prefixes` (`AWS_*`), or is one of `names` (connection strings hold
 * passwords). `notNames` are the shell's own variables that merely look like one.
 */
export const CREDENTIAL_VARIABLES = {
  parts: ['TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'PASS', 'PWD', 'KEY', 'KEYS', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'AUTH', 'COOKIE', 'COOKIES', 'PRIVATE', 'DSN', 'WEBHOOK', 'PAT', 'OTP'],
  /** A part ending with one of these is one too (`PGPASSWORD`, `GITHUBTOKEN`, `OPENAIAPIKEY`). */
  suffixes: ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'COOKIE'],
  prefixes: ['AWS_', 'OP_SESSION_', 'VAULT_', 'AZURE_CLIENT_', 'ARM_CLIENT_'],
  names: ['DATABASE_URL', 'DB_URL', 'REDIS_URL', 'MONGO_URL', 'MONGODB_URI', 'MONGO_URI', 'POSTGRES_URL', 'POSTGRESQL_URL', 'MYSQL_URL', 'AMQP_URL', 'RABBITMQ_URL', 'SESSION'],
  notNames: ['PWD', 'OLDPWD'],
} as const;

/**
 * Tools that read a directory tree's files, and how to find the roots they read: `when` makes a
 * tool recursive (absent: it always is); `pattern` says the first operand is a pattern unless one
 * of the listed options gives it; `roots` which operands are read (`sources`: all but the
 * destination, `cp -r SRC... DST`); `skip` operands before the roots (`zip -r OUT.zip DIR`);
 * `defaultRoot` that no root means the working directory; `readsWith` that the tool only lists
 * names unless one of these options runs something on each file (`find ~ -exec cat {} +`);
 * `stopAt` options after which the words are a command, not roots (`fd x ~ -x cat`);
 * `baseOptions` options whose value the roots are relative to (`tar -C ~ -czf x.tgz .`).
 */
export interface RecursiveReadSpec {
  readonly when?: readonly string[];
  readonly whenValue?: readonly (readonly [option: string, value: string])[];
  readonly optionsWithValue: readonly string[];
  readonly pattern?: { readonly unless: readonly string[] };
  readonly roots?: 'all' | 'sources';
  readonly skip?: number;
  readonly defaultRoot?: boolean;
  readonly readsWith?: readonly string[];
  readonly stopAt?: readonly string[];
  readonly rootOptions?: readonly string[];
  readonly baseOptions?: readonly string[];
  /** Operands come before an expression that starts at the first word beginning with `-`, `(` or `!` (find). */
  readonly expression?: boolean;
}

const GREP_RECURSION: RecursiveReadSpec = {
  when: ['-r', '-R', '--recursive', '--dereference-recursive'],
  whenValue: [['-d', 'recurse'], ['--directories', 'recurse']],
  optionsWithValue: ['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '--after-context', '-B', '--before-context', '-C', '--context', '-d', '--directories', '-D', '--devices', '--include', '--exclude', '--exclude-from', '--exclude-dir', '--label', '--binary-files', '--group-separator'],
  pattern: { unless: ['-e', '--regexp', '-f', '--file'] },
  defaultRoot: true,
};
const RG_RECURSION: RecursiveReadSpec = {
  optionsWithValue: ['-e', '--regexp', '-f', '--file', '-g', '--glob', '--iglob', '-t', '--type', '-T', '--type-not', '--type-add', '--type-clear', '-m', '--max-count', '-A', '--after-context', '-B', '--before-context', '-C', '--context', '-M', '--max-columns', '-j', '--threads', '-d', '--max-depth', '--maxdepth', '-E', '--encoding', '--pre', '--pre-glob', '-r', '--replace', '--sort', '--sortr', '--ignore-file', '--max-filesize', '--path-separator', '--colors', '--color', '--context-separator', '--field-match-separator', '--field-context-separator', '--engine', '--dfa-size-limit', '--regex-size-limit', '--hostname-bin', '--hyperlink-format'],
  pattern: { unless: ['-e', '--regexp', '-f', '--file', '--files', '--type-list'] },
  defaultRoot: true,
};
const TAR_OPTIONS_WITH_VALUE = ['-f', '--file', '-C', '--directory', '-T', '--files-from', '-X', '--exclude-from', '-b', '--blocking-factor', '-H', '--format', '-I', '--use-compress-program', '-g', '--listed-incremental', '-N', '--newer', '-V', '--label', '-L', '--tape-length', '-K', '--starting-file', '--exclude', '--transform', '--xform', '--owner', '--group', '--mode', '--mtime', '--checkpoint-action', '--to-command', '--rsh-command', '--rmt-command', '--index-file', '--volno-file', '--info-script', '-F', '--new-volume-script'];

export const RECURSIVE_READERS: Readonly<Record<string, RecursiveReadSpec>> = {
  grep: GREP_RECURSION, egrep: GREP_RECURSION, fgrep: GREP_RECURSION, ggrep: GREP_RECURSION,
  rgrep: { ...GREP_RECURSION, when: undefined, whenValue: undefined },
  ugrep: GREP_RECURSION, ug: GREP_RECURSION,
  rg: RG_RECURSION, ripgrep: RG_RECURSION,
  ag: { optionsWithValue: ['-A', '-B', '-C', '-G', '--file-search-regex', '-g', '--ignore', '--ignore-dir', '-m', '--max-count', '--depth', '-p', '--path-to-ignore', '--pager', '-W', '--width'], pattern: { unless: ['-g'] }, defaultRoot: true },
  ack: { optionsWithValue: ['-A', '-B', '-C', '--type', '-t', '--ignore-dir', '--ignore-file', '-m', '--max-count', '-g', '--output', '--pager', '--match'], pattern: { unless: ['-g', '--match', '-f'] }, defaultRoot: true },
  find: { optionsWithValue: [], expression: true, readsWith: ['-exec', '-execdir', '-ok', '-okdir'], defaultRoot: true },
  fd: { optionsWithValue: ['-e', '--extension', '-t', '--type', '-E', '--exclude', '-d', '--max-depth', '--min-depth', '--exact-depth', '-S', '--size', '--changed-within', '--changed-before', '-o', '--owner', '--batch-size', '--base-directory', '--search-path', '-j', '--threads', '--max-results', '--color', '-c', '--ignore-file', '--path-separator', '--format'], skip: 1, readsWith: ['-x', '--exec', '-X', '--exec-batch'], stopAt: ['-x', '--exec', '-X', '--exec-batch'], rootOptions: ['--search-path', '--base-directory'], defaultRoot: true },
  tar: { when: ['-c', '--create', '-r', '--append', '-u', '--update'], optionsWithValue: TAR_OPTIONS_WITH_VALUE, baseOptions: ['-C', '--directory'] },
  bsdtar: { when: ['-c', '--create', '-r', '--append', '-u', '--update'], optionsWithValue: TAR_OPTIONS_WITH_VALUE, baseOptions: ['-C', '--directory'] },
  zip: { when: ['-r', '-R', '--recurse-paths', '--recurse-patterns'], optionsWithValue: ['-b', '--temp-path', '-n', '--suffixes', '-t', '--from-date', '-tt', '--before-date', '-x', '--exclude', '-i', '--include', '-P', '--password', '-O', '--output-file', '-TT', '--unzip-command', '-Z', '--compression-method', '-s', '--split-size'], skip: 1 },
  '7z': { optionsWithValue: [], skip: 2 }, '7za': { optionsWithValue: [], skip: 2 }, '7zz': { optionsWithValue: [], skip: 2 },
  cp: { when: ['-r', '-R', '--recursive', '-a', '--archive'], optionsWithValue: ['-S', '--suffix', '-t', '--target-directory', '-m', '--mode', '-o', '--owner', '-g', '--group'], roots: 'sources' },
  gcp: { when: ['-r', '-R', '--recursive', '-a', '--archive'], optionsWithValue: ['-S', '--suffix', '-t', '--target-directory'], roots: 'sources' },
  rsync: { when: ['-r', '--recursive', '-a', '--archive'], optionsWithValue: ['-e', '--rsh', '--exclude', '--include', '--filter', '-f', '--log-file', '--password-file', '--files-from', '--backup-dir', '--chmod', '--rsync-path', '-T', '--temp-dir', '--partial-dir', '--compare-dest', '--link-dest', '--copy-dest', '-B', '--block-size', '--timeout', '--bwlimit', '--port', '--suffix', '--max-size', '--min-size'], roots: 'sources' },
  scp: { when: ['-r'], optionsWithValue: ['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S', '-D'], roots: 'sources' },
  diff: { when: ['-r', '--recursive'], optionsWithValue: ['-x', '--exclude', '-X', '--exclude-from', '-I', '--ignore-matching-lines', '-F', '--show-function-line', '-L', '--label', '-C', '-U', '--unified', '--context', '-W', '--width', '-S', '--starting-file', '--from-file', '--to-file', '--horizon-lines', '--tabsize', '--color', '--palette'] },
};
/** `7z a ARCHIVE DIR` and its kin read their operands only when adding. */
export const ARCHIVE_ADD_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = { '7z': ['a', 'u'], '7za': ['a', 'u'], '7zz': ['a', 'u'] };

/** Tools that print names or metadata of the files they are given, not their contents. */
export const METADATA_READERS: ReadonlySet<string> = new Set(['ls', 'll', 'la', 'dir', 'vdir', 'exa', 'eza', 'lsd', 'du', 'stat', 'echo', 'printf', 'basename', 'dirname', 'realpath', 'readlink', 'test', '[', 'true', 'false', ':', 'namei', 'lsattr', 'getfacl', 'wc', 'touch', 'mkdir', 'rmdir']);
/**
 * Tools whose output names files under the roots they are given (fed to another command, it reads
 * them); `rg` with `--files`. Those that read the files themselves are judged as reads already.
 */
export const FILE_LISTERS: ReadonlySet<string> = new Set(['find', 'fd', 'fdfind', 'locate', 'mlocate', 'plocate', 'rg', 'ripgrep']);

/**
 * Tools whose first operand is a pattern or program, not a file (`grep .env .gitignore` reads
 * `.gitignore`): the options that take a value, and those that give the pattern instead.
 */
export const PATTERN_OPERANDS: Readonly<Record<string, { readonly optionsWithValue: readonly string[]; readonly unless: readonly string[] }>> = {
  ...Object.fromEntries(['grep', 'egrep', 'fgrep', 'ggrep', 'rgrep', 'zgrep', 'ugrep', 'ug'].map((c) => [c, { optionsWithValue: GREP_RECURSION.optionsWithValue, unless: GREP_RECURSION.pattern!.unless }])),
  ...Object.fromEntries(['rg', 'ripgrep'].map((c) => [c, { optionsWithValue: RG_RECURSION.optionsWithValue, unless: RG_RECURSION.pattern!.unless }])),
  ...Object.fromEntries(['awk', 'gawk', 'mawk', 'nawk'].map((c) => [c, { optionsWithValue: ['-f', '--file', '-F', '--field-separator', '-v', '--assign', '-e', '--source', '-i', '--include', '-l', '--load', '-E', '--exec', '-W'], unless: ['-f', '--file', '-e', '--source', '-E', '--exec'] }])),
  ...Object.fromEntries(['sed', 'gsed'].map((c) => [c, { optionsWithValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'], unless: ['-e', '--expression', '-f', '--file'] }])),
  ...Object.fromEntries(['jq', 'gojq', 'jaq'].map((c) => [c, { optionsWithValue: ['--indent', '-L', '--arg', '--argjson', '--slurpfile', '--rawfile'], unless: ['-f', '--from-file'] }])),
  yq: { optionsWithValue: ['-I', '--indent', '-p', '--input-format', '-o', '--output-format', '--expression', '--from-file'], unless: ['--from-file'] },
  ag: { optionsWithValue: RECURSIVE_READERS.ag!.optionsWithValue, unless: ['-g'] },
  ack: { optionsWithValue: RECURSIVE_READERS.ack!.optionsWithValue, unless: ['-g', '--match', '-f'] },
};
