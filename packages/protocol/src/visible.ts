/**
 * Text an agent (or any peer) chose, made safe to show a person who decides on it: what it shows
 * is what it holds. Control characters become escapes (`\r`, `\x1b`), format characters (bidi
 * overrides, zero-width) become `<U+202E>`, and a long run of spaces, which could push the rest of
 * a command out of sight, is shown by its length.
 */

/** Runs of more spaces than this are shown as `⟨N spaces⟩`. */
const MAX_SPACES = 8;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control, format (bidi overrides, zero-width) and line or paragraph separator characters: they
 * can hide or fake what text shows.
 */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** What visibleText replaces: those characters, and long runs of spaces. */
const HIDDEN = new RegExp(`${UNPRINTABLE.source}| {${MAX_SPACES + 1},}`, 'gu');

/**
 * `text` with everything that could make it look different from what it is made visible.
 * `multiline` keeps line breaks as they are (where each line is drawn apart, in a box of its own);
 * otherwise they are escaped too, so one line cannot pose as several.
 */
export function visibleText(text: string, multiline = false): string {
  return text.replace(HIDDEN, (c) => {
    if (c.startsWith(' ')) return ` ⟨${c.length} spaces⟩ `;
    if (c === '\n' && multiline) return c;
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}
