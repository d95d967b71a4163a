/** Shells and interpreters: how they take code, and the options with which they only print. */

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
  python: ['-V', '-h'],
  python2: ['-V', '-h'],
  python3: ['-V', '-h'],
  pypy: ['-V', '-h'],
  pypy3: ['-V', '-h'],
  node: ['-v', '-h'],
  nodejs: ['-v', '-h'],
  bun: ['-v', '-h'],
  deno: ['-V', '-h'],
  ruby: ['-h'],
  perl: ['-v', '-h'],
  php: ['-v', '-h'],
  lua: ['-v'],
  luajit: ['-v'],
  julia: ['-v', '-h'],
  java: ['-version', '-help', '-h'],
  expect: ['-v'],
  groovy: ['-v', '-h'],
  guile: ['-v', '-h'],
  elixir: ['-v'],
};
/** Interpreters that take even `--version` and `--help` as "read the program from standard input". */
export const NO_VERSION_OPTIONS: readonly string[] = ['tclsh', 'wish', 'erl'];

/** Shells: `-c STRING` is re-parsed; a script argument is a script run; no argument reads stdin. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
  'yash',
  'posh',
  'rbash',
  'busybox-sh',
]);
/** Shell options that take a value (`bash -o pipefail -c ...`). */
export const SHELL_OPTIONS_WITH_VALUE: readonly string[] = ['-o', '+o', '-O', '+O', '--rcfile', '--init-file'];

/** Interpreters and the options with which they run code given inline. */
export const INTERPRETERS: Readonly<Record<string, readonly string[]>> = {
  python: ['-c'],
  python2: ['-c'],
  python3: ['-c'],
  pypy: ['-c'],
  pypy3: ['-c'],
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  bun: ['-e', '--eval', '-p', '--print'],
  ruby: ['-e'],
  perl: ['-e', '-E'],
  php: ['-r'],
  lua: ['-e'],
  luajit: ['-e'],
  Rscript: ['-e'],
  julia: ['-e', '--eval'],
  osascript: ['-e'],
  pwsh: ['-c', '-Command', '-EncodedCommand', '-e', '-ec'],
  powershell: ['-c', '-Command', '-EncodedCommand', '-e', '-ec'],
  tclsh: [],
  wish: [],
  expect: ['-c'],
  groovy: ['-e'],
  scala: ['-e'],
  kotlin: ['-e'],
  jshell: [],
  java: [],
  swift: ['-e'],
  elixir: ['-e'],
  erl: ['-eval'],
  ghci: ['-e'],
  racket: ['-e'],
  guile: ['-c'],
  sbcl: ['--eval'],
  clojure: ['-e'],
  bb: ['-e'],
};
/** `python3.12` and the like are `python3`. */
export const VERSIONED_INTERPRETER = /^(python|pypy|ruby|perl|php|lua|node)\d+(\.\d+)*$/;
