import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REASONS } from '@aleph/policy';
import { describe, expect, it } from 'vitest';

/**
 * docs/protocol.md must be enough to write a client in another language, so every code, message type
 * and close code the packages can put on the wire appears in it. The packages are read as text: a code
 * added anywhere, in any file, fails this test until the document names it.
 */
const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'protocol.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The wire's packages (apps print their own messages, documented in the README). */
const files = readdirSync(join(root, 'packages')).flatMap((p) => sources(join(root, 'packages', p, 'src')));
/** The audit log's event schema names field types ('string', 'number?'), not codes. */
const wireFiles = files.filter((f) => !f.endsWith(join('protocol', 'src', 'audit.ts')));
const text = wireFiles.map((f) => readFileSync(f, 'utf8')).join('\n');

function all(pattern: RegExp, source = text): string[] {
  return [...new Set([...source.matchAll(pattern)].map((m) => m[1] ?? ''))].sort();
}

/** `code: 'x'` and `reason_code: 'x'` literals, and the members of every `...Code = 'a' | 'b'` union. */
function codes(): string[] {
  const literal = all(/\b(?:code|reason_code)\??\s*:\s*'([a-z][a-z0-9_]*)'/g);
  const unions = [...text.matchAll(/type \w*Code\w* =([^;]+);/g)].flatMap((m) => all(/'([a-z][a-z0-9_]*)'/g, m[1] ?? ''));
  return [...new Set([...literal, ...unions])].sort();
}

describe('docs/protocol.md', () => {
  it('names every code the packages send (errors, refusals, run errors and risk reasons)', () => {
    const found = codes();
    expect(found.length).toBeGreaterThan(50);
    expect(found.filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it('gives every risk reason its row, with its score', () => {
    const rows = doc.split('\n');
    const missing = Object.entries(REASONS).filter(([code, r]) => !rows.some((l) => l.startsWith(`| \`${code}\` | ${r.score} |`)));
    expect(missing.map(([code]) => code)).toEqual([]);
  });

  it('shows every message type', () => {
    const messages = readFileSync(join(root, 'packages', 'protocol', 'src', 'messages.ts'), 'utf8');
    const types = all(/\breadonly type: '([a-z][a-z0-9_]*)'/g, messages);
    expect(types).toContain('approval_request');
    expect(types.filter((t) => !doc.includes(`"type": "${t}"`) && !doc.includes(`"type":"${t}"`))).toEqual([]);
  });

  it('explains every WebSocket close code', () => {
    const table = /CLOSE_CODES = \{([^}]*)\}/.exec(text)?.[1] ?? '';
    const close = all(/\b(4\d{3})\b/g, table);
    expect(close).toContain('4000');
    const rows = doc.split('\n').filter((l) => /^\| [0-9, ]+ \|/.test(l));
    expect(close.filter((c) => !rows.some((r) => r.includes(c)))).toEqual([]);
  });
});
