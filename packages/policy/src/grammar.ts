import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

let parser: Promise<Parser> | undefined;

/**
 * The bash parser, loaded once per process: web-tree-sitter's runtime plus tree-sitter-bash's
 * shipped WASM grammar. Loading is the only I/O the policy does; everything after it is pure.
 */
export function loadBashParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}
