// @ts-check
// One lint config for the whole tree. It is mostly about shape: which package may import which
// (the layering below), and no import cycles between files. The rest is typescript-eslint's
// recommended set, less the rules the tree does not follow (turned off at the end, each with why).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The workspace packages, by short name (`protocol` is `@aleph/protocol`). */
const PACKAGES = ['protocol', 'policy', 'identity', 'audit', 'sandbox', 'gateway'];

/**
 * `@aleph/<name>` and each subpath a package exports (`@aleph/gateway/requester`), mapped to its
 * TypeScript source as vitest does, so that the cycle check follows the sources, built or not.
 */
function sourceAliases() {
  /** @type {Record<string, string[]>} */
  const alias = {};
  for (const name of PACKAGES) {
    const manifest = JSON.parse(readFileSync(new URL(`./packages/${name}/package.json`, import.meta.url), 'utf8'));
    for (const subpath of Object.keys(manifest.exports ?? { '.': null })) {
      const file = subpath === '.' ? 'index' : subpath.slice(2);
      // A trailing `$` makes the alias match the whole specifier, not a prefix of it.
      alias[`@aleph/${name}${subpath === '.' ? '' : subpath.slice(1)}$`] = [`${root}packages/${name}/src/${file}.ts`];
    }
  }
  return alias;
}

const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/test-*.ts'];

/** Node's modules that do I/O a pure package has no business with (files, sockets, processes). */
const IO_MODULES = ['fs', 'fs/promises', 'net', 'child_process', 'http', 'https', 'http2', 'dgram', 'tls', 'dns', 'dns/promises'];

const LAYERS = 'protocol <- policy, identity, audit, sandbox <- gateway <- apps';

/**
 * Who may import what, as VS Code's code-layering rule has it: each area names the workspace
 * packages it may import. `pure` areas do no I/O; the renderer runs in a browser, without Node.
 * Tests of an area may use what a test needs (files, a local server); the packages they import
 * are held to the area's list all the same.
 */
const AREAS = [
  { name: 'packages/protocol', files: ['packages/protocol/**'], packages: [], why: 'protocol is the bottom layer: it imports nothing of ours' },
  { name: 'packages/policy', files: ['packages/policy/**'], packages: ['protocol'], pure: true },
  { name: 'packages/identity', files: ['packages/identity/**'], packages: ['protocol'], pure: true },
  { name: 'packages/audit', files: ['packages/audit/**'], packages: ['protocol'] },
  { name: 'packages/sandbox', files: ['packages/sandbox/**'], packages: ['protocol'] },
  {
    name: 'packages/gateway',
    files: ['packages/gateway/**'],
    packages: ['protocol', 'policy', 'identity', 'audit', 'sandbox'],
    why: 'the gateway imports packages, never apps',
  },
  {
    name: 'the renderer',
    files: ['apps/desktop/src/renderer/**'],
    packages: ['protocol'],
    browser: true,
    why: 'the renderer is the web console: it speaks the protocol to the gateway, and imports nothing else of ours',
  },
];

const escape = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * One restriction: a regular expression over import specifiers and the sentence that explains it.
 * The same restriction holds for `import`/`export ... from` (no-restricted-imports) and for
 * `import()` and `require()` (no-restricted-syntax), which that rule does not look at.
 */
function restrictions(/** @type {(typeof AREAS)[number]} */ area, /** @type {boolean} */ test) {
  const allowed = area.packages.length === 0 ? '' : `(?!(${area.packages.join('|')})(/|$))`;
  const list = [
    {
      regex: `^@aleph/${allowed}`,
      message: `${area.why ?? `${area.name} may import only ${area.packages.map((p) => `@aleph/${p}`).join(', ')} among our packages`} (${LAYERS}).`,
    },
  ];
  if (area.pure === true && !test) {
    list.push({
      regex: `^(node:)?(${IO_MODULES.map(escape).join('|')})$`,
      message: `${area.name} is pure: no file, network or process I/O. Take what it needs as data from the caller.`,
    });
  }
  if (area.browser === true && !test) {
    const bare = builtinModules
      .filter((m) => !m.startsWith('_'))
      .map(escape)
      .join('|');
    list.push({ regex: `^(node:.*|${bare})$`, message: `${area.name} runs in a browser: no Node.js modules.` });
  }
  return list;
}

/** esquery reads a regular expression up to the next `/`, so a slash in one is written \x2F. */
const selectorRegex = (/** @type {string} */ regex) => `/${regex.replaceAll('\\/', '/').replaceAll('/', '\\x2F')}/`;

function layering() {
  return AREAS.flatMap((area) =>
    [false, true].map((test) => {
      const list = restrictions(area, test);
      return {
        name: `aleph/layering: ${area.name}${test ? ' (tests)' : ''}`,
        files: test ? area.files.flatMap((f) => TESTS.map((t) => `${f.replace(/\*\*$/, '')}${t}`)) : area.files,
        ...(test ? {} : { ignores: TESTS }),
        rules: {
          'no-restricted-imports': ['error', { patterns: list.map(({ regex, message }) => ({ regex, message })) }],
          'no-restricted-syntax': [
            'error',
            ...list.flatMap(({ regex, message }) => [
              { selector: `ImportExpression[source.value=${selectorRegex(regex)}]`, message },
              { selector: `CallExpression[callee.name="require"][arguments.0.value=${selectorRegex(regex)}]`, message },
            ]),
          ],
        },
      };
    }),
  );
}

export default defineConfig(
  {
    name: 'aleph/ignores',
    ignores: [
      '**/dist/**',
      '**/out/**',
      '**/release/**',
      '**/node_modules/**',
      'test-results/**',
      '.bench/**',
      'e2e/artifacts/**',
      '**/*.d.ts',
      // Deliberately broken code that the lint tests lint on purpose.
      'scripts/lint-fixtures/**',
    ],
  },
  {
    name: 'aleph/typescript',
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: {
      // import-x follows only the files its settings name, and reads them with the TypeScript parser.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ alias: sourceAliases() })],
    },
    rules: {
      // A cycle makes module load order matter (a module sees another half-initialised) and makes
      // layers impossible to tell apart. Type-only imports are left out: they are gone at run time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // One package reaching into another by a relative path would get round the layering. The
      // one exception is the repository's test support: how a suite that cannot run says so.
      'import-x/no-relative-packages': ['error', { ignore: ['/scripts/skip-notice\\.js$'] }],
      // As tsc's noUnusedLocals has it: a name that starts with _ is unused on purpose (the rest of
      // an object without some keys, a parameter a signature needs).
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
    },
  },
  layering(),
);
