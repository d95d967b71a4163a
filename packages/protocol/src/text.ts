/**
 * Well-formed text. JSON may spell a UTF-16 surrogate on its own (`"\ud800"`), which is no Unicode
 * character: UTF-8 cannot hold it, so whatever stores or sends it on (SQLite, a file, a process's
 * arguments) silently turns it into U+FFFD, and the text read back is not the text received. A
 * hash taken before that change no longer matches the row after it. Such text is refused where
 * JSON enters (frames, calls, audit events), as bytes that are not UTF-8 already are.
 */

/** With the `u` flag, a surrogate pair is one code point outside this range: only a lone surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Whether `text` is well-formed Unicode (holds no lone surrogate). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Where a parsed JSON value holds text that is not well-formed: the path of the first such string
 * or key (`request.command`, `reasons[2]`, or `` for the value itself), or null when all are.
 * Iterative, so that a deeply nested value cannot exhaust the stack.
 */
export function illFormedTextAt(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, path] = next;
    if (typeof v === 'string') {
      if (!isWellFormedText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      const at = (key: string): string => (path === '' ? key : `${path}.${key}`);
      for (const [key] of entries) if (!isWellFormedText(key)) return at(key);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], at(entries[i]![0])]);
    }
  }
  return null;
}

/** The sentence that refuses text found at `path` by illFormedTextAt. */
export function illFormedTextMessage(path: string): string {
  return `${path === '' ? 'The text' : `The text at "${path}"`} is not well-formed Unicode (it holds a lone UTF-16 surrogate, such as "\\ud800"); send characters that UTF-8 can hold.`;
}
