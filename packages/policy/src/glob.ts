/**
 * Globs as the policy uses them: `*` matches any run of characters except the separator (when
 * there is one), `**` matches across separators too, `?` one character. Everything else is literal.
 */
export function globToRegExp(glob: string, separator: string | null): RegExp {
  const not = separator === null ? '.' : `[^${escape(separator)}]`;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (ch === '*') {
      source += `${not}*`;
    } else if (ch === '?') {
      source += not;
    } else {
      source += escape(ch);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The wildcards of a glob's tokens; every other token is one literal character. */
const ANY = '\0any';
const STAR = '\0star';

/**
 * A file name glob as bash reads it: `*`, `?`, bracket expressions (read as any one character),
 * backslash escapes. Null when it uses pattern syntax this does not follow (extglob's `@(...)`,
 * zsh's qualifiers), which may match anything.
 */
function shellTokens(glob: string): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '(') return null;
    if (ch === '\\' && i + 1 < glob.length) out.push(glob[++i]!);
    else if (ch === '*') out.push(STAR);
    else if (ch === '?') out.push(ANY);
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) out.push(ch);
      else {
        out.push(ANY);
        i = close;
      }
    } else out.push(ch);
  }
  return out;
}

function policyTokens(glob: string): string[] {
  return glob.split('').map((ch) => (ch === '*' ? STAR : ch === '?' ? ANY : ch));
}

/**
 * Whether some file name matches both `pattern` (a policy glob, `*` and `?`, see globToRegExp) and
 * `name`, a glob in a command line (`.a?s`, `id_*`, `[.]env`). As bash does without `dotglob`, a
 * name glob that does not start with a literal `.` matches no name that starts with one.
 */
export function globsIntersect(pattern: string, name: string): boolean {
  const a = policyTokens(pattern);
  const b = shellTokens(name);
  if (b === null) return true;
  const hidden = b[0] !== '.';
  // A search over pairs of positions, and whether a character has been read yet.
  const seen = new Set<number>();
  const stack: [number, number, number][] = [[0, 0, 0]];
  while (stack.length > 0) {
    const [i, j, started] = stack.pop()!;
    const key = (i * (b.length + 1) + j) * 2 + started;
    if (seen.has(key)) continue;
    seen.add(key);
    const ta = a[i];
    const tb = b[j];
    if (ta === undefined && tb === undefined) return true;
    // A star may match nothing.
    if (ta === STAR) stack.push([i + 1, j, started]);
    if (tb === STAR) stack.push([i, j + 1, started]);
    if (ta === undefined || tb === undefined) continue;
    // One character both accept; a name's first cannot be a dot unless the name glob begins with it.
    if (ta.length === 1 && tb.length === 1 && ta !== tb) continue;
    if (started === 0 && hidden && (ta === '.' || tb === '.')) continue;
    stack.push([ta === STAR ? i : i + 1, tb === STAR ? j : j + 1, 1]);
  }
  return false;
}
