/**
 * The repository probe: what looking at the repository a git command will use costs per request,
 * from its cache (stat only) and from scratch, beside the decision round trip it is part of, and
 * beside asking git itself (`git config --list`) for the same configuration.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway, GatewayClient, loadConfig, secretBytes } from '@aleph/gateway';
import { RepositoryProbe, repositoryContext } from '@aleph/gateway/repo-context';
import { CommandPolicy } from '@aleph/policy';
import type { GatewayMessage } from '@aleph/protocol';
import { medianMs, type Row } from './table.js';

const PROBES = 2_000;
const WARMUP_TRIPS = 300;
const ROUND_TRIPS = 2_000;
/** Distinct commands for the round trips, as an agent sends them: git ones, and others beside them. */
const COMMANDS = Array.from({ length: 64 }, (_, i) => `git log --oneline -n ${i + 1}`);
const OTHER_COMMANDS = Array.from({ length: 64 }, (_, i) => `head -n ${i + 1} src/lib/a.ts`);

const isDecision = (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision';

/** A repository as agents meet them: a commit, a remote, a branch that tracks it, a nested folder to work in. */
function realisticRepository(dir: string, env: NodeJS.ProcessEnv): string {
  const repo = join(dir, 'project');
  mkdirSync(join(repo, 'src', 'lib'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'src', 'lib', 'a.ts'), 'export const a = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  git('remote', 'add', 'origin', 'git@example.com:team/project.git');
  git('config', 'branch.main.remote', 'origin');
  git('config', 'branch.main.merge', 'refs/heads/main');
  return repo;
}

export async function repoContextSuite(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'alrb-'));
  const env = {
    ...process.env,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  const repo = realisticRepository(dir, env);
  // Agents work at the top of the project; a folder two levels down is the other common case.
  const cwd = repo;
  const nested = join(repo, 'src', 'lib');
  const home = join(dir, 'aleph');
  const gateway = await Gateway.start({ home });
  try {
    const policy = await CommandPolicy.load();
    const location = policy.gitLocations('git status', { cwd, home: dir })[0]!;
    const nestedLocation = policy.gitLocations('git status', { cwd: nested, home: dir })[0]!;
    const cachedProbe = new RepositoryProbe({ home: dir, uid: process.geteuid?.() ?? null });
    // Files written in the last moments are not trusted by their times: wait until both are cached.
    while (cachedProbe.cost(location) === null || cachedProbe.cost(nestedLocation) === null) {
      cachedProbe.report(location);
      cachedProbe.report(nestedLocation);
      await new Promise((r) => setTimeout(r, 10));
    }
    const options = { cwd, home: dir };
    const context = repositoryContext(policy, 'git status', cwd, dir);
    const {
      cached: cachedMs,
      cachedNested: cachedNestedMs,
      uncached: uncachedMs,
      gitConfig: gitConfigMs,
      gather: gatherMs,
      evaluate: evaluateMs,
      evaluateWithContext: withContextMs,
    } = medianMs(
      {
        cached: () => {
          for (let i = 0; i < PROBES; i++) cachedProbe.report(location);
        },
        cachedNested: () => {
          for (let i = 0; i < PROBES; i++) cachedProbe.report(nestedLocation);
        },
        uncached: () => {
          for (let i = 0; i < PROBES / 20; i++) new RepositoryProbe({ home: dir, uid: process.geteuid?.() ?? null }).report(location);
        },
        // The alternative: ask git for the repository's configuration (one process per probe).
        gitConfig: () => {
          for (let i = 0; i < 5; i++) {
            spawnSync('git', ['config', '--list', '--show-scope', '--show-origin', '-z'], {
              cwd,
              env: { ...env, GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
              stdio: ['ignore', 'pipe', 'ignore'],
            });
          }
        },
        // The gateway's step: the locations (from the parse the evaluation then reuses) and the probe.
        gather: () => {
          for (let i = 0; i < PROBES; i++) repositoryContext(policy, 'git status', cwd, dir);
        },
        // And what the policy does with it: the same evaluation with and without the context.
        evaluate: () => {
          for (let i = 0; i < PROBES; i++) policy.evaluate('git status', options);
        },
        evaluateWithContext: () => {
          for (let i = 0; i < PROBES; i++) policy.evaluate('git status', { ...options, ...context });
        },
      },
      15,
      3,
    );
    const perCachedUs = (cachedMs / PROBES) * 1000;
    const perCachedNestedUs = (cachedNestedMs / PROBES) * 1000;
    const perUncachedUs = (uncachedMs / (PROBES / 20)) * 1000;
    const perGitConfigUs = (gitConfigMs / 5) * 1000;
    const gatherUs = (gatherMs / PROBES) * 1000;
    const findingsUs = (Math.max(0, withContextMs - evaluateMs) / PROBES) * 1000;

    // The decision round trip for a git command in that repository, through the gateway.
    const config = loadConfig(home, false);
    if (!config.ok) throw new Error(config.error.message);
    const client = await GatewayClient.connect(gateway.socketPath, secretBytes(config.value));
    const trip = async (i: number, command: string): Promise<number> => {
      const start = process.hrtime.bigint();
      client.send({ type: 'approval_request', id: `t${i}`, request: { command, cwd, agent_id: 'bench', session_key: 'bench' } });
      const answer = await client.waitFor(isDecision);
      if (answer?.verdict !== 'safe') throw new Error(`expected SAFE, got ${answer?.verdict ?? 'nothing'}`);
      return Number(process.hrtime.bigint() - start) / 1000;
    };
    const withGit: number[] = [];
    const withoutGit: number[] = [];
    for (let i = 0; i < WARMUP_TRIPS; i++) {
      await trip(i, COMMANDS[i % COMMANDS.length]!);
      await trip(i, OTHER_COMMANDS[i % OTHER_COMMANDS.length]!);
    }
    for (let i = 0; i < ROUND_TRIPS; i++) {
      withGit.push(await trip(i, COMMANDS[i % COMMANDS.length]!));
      withoutGit.push(await trip(i, OTHER_COMMANDS[i % OTHER_COMMANDS.length]!));
    }
    client.close();
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const tripUs = median(withGit);
    const tripOtherUs = median(withoutGit);

    return [
      {
        suite: 'repo-context',
        metric: 'decision round trip, git command at the top of a repository',
        value: tripUs,
        unit: 'µs',
        baseline: { name: 'a command without git', value: tripOtherUs },
      },
      {
        suite: 'repo-context',
        metric: 'repository probe per git request, cached (locations + probe)',
        value: gatherUs,
        unit: 'µs',
        baseline: { name: 'decision round trip', value: tripUs },
        target: { text: '< 5% of the round trip', met: gatherUs < 0.05 * tripUs },
      },
      {
        suite: 'repo-context',
        metric: `  of which stat calls (${cachedProbe.cost(location)}, at the top of the project)`,
        value: perCachedUs,
        unit: 'µs',
        baseline: { name: 'decision round trip', value: tripUs },
      },
      {
        suite: 'repo-context',
        metric: `probe, cached, two folders down (${cachedProbe.cost(nestedLocation)} stat calls)`,
        value: perCachedNestedUs,
        unit: 'µs',
        baseline: { name: 'decision round trip', value: tripUs },
      },
      {
        suite: 'repo-context',
        metric: 'the policy reading the repository context',
        value: findingsUs,
        unit: 'µs',
        baseline: { name: 'decision round trip', value: tripUs },
      },
      {
        suite: 'repo-context',
        metric: 'probe, uncached (discover + read + parse)',
        value: perUncachedUs,
        unit: 'µs',
        baseline: { name: 'decision round trip', value: tripUs },
      },
      {
        suite: 'repo-context',
        metric: 'git config --list, one process',
        value: perGitConfigUs,
        unit: 'µs',
        baseline: { name: 'uncached probe', value: perUncachedUs },
      },
    ];
  } finally {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
