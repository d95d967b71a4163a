import { CONFINED, type Confinement } from '@aleph/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';
import { REGISTRY_NEEDS } from './network-needs.js';
import { locationKey, type RepositoryContext, type RepositoryReport } from './repository.js';

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

const CWD = '/home/user/project';
const HOME = '/home/user';

const domains = (...names: string[]): Confinement => ({ kind: 'sandbox', network: { kind: 'allow_domains', domains: names } });

/** The repository context the gateway would gather, with the given remotes at every git location of the command. */
function withRemotes(command: string, remotes: readonly (readonly [string, string])[]): RepositoryContext {
  const report: RepositoryReport = { kind: 'repository', gitDir: `${CWD}/.git`, programs: [], remotes };
  return new Map(policy.gitLocations(command, { cwd: CWD, home: HOME }).map((l) => [locationKey(l), report]));
}

describe('the registry table', () => {
  // Each entry, by each of its subcommands: exactly its registry's domains.
  const cases = REGISTRY_NEEDS.flatMap((e) => e.subcommands.map((sub) => [`${e.program} ${sub}`.trim(), e.domains] as const));
  it.each(cases)('%s reaches its registry', (command, expected) => {
    expect(policy.suggestConfinement(command, { cwd: CWD }).confinement).toEqual(domains(...expected));
  });

  it.each([
    ['npm install --registry https://npm.example.com/ left-pad', ['registry.npmjs.org', 'npm.example.com']],
    ['npm ci --registry=https://Registry.Corp.example:8443/npm', ['registry.npmjs.org', 'registry.corp.example']],
    ['pnpm install --registry https://npm.example.com', ['registry.npmjs.org', 'npm.example.com']],
    ['yarn add react --registry https://npm.example.com', ['registry.yarnpkg.com', 'registry.npmjs.org', 'npm.example.com']],
    ['pip install -i https://pypi.example.org/simple requests', ['pypi.org', 'files.pythonhosted.org', 'pypi.example.org']],
    ['pip3 install --extra-index-url=https://mirror.example.org/simple x', ['pypi.org', 'files.pythonhosted.org', 'mirror.example.org']],
  ])('%s also reaches the registry it names', (command, expected) => {
    expect(policy.suggestConfinement(command).confinement).toEqual(domains(...expected));
  });

  it.each([
    'npm test',
    'npm run build',
    'pnpm lint',
    'yarn test',
    'pip list',
    'cargo test',
    'go mod tidy',
    'go build ./...',
    'ls -la',
    'git status',
    'git log',
  ])('%s needs no network', (command) => {
    expect(policy.suggestConfinement(command, { cwd: CWD, home: HOME, repositories: withRemotes(command, [['origin', 'https://github.com/a/b']]) })).toEqual({
      confinement: CONFINED,
      notes: [],
    });
  });

  it('a registry named at run time is left out, and said so', () => {
    const s = policy.suggestConfinement('npm install --registry "$REG"');
    expect(s.confinement).toEqual(domains('registry.npmjs.org'));
    expect(s.notes.join('\n')).toMatch(/registry named at run time/);
  });
});

describe('downloads by URL', () => {
  it.each([
    ['curl -fsSL https://example.com/install.sh -o x.sh', ['example.com']],
    ['wget https://Downloads.Example.org:8080/a.tgz', ['downloads.example.org']],
    ['curl https://a.example.com/x https://b.example.com/y', ['a.example.com', 'b.example.com']],
    ['cd /tmp && curl -O https://example.com/a && tar xf a', ['example.com']],
  ])('%s reaches the URL hosts', (command, expected) => {
    expect(policy.suggestConfinement(command).confinement).toEqual(domains(...expected));
  });

  it('an address is no domain: left out, with a note', () => {
    const s = policy.suggestConfinement('curl http://127.0.0.1:8080/health');
    expect(s.confinement).toEqual(CONFINED);
    expect(s.notes).toEqual(['curl: 127.0.0.1 is not a domain name a grant can list; it needs the whole network.']);
  });

  it('a URL known only at run time is left out, with a note', () => {
    const s = policy.suggestConfinement('curl "$URL"');
    expect(s.confinement).toEqual(CONFINED);
    expect(s.notes.join('\n')).toMatch(/known only at run time/);
  });
});

describe('git remotes', () => {
  const remotes = [
    ['origin', 'https://github.com/me/project.git'],
    ['upstream', 'git@gitlab.example.com:team/project.git'],
  ] as const;
  const suggest = (command: string) => policy.suggestConfinement(command, { cwd: CWD, home: HOME, repositories: withRemotes(command, remotes) });

  it.each([
    ['git clone https://github.com/a/b.git', ['github.com'], false],
    ['git clone ssh://git@git.example.com:2222/a/b.git dir', ['git.example.com'], true],
    ['git clone git@github.com:a/b.git', ['github.com'], true],
    ['git fetch origin', ['github.com'], false],
    ['git -C . push origin main:main', ['github.com'], false],
    ['git pull upstream main', ['gitlab.example.com'], true],
    ['git fetch --all', ['github.com', 'gitlab.example.com'], true],
    ['git pull', ['github.com', 'gitlab.example.com'], true],
    ['git fetch https://bitbucket.org/x/y.git', ['bitbucket.org'], false],
    ['git clone --depth 1 --branch main https://github.com/a/b.git b', ['github.com'], false],
    ['git fetch --depth 1 upstream', ['github.com', 'gitlab.example.com'], true],
  ])('%s reaches its remote', (command, expected, ssh) => {
    const s = suggest(command);
    expect(s.confinement).toEqual(domains(...expected));
    expect(s.notes.some((n) => /does not pass the ssh agent/.test(n))).toBe(ssh);
  });

  it('a remote named at run time is left out, and said so', () => {
    const s = suggest('git push "$REMOTE" main');
    expect(s.confinement).toEqual(CONFINED);
    expect(s.notes).toEqual(['git push: a word known only at run time may name the remote; its host is not in the grant.']);
  });

  it('a local clone needs no network', () => {
    expect(suggest('git clone ../other copy')).toEqual({ confinement: CONFINED, notes: [] });
    expect(suggest('git clone file:///srv/repo.git')).toEqual({ confinement: CONFINED, notes: [] });
  });

  it('without the repository context, a remote by name is not known: no host, and a note', () => {
    const s = policy.suggestConfinement('git push', { cwd: CWD, home: HOME });
    expect(s.confinement).toEqual(CONFINED);
    expect(s.notes).toEqual(["git push: the repository's remotes are not known before it runs; their hosts are not in the grant."]);
  });
});
