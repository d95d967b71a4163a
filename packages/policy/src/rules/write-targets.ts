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

/** rsync's options that take a value: the same when it writes its target and when it reads its sources. */
export const RSYNC_OPTIONS_WITH_VALUE: readonly string[] = [
  '-e',
  '--rsh',
  '--exclude',
  '--include',
  '--filter',
  '-f',
  '--log-file',
  '--password-file',
  '--files-from',
  '--backup-dir',
  '--chmod',
  '--rsync-path',
  '-T',
  '--temp-dir',
  '--partial-dir',
  '--compare-dest',
  '--link-dest',
  '--copy-dest',
  '-B',
  '--block-size',
  '--timeout',
  '--bwlimit',
  '--port',
  '--suffix',
  '--max-size',
  '--min-size',
];

export const COPY: WriteTargetSpec = {
  targets: 'last',
  optionsWithValue: ['-S', '--suffix', '-t', '--target-directory', '-m', '--mode', '-o', '--owner', '-g', '--group'],
  targetOptions: ['-t', '--target-directory'],
};
const REMOVE: WriteTargetSpec = { targets: 'all', optionsWithValue: ['-n', '--iterations', '-s', '--size', '--random-source'] };

export const WRITE_TARGETS: Readonly<Record<string, WriteTargetSpec>> = {
  cp: COPY,
  mv: COPY,
  install: COPY,
  ln: COPY,
  link: COPY,
  ditto: COPY,
  gcp: COPY,
  gmv: COPY,
  rsync: {
    targets: 'last',
    optionsWithValue: RSYNC_OPTIONS_WITH_VALUE,
  },
  scp: { targets: 'last', optionsWithValue: ['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S', '-D'] },
  touch: { targets: 'all', optionsWithValue: ['-d', '--date', '-r', '--reference', '-t'] },
  mkdir: { targets: 'all', optionsWithValue: ['-m', '--mode'] },
  rmdir: { targets: 'all', optionsWithValue: [] },
  truncate: { targets: 'all', optionsWithValue: ['-s', '--size', '-r', '--reference'] },
  tee: { targets: 'all', optionsWithValue: ['--output-error'] },
  sponge: { targets: 'all', optionsWithValue: [] },
  rm: REMOVE,
  shred: REMOVE,
  srm: REMOVE,
  unlink: REMOVE,
  chmod: { targets: 'after-first', optionsWithValue: [] },
  chown: { targets: 'after-first', optionsWithValue: [] },
  chgrp: { targets: 'after-first', optionsWithValue: [] },
  dd: { targets: 'none', optionsWithValue: [], targetOptions: ['of='] },
  sort: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  curl: {
    targets: 'none',
    optionsWithValue: [],
    targetOptions: ['-o', '--output', '--output-dir', '-c', '--cookie-jar', '-D', '--dump-header', '--trace', '--trace-ascii', '--stderr'],
  },
  wget: {
    targets: 'none',
    optionsWithValue: [],
    targetOptions: ['-O', '--output-document', '-P', '--directory-prefix', '-o', '--output-file', '-a', '--append-output'],
  },
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
  split: {
    targets: 'last',
    optionsWithValue: [
      '-a',
      '--suffix-length',
      '--additional-suffix',
      '-b',
      '--bytes',
      '-C',
      '--line-bytes',
      '-l',
      '--lines',
      '-n',
      '--number',
      '-t',
      '--separator',
      '--filter',
    ],
  },
  find: { targets: 'none', optionsWithValue: [], targetOptions: ['-fprint', '-fprint0', '-fprintf', '-fls'] },
  git: { targets: 'none', optionsWithValue: [], targetOptions: ['--output'] },
  patch: { targets: 'none', optionsWithValue: [], targetOptions: ['-o', '--output'] },
  sed: {
    targets: 'after-first',
    optionsWithValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'],
    when: ['-i', '--in-place'],
    programOptions: ['-e', '--expression', '-f', '--file'],
  },
  perl: { targets: 'after-first', optionsWithValue: ['-e', '-E', '-M', '-I'], when: ['-i'], programOptions: ['-e', '-E'] },
};
