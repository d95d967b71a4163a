import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintWorkflow, parseWorkflow } from './ci-workflow.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const FILE = `${root}.github/workflows/ci.yml`;
const text = readFileSync(FILE, 'utf8');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly 'runs-on': string;
  readonly steps: readonly Step[];
  readonly env?: Record<string, string>;
}

const jobs = (): Record<string, Job> => {
  const { workflow } = parseWorkflow(text);
  // The workflow checked by lintWorkflow below; read here as the shape GitHub gives it.
  return (workflow?.value.jobs ?? {}) as unknown as Record<string, Job>;
};
const runs = (job: Job) => job.steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
const required = (job: Job) => job.steps.flatMap((s) => (s.env?.ALEPH_REQUIRE_SUITES ?? '').split(',')).filter((s) => s !== '');

describe('the CI workflow', () => {
  it('passes the offline lint: strict YAML, known keys, one action per step, pinned actions, expressions that resolve, scripts bash can read', () => {
    expect(lintWorkflow(text)).toEqual([]);
  });

  it('runs npm ci && npm test on Linux and on macOS, with the suites those platforms exist for required, not skipped', () => {
    const all = Object.values(jobs());
    const linux = all.filter((j) => j['runs-on'].startsWith('ubuntu'));
    const macos = all.filter((j) => j['runs-on'].startsWith('macos'));
    expect(linux.length).toBe(1);
    expect(macos.length).toBe(1);
    for (const job of [...linux, ...macos]) {
      const scripts = runs(job);
      expect(scripts).toContain('npm ci');
      expect(scripts.some((r) => /(^|\s)npm test$/.test(r))).toBe(true);
      expect(scripts.indexOf('npm ci')).toBeLessThan(scripts.findIndex((r) => r.endsWith('npm test')));
    }
    // Linux: Electron under a virtual display, bubblewrap's escape suite; macOS: real sandbox-exec and Electron natively.
    expect(runs(linux[0]!)).toContain('xvfb-run --auto-servernum npm test');
    expect(required(linux[0]!)).toEqual(expect.arrayContaining(['bubblewrap', 'electron']));
    expect(required(macos[0]!)).toEqual(expect.arrayContaining(['macos-sandbox', 'electron']));
    expect(runs(macos[0]!).some((r) => r.includes('packages/sandbox/src/macos.test.ts'))).toBe(true);
    // The Electron launch test loads the gateway's SQLite inside Electron: rebuilt for Electron's ABI
    // first, and last, since the rest of the suite needs it built for Node.
    for (const job of [...linux, ...macos]) {
      const last = job.steps.at(-1)!;
      expect(last.run).toMatch(/^npx electron-rebuild -f -o better-sqlite3 && .*npx vitest run e2e\/electron\.test\.ts$/);
      expect(last.env?.ALEPH_REQUIRE_SUITES).toBe('electron');
    }
    // Every suite a job requires exists under that name.
    const names = ['bubblewrap', 'electron', 'macos-sandbox'];
    for (const job of all) for (const suite of required(job)) expect(names).toContain(suite);
  });

  it('has a Windows job exactly when the package configuration builds for Windows', () => {
    const builder = JSON.parse(readFileSync(`${root}apps/desktop/electron-builder.json`, 'utf8')) as Record<string, unknown>;
    const windows = Object.values(jobs()).some((j) => j['runs-on'].startsWith('windows'));
    expect(windows).toBe('win' in builder);
  });

  it('names only scripts that exist in the repository', () => {
    for (const script of Object.values(jobs()).flatMap(runs)) {
      for (const [path] of script.matchAll(/\b(?:scripts|packages|e2e|apps)\/[\w./-]+\.(?:sh|ts)\b/g)) expect(existsSync(`${root}${path}`), path).toBe(true);
    }
  });

  it('is a lint that catches what it claims to: each broken copy is refused, naming why', () => {
    const broken: Array<[string, string, RegExp]> = [
      [
        'a step with both uses and run',
        text.replace('      - uses: actions/checkout@v4\n', '      - uses: actions/checkout@v4\n        run: echo both\n'),
        /exactly one/,
      ],
      ['an action not pinned to a ref', text.replace('actions/checkout@v4', 'actions/checkout'), /owner\/repo@ref/],
      ['a misspelt key', text.replace('runs-on: macos-15', 'run-on: macos-15'), /unknown key "run-on"/],
      ['a duplicate key', text.replace('    timeout-minutes: 45\n', '    timeout-minutes: 45\n    timeout-minutes: 30\n'), /yaml: .*(uniq|duplicate)/i],
      ['a matrix axis the job does not have', text.replace('${{ matrix.node }}', '${{ matrix.nodes }}'), /matrix\.nodes is not in this job's matrix/],
      ['an unclosed expression', text.replace('${{ matrix.node }}\n', '${{ matrix.node \n'), /not closed/],
      ['a script bash cannot read', text.replace('run: npm ci', 'run: if npm ci; then'), /bash -n/],
      ['needs of a job that is not there', text.replace('    runs-on: macos-15\n', '    runs-on: macos-15\n    needs: lint\n'), /needs "lint"/],
      ['a permission that does not exist', text.replace('contents: read', 'contents: maybe'), /permissions\.contents/],
    ];
    for (const [what, copy, why] of broken) {
      expect(copy, what).not.toBe(text);
      expect(lintWorkflow(copy).join('\n'), what).toMatch(why);
    }
  });
});
