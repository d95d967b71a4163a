/**
 * Precision: the read-only commands coding agents run all day stay SAFE. The corpus is generated
 * deterministically (a fixed seed), so a failure names a command that can be run again by hand.
 * Changes to what is SAFE that are meant (docs/policy.md lists them) are not in it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy } from './evaluate.js';

const CWD = '/home/user/project';
const HOME = '/home/user';
const ALEPH_HOME = '/home/user/.aleph';

/** A small linear congruential generator: the same seed always gives the same corpus. */
function generator(seed: number): { pick: <T>(items: readonly T[]) => T; int: (n: number) => number } {
  let state = seed >>> 0;
  const int = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  return { int, pick: (items) => items[int(items.length)]! };
}

export function everydayCommands(count: number, seed = 2024): string[] {
  const { pick, int } = generator(seed);
  const dirs = [
    'src',
    'src/components',
    'packages/core/src',
    'lib',
    'tests',
    'apps/web/src',
    'scripts',
    'docs',
    '.',
    './src',
    'test/fixtures',
    'internal/api',
    'cmd/server',
  ];
  const files = [
    'index.ts',
    'app.tsx',
    'utils.py',
    'main.go',
    'README.md',
    'package.json',
    'server.js',
    'config.yaml',
    'Cargo.toml',
    'go.mod',
    'setup.py',
    'tsconfig.json',
    'Makefile',
    'CHANGELOG.md',
    'lib.rs',
    'handler.go',
    'models.py',
    'schema.sql',
    '.gitignore',
    '.eslintrc.json',
    'vite.config.ts',
    'Dockerfile',
    '.env.example',
  ];
  const words = [
    'TODO',
    'FIXME',
    'useEffect',
    'handler',
    'config',
    'parse',
    'render',
    'session',
    'retry',
    'cache',
    'import',
    'export default',
    'async function',
    'class ',
    'def ',
    'func ',
    'interface',
    'deprecated',
    'console.log',
    'panic',
  ];
  const exts = ['ts', 'tsx', 'js', 'py', 'go', 'rs', 'md', 'json', 'yaml', 'toml', 'sql', 'css'];
  const refs = ['HEAD', 'HEAD~1', 'HEAD~3', 'main', 'origin/main', 'v1.2.0', 'abc1234', 'HEAD^', 'feature/login', '@{u}'];
  const jqFilters = [
    '.',
    '.version',
    '.dependencies',
    '.scripts | keys',
    '.[] | .name',
    '.items[0]',
    'keys',
    'length',
    '.compilerOptions.strict',
    'to_entries | map(.key)',
    '.name, .version',
    'select(.private)',
  ];
  const path = (): string => `${pick(dirs)}/${pick(files)}`;
  const word = (): string => pick(words);
  const n = (): number => 1 + int(200);
  const quote = (s: string): string => (/^[\w./-]+$/.test(s) ? s : `"${s}"`);
  const templates: (() => string)[] = [
    () => 'ls',
    () => `ls ${pick(['-la', '-l', '-a', '-lh', '-1', '-R', '-lt', '-ltr', '-d'])} ${pick(dirs)}`,
    () => `ls ${pick(dirs)}/*.${pick(exts)}`,
    () => `cat ${path()}`,
    () => `cat -n ${path()}`,
    () => `head -n ${n()} ${path()}`,
    () => `head -${n()} ${path()}`,
    () => `tail -n ${n()} ${path()}`,
    () => `tail -n +${n()} ${path()}`,
    () => `tail -f logs/app.log`,
    () => `wc -l ${path()}`,
    () => `wc -l ${pick(dirs)}/*.${pick(exts)}`,
    () => `grep -rn ${quote(word())} ${pick(dirs)}`,
    () => `grep -rn --include='*.${pick(exts)}' ${quote(word())} ${pick(dirs)}`,
    () => `grep -R ${quote(word())} .`,
    () => `grep -rl ${quote(word())} ${pick(dirs)}`,
    () => `grep -rni ${quote(word())} ${pick(dirs)} | head -n ${n()}`,
    () => `grep -c ${quote(word())} ${path()}`,
    () => `grep -n ${quote(word())} ${path()}`,
    () => `grep -E '${word()}|${word()}' ${path()}`,
    () => `grep -rn ${quote(word())} --exclude-dir=node_modules .`,
    () => `rg ${quote(word())}`,
    () => `rg -n ${quote(word())} ${pick(dirs)}`,
    () => `rg --type ${pick(['ts', 'py', 'go', 'rust', 'js'])} ${quote(word())}`,
    () => `rg -l ${quote(word())} ${pick(dirs)}`,
    () => `rg -g '*.${pick(exts)}' ${quote(word())}`,
    () => `rg --files ${pick(dirs)}`,
    () => `rg -C ${int(5)} ${quote(word())} ${pick(dirs)}`,
    () => `rg ${quote(word())} ${pick(dirs)} | wc -l`,
    () => 'git status',
    () => `git status ${pick(['-s', '--short', '--porcelain', '-sb'])}`,
    () => `git diff`,
    () => `git diff ${pick(['--stat', '--cached', '--name-only', '--staged', '-w'])}`,
    () => `git diff ${pick(refs)} -- ${path()}`,
    () => `git diff ${pick(refs)}..${pick(refs)} --stat`,
    () => `git log --oneline -n ${n()}`,
    () => `git log -${int(30) + 1} --stat`,
    () => `git log --oneline --graph --all -n ${n()}`,
    () => `git log -p ${path()}`,
    () => `git log --author=${pick(['alice', 'bob'])} --since='2 weeks ago' --oneline`,
    () => `git log --format='%h %s' ${pick(refs)}`,
    () => `git show ${pick(refs)}`,
    () => `git show ${pick(refs)} --stat`,
    () => `git show ${pick(refs)}:${pick(dirs).replace(/^\.\/?/, '') || 'src'}/${pick(files.filter((f) => !f.startsWith('.')))}`,
    () => `git blame ${path()}`,
    () => `git blame -L ${n()},+${n()} ${path()}`,
    () => 'git branch',
    () => `git branch ${pick(['-a', '-r', '-vv', '--show-current', '--merged'])}`,
    () => `git rev-parse ${pick(['HEAD', '--show-toplevel', '--abbrev-ref HEAD', '--git-dir'])}`,
    () => `git ls-files ${pick(['', pick(dirs), '--others --exclude-standard', '-m'])}`.trim(),
    () => `git stash list`,
    () => `git tag -l`,
    () => `git describe --tags`,
    () => `git shortlog -sn`,
    () => `git grep -n ${quote(word())}`,
    () => `git config --get ${pick(['user.name', 'user.email', 'remote.origin.url'])}`,
    () => `find ${pick(dirs)} -name '*.${pick(exts)}'`,
    () => `find ${pick(dirs)} -type f -name '*.${pick(exts)}'`,
    () => `find . -type d -name node_modules -prune -o -name '*.${pick(exts)}' -print`,
    () => `find ${pick(dirs)} -maxdepth ${int(4) + 1} -type f`,
    () => `find ${pick(dirs)} -newer ${path()}`,
    () => `find . -name '*.${pick(exts)}' | wc -l`,
    () => `find ${pick(dirs)} -type f | head -n ${n()}`,
    () => `find . -name '*.${pick(exts)}' -exec wc -l {} +`,
    () => `find . -name '*.${pick(exts)}' -exec grep -l ${quote(word())} {} +`,
    () => `fd -e ${pick(exts)}`,
    () => `fd ${quote(word().trim())} ${pick(dirs)}`,
    () => `jq '${pick(jqFilters)}' ${pick(['package.json', 'tsconfig.json', 'data/items.json', 'composer.json'])}`,
    () => `jq -r '${pick(jqFilters)}' package.json`,
    () => `cat package.json | jq '${pick(jqFilters)}'`,
    () => `jq -c . ${pick(['out.json', 'data/items.json'])}`,
    () => `sort ${path()}`,
    () => `sort -u ${path()} | uniq -c`,
    () => `sort -t, -k${int(5) + 1} -n data.csv`,
    () => `sort ${path()} | uniq -c | sort -rn | head -n ${n()}`,
    () => `cut -d, -f${int(6) + 1} data.csv`,
    () => `cut -c1-${n()} ${path()}`,
    () => `sed -n '${n()},${n() + 200}p' ${path()}`,
    () => `sed -n ${n()}p ${path()}`,
    () => `sed 's/${word().replace(/\W/g, '')}/X/g' ${path()}`,
    () => `sed -n '/${word().replace(/\W/g, '')}/p' ${path()}`,
    () => `awk '{print $${int(5) + 1}}' ${path()}`,
    () => `awk -F, '{print $${int(5) + 1}}' data.csv`,
    () => `awk 'NR>=${n()} && NR<=${n() + 100}' ${path()}`,
    () => `awk '{ sum += $${int(3) + 1} } END { print sum }' data.csv`,
    () => `awk 'length > ${n()}' ${path()}`,
    () => `awk -F: '{ print NR": "$0 }' ${path()}`,
    () => `uniq -c ${path()}`,
    () => `diff ${path()} ${path()}`,
    () => `diff -u ${path()} ${path()}`,
    () => `diff -r ${pick(dirs)} ${pick(dirs)}`,
    () => `cmp ${path()} ${path()}`,
    () => `stat ${path()}`,
    () => `file ${path()}`,
    () => `du -sh ${pick(dirs)}`,
    () => `du -sh * | sort -h`,
    () => `tree -L ${int(3) + 1} ${pick(dirs)}`,
    () => `tree -I node_modules`,
    () => 'pwd',
    () => `echo ${quote(word())}`,
    () => `echo "${word()} ${n()}"`,
    () => `printf '%s\\n' ${quote(word())}`,
    () => `which ${pick(['node', 'python3', 'go', 'cargo', 'git', 'rg'])}`,
    () => `type ${pick(['ls', 'cd', 'git'])}`,
    () => `basename ${path()}`,
    () => `dirname ${path()}`,
    () => `realpath ${path()}`,
    () => `readlink -f ${path()}`,
    () => `nl ${path()}`,
    () => `tac ${path()}`,
    () => `less ${path()}`,
    () => `less +G ${path()}`,
    () => `less -N ${path()}`,
    () => `more ${path()}`,
    () => `bat ${path()}`,
    () => `xxd ${path()} | head`,
    () => `od -c ${path()} | head -n ${n()}`,
    () => `sha256sum ${path()}`,
    () => `md5sum ${path()}`,
    () => `git ls-files | xargs wc -l`,
    () => `git ls-files '*.${pick(exts)}' | xargs grep -n ${quote(word())}`,
    () => `ls ${pick(dirs)} | wc -l`,
    () => `cat ${path()} | grep -n ${quote(word())}`,
    () => `cat ${path()} | head -n ${n()}`,
    () => `grep -rn ${quote(word())} ${pick(dirs)} | sort | uniq`,
    () => `test -f ${path()} && echo yes`,
    () => `[ -d ${pick(dirs)} ] && ls ${pick(dirs)}`,
    () => `cd ${pick(dirs)} && ls`,
    () => `cd ${pick(dirs)} && git status`,
    () => `cd ${pick(dirs)} && grep -rn ${quote(word())} .`,
    () => `cd ${pick(dirs)} && rg ${quote(word())}`,
    () => `for f in ${pick(dirs)}/*.${pick(exts)}; do wc -l "$f"; done`,
    () => `for f in ${pick(dirs)}/*.${pick(exts)}; do echo "$f"; head -n 3 "$f"; done`,
    () => `echo $((${n()} + ${n()}))`,
    () => `echo $(( ${n()} * 1024 ))`,
    () => `x=${n()}; echo $((x * 2))`,
    () => `for ((i = 0; i < ${int(9) + 1}; i++)); do echo $i; done`,
    () => `i=0; while [ $i -lt ${int(9) + 1} ]; do echo $i; i=$((i + 1)); done`,
    () => `printenv ${pick(['PATH', 'HOME', 'SHELL', 'LANG', 'USER', 'PWD', 'TERM', 'NODE_ENV', 'GOPATH', 'VIRTUAL_ENV'])}`,
    () => `echo "$${pick(['HOME', 'PATH', 'USER', 'SHELL', 'PWD', 'LANG', 'NODE_ENV', 'GOPATH', 'VIRTUAL_ENV', 'CI'])}"`,
    () => `echo \${${pick(['HOME', 'PATH', 'PWD', 'OLDPWD'])}}`,
    () => `[ -n "$${pick(['GITHUB_TOKEN', 'OPENAI_API_KEY', 'AWS_ACCESS_KEY_ID', 'NPM_TOKEN'])}" ] && echo set`,
    () => `test -z "$${pick(['API_KEY', 'SECRET', 'TOKEN'])}" && echo unset`,
    () => `echo "\${#${pick(['PATH', 'HOME'])}}"`,
    () => `date`,
    () => `date +%Y-%m-%d`,
    () => `uname -a`,
    () => `whoami`,
    () => `node --version`,
    () => `python3 --version`,
    () => `npm ls --depth=0`,
    () => `npm view ${pick(['react', 'zod', 'vite'])} version`,
    () => `pip list`,
    () => `go list ./...`,
    () => `cargo tree`,
    () => `ps aux | grep ${pick(['node', 'python', 'vite'])}`,
    () => `ps -ef`,
    () => `df -h`,
    () => `kubectl get pods`,
    () => `kubectl get ${pick(['pods', 'deployments', 'services', 'configmaps'])} -o ${pick(['yaml', 'json', 'wide'])}`,
    () => `kubectl get secrets`,
    () => `docker ps`,
    () => `tar -tzf dist.tgz`,
    () => `unzip -l bundle.zip`,
    () => `column -t -s, data.csv | head`,
    () => `paste -sd, ${path()}`,
    () => `tr '[:lower:]' '[:upper:]' < ${path()}`,
    () => `cat ${path()} ${path()} | sort -u`,
    () => `diff <(sort ${path()}) <(sort ${path()})`,
    () => `wc -c < ${path()}`,
    () => `ls -la ~/${pick(['projects', 'Downloads', 'src', 'work'])}`,
    () => `du -sh ~/*`,
    () => `cat ~/.gitconfig`,
    () => `git -C ${pick(dirs)} log --oneline -n ${n()}`,
    () => `sed -n '1,${n()}p' ${path()} | grep -n ${quote(word())}`,
    () => `grep -o '${word().replace(/\W/g, '') || 'x'}[a-z]*' ${path()} | sort | uniq -c`,
    () => `awk '/${word().replace(/\W/g, '') || 'x'}/ { print FILENAME": "$0 }' ${pick(dirs)}/*.${pick(exts)}`,
  ];
  const out: string[] = [];
  const seen = new Set<string>();
  for (let guard = 0; out.length < count && guard < count * 20; guard++) {
    const command = pick(templates)();
    if (seen.has(command)) continue;
    seen.add(command);
    out.push(command);
  }
  return out;
}

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

describe('everyday read-only commands', () => {
  const commands = everydayCommands(3_200);

  it('are at least 3,000 distinct commands', () => {
    expect(new Set(commands).size).toBeGreaterThanOrEqual(3_000);
  });

  it('are all SAFE', () => {
    const notSafe = commands
      .map((command) => ({ command, result: policy.evaluate(command, { cwd: CWD, home: HOME, alephHome: ALEPH_HOME }) }))
      .filter(({ result }) => result.verdict !== 'safe')
      .map(({ command, result }) => `${result.verdict}: ${command} (${result.risk.reasons.map((r) => r.code).join(', ')})`);
    expect(notSafe).toEqual([]);
  });
});
