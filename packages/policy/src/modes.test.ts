import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

const action = (command: string, mode: 'safe' | 'dev' | 'unrestricted') => policy.evaluate(command, { mode, cwd: '/w' }).action;

describe('modes decide what happens to each verdict', () => {
  it.each([
    ['ls', 'run', 'run', 'run'],
    ['cp a b', 'prompt', 'prompt', 'auto_approve'],
    ['curl https://x.example', 'prompt', 'prompt', 'auto_approve'],
    ['rm -rf build', 'reject', 'reject', 'reject'],
    ['git push', 'reject', 'reject', 'reject'],
    ['sudo ls', 'reject', 'reject', 'reject'],
  ] as const)('%s: safe=%s dev=%s unrestricted=%s', (command, safe, dev, unrestricted) => {
    expect([action(command, 'safe'), action(command, 'dev'), action(command, 'unrestricted')]).toEqual([safe, dev, unrestricted]);
  });
});

describe('dev mode auto-approves only the narrow git list', () => {
  it.each([
    'git clone https://github.com/x/y.git',
    'git clone --depth 1 https://github.com/x/y.git dir',
    'git clone -b main git@github.com:x/y.git',
    'git checkout main',
    'git checkout feature/login',
    'git checkout v1.2.3',
    'git checkout abc1234',
    'git checkout -',
    'git checkout --detach main',
    'git -C repo checkout main',
    'git --no-pager checkout main',
    'ls && git checkout main',
  ])('auto-approves %s', (command) => {
    expect(action(command, 'dev')).toBe('auto_approve');
    expect(action(command, 'safe')).toBe('prompt');
  });

  it.each([
    'git checkout -b feature',
    'git checkout -B feature',
    'git checkout --orphan gh-pages',
    'git checkout --merge main',
    'git checkout -m main',
    'git checkout --force main',
    'git checkout -f main',
    'git checkout -- src/app.ts',
    'git checkout main -- src/app.ts',
    'git checkout -p',
    'git checkout --ours file',
    'git checkout main file',
    'git checkout ..',
    'git clone --upload-pack=touch x',
    'git clone -c core.fsmonitor=x https://x/y',
    'git clone --template=/tmp/t https://x/y',
    'git clone ext::sh -c touch% /tmp/pwned',
    'git -c core.pager=less clone https://x/y',
    "git clone '-ccore.sshCommand=touch /tmp/pwned; false' ssh://127.0.0.1/x.git y",
    'git clone -ccore.fsmonitor=x https://x/y',
    'git clone --conf=core.sshCommand=x https://x/y',
    'git clone -utouch https://x/y',
    'git -ccore.pager=less clone https://x/y',
    'git --unknown clone https://x/y',
    'git checkout -bfeature',
    'git clone https://x/y > log.txt',
    'GIT_SSH_COMMAND=x git clone git@x:y',
    'git clone https://x/y && curl https://x',
    'git merge main',
    'git rebase main',
    'git reset --hard',
    'git commit -m x',
    'git pull',
    'git switch main',
    'cp a b',
    'pip install x',
  ])('does not auto-approve %s', (command) => {
    expect(action(command, 'dev')).not.toBe('auto_approve');
  });

  it('never auto-approves git push or git remote, which are blocked', () => {
    expect(action('git push', 'dev')).toBe('reject');
    expect(action('git remote add x y', 'dev')).toBe('reject');
  });
});
