/**
 * Well-formed text. JSON may spell a UTF-16 surrogate on its own (`"\ud800"`), which is no Unicode
 * character: UTF-8 cannot hold it, so whatever stores or sends it on (SQLite, a file, a process's
 * arguments) silently turns it into U+FFFD, and the text read back is not the text received. A
 * hash taken before that change no longer matches the row after it. Such text is refused where
 * JSON enters (frames, calls, audit events), as bytes that are not UTF-8 already are.
 */

/**
 * Whether `text` is well-formed Unicode (holds no lone surrogate). String.prototype.isWellFormed is
 * ES2024 (Node 20, every current browser), newer than the library this project compiles against;
 * it is native, and answers at once for text without any surrogate.
 */
export function isWellFormedText(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Where a parsed JSON value holds text that is not well-formed: the path of such a string or key
 * (`request.command`, `reasons[2]`, or `` for the value itself), or null when all are. Checked on
 * every message and every audit event, so the common case (nothing wrong) is a scan that builds
 * nothing; only a value that fails is walked again for the path.
 */
export function illFormedTextAt(value: unknown): string | null {
  return holdsIllFormedText(value, 0) ? pathOfIllFormedText(value) : null;
}

/** Nesting beyond which the scan goes on without recursion: a 1 MiB line can nest half a million deep. */
const MAX_RECURSION = 64;

function holdsIllFormedText(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !isWellFormedText(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_RECURSION) return pathOfIllFormedText(value) !== null;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsIllFormedText(item, depth + 1)) return true;
    return false;
  }
  // A JSON value's objects are plain: their enumerable keys are their own.
  const object = value as Record<string, unknown>;
  for (const key in object) if (!isWellFormedText(key) || holdsIllFormedText(object[key], depth + 1)) return true;
  return false;
}

/** The path of the first ill-formed string or key, walked with a stack of its own rather than recursion. */
function pathOfIllFormedText(value: unknown): string | null {
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
