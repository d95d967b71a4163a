/**
 * git's configuration file syntax, read as git's own parser (config.c) reads it: sections with
 * optional quoted subsections (`[diff "x"]`) or the old dotted form (`[diff.x]`, lower-cased),
 * `name = value` or a bare `name` (boolean true), values with quotes, the escapes `\n \t \b \\ \"`,
 * line continuations, `#` and `;` comments, and a variable on the same line as its header.
 * What git rejects is rejected here too: a file git will not read runs nothing, but a file this
 * reader cannot follow is reported, never guessed at.
 */

export interface ConfigEntry {
  /** `section.name` or `section.subsection.name`; section and name lower-case, subsection as written. */
  readonly key: string;
  /** Null for a bare `name` (a boolean true). */
  readonly value: string | null;
  readonly line: number;
}

export type ConfigParse =
  { readonly ok: true; readonly entries: readonly ConfigEntry[] } | { readonly ok: false; readonly line: number; readonly message: string };

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string): boolean => isAlpha(c) || (c >= '0' && c <= '9');

export function parseConfig(text: string): ConfigParse {
  const entries: ConfigEntry[] = [];
  // git reads CRLF as LF, and skips a UTF-8 byte order mark.
  const src = text.replace(/\r\n/g, '\n').replace(/^\ufeff/, '');
  let i = 0;
  let line = 1;
  let section: string | null = null;
  const fail = (message: string): ConfigParse => ({ ok: false, line, message });
  const next = (): string | null => {
    if (i >= src.length) return null;
    const c = src[i++]!;
    if (c === '\n') line++;
    return c;
  };

  for (;;) {
    const c = next();
    if (c === null) return { ok: true, entries };
    if (c === '\n' || isSpace(c)) continue;
    if (c === '#' || c === ';') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '[') {
      const header = readHeader();
      if (header === null) return fail('bad section header');
      section = header;
      continue;
    }
    if (!isAlpha(c)) return fail('bad config line');
    const at = line;
    let name = c.toLowerCase();
    while (i < src.length && (isAlnum(src[i]!) || src[i] === '-')) name += src[i++]!.toLowerCase();
    while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
    let value: string | null = null;
    if (i >= src.length || src[i] === '\n') {
      value = null;
    } else if (src[i] === '=') {
      i++;
      const v = readValue();
      if (v === null) return fail('bad config value');
      value = v;
    } else {
      return fail('bad config line');
    }
    // Before any section header git takes the bare name as the key (one that configures nothing).
    entries.push({ key: section === null ? name : `${section}.${name}`, value, line: at });
  }

  /** After `[`: `name]`, `name "sub"]` or `name.sub]`. */
  function readHeader(): string | null {
    let name = '';
    for (;;) {
      const c = next();
      if (c === null || c === '\n') return null;
      if (c === ']') return name === '' ? null : name;
      if (isSpace(c)) break;
      if (!isAlnum(c) && c !== '-' && c !== '.') return null;
      name += c.toLowerCase();
    }
    // The quoted subsection.
    let c = next();
    while (c !== null && isSpace(c) && c !== '\n') c = next();
    if (c !== '"' || name === '') return null;
    let sub = '';
    for (;;) {
      c = next();
      if (c === null || c === '\n') return null;
      if (c === '"') break;
      if (c === '\\') {
        c = next();
        if (c === null || c === '\n') return null;
      }
      sub += c;
    }
    return next() === ']' ? `${name}.${sub}` : null;
  }

  /** After `=`: up to the end of the line (continuations followed), or null when git would refuse it. */
  function readValue(): string | null {
    let out = '';
    let quote = false;
    let comment = false;
    let spaces = 0;
    for (;;) {
      const c = next();
      if (c === null || c === '\n') {
        if (quote) return null;
        return out;
      }
      if (comment) continue;
      if (!quote && (c === ';' || c === '#')) {
        comment = true;
        continue;
      }
      if (isSpace(c) && !quote) {
        if (out.length > 0) spaces++;
        continue;
      }
      out += ' '.repeat(spaces);
      spaces = 0;
      if (c === '\\') {
        const e = next();
        if (e === '\n') continue;
        if (e === 't') out += '\t';
        else if (e === 'b') out += '\b';
        else if (e === 'n') out += '\n';
        else if (e === '\\' || e === '"') out += e;
        else return null;
        continue;
      }
      if (c === '"') {
        quote = !quote;
        continue;
      }
      out += c;
    }
  }
}
