/**
 * What listing commands print: the names of files under the roots they are given (`ls`, `find`,
 * `fd`, `rg --files`, `grep -l`, `git ls-files`, `locate`), and which commands surely print a
 * number. A reader fed such names is judged by where the listing looks (see dataflow.ts).
 */
import { hasOption, positionalIndices, positionals } from './options.js';
import { RECURSIVE_READERS } from './rules.js';
import type { Listing, Segment, Word } from './segment.js';

/** The root a listing without one looks in. */
const HERE: Word = { text: '.', value: '.', glob: false, subs: [] };

/** Long options of `find` that take a value, past which its expression starts. */
const FIND_NAME_TESTS = new Set(['-name', '-iname']);
/** Tests and operators after which a `-name` no longer bounds what find lists. */
const FIND_BROADER = /^(-o|-or|!|-not|,|-path|-ipath|-wholename|-iwholename|-regex|-iregex|-lname|-ilname)$/;

/**
 * The names a listing command prints: `ls` (of its operands, or `.`), `find`, `fd`, `rg --files`,
 * `grep -l`, `git ls-files`, `git diff --name-only`, `locate`. Null for any other command.
 */
export function listingOf(segment: Segment): Listing | null {
  const name = segment.name;
  const words = segment.words.slice(1);
  const values = words.map((w) => w.value ?? '');
  const roots = (indices: readonly number[]): Word[] => (indices.length === 0 ? [HERE] : indices.map((i) => words[i]!));
  switch (name) {
    case 'ls':
    case 'dir':
    case 'vdir':
    case 'exa':
    case 'eza':
    case 'lsd': {
      const indices = positionalIndices(values, [
        '-I',
        '--ignore',
        '-w',
        '--width',
        '-T',
        '--tabsize',
        '--hide',
        '--sort',
        '--time',
        '--format',
        '-L',
        '--level',
      ]);
      return {
        tool: name,
        roots: roots(indices),
        names: null,
        recursive: hasOption(values, '-R', false) || hasOption(values, '--recursive', true) || values.includes('--tree'),
      };
    }
    case 'find': {
      let i = 0;
      for (; i < values.length && /^-([HLP]|D|O\d*)$/.test(values[i]!); i++) if (values[i] === '-D') i++;
      const indices: number[] = [];
      for (; i < values.length && !/^[-(!]/.test(values[i]!); i++) indices.push(i);
      const names: string[] = [];
      let bounded = true;
      for (let j = i; j < values.length; j++) {
        if (FIND_BROADER.test(values[j]!)) bounded = false;
        else if (FIND_NAME_TESTS.has(values[j]!)) names.push(values[++j] ?? '*');
      }
      return { tool: 'find', roots: roots(indices), names: bounded && names.length > 0 ? names : null, recursive: true };
    }
    case 'fd':
    case 'fdfind': {
      const withValue = [
        '-e',
        '--extension',
        '-t',
        '--type',
        '-d',
        '--max-depth',
        '--min-depth',
        '-E',
        '--exclude',
        '-c',
        '--color',
        '-j',
        '--threads',
        '-S',
        '--size',
        '--changed-within',
        '--changed-before',
        '-o',
        '--owner',
        '--base-directory',
        '--path-separator',
        '--search-path',
        '--ignore-file',
        '--max-results',
        '--format',
        '-x',
        '--exec',
        '-X',
        '--exec-batch',
      ];
      const indices = positionalIndices(values, withValue);
      const glob = hasOption(values, '-g', false) || hasOption(values, '--glob', true);
      const pattern = indices.length > 0 ? values[indices[0]!]! : null;
      const extensions = values.flatMap((v, j) =>
        v === '-e' || v === '--extension' ? [`*.${values[j + 1] ?? ''}`] : v.startsWith('--extension=') ? [`*.${v.slice(12)}`] : [],
      );
      let names: string[] | null = extensions.length > 0 ? extensions : null;
      if (pattern !== null && pattern !== '' && names === null) {
        const literal = pattern.replace(/^\^|\$$/g, '').replace(/\\(.)/g, '$1');
        if (glob) names = [pattern];
        else if (/^[\w.-]+$/.test(literal)) names = [pattern.startsWith('^') && pattern.endsWith('$') ? literal : `*${literal}*`];
      }
      const searchPaths = values.flatMap((v, j) => (v === '--search-path' ? [j + 1] : []));
      return { tool: name, roots: roots([...indices.slice(1), ...searchPaths]), names, recursive: true };
    }
    case 'locate':
    case 'mlocate':
    case 'plocate':
      return { tool: name, roots: [{ text: '/', value: '/', glob: false, subs: [] }], names: null, recursive: true };
    case 'rg':
    case 'ripgrep':
    case 'grep':
    case 'egrep':
    case 'fgrep':
      return searchListing(name, words, values);
    case 'git':
      return gitListing(words, values);
    default:
      return null;
  }
}

/** `rg --files`, `rg -l`, `grep -l`, `grep -rl`: names of files under the roots, or the operands themselves. */
function searchListing(name: string, words: readonly Word[], values: readonly string[]): Listing | null {
  const rg = name === 'rg' || name === 'ripgrep';
  const files = rg && values.includes('--files');
  if (!files && !values.some((v) => /^-[a-zA-Z]*[lL]/.test(v) || v === '--files-with-matches' || v === '--files-without-match')) return null;
  // The options that take a value, as the recursive-read table knows them for each tool.
  const withValue = RECURSIVE_READERS[rg ? 'rg' : 'grep']!.optionsWithValue;
  let indices = positionalIndices(values, withValue);
  const patternGiven =
    values.some((v, j) => (v === '-e' || v === '--regexp' || v === '-f' || v === '--file') && j + 1 < values.length) ||
    values.some((v) => v.startsWith('--regexp='));
  if (!files && !patternGiven) indices = indices.slice(1);
  const names: string[] = [];
  let bounded = true;
  values.forEach((v, j) => {
    const glob =
      v === '-g' || v === '--glob' || v === '--iglob'
        ? values[j + 1]
        : v.startsWith('--include=')
          ? v.slice(10)
          : v === '--include'
            ? values[j + 1]
            : undefined;
    if (glob === undefined) return;
    if (glob.startsWith('!')) bounded = false;
    else names.push(glob);
  });
  const recursive = rg || values.some((v) => /^-[a-zA-Z]*[rR]/.test(v) || v === '--recursive' || v === '--dereference-recursive');
  return { tool: name, roots: indices.length === 0 ? [HERE] : indices.map((i) => words[i]!), names: bounded && names.length > 0 ? names : null, recursive };
}

/** `git ls-files`, `git diff --name-only`, `git status --porcelain`, `git grep -l`: paths in the repository. */
function gitListing(words: readonly Word[], values: readonly string[]): Listing | null {
  let i = 0;
  let roots: readonly Word[] = [HERE];
  for (; i < values.length && values[i]!.startsWith('-'); i++) {
    if (values[i] === '-C' && i + 1 < words.length) roots = [words[++i]!];
    else if (['-c', '--git-dir', '--work-tree', '--namespace'].includes(values[i]!)) i++;
  }
  const sub = values[i];
  const rest = values.slice(i + 1);
  const lists =
    sub === 'ls-files' ||
    sub === 'ls-tree' ||
    ((sub === 'diff' || sub === 'show' || sub === 'log') && rest.some((v) => v === '--name-only' || v === '--name-status')) ||
    (sub === 'status' && rest.some((v) => /^(--porcelain|--short|-s)/.test(v))) ||
    (sub === 'grep' && rest.some((v) => /^-[a-zA-Z]*[lL]|^--name-only|^--files-with/.test(v)));
  if (!lists) return null;
  const pathspecs =
    sub === 'ls-files' ? positionals(rest, ['-x', '--exclude', '-X', '--exclude-from', '--exclude-per-directory', '--format', '--with-tree']) : [];
  const dashdash = rest.indexOf('--');
  const specs = sub === 'ls-files' ? pathspecs : dashdash >= 0 ? rest.slice(dashdash + 1) : [];
  return { tool: `git ${sub}`, roots, names: specs.length > 0 ? specs : null, recursive: true };
}

/**
 * Whether the commands of a substitution surely print a number: their one output (the last stage
 * of a pipeline) is `wc` counting its input, `nproc`, `id -u`, `date +%s`, `grep -c` of one input,
 * `git rev-list --count`, `seq` of numbers, `tput cols`...
 */
export function printsNumber(segments: readonly Segment[]): boolean {
  const consumed = new Set<Segment>();
  for (const s of segments) if (s.stdin.kind === 'pipe') for (const from of s.stdin.from) consumed.add(from);
  const outputs = segments.filter((s) => !consumed.has(s));
  if (outputs.length !== 1) return false;
  const out = outputs[0]!;
  const values = out.words.slice(1).map((w) => w.value);
  if (values.some((v) => v === null)) return false;
  const args = values as string[];
  const operands = positionals(args, []);
  switch (out.name) {
    case 'nproc':
      return true;
    case 'wc':
      return operands.length === 0 && args.every((a) => /^-[lcwmL]+$|^--(lines|bytes|words|chars|max-line-length)$/.test(a));
    case 'id':
      return args.length > 0 && args.every((a) => /^-[ugrG]+$/.test(a));
    case 'date':
      return args.length === 1 && /^\+(%[sYmdHMSjuwVUGgy])+$/.test(args[0]!);
    case 'grep':
      return (
        args.some((a) => /^-[a-zA-Z]*c[a-zA-Z]*$|^--count$/.test(a)) &&
        operands.length <= 2 &&
        !args.some((a) => /^-[a-zA-Z]*[Hr]|^--with-filename|^--recursive/.test(a))
      );
    case 'git':
      return args[0] === 'rev-list' && args.includes('--count');
    case 'seq':
      return args.every((a) => /^-?\d+(\.\d+)?$/.test(a));
    case 'tput':
      return args.length === 1 && (args[0] === 'cols' || args[0] === 'lines' || args[0] === 'colors');
    case 'getconf':
      return operands.length === 1;
    default:
      return false;
  }
}
