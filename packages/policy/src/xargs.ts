/**
 * What xargs and GNU parallel add to the commands they run: their input, as words whose values
 * come from it (see values.ts), appended or in place of a replacement string.
 */
import type { Feed, Redirect, Stdin, Word } from './segment.js';
import { NO_SUBS } from './walk.js';
import { decodeAnsiC } from './words.js';

/** The word xargs or parallel adds from its input: known only at run time, unless the line shows the input. */
export function inputWord(feed: Feed): Word {
  return { text: '', value: null, glob: false, subs: NO_SUBS, origin: { kind: 'input', feed } };
}

/** Where xargs reads its items: standard input or `-a FILE`, separated by blanks, lines (`-I`, `-L`), NUL (`-0`) or `-d`'s character. */
export function xargsFeed(own: readonly string[], args: readonly Word[], stdin: Stdin, redirects: readonly Redirect[]): Feed {
  let delimiter: Feed['delimiter'] = 'blank';
  let file: Word | null = null;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    const attached = (at: number): Word => ({ ...args[i]!, text: v.slice(at), value: v.slice(at) });
    if (v === '--null' || /^-[rtpx]*0/.test(v)) delimiter = 'nul';
    else if (v === '-d' || v === '--delimiter') delimiter = decodeAnsiC(own[++i] ?? ' ') || ' ';
    else if (v.startsWith('--delimiter=')) delimiter = decodeAnsiC(v.slice(12)) || ' ';
    else if (/^-[0rtpx]*d./.test(v)) delimiter = decodeAnsiC(v.slice(v.indexOf('d') + 1)) || ' ';
    else if (v === '-a' || v === '--arg-file') file = args[++i] ?? null;
    else if (v.startsWith('--arg-file=')) file = attached(11);
    else if (/^-[0rtpx]*a./.test(v)) file = attached(v.indexOf('a') + 1);
    else if (delimiter === 'blank' && (/^-[0rtpx]*[IiLl]/.test(v) || v.startsWith('--replace') || v.startsWith('--max-lines'))) delimiter = 'line';
  }
  if (delimiter === '\n') delimiter = 'line';
  return { stdin, redirects, file, words: null, delimiter };
}

/** Where parallel reads its items: the words after `:::`, a file after `::::`, or its standard input. */
export function parallelFeed(sources: readonly Word[], given: boolean, stdin: Stdin, redirects: readonly Redirect[]): Feed {
  if (!given) return { stdin, redirects, file: null, words: null, delimiter: 'line' };
  const words: Word[] = [];
  let file: Word | null = null;
  let separator = '';
  for (const w of sources) {
    if (w.value !== null && /^::::?\+?$/.test(w.value)) separator = w.value;
    else if (separator.startsWith('::::')) file ??= w;
    else words.push(w);
  }
  return { stdin, redirects, file, words: file === null ? words : null, delimiter: 'line' };
}

/**
 * The command xargs runs, with its input: appended as arguments, or with `-I R` (`-iR`,
 * `--replace=R`) in place of each word holding `R`. An input word may be any option
 * (`echo -delete | xargs find .`).
 */
export function withXargsInput(own: readonly string[], command: readonly Word[], feed: Feed): Word[] {
  if (command.length === 0) return [];
  let replace: string | null = null;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    if (v === '-I') replace = own[i + 1] ?? null;
    else if (/^-[0rtpx]*I./.test(v)) replace = v.slice(v.indexOf('I') + 1);
    else if (/^-[0rtpx]*i/.test(v)) replace = v.slice(v.indexOf('i') + 1) || '{}';
    else if (v === '--replace' || v.startsWith('--replace=')) replace = v.slice(10) || '{}';
  }
  if (replace === null) return [...command, inputWord(feed)];
  const input = replace;
  return command.map((w) =>
    w.value === null
      ? w.text.includes(input)
        ? { ...w, origin: { kind: 'input', feed } }
        : w
      : w.value.includes(input)
        ? { ...w, value: null, origin: { kind: 'input', feed, replace: input, text: w.value } }
        : w,
  );
}

/** GNU parallel's replacement strings: `{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{#}`, `{%}`, `{2}`, `{= perl =}`. */
export const PARALLEL_REPLACEMENT = /\{(\d*(\.|\/\/?|\/\.)?|#|%|=.*=)\}/s;

/**
 * A command GNU parallel runs, with its input: in place of each replacement string, however it is
 * quoted (parallel substitutes into the text), or appended when the command has none.
 */
export function withParallelInput(command: readonly Word[], append: boolean, feed: Feed): Word[] {
  const words = command.map((w): Word => (PARALLEL_REPLACEMENT.test(w.text) ? { ...w, value: null, origin: { kind: 'input', feed } } : w));
  return append ? [...words, inputWord(feed)] : words;
}
