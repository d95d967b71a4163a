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
