/**
 * File names that reach a command through data (see values.ts), judged as the command is judged:
 * a value the line shows is judged exactly as if it were written in its place (`f=~/.ssh/id_rsa;
 * cat $f` reads a secret as `cat ~/.ssh/id_rsa` does); the names a listing prints are judged by
 * where it looks (`ls ~ | xargs cat` reads in the home directory); and a file operand of a reader
 * whose name comes from data the policy cannot see (`xargs cat < list.txt`, `cat "$1"`) could be
 * any credential store, which is CONFIRM too.
 */
import { UNKNOWN } from './expand.js';
import { takesValue } from './options.js';
import { holdsSecrets, isSensitivePath, type PathContext } from './paths.js';
import type { Finding } from './risk.js';
import { DATA_READERS } from './rules.js';
import type { Listing, PathValue, Segment, Word } from './segment.js';
import { valuesOf } from './values.js';

/** A path a command writes: its value (null when known only at run time), as written, and whether it is a glob. */
export type WriteTarget = Pick<Word, 'value' | 'text' | 'glob' | 'origin'>;

const NO_TARGETS: readonly WriteTarget[] = [];

export function secretFile(path: string): Finding {
  return { code: 'reads_secrets', verdict: 'confirm', secret: 'file', detail: ` (${path})` };
}

/**
 * The secret an argument names, if any: the value itself, the value of `--opt=PATH`, or `@PATH`
 * (curl's "read this file"). Options without a value name no path. An unquoted glob names every
 * path it can match (`~/.a?s/credentials`).
 */
export function sensitiveIn(word: Pick<Word, 'value' | 'text' | 'glob'>, targets: readonly WriteTarget[], paths: PathContext): string | null {
  // A process substitution is a pipe, named by the text of the command it runs.
  if (word.value === null && /^[<>]\(/.test(word.text)) return null;
  const value = word.value ?? word.text.replace(/^"|"$/g, '');
  const eq = value.indexOf('=');
  if (value.charCodeAt(0) === 45 && eq < 0) return null;
  const check = (candidate: string): boolean => !targets.some((t) => t.value === candidate) && isSensitivePath(candidate, paths, word.glob);
  if (check(value)) return value;
  if (eq > 0 && check(value.slice(eq + 1))) return value.slice(eq + 1);
  if (value.charCodeAt(0) === 64 && check(value.slice(1))) return value.slice(1);
  // `REV:PATH` (git show HEAD:.env) and `HOST:PATH` (scp host:~/.ssh/id_rsa .) name a file after the colon.
  const colon = value.indexOf(':');
  if (colon >= 0 && colon + 1 < value.length && !value.includes('://') && check(value.slice(colon + 1))) return value.slice(colon + 1);
  return null;
}

/**
 * Whether the line shows more of a word's value than its text: it expands something, or is fed
 * data (only a word whose value is known at run time has an origin), or is `~+` or `~-`.
 */
export function flows(word: Word): boolean {
  const value = word.value;
  return value === null ? word.origin !== undefined : value.charCodeAt(0) === 126 && /^~[+-](\/|$)/.test(word.text);
}

/**
 * A value as a path to judge. A path component with an unknown part stands for any name (`*`),
 * keeping only what follows the unknown part (`$x.pem` is `*.pem`): what precedes it says nothing
 * of the name (`notes-$x` may be `notes-/../.env`). So a value names a secret when its known
 * parts do (`~/.ssh/$x`, `$x/id_rsa`); otherwise it is data (see dataFindings).
 */
function pathText(v: PathValue): string {
  if (!v.text.includes(UNKNOWN)) return v.text;
  return v.text
    .split('/')
    .map((part) => (part.includes(UNKNOWN) ? '*' + part.slice(part.lastIndexOf(UNKNOWN) + 1) : part))
    .join('/');
}

function isGlobValue(v: PathValue): boolean {
  return v.glob || v.text.includes(UNKNOWN);
}

/**
 * Judgements of values and listings in the last path context: the same loop over `src/*.ts` or
 * `find . -name '*.ts'` recurs from one command to the next, and judging a glob is not cheap.
 */
let judged: { cwd: string | null; home: string | null; alephHome: string | null | undefined; values: Map<string, string | null> } | undefined;

function judgedIn(paths: PathContext): Map<string, string | null> {
  if (judged === undefined || judged.cwd !== paths.cwd || judged.home !== paths.home || judged.alephHome !== paths.alephHome || judged.values.size > 4096)
    judged = { cwd: paths.cwd, home: paths.home, alephHome: paths.alephHome, values: new Map() };
  return judged.values;
}

/** The secret a value names (see sensitiveIn), remembered when no write target is in play. */
function secretValue(v: PathValue, targets: readonly WriteTarget[], paths: PathContext): string | null {
  if (targets.length > 0) return sensitiveIn(asWord(v), targets, paths);
  const cache = judgedIn(paths);
  const key = (v.glob ? 'g' : 'v') + v.text;
  let out = cache.get(key);
  if (out === undefined) cache.set(key, (out = sensitiveIn(asWord(v), targets, paths)));
  return out;
}

/** A value as the word it stands for (shaped as the walker's words are). */
function asWord(v: PathValue): Word {
  const text = pathText(v);
  return { text, value: text, glob: isGlobValue(v), subs: NO_SUBS };
}

const NO_SUBS: readonly Segment[] = [];

/** What reading the names a listing prints reaches: a secret (as a path to report), data, or nothing. */
function judgeListing(listing: Listing, paths: PathContext): { secret: string } | { unknown: string } | null {
  const cache = judgedIn(paths);
  const roots: PathValue[] = [];
  for (const root of listing.roots) for (const v of valuesOf(root).values) roots.push(v.listing === undefined ? v : { text: UNKNOWN, glob: false });
  let key = 'l' + listing.tool;
  for (const r of roots) key += (r.glob ? '\0g' : '\0v') + r.text;
  key += '\0';
  for (const n of listing.names ?? []) key += '\0' + n;
  const known = cache.get(key);
  if (known !== undefined) return known === null ? null : known.startsWith('?') ? { unknown: known.slice(1) } : { secret: known.slice(1) };
  const out = listingReach(listing, roots, paths);
  cache.set(key, out === null ? null : 'secret' in out ? '!' + out.secret : '?' + out.unknown);
  return out;
}

function listingReach(listing: Listing, roots: readonly PathValue[], paths: PathContext): { secret: string } | { unknown: string } | null {
  for (const root of roots) {
    if (root.text.includes(UNKNOWN)) return { unknown: `the names ${listing.tool} prints under a directory known only at run time` };
    const dir = root.text === '' ? '.' : root.text;
    if (paths.cwd === null && !dir.startsWith('/') && !dir.startsWith('~') && !dir.startsWith('$'))
      return { unknown: `the names ${listing.tool} prints, in a directory the policy cannot follow` };
    if (holdsSecrets(dir, paths, root.glob)) return { secret: `files ${listing.tool} lists under ${dir}, which holds credential stores` };
    for (const name of listing.names ?? []) {
      const path = `${dir.replace(/\/+$/, '')}/${name}`;
      if (isSensitivePath(path, paths, true)) return { secret: `${path}, listed by ${listing.tool}` };
    }
  }
  return null;
}

/** The reason for a reader of files named by data the policy cannot see. */
function unknownFiles(name: string, why: string): Finding {
  return { code: 'reads_unknown_files', verdict: 'confirm', name, detail: ` (${why})` };
}

/**
 * The findings about the words of `segment` that reach it through data: a secret their values
 * name, or a reader's file operand named by data the policy cannot see. `pattern` is the index of
 * the word that is a pattern or program (not a file), or -1. Returns whether a secret was found.
 */
export function dataFindings(
  name: string,
  words: readonly Word[],
  paths: PathContext,
  cwdUnknown: boolean,
  targets: readonly WriteTarget[],
  pattern: number,
  findings: Finding[],
): boolean {
  const reader = DATA_READERS[name];
  let operands: ReadonlySet<number> | undefined;
  const isOperand = (i: number): boolean => {
    if (reader === undefined) return false;
    operands ??= fileOperands(words, reader);
    return operands.has(i);
  };
  let unknownWhy: string | null = null;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (i === pattern) continue;
    if (!flows(word)) {
      // A relative file after a `cd` the policy cannot follow could be anywhere.
      if (cwdUnknown && reader !== undefined && unknownWhy === null && word.value !== null && isRelative(word.value) && isOperand(i))
        unknownWhy = `${word.value}, in a directory the policy cannot follow`;
      continue;
    }
    const set = valuesOf(word);
    for (const v of set.values) {
      if (v.listing !== undefined) {
        const judged = judgeListing(v.listing, paths);
        if (judged === null) continue;
        if ('secret' in judged) {
          findings.push(secretFile(judged.secret));
          return true;
        }
        if (unknownWhy === null && isOperand(i)) unknownWhy = judged.unknown;
        continue;
      }
      const found = secretValue(v, targets, paths);
      if (found !== null) {
        findings.push(secretFile(found));
        return true;
      }
      if (unknownWhy === null && v.text.includes(UNKNOWN) && isOperand(i)) unknownWhy = set.why ?? 'data known only at run time';
    }
  }
  if (unknownWhy !== null) findings.push(unknownFiles(name, unknownWhy));
  return false;
}

/** jq's options that take two words (`--arg NAME VALUE`). */
const TWO_VALUES: ReadonlySet<string> = new Set(['--arg', '--argjson', '--slurpfile', '--rawfile']);

/** The indices of a reader's operands among `words` (the command word first), past its options and their values. */
function fileOperands(words: readonly Word[], optionsWithValue: readonly string[]): ReadonlySet<number> {
  const args = words.map((w) => w.value ?? '');
  const out = new Set<number>();
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      for (let j = i + 1; j < args.length; j++) out.add(j);
      break;
    }
    if (TWO_VALUES.has(a)) i += 2;
    else if (a.length > 1 && a.startsWith('-')) {
      if (takesValue(a, optionsWithValue)) i++;
    } else out.add(i);
  }
  return out;
}

function isRelative(path: string): boolean {
  return path !== '' && path !== '-' && !path.startsWith('/') && !path.startsWith('~') && !path.startsWith('-');
}

/**
 * The paths a word known only at run time may name when the line shows all of them, each as a
 * write target (`f=~/.bashrc; echo x >> $f` writes a startup file); none otherwise.
 */
export function knownTargets(target: WriteTarget): readonly WriteTarget[] {
  if (target.value !== null || target.origin === undefined) return NO_TARGETS;
  const set = valuesOf(target as Word);
  const out: WriteTarget[] = [];
  for (const v of set.values) if (v.listing === undefined && !v.text.includes(UNKNOWN)) out.push({ value: v.text, text: v.text, glob: v.glob });
  return out;
}

/**
 * A read redirection (`< "$f"`) whose file comes through data: a secret, or a file named by
 * unknown data when `reads` (the command uses what it reads, not only its size).
 */
export function redirectFinding(name: string | null, target: Word, paths: PathContext, reads: boolean): Finding | null {
  if (!flows(target)) return null;
  let why: string | null = null;
  for (const v of valuesOf(target).values) {
    if (v.listing !== undefined) continue;
    const path = pathText(v);
    if (isSensitivePath(path, paths, isGlobValue(v))) return secretFile(path);
    if (v.text.includes(UNKNOWN)) why ??= valuesOf(target).why;
  }
  return why !== null && reads ? unknownFiles(name ?? 'the shell', why) : null;
}

/** Most alternatives tried for a command whose words take several known values. */
const MAX_VARIANTS = 16;

/**
 * The words with one of them, known only at run time, in turn replaced by each value the line
 * shows it may take (`d=~; grep -r token $d` is `grep -r token ~`).
 */
export function knownVariants(words: readonly Word[]): Word[][] {
  const out: Word[][] = [];
  words.forEach((word, i) => {
    if (word.value !== null || word.origin === undefined) return;
    for (const v of knownTargets(word)) {
      if (out.length >= MAX_VARIANTS) return;
      const copy = words.slice();
      copy[i] = { text: v.text, value: v.value, glob: v.glob, subs: word.subs };
      out.push(copy);
    }
  });
  return out;
}
