import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';
import { isProgramKey, locationKey, type GitLocation, type RepositoryReport } from './repository.js';

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

const CWD = '/home/user/project';
const HOME = '/home/user';

/** Each location as `cwd | gitDir | workTree`, or `? reason` when unknown. */
function where(command: string): string[] {
  return policy
    .gitLocations(command, { cwd: CWD, home: HOME })
    .map((l) => (l.unknown !== null ? `? ${l.unknown}` : [l.cwd, l.gitDir ?? '-', l.workTree ?? '-'].join(' | ')));
}

describe('where git will look for its repository', () => {
  it.each([
    ['git status', ['/home/user/project | - | -']],
    ['ls', []],
    ['git -C evil status', ['/home/user/project/evil | - | -']],
    ['git -C a -C b log', ['/home/user/project/a/b | - | -']],
    ['git -C a -C /abs log', ['/abs | - | -']],
    ['git -C ~/x log', ['/home/user/x | - | -']],
    ['git -C "$HOME/x" log', ['/home/user/x | - | -']],
    ["git -C '~' log", ['/home/user/project/~ | - | -']],
    ['git --git-dir=evil show', ['/home/user/project | /home/user/project/evil | -']],
    ['git --git-dir evil --work-tree wt diff', ['/home/user/project | /home/user/project/evil | /home/user/project/wt']],
    ['git -C sub --git-dir=../r log', ['/home/user/project/sub | /home/user/project/sub/../r | -']],
    ['git --bare log', ['/home/user/project | /home/user/project | -']],
    ['GIT_DIR=evil git log', ['/home/user/project | /home/user/project/evil | -']],
    ['GIT_WORK_TREE=/w GIT_DIR=/r git status', ['/home/user/project | /r | /w']],
    ['/usr/bin/git -c color.ui=never log', ['/home/user/project | - | -']],
    ['cd evil && git status', ['/home/user/project | - | -', '/home/user/project/evil | - | -']],
    ['cd /tmp/x; git log -p', ['/home/user/project | - | -', '/tmp/x | - | -']],
    ['cd ../other || git diff', ['/home/user/project | - | -', '/home/user/other | - | -', '/home/user/project/../other | - | -']],
    ['cd -P link/.. && git log', ['/home/user/project | - | -', '/home/user/project/link/.. | - | -']],
    ['pushd evil >/dev/null && git blame f', ['/home/user/project | - | -', '/home/user/project/evil | - | -']],
    ['cd && git log', ['/home/user/project | - | -', '/home/user | - | -']],
    ['(cd evil; git ls-files)', ['/home/user/project | - | -', '/home/user/project/evil | - | -']],
    ['bash -c "cd evil && git status"', ['/home/user/project | - | -', '/home/user/project/evil | - | -']],
    ['export GIT_DIR=evil; git log', ['/home/user/project | - | -', '/home/user/project | /home/user/project/evil | -']],
    ['GIT_DIR=evil; git log', ['/home/user/project | - | -', '/home/user/project | /home/user/project/evil | -']],
    ['echo $(git -C evil rev-parse HEAD)', ['/home/user/project/evil | - | -']],
  ])('%s', (command, expected) => {
    expect(where(command)).toEqual(expected);
  });

  it.each([
    ['git -C "$DIR" status', 'a location only known at run time'],
    ['git -C ev* status', 'a location only known at run time'],
    ['cd ev?l && git log', 'a location only known at run time'],
    ['git --git-dir=e[v]il log', 'a location only known at run time'],
    ['ls | xargs -I{} git -C {} status', 'a location only known at run time'],
    ['echo evil | xargs git -C', 'a location only known at run time'],
    ['for d in */; do git -C "$d" status; done', 'a location only known at run time'],
    ['git -C $(mktemp -d) status', 'a location only known at run time'],
    ['cd "$D" && git status', 'a location only known at run time'],
    ['cd - && git log', 'a location only known at run time'],
    ['git --git-dir="$G" log', 'a location only known at run time'],
    ['GIT_DIR=$X git log', 'a location only known at run time'],
    ['env -C evil git status', 'run through env, which may change where it runs'],
    ['find . -name .git -execdir git status \\;', 'run through find -exec, which may change where it runs'],
    ['GIT_COMMON_DIR=evil git log', "GIT_COMMON_DIR moves git's repository or configuration"],
    ['export GIT_CONFIG_GLOBAL=evil/cfg; git log', "GIT_CONFIG_GLOBAL moves git's repository or configuration"],
  ])('%s is unknown', (command, reason) => {
    expect(where(command)).toContain(`? ${reason}`);
  });

  it('bounds the places one line makes git look', () => {
    const exports = Array.from({ length: 12 }, (_, i) => `export GIT_DIR=d${i} GIT_WORK_TREE=w${i}`).join('; ');
    const dirs = Array.from({ length: 10 }, (_, i) => `cd /x${i}`).join('; ');
    expect(where(`${exports}; ${dirs}; git status`)).toEqual(['? more than 64 places git may look']);
  });

  it('bounds the candidates a long chain of cd makes', () => {
    const command = Array.from({ length: 40 }, (_, i) => `cd d${i}`).join('; ') + '; git status';
    expect(where(command)).toEqual(['? a location only known at run time']);
  });
});

describe('which configuration keys run programs', () => {
  it.each([
    ['core.fsmonitor', './hook'],
    ['core.pager', 'less; touch P'],
    ['pager.log', 'sh -c x'],
    ['diff.external', 'x'],
    ['diff.Evil.textconv', 'x'],
    ['diff.x.command', 'x'],
    ['merge.x.driver', 'x %A'],
    ['filter.x.clean', 'x'],
    ['filter.x.smudge', 'x'],
    ['filter.x.process', 'x'],
    ['core.sshCommand', 'x'],
    ['core.editor', 'x'],
    ['sequence.editor', 'x'],
    ['gpg.program', 'x'],
    ['gpg.ssh.program', 'x'],
    ['credential.helper', 'x'],
    ['credential.https://h.helper', 'x'],
    ['core.askPass', 'x'],
    ['alias.st', '!touch P'],
    ['uploadpack.packObjectsHook', 'x'],
    ['CORE.PAGER', 'x'],
    ['Core.FsMonitor', 'x'],
    ['protocol.ext.allow', 'always'],
    ['protocol.allow', 'always'],
    ['gpg.ssh.defaultKeyCommand', 'x'],
    ['remote.origin.uploadpack', 'x'],
    ['core.gitProxy', 'x'],
  ])('%s = %s', (key, value) => {
    expect(isProgramKey(key, value)).toBe(true);
  });

  it.each([
    ['core.fsmonitor', 'true'],
    ['core.fsmonitor', 'false'],
    ['core.pager', ''],
    ['pager.log', 'false'],
    ['pager.diff', null],
    ['alias.st', 'status -sb'],
    ['core.bare', 'false'],
    ['remote.origin.url', 'git@h:x'],
    ['diff.textconv', 'x'],
    ['core.x.pager', 'x'],
    ['user.name', 'x'],
    ['protocol.file.allow', 'always'],
    ['protocol.ext.allow', 'never'],
    ['gpg.x.defaultKeyCommand', 'x'],
    // Where hooks are: the hooks found there are what runs (the repository probe looks).
    ['core.hooksPath', '.husky'],
  ])('%s = %s runs nothing', (key, value) => {
    expect(isProgramKey(key, value)).toBe(false);
  });
});

describe('verdicts with what the gateway found', () => {
  const hostile: RepositoryReport = {
    kind: 'repository',
    gitDir: `${CWD}/evil/.git`,
    programs: [{ key: 'core.fsmonitor', value: 'touch /tmp/P', origin: `${CWD}/evil/.git/config` }],
  };
  const clean: RepositoryReport = { kind: 'repository', gitDir: `${CWD}/.git`, programs: [] };
  const contextFor = (command: string, found: (l: GitLocation) => RepositoryReport) =>
    new Map(
      policy
        .gitLocations(command, { cwd: CWD, home: HOME })
        .filter((l) => l.unknown === null)
        .map((l) => [locationKey(l), found(l)]),
    );
  const judge = (command: string, found: (l: GitLocation) => RepositoryReport) =>
    policy.evaluate(command, { cwd: CWD, home: HOME, repositories: contextFor(command, found) });

  it('a repository that names a program makes a read-only git command CONFIRM, naming the key and its value', () => {
    const r = judge('git -C evil status', () => hostile);
    expect(r.verdict).toBe('confirm');
    expect(['high', 'critical']).toContain(r.risk.level);
    const reason = r.risk.reasons.find((x) => x.code === 'repository_runs_program');
    expect(reason?.message).toContain('core.fsmonitor = "touch /tmp/P"');
  });

  it('only the hostile one of several candidates is needed', () => {
    const r = judge('cd evil && git log -p', (l) => (l.cwd?.endsWith('/evil') === true ? hostile : clean));
    expect(r.verdict).toBe('confirm');
    expect(r.risk.reasons.map((x) => x.code)).toContain('repository_runs_program');
  });

  it('a clean repository, or none, keeps it SAFE', () => {
    expect(judge('git status', () => clean).verdict).toBe('safe');
    expect(judge('git log --oneline -5', () => ({ kind: 'none' })).verdict).toBe('safe');
    expect(judge('ls', () => hostile).verdict).toBe('safe');
  });

  it('a location not known, not probed or refused is CONFIRM', () => {
    expect(judge('git -C "$D" status', () => clean).verdict).toBe('confirm');
    expect(policy.evaluate('git status', { cwd: CWD, home: HOME, repositories: new Map() }).verdict).toBe('confirm');
    const unprobed = judge('git status', () => ({ kind: 'unprobed', reason: 'permission denied' }));
    expect(unprobed.verdict).toBe('confirm');
    expect(unprobed.risk.reasons.map((x) => x.code)).toEqual(['repository_unchecked']);
    const refused = judge('git status', () => ({ kind: 'refused', gitDir: `${CWD}/.git`, reason: 'owned by uid 4242' }));
    expect(refused.risk.reasons[0]?.message).toContain('owned by uid 4242');
  });

  it('without repository context the verdict is what the command text gives', () => {
    expect(policy.evaluate('git -C evil status', { cwd: CWD, home: HOME }).verdict).toBe('safe');
  });

  it('an allow rule for git commands does not cover what the repository runs', () => {
    const repositories = contextFor('git status', () => hostile);
    const r = policy.evaluate('git status', { cwd: CWD, home: HOME, repositories, allowlist: [{ kind: 'prefix', pattern: 'git *' }] });
    expect(r.action).toBe('prompt');
  });
});
