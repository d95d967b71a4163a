/** Tools that read files or directory trees, list names, or take a pattern as their first operand. */
import { COPY, RSYNC_OPTIONS_WITH_VALUE } from './write-targets.js';

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
  whenValue: [
    ['-d', 'recurse'],
    ['--directories', 'recurse'],
  ],
  optionsWithValue: [
    '-e',
    '--regexp',
    '-f',
    '--file',
    '-m',
    '--max-count',
    '-A',
    '--after-context',
    '-B',
    '--before-context',
    '-C',
    '--context',
    '-d',
    '--directories',
    '-D',
    '--devices',
    '--include',
    '--exclude',
    '--exclude-from',
    '--exclude-dir',
    '--label',
    '--binary-files',
    '--group-separator',
  ],
  pattern: { unless: ['-e', '--regexp', '-f', '--file'] },
  defaultRoot: true,
};
const RG_RECURSION: RecursiveReadSpec = {
  optionsWithValue: [
    '-e',
    '--regexp',
    '-f',
    '--file',
    '-g',
    '--glob',
    '--iglob',
    '-t',
    '--type',
    '-T',
    '--type-not',
    '--type-add',
    '--type-clear',
    '-m',
    '--max-count',
    '-A',
    '--after-context',
    '-B',
    '--before-context',
    '-C',
    '--context',
    '-M',
    '--max-columns',
    '-j',
    '--threads',
    '-d',
    '--max-depth',
    '--maxdepth',
    '-E',
    '--encoding',
    '--pre',
    '--pre-glob',
    '-r',
    '--replace',
    '--sort',
    '--sortr',
    '--ignore-file',
    '--max-filesize',
    '--path-separator',
    '--colors',
    '--color',
    '--context-separator',
    '--field-match-separator',
    '--field-context-separator',
    '--engine',
    '--dfa-size-limit',
    '--regex-size-limit',
    '--hostname-bin',
    '--hyperlink-format',
  ],
  pattern: { unless: ['-e', '--regexp', '-f', '--file', '--files', '--type-list'] },
  defaultRoot: true,
};
const TAR_OPTIONS_WITH_VALUE = [
  '-f',
  '--file',
  '-C',
  '--directory',
  '-T',
  '--files-from',
  '-X',
  '--exclude-from',
  '-b',
  '--blocking-factor',
  '-H',
  '--format',
  '-I',
  '--use-compress-program',
  '-g',
  '--listed-incremental',
  '-N',
  '--newer',
  '-V',
  '--label',
  '-L',
  '--tape-length',
  '-K',
  '--starting-file',
  '--exclude',
  '--transform',
  '--xform',
  '--owner',
  '--group',
  '--mode',
  '--mtime',
  '--checkpoint-action',
  '--to-command',
  '--rsh-command',
  '--rmt-command',
  '--index-file',
  '--volno-file',
  '--info-script',
  '-F',
  '--new-volume-script',
];

export const RECURSIVE_READERS: Readonly<Record<string, RecursiveReadSpec>> = {
  grep: GREP_RECURSION,
  egrep: GREP_RECURSION,
  fgrep: GREP_RECURSION,
  ggrep: GREP_RECURSION,
  rgrep: { ...GREP_RECURSION, when: undefined, whenValue: undefined },
  ugrep: GREP_RECURSION,
  ug: GREP_RECURSION,
  rg: RG_RECURSION,
  ripgrep: RG_RECURSION,
  ag: {
    optionsWithValue: [
      '-A',
      '-B',
      '-C',
      '-G',
      '--file-search-regex',
      '-g',
      '--ignore',
      '--ignore-dir',
      '-m',
      '--max-count',
      '--depth',
      '-p',
      '--path-to-ignore',
      '--pager',
      '-W',
      '--width',
    ],
    pattern: { unless: ['-g'] },
    defaultRoot: true,
  },
  ack: {
    optionsWithValue: ['-A', '-B', '-C', '--type', '-t', '--ignore-dir', '--ignore-file', '-m', '--max-count', '-g', '--output', '--pager', '--match'],
    pattern: { unless: ['-g', '--match', '-f'] },
    defaultRoot: true,
  },
  find: { optionsWithValue: [], expression: true, readsWith: ['-exec', '-execdir', '-ok', '-okdir'], defaultRoot: true },
  fd: {
    optionsWithValue: [
      '-e',
      '--extension',
      '-t',
      '--type',
      '-E',
      '--exclude',
      '-d',
      '--max-depth',
      '--min-depth',
      '--exact-depth',
      '-S',
      '--size',
      '--changed-within',
      '--changed-before',
      '-o',
      '--owner',
      '--batch-size',
      '--base-directory',
      '--search-path',
      '-j',
      '--threads',
      '--max-results',
      '--color',
      '-c',
      '--ignore-file',
      '--path-separator',
      '--format',
    ],
    skip: 1,
    readsWith: ['-x', '--exec', '-X', '--exec-batch'],
    stopAt: ['-x', '--exec', '-X', '--exec-batch'],
    rootOptions: ['--search-path', '--base-directory'],
    defaultRoot: true,
  },
  tar: { when: ['-c', '--create', '-r', '--append', '-u', '--update'], optionsWithValue: TAR_OPTIONS_WITH_VALUE, baseOptions: ['-C', '--directory'] },
  bsdtar: { when: ['-c', '--create', '-r', '--append', '-u', '--update'], optionsWithValue: TAR_OPTIONS_WITH_VALUE, baseOptions: ['-C', '--directory'] },
  zip: {
    when: ['-r', '-R', '--recurse-paths', '--recurse-patterns'],
    optionsWithValue: [
      '-b',
      '--temp-path',
      '-n',
      '--suffixes',
      '-t',
      '--from-date',
      '-tt',
      '--before-date',
      '-x',
      '--exclude',
      '-i',
      '--include',
      '-P',
      '--password',
      '-O',
      '--output-file',
      '-TT',
      '--unzip-command',
      '-Z',
      '--compression-method',
      '-s',
      '--split-size',
    ],
    skip: 1,
  },
  '7z': { optionsWithValue: [], skip: 2 },
  '7za': { optionsWithValue: [], skip: 2 },
  '7zz': { optionsWithValue: [], skip: 2 },
  cp: { when: ['-r', '-R', '--recursive', '-a', '--archive'], optionsWithValue: COPY.optionsWithValue, roots: 'sources' },
  gcp: { when: ['-r', '-R', '--recursive', '-a', '--archive'], optionsWithValue: ['-S', '--suffix', '-t', '--target-directory'], roots: 'sources' },
  rsync: {
    when: ['-r', '--recursive', '-a', '--archive'],
    optionsWithValue: RSYNC_OPTIONS_WITH_VALUE,
    roots: 'sources',
  },
  scp: { when: ['-r'], optionsWithValue: ['-P', '-i', '-o', '-F', '-c', '-l', '-J', '-S', '-D'], roots: 'sources' },
  diff: {
    when: ['-r', '--recursive'],
    optionsWithValue: [
      '-x',
      '--exclude',
      '-X',
      '--exclude-from',
      '-I',
      '--ignore-matching-lines',
      '-F',
      '--show-function-line',
      '-L',
      '--label',
      '-C',
      '-U',
      '--unified',
      '--context',
      '-W',
      '--width',
      '-S',
      '--starting-file',
      '--from-file',
      '--to-file',
      '--horizon-lines',
      '--tabsize',
      '--color',
      '--palette',
    ],
  },
};
/** `7z a ARCHIVE DIR` and its kin read their operands only when adding. */
export const ARCHIVE_ADD_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = { '7z': ['a', 'u'], '7za': ['a', 'u'], '7zz': ['a', 'u'] };

/** Tools that print names or metadata of the files they are given, not their contents. */
export const METADATA_READERS: ReadonlySet<string> = new Set([
  'ls',
  'll',
  'la',
  'dir',
  'vdir',
  'exa',
  'eza',
  'lsd',
  'du',
  'stat',
  'echo',
  'printf',
  'basename',
  'dirname',
  'realpath',
  'readlink',
  'test',
  '[',
  'true',
  'false',
  ':',
  'namei',
  'lsattr',
  'getfacl',
  'wc',
  'touch',
  'mkdir',
  'rmdir',
]);
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
  ...Object.fromEntries(
    ['grep', 'egrep', 'fgrep', 'ggrep', 'rgrep', 'zgrep', 'ugrep', 'ug'].map((c) => [
      c,
      { optionsWithValue: GREP_RECURSION.optionsWithValue, unless: GREP_RECURSION.pattern!.unless },
    ]),
  ),
  ...Object.fromEntries(['rg', 'ripgrep'].map((c) => [c, { optionsWithValue: RG_RECURSION.optionsWithValue, unless: RG_RECURSION.pattern!.unless }])),
  ...Object.fromEntries(
    ['awk', 'gawk', 'mawk', 'nawk'].map((c) => [
      c,
      {
        optionsWithValue: [
          '-f',
          '--file',
          '-F',
          '--field-separator',
          '-v',
          '--assign',
          '-e',
          '--source',
          '-i',
          '--include',
          '-l',
          '--load',
          '-E',
          '--exec',
          '-W',
        ],
        unless: ['-f', '--file', '-e', '--source', '-E', '--exec'],
      },
    ]),
  ),
  ...Object.fromEntries(
    ['sed', 'gsed'].map((c) => [
      c,
      { optionsWithValue: ['-e', '--expression', '-f', '--file', '-l', '--line-length'], unless: ['-e', '--expression', '-f', '--file'] },
    ]),
  ),
  ...Object.fromEntries(
    ['jq', 'gojq', 'jaq'].map((c) => [
      c,
      { optionsWithValue: ['--indent', '-L', '--arg', '--argjson', '--slurpfile', '--rawfile'], unless: ['-f', '--from-file'] },
    ]),
  ),
  yq: { optionsWithValue: ['-I', '--indent', '-p', '--input-format', '-o', '--output-format', '--expression', '--from-file'], unless: ['--from-file'] },
  ag: { optionsWithValue: RECURSIVE_READERS.ag!.optionsWithValue, unless: ['-g'] },
  ack: { optionsWithValue: RECURSIVE_READERS.ack!.optionsWithValue, unless: ['-g', '--match', '-f'] },
};
