/**
 * Brace expansion as bash does it: each group's alternatives (`{a,b}`) or sequence (`{1..5}`,
 * `{a..e}`), word by word, only where the braces are unquoted and unescaped; bounded so a hostile
 * `{1..999999999}` costs nothing.
 */

const MAX_BRACE_WORDS = 256;
/** Longer text between braces is not a sequence anyone writes (`{-100..100..5}` is 13 characters). */
const MAX_SEQUENCE_TEXT = 64;

/** A word's text, and for each character whether brace expansion acts on it (unquoted, unescaped): `1` or `0`. */
export interface WordText {
  readonly text: string;
  readonly active: string;
}

/**
 * The words a word's brace groups expand to, or null if it has none. As in bash: the text before
 * the first group, each of its alternatives expanded, each followed by each expansion of the rest.
 */
export function expandWord(word: WordText): WordText[] | null {
  const group = findBraceGroup(word);
  if (group === null) return null;
  const prefix = slice(word, 0, group.open);
  const rest = slice(word, group.close + 1, word.text.length);
  const tails = expandWord(rest) ?? [rest];
  const results: WordText[] = [];
  for (const alternative of group.alternatives) {
    for (const middle of expandWord(alternative) ?? [alternative]) {
      for (const tail of tails) {
        results.push({ text: prefix.text + middle.text + tail.text, active: prefix.active + middle.active + tail.active });
        if (results.length >= MAX_BRACE_WORDS) return results;
      }
    }
  }
  return results;
}

function slice(word: WordText, start: number, end: number): WordText {
  return { text: word.text.slice(start, end), active: word.active.slice(start, end) };
}

interface BraceGroup {
  readonly open: number;
  readonly close: number;
  readonly alternatives: readonly WordText[];
}

/**
 * The leftmost brace group that expands: a `{` and its matching `}` with a comma at the top level
 * between them, or a sequence. Braces are paired in one pass.
 */
export function findBraceGroup(word: WordText): BraceGroup | null {
  const opened: { at: number; comma: boolean }[] = [];
  let open = -1;
  let close = -1;
  let sequence: string[] | null = null;
  // Once a group is found and no `{` before it is still open, nothing further can come before it.
  for (let i = 0; i < word.text.length && !(open >= 0 && opened.length === 0); i++) {
    if (word.active[i] !== '1') continue;
    const ch = word.text[i];
    if (ch === '{') {
      opened.push({ at: i, comma: false });
    } else if (ch === ',' && opened.length > 0) {
      opened[opened.length - 1]!.comma = true;
    } else if (ch === '}' && opened.length > 0) {
      const pair = opened.pop()!;
      if (open >= 0 && pair.at > open) continue;
      const body = slice(word, pair.at + 1, i);
      const steps = pair.comma || body.text.length > MAX_SEQUENCE_TEXT || body.active.includes('0') ? null : expandSequence(body.text);
      if (pair.comma || steps !== null) {
        open = pair.at;
        close = i;
        sequence = steps;
      }
    }
  }
  if (open < 0) return null;
  if (sequence !== null) return { open, close, alternatives: sequence.map((text) => ({ text, active: '1'.repeat(text.length) })) };
  const alternatives: WordText[] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (word.active[i] !== '1') continue;
    const ch = word.text[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      alternatives.push(slice(word, from, i));
      from = i + 1;
    }
  }
  alternatives.push(slice(word, from, close));
  return { open, close, alternatives };
}

/**
 * `{1..5}`, `{a..e}`, `{10..0..2}`; bounded so a hostile `{1..999999999}` costs nothing. A letter
 * range that would run through the punctuation between `Z` and `a` is left alone.
 */
function expandSequence(body: string): string[] | null {
  const m = /^(-?\d+|[a-z]|[A-Z])\.\.(-?\d+|[a-z]|[A-Z])(?:\.\.(-?\d+))?$/.exec(body);
  if (m === null) return null;
  const [, from, to, stepText] = m;
  const numeric = /\d/.test(from!);
  if (numeric !== /\d/.test(to!)) return null;
  if (!numeric && from! < 'a' !== to! < 'a') return null;
  const start = numeric ? Number(from) : from!.charCodeAt(0);
  const end = numeric ? Number(to) : to!.charCodeAt(0);
  const step = Math.max(1, Math.abs(Number(stepText ?? 1)));
  const out: string[] = [];
  const direction = start <= end ? 1 : -1;
  for (let v = start; direction > 0 ? v <= end : v >= end; v += direction * step) {
    out.push(numeric ? String(v) : String.fromCharCode(v));
    if (out.length >= MAX_BRACE_WORDS) break;
  }
  return out;
}
