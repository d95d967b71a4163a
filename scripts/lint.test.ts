import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The root lint config, exercised the way `npm run lint` runs it: on files that sit where the
// config's areas are, so that each rule is seen to fire where it should and only there.
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The rules that fire, with their messages, for `code` as if it were the file at `path`. */
async function problems(path: string, code: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
}

async function rules(path: string, code: string): Promise<(string | null)[]> {
  return (await problems(path, code)).map((p) => p.rule);
}

describe('import cycles', () => {
  it('reports every file of a cycle, however long', async () => {
    // The fixtures are ignored by `npm run lint` (the tree must pass); here they are linted on purpose.
    const fixtures = new ESLint({ cwd: root, ignore: false });
    const results = await fixtures.lintFiles(['scripts/lint-fixtures/cycle/*.ts']);
    expect(results.map((r) => [r.filePath.slice(root.length), r.messages.map((m) => m.ruleId)])).toEqual([
      ['scripts/lint-fixtures/cycle/first.ts', ['import-x/no-cycle']],
      ['scripts/lint-fixtures/cycle/second.ts', ['import-x/no-cycle']],
      ['scripts/lint-fixtures/cycle/third.ts', ['import-x/no-cycle']],
    ]);
    expect(results[0]!.messages[0]!.message).toBe('Dependency cycle via "./third.js:1"');
  });

  it('leaves a cycle of type-only imports alone: nothing of it is left at run time', async () => {
    const fixtures = new ESLint({ cwd: root, ignore: false });
    const results = await fixtures.lintFiles(['scripts/lint-fixtures/type-cycle/*.ts']);
    expect(results).toHaveLength(2);
    expect(results.flatMap((r) => r.messages)).toEqual([]);
  });

  it('is not run on the fixtures by npm run lint', async () => {
    expect(await eslint.isPathIgnored(`${root}scripts/lint-fixtures/cycle/first.ts`)).toBe(true);
  });
});

describe('layering', () => {
  it('keeps protocol free of every other package of ours, however it is imported', async () => {
    const path = 'packages/protocol/src/probe.ts';
    expect(await rules(path, "import { Gateway } from '@aleph/gateway';\nexport { Gateway };\n")).toEqual(['no-restricted-imports']);
    expect(await rules(path, "export { evaluate } from '@aleph/policy';\n")).toEqual(['no-restricted-imports']);
    expect(await rules(path, "export const later = () => import('@aleph/audit');\n")).toEqual(['no-restricted-syntax']);
    expect(await rules(path, "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n")).toEqual([]);
    const [problem] = await problems(path, "import '@aleph/identity';\n");
    expect(problem?.message).toContain('protocol is the bottom layer: it imports nothing of ours');
  });

  it.each(['policy', 'identity'])('keeps %s pure: protocol only, and no file, network or process I/O', async (name) => {
    const path = `packages/${name}/src/probe.ts`;
    expect(await rules(path, "import { ok } from '@aleph/protocol';\nexport { ok };\n")).toEqual([]);
    expect(await rules(path, "import { ok } from '@aleph/sandbox';\nexport { ok };\n")).toEqual(['no-restricted-imports']);
    for (const io of ['node:fs', 'fs', 'fs/promises', 'node:fs/promises', 'node:net', 'net', 'node:child_process', 'child_process']) {
      expect(await rules(path, `import * as io from '${io}';\nexport { io };\n`), io).toEqual(['no-restricted-imports']);
    }
    expect(await rules(path, "export const spawn = async () => (await import('node:child_process')).spawn;\n")).toEqual(['no-restricted-syntax']);
    expect(await rules(path, "declare const require: (id: string) => unknown;\nexport const net = require('net');\n")).toEqual(['no-restricted-syntax']);
    // Pure is about I/O: paths, hashing and the like are computation.
    expect(await rules(path, "import { join } from 'node:path';\nexport { join };\n")).toEqual([]);
    const [problem] = await problems(path, "import 'node:fs';\n");
    expect(problem?.message).toContain(`packages/${name} is pure`);
  });

  it('lets the tests of a pure package read their fixtures, but not import other packages', async () => {
    const path = 'packages/policy/src/probe.test.ts';
    expect(await rules(path, "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n")).toEqual([]);
    expect(await rules(path, "import { Gateway } from '@aleph/gateway';\nexport { Gateway };\n")).toEqual(['no-restricted-imports']);
  });

  it.each(['audit', 'sandbox'])('lets %s import protocol and Node.js, and no other package of ours', async (name) => {
    const path = `packages/${name}/src/probe.ts`;
    expect(await rules(path, "import { ok } from '@aleph/protocol';\nimport { readFileSync } from 'node:fs';\nexport { ok, readFileSync };\n")).toEqual([]);
    expect(await rules(path, "import { evaluate } from '@aleph/policy';\nexport { evaluate };\n")).toEqual(['no-restricted-imports']);
    expect(await rules(path, "import { Gateway } from '@aleph/gateway';\nexport { Gateway };\n")).toEqual(['no-restricted-imports']);
  });

  it('lets the gateway import every package, subpaths too, and no app', async () => {
    const path = 'packages/gateway/src/probe.ts';
    const packages = ['protocol', 'policy', 'policy/patterns', 'identity', 'audit', 'sandbox'];
    expect(await rules(path, packages.map((p, i) => `import * as p${i} from '@aleph/${p}';\nexport { p${i} };\n`).join(''))).toEqual([]);
    expect(await rules(path, "import { main } from '@aleph/cli';\nexport { main };\n")).toEqual(['no-restricted-imports']);
    expect(await rules(path, "export const app = () => import('@aleph/desktop');\n")).toEqual(['no-restricted-syntax']);
  });

  it('keeps the renderer to the protocol, without Node.js', async () => {
    const path = 'apps/desktop/src/renderer/src/probe.ts';
    expect(await rules(path, "import { ok } from '@aleph/protocol';\nimport { create } from 'zustand';\nexport { ok, create };\n")).toEqual([]);
    expect(await rules(path, "import { Gateway } from '@aleph/gateway';\nexport { Gateway };\n")).toEqual(['no-restricted-imports']);
    for (const node of ['node:path', 'path', 'events', 'node:test', 'node:sqlite']) {
      expect(await rules(path, `import * as m from '${node}';\nexport { m };\n`), node).toEqual(['no-restricted-imports']);
    }
    // Its tests run under Node.js, against a local server.
    expect(await rules('apps/desktop/src/renderer/src/probe.test.ts', "import { createServer } from 'node:http';\nexport { createServer };\n")).toEqual([]);
  });

  it('does not let a relative path reach into another package', async () => {
    expect(await rules('packages/audit/src/probe.ts', "import { evaluate } from '../../policy/src/index.js';\nexport { evaluate };\n")).toEqual([
      'import-x/no-relative-packages',
    ]);
  });

  it('leaves the apps free to use any package', async () => {
    expect(
      await rules(
        'apps/cli/src/probe.ts',
        "import { Gateway } from '@aleph/gateway';\nimport { spawn } from 'node:child_process';\nexport { Gateway, spawn };\n",
      ),
    ).toEqual([]);
    expect(await rules('apps/desktop/src/main/probe.ts', "import { Gateway } from '@aleph/gateway';\nexport { Gateway };\n")).toEqual([]);
  });
});
