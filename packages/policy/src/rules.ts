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
 * - `subcommands`: the first positional argument after the tool's global options (`git -C x push`).
 * - `withOption`: applies only if one of these options is present. `-i` also matches inside a short
 *   cluster (`-ni`); `-i*` also matches an attached value (`-i.bak`); `--in-place` also matches
 *   `--in-place=.bak` and any abbreviation GNU getopt would accept (`--in-pl`).
 * - `withoutOption`: applies only if none of these options is present (exact spelling only).
 * - An option entry that does not start with `-` matches a positional argument (`git stash list`).
 * - `noPositionals`: applies only when nothing follows the command (or subcommand) but options.
 * - `withArg`: applies only if some positional argument matches the pattern.
 * - The command `*` stands for any command these tables name (never an unknown program).
 */
import type { Verdict } from '@aleph/protocol';
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
/** Options that only print a version or help text. */
const VERSION_OPTIONS = ['--version', '-V', '-v', '-version', '--help', '-h', '-help'];
/** Subcommands with which package managers and tools only report. */
const READ_ONLY_SUBCOMMANDS = ['list', 'ls', 'll', 'la', 'view', 'info', 'show', 'search', 'outdated', 'why', 'explain', 'root', 'prefix', 'bin', 'help', 'version', 'versions', 'freeze', 'check', 'doctor', 'env', 'tree', 'metadata', 'locate-project', 'pkgid', 'policy', 'depends', 'rdepends', 'ps', 'images', 'inspect', 'logs', 'current', 'which', 'whence', 'licenses', 'fund', 'query', 'deps', 'leaves', 'desc', 'home', 'cat', 'get', 'describe', 'top', 'api-resources', 'cluster-info', 'validate', 'fmt', 'providers', 'output', 'state', 'plan'];

export const BLOCK_RULES: readonly CommandRule[] = [
  // Deleting files.
  { verdict: 'block', reason: 'destructive_delete', commands: ['rm', 'shred', 'srm', 'unlink', 'wipe', 'trash', 'trash-put'] },
  { verdict: 'block', reason: 'destructive_delete', commands: ['find'], withOption: ['-delete'] },
  { verdict: 'block', reason: 'destructive_delete', commands: ['git'], subcommands: ['clean'], withOption: ['-f', '--force'] },
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
  { verdict: 'block', reason: 'system_modification', commands: ['sysctl'], withOption: ['-w', '--write', '-p', '--load', '--system'] },
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

export const CONFIRM_RULES: readonly CommandRule[] = [
  // Network fetches and connections.
  { verdict: 'confirm', reason: 'network_access', commands: ['curl', 'wget', 'wget2', 'fetch', 'http', 'https', 'httpie', 'xh', 'aria2c', 'axel', 'lynx', 'w3m', 'links', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'ftp', 'lftp', 'tftp', 'rsync', 'rclone', 'mosh', 'gh', 'hub', 'glab', 'aws', 'gcloud', 'gsutil', 'az', 'doctl', 'heroku', 'vercel', 'netlify', 'fly', 'flyctl', 'wrangler', 'firebase', 'ngrok', 'cloudflared', 'tailscale', 'nmap', 'ping', 'traceroute', 'dig', 'nslookup', 'host', 'whois'], withoutOption: VERSION_OPTIONS },
  // Uploads: local data leaving the machine.
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['curl'], withOption: ['-d', '--data', '--data-binary', '--data-raw', '--data-urlencode', '--data-ascii', '-F', '--form', '--form-string', '-T', '--upload-file', '--json'] },
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['wget', 'wget2'], withOption: ['--post-file', '--body-file', '--post-data', '--body-data'] },
  { verdict: 'confirm', reason: 'network_exfiltration', commands: ['http', 'https', 'xh', 'httpie'], withArg: /^[\w-]+(=|:=)@|^@/ },
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
  { verdict: 'confirm', reason: 'git_runs_program', commands: ['git'], subcommands: ['grep'], withOption: ['-O*', '--open-files-in-pager'] },
  { verdict: 'confirm', reason: 'git_runs_program', commands: ['git'], withOption: ['--upload-pack', '--receive-pack', '--extcmd', '--template', '--exec'] },
  // Writing, copying, moving, linking, archiving, editing.
  { verdict: 'confirm', reason: 'file_write', commands: ['cp', 'mv', 'ln', 'link', 'install', 'touch', 'mkdir', 'rmdir', 'truncate', 'patch', 'split', 'csplit', 'mkfifo', 'mknod', 'ditto', 'rename', 'zip', '7z', '7za', 'rar', 'unrar', 'gzip', 'gunzip', 'bzip2', 'bunzip2', 'xz', 'unxz', 'zstd', 'unzstd', 'lz4', 'compress', 'uncompress', 'cpio', 'ar', 'pax', 'hdiutil', 'convert', 'magick', 'ffmpeg', 'pandoc', 'sqlite3', 'psql', 'mysql', 'redis-cli', 'mongosh', 'vi', 'vim', 'nvim', 'nano', 'emacs', 'ed', 'ex', 'code', 'subl', 'pbcopy', 'xclip', 'xsel', 'wl-copy'], withoutOption: VERSION_OPTIONS },
  { verdict: 'confirm', reason: 'file_write', commands: ['tar', 'bsdtar'], withoutOption: ['-t', '--list', ...VERSION_OPTIONS] },
  { verdict: 'confirm', reason: 'file_write', commands: ['unzip'], withoutOption: ['-l', '-Z', '-v', '-t'] },
  { verdict: 'confirm', reason: 'runs_project_code', commands: ['tar', 'bsdtar'], withOption: ['--to-command', '--use-compress-program', '-I', '--checkpoint-action', '--info-script', '--new-volume-script', '-F'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['sed', 'gsed'], withOption: ['-i*', '--in-place'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['perl'], withOption: ['-i*'] },
  { verdict: 'confirm', reason: 'in_place_edit', commands: ['yq'], withOption: ['-i', '--inplace'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['sort'], withOption: ['-o*', '--output'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['find'], withOption: ['-fprint', '-fprint0', '-fprintf', '-fls'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['time'], withOption: ['-o', '--output'] },
  { verdict: 'confirm', reason: 'file_write', commands: ['history'], withOption: ['-c', '-d', '-w', '-a', '-r', '-n', '-s'] },
  { verdict: 'confirm', reason: 'runs_project_code', commands: ['rg', 'ripgrep'], withOption: ['--pre'] },
  { verdict: 'confirm', reason: 'runs_project_code', commands: ['man'], withOption: ['-P', '--pager', '-H', '--html'] },
  // Changing the system clock, names, network configuration, journals.
  { verdict: 'confirm', reason: 'system_modification', commands: ['date'], withOption: ['-s', '--set'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['date'], withArg: /^\d{8,}/ },
  { verdict: 'confirm', reason: 'system_modification', commands: ['hostname', 'scutil'], withArg: /^[^-]/ },
  { verdict: 'confirm', reason: 'system_modification', commands: ['ip', 'route', 'ifconfig'], withArg: /^(add|del|delete|change|replace|set|flush|append|up|down|inet6?|netmask|mtu|alias|-alias)$/ },
  { verdict: 'confirm', reason: 'system_modification', commands: ['journalctl'], withOption: ['--vacuum-size', '--vacuum-time', '--vacuum-files', '--rotate', '--flush', '--relinquish-var', '--setup-keys'] },
  { verdict: 'confirm', reason: 'system_modification', commands: ['dmesg'], withOption: ['-c', '-C', '--clear', '--read-clear', '-n', '--console-level', '-D', '-E'] },
  // Changing how later commands behave.
  { verdict: 'confirm', reason: 'persistence', commands: ['alias'], withArg: /=/ },
  { verdict: 'confirm', reason: 'persistence', commands: ['enable'], withOption: ['-f'] },
  { verdict: 'confirm', reason: 'persistence', commands: ['bind'], withOption: ['-x'] },
  { verdict: 'confirm', reason: 'persistence', commands: ['complete', 'compgen'], withOption: ['-C', '-F'] },
];

export const SAFE_RULES: readonly CommandRule[] = [
  // Reading files and directories.
  { verdict: 'safe', reason: 'read_only', commands: ['ls', 'll', 'la', 'dir', 'vdir', 'exa', 'eza', 'lsd', 'tree', 'cat', 'bat', 'batcat', 'tac', 'nl', 'head', 'tail', 'less', 'more', 'most', 'wc', 'file', 'stat', 'du', 'df', 'find', 'fd', 'fdfind', 'locate', 'mlocate', 'plocate', 'grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ripgrep', 'ag', 'ack', 'readlink', 'realpath', 'basename', 'dirname', 'pwd', 'cd', 'pushd', 'popd', 'dirs', 'md5sum', 'md5', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'shasum', 'b2sum', 'cksum', 'sum', 'xxd', 'od', 'hexdump', 'hd', 'strings', 'diff', 'diff3', 'sdiff', 'cmp', 'comm', 'colordiff', 'delta', 'difft', 'zcat', 'bzcat', 'xzcat', 'zstdcat', 'zless', 'zmore', 'lsof', 'lsattr', 'getfacl', 'namei', 'test', '[', 'look', 'tar', 'bsdtar', 'unzip'] },
  // Text processing to standard output (writes through redirections and file arguments are judged separately).
  { verdict: 'safe', reason: 'read_only', commands: ['echo', 'printf', 'sort', 'uniq', 'cut', 'tr', 'paste', 'join', 'fold', 'fmt', 'expand', 'unexpand', 'column', 'rev', 'seq', 'jq', 'jaq', 'gojq', 'yq', 'xq', 'base64', 'base32', 'basenc', 'sed', 'gsed', 'awk', 'gawk', 'mawk', 'nawk', 'iconv', 'numfmt', 'shuf', 'tsort', 'pr', 'csvlook', 'mlr', 'xmllint', 'envsubst', 'tee', 'sponge', 'true', 'false', ':', 'yes', 'sleep', 'wait', 'clear', 'reset', 'tput', 'stty', 'type', 'which', 'whereis', 'hash', 'help', 'man', 'info', 'tldr', 'apropos', 'whatis', 'printenv', 'env', 'export', 'declare', 'typeset', 'local', 'readonly', 'unset', 'set', 'shopt', 'alias', 'unalias', 'history', 'jobs', 'fg', 'bg', 'disown', 'read', 'getopts', 'shift', 'return', 'exit', 'break', 'continue', 'let', 'umask', 'times', 'ulimit', 'command', 'builtin', 'enable', 'bind', 'complete', 'compgen', 'caller', 'logout', 'xargs', 'time', 'nohup', 'nice'] },
  // Reading system state.
  { verdict: 'safe', reason: 'read_only', commands: ['date', 'cal', 'uptime', 'whoami', 'id', 'groups', 'users', 'who', 'w', 'last', 'uname', 'hostname', 'arch', 'nproc', 'free', 'vm_stat', 'vmstat', 'iostat', 'mpstat', 'ps', 'pgrep', 'pstree', 'top', 'htop', 'btop', 'lscpu', 'lsblk', 'lsusb', 'lspci', 'lsmod', 'sw_vers', 'system_profiler', 'locale', 'tty', 'getconf', 'ss', 'netstat', 'ifconfig', 'ioreg', 'dmesg', 'journalctl', 'ip', 'route', 'scutil'] },
  { verdict: 'safe', reason: 'read_only', commands: ['crontab', 'at', 'atq'], withOption: ['-l'] },
  { verdict: 'safe', reason: 'read_only', commands: ['sysctl'], withoutOption: ['-w', '--write', '-p', '--load', '--system'] },
  { verdict: 'safe', reason: 'read_only', commands: ['systemctl'], subcommands: ['status', 'show', 'cat', 'list-units', 'list-unit-files', 'list-timers', 'list-sockets', 'list-dependencies', 'list-jobs', 'is-active', 'is-enabled', 'is-failed', 'is-system-running', 'help', 'get-default', 'show-environment'] },
  { verdict: 'safe', reason: 'read_only', commands: ['launchctl'], subcommands: ['list', 'print', 'print-cache', 'print-disabled', 'blame', 'version', 'help', 'managerpid', 'manageruid', 'managername', 'error'] },
  // Read-only git.
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['status', 'log', 'diff', 'show', 'blame', 'annotate', 'describe', 'shortlog', 'rev-parse', 'rev-list', 'ls-files', 'ls-tree', 'cat-file', 'grep', 'name-rev', 'merge-base', 'show-ref', 'for-each-ref', 'count-objects', 'whatchanged', 'diff-tree', 'diff-files', 'diff-index', 'check-ignore', 'check-attr', 'check-ref-format', 'var', 'version', 'help', 'range-diff', 'cherry', 'show-branch', 'verify-commit', 'verify-tag', 'fsck', 'reflog'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['branch'], noPositionals: true, withoutOption: ['-d', '-D', '--delete', '-m', '-M', '--move', '-c', '-C', '--copy', '-f', '--force', '-u', '--set-upstream-to', '--unset-upstream', '--edit-description', '-t', '--track'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['branch'], withOption: ['-l', '--list', '--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--show-current'], withoutOption: ['-d', '-D', '--delete', '-m', '-M', '--move', '-c', '-C', '--copy', '-f', '--force'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['tag'], noPositionals: true, withoutOption: ['-d', '--delete', '-f', '--force', '-a', '--annotate', '-s', '--sign', '-m', '--message', '-F', '--file'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['tag'], withOption: ['-l', '--list', '-v', '--verify', '--contains', '--points-at', '--merged', '--no-merged'], withoutOption: ['-d', '--delete', '-f', '--force'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['config'], withOption: ['--get', '--get-all', '--get-regexp', '--get-urlmatch', '-l', '--list', 'get', 'list'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['stash'], withOption: ['list', 'show'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['worktree'], withOption: ['list'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['submodule'], withOption: ['status', 'summary'] },
  { verdict: 'safe', reason: 'read_only', commands: ['git'], subcommands: ['lfs'], withOption: ['ls-files', 'status', 'env', 'version', 'logs'] },
  // Asking tools about themselves and the project, without changing either.
  { verdict: 'safe', reason: 'read_only', commands: [...JS_PACKAGE_MANAGERS, 'pip', 'pip3', 'uv', 'poetry', 'conda', 'gem', 'bundle', 'cargo', 'go', 'brew', 'apt', 'apt-cache', 'dnf', 'yum', 'docker', 'podman', 'kubectl', 'helm', 'rustup', 'nvm', 'pyenv', 'rbenv', 'asdf', 'mise', 'terraform', 'tofu'], subcommands: READ_ONLY_SUBCOMMANDS },
  { verdict: 'safe', reason: 'read_only', commands: ['dpkg', 'rpm', 'pacman'], withOption: ['-l', '--list', '-L', '--listfiles', '-s', '--status', '-S', '--search', '-q', '--query', '-Q'] },
  { verdict: 'safe', reason: 'read_only', commands: ['*'], noPositionals: true, withOption: VERSION_OPTIONS },
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

/** Options that take a value, per tool, before its subcommand (`git -C dir status`). */
export const GLOBAL_OPTIONS_WITH_VALUE: Readonly<Record<string, readonly string[]>> = {
  git: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--list-cmds', '--attr-source'],
  npm: ['--prefix', '-w', '--workspace', '--userconfig', '--cache', '--registry', '--loglevel'],
  pnpm: ['-C', '--dir', '--filter', '-F', '--workspace-dir', '--loglevel'],
  yarn: ['--cwd', '--modules-folder', '--cache-folder'],
  bun: ['--cwd', '--config', '-c'],
  cargo: ['--manifest-path', '-Z', '--config', '-C', '--color'],
  go: ['-C'],
  docker: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey'],
  kubectl: ['-n', '--namespace', '--context', '--cluster', '--kubeconfig', '-s', '--server', '--user', '-o', '--output'],
  apt: ['-o', '-c', '-t', '--target-release'],
  'apt-get': ['-o', '-c', '-t', '--target-release'],
  pip: ['--python', '--log', '--proxy', '--cert', '--cache-dir'],
  pip3: ['--python', '--log', '--proxy', '--cert', '--cache-dir'],
  uv: ['--directory', '--project', '--config-file', '--python', '-p'],
  brew: [],
  systemctl: ['-H', '--host', '-M', '--machine', '-t', '--type', '-p', '--property', '-s', '--signal', '--state', '-n', '--lines', '-o', '--output', '--root'],
  make: ['-C', '--directory', '-f', '--file', '--makefile', '-I', '--include-dir', '-j', '--jobs', '-l', '-o', '-W'],
};

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
}

export const WRAPPERS: Readonly<Record<string, WrapperSpec>> = {
  env: { optionsWithValue: ['-u', '--unset', '-C', '--chdir', '-P', '--default-signal', '--ignore-signal', '--block-signal'], assignments: true, commandOptions: ['-S', '--split-string'] },
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
  time: { optionsWithValue: ['-f', '--format', '-o', '--output'] },
  watch: { optionsWithValue: ['-n', '--interval', '-d', '--differences', '-q', '--equexit'], joinsIntoShell: { unless: ['-x', '--exec'] } },
  xargs: { optionsWithValue: ['-I', '-L', '-n', '-P', '-s', '-d', '-E', '-a', '--arg-file', '--delimiter', '--max-args', '--max-lines', '--max-procs', '--max-chars', '--replace', '--eof', '--process-slot-var'] },
  sudo: { optionsWithValue: ['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-U', '--other-user', '-T', '--command-timeout'] },
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
  strace: { optionsWithValue: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-b', '-I', '-O', '-P', '-S', '-X'] },
  ltrace: { optionsWithValue: ['-o', '-e', '-p', '-s', '-u', '-a', '-A', '-D', '-F', '-l', '-n', '-x'] },
  valgrind: { optionsWithValue: [] },
  fakeroot: { optionsWithValue: ['-l', '--lib', '--faked', '-s', '-i'] },
  proxychains: { optionsWithValue: ['-f'] },
  proxychains4: { optionsWithValue: ['-f'] },
  torsocks: { optionsWithValue: ['-u', '-p', '-a', '-P'] },
  firejail: { optionsWithValue: [] },
  catchsegv: { optionsWithValue: [] },
  'dbus-run-session': { optionsWithValue: ['--config-file', '--dbus-daemon'] },
  'xvfb-run': { optionsWithValue: ['-n', '--server-num', '-s', '--server-args', '-e', '--error-file', '-f', '--auth-file', '-p', '--xauth-protocol', '-w', '--wait'] },
  script: { optionsWithValue: ['-E', '--echo', '-I', '--log-in', '-O', '--log-out', '-B', '--log-io', '-T', '--log-timing', '-m', '--logging-format', '-o', '--output-limit'], commandOptions: ['-c', '--command'] },
  hyperfine: { optionsWithValue: ['-w', '--warmup', '-m', '--min-runs', '-M', '--max-runs', '-r', '--runs', '-p', '--prepare', '-c', '--cleanup', '--export-json', '--export-markdown', '--export-csv', '-S', '--shell', '-n', '--command-name'], joinsIntoShell: { unless: [] } },
  entr: { optionsWithValue: [] },
  parallel: { optionsWithValue: ['-j', '--jobs', '-S', '--sshlogin', '--joblog', '--results', '-a', '--arg-file', '--delay', '--timeout'], joinsIntoShell: { unless: [] } },
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
  find: { targets: 'none', optionsWithValue: [], targetOptions: ['-fprint', '-fprint0', '-fprintf', '-fls'] },
  git: { targets: 'none', optionsWithValue: [], targetOptions: ['--output'] },
  patch: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  sed: { targets: 'after-first', optionsWithValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'], when: ['-i*', '--in-place'], programOptions: ['-e', '--expression', '-f', '--file'] },
  perl: { targets: 'after-first', optionsWithValue: ['-e', '-E', '-M', '-I'], when: ['-i*'], programOptions: ['-e', '-E'] },
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
  'PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_*', 'GIT_*', 'BASH_ENV', 'ENV', 'PROMPT_COMMAND',
  'IFS', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME',
  'PYTHONINSPECT', 'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS', 'CLASSPATH', 'EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'GIT_PAGER', 'LESSOPEN', 'LESSCLOSE', 'BROWSER',
  'SSH_ASKPASS', 'SUDO_ASKPASS', 'HISTFILE', 'HOME', 'ZDOTDIR', 'XDG_CONFIG_HOME', 'NPM_CONFIG_*', 'npm_config_*',
  'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'CARGO_HOME', 'RUSTC_WRAPPER', 'CC', 'CXX', 'MAKEFLAGS', 'http_proxy',
  'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'SSL_CERT_FILE', 'NODE_TLS_REJECT_UNAUTHORIZED',
];
/** The most dangerous of those: loading arbitrary code into every process. */
export const CODE_INJECTION_ENV: readonly string[] = ['LD_PRELOAD', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'NODE_OPTIONS', 'PERL5OPT', 'RUBYOPT', 'JAVA_TOOL_OPTIONS', 'PYTHONSTARTUP'];

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
