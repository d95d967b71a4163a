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
    excludedOptions: [
      '-b',
      '-B',
      '--orphan',
      '--merge',
      '-m',
      '--force',
      '-f',
      '-p',
      '--patch',
      '--ours',
      '--theirs',
      '--conflict',
      '--pathspec-from-file',
      '--overwrite-ignore',
      '-t',
      '--track',
    ],
  },
  /** Ref names git accepts: no spaces, `..`, control characters, `~^:?*[\`, or leading `-`/`.`. */
  refName: /^(?![-.])(?!.*\.\.)(?!.*\/\.)(?!.*@\{)[^\s~^:?*[\\\x00-\x1f\x7f]+(?<![./])(?<!\.lock)$/,
  /** Global options that make even a clone or checkout run programs. */
  excludedGlobalOptions: ['-c', '--config-env', '--exec-path', '--git-dir', '--work-tree'],
} as const;
