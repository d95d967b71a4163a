/**
 * Realistic agent commands for the benchmarks: the shapes coding agents actually send (reads, git,
 * package scripts, searches, edits, the occasional pipe to a shell), varied so that no two are alike.
 * Deterministic: the same seed gives the same list.
 */
export function realisticCommands(count: number, seed = 42): string[] {
  let state = seed >>> 0;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  const pick = <T>(items: readonly T[]): T => items[rand(items.length)]!;
  const dirs = ['src', 'src/components', 'packages/core/src', 'lib', 'tests', 'apps/web', 'scripts', 'docs'];
  const files = ['index.ts', 'app.tsx', 'utils.py', 'main.go', 'README.md', 'package.json', 'server.js', 'config.yaml'];
  const words = ['TODO', 'useEffect', 'handler', 'config', 'parse', 'render', 'token', 'session', 'retry', 'cache'];
  const scripts = ['test', 'build', 'lint', 'test:unit', 'typecheck', 'dev', 'format'];
  const pkgs = ['zod', 'react', 'requests', 'lodash', 'express', 'vitest', 'httpx'];
  const templates: ((i: number) => string)[] = [
    () => 'git status',
    (i) => `git log --oneline -n ${i % 50}`,
    () => `git diff ${pick(dirs)}/${pick(files)}`,
    () => `ls -la ${pick(dirs)}`,
    () => `cat ${pick(dirs)}/${pick(files)}`,
    (i) => `grep -rn "${pick(words)}${i}" ${pick(dirs)}`,
    (i) => `rg --type ts ${pick(words)} ${pick(dirs)} | head -n ${i % 40}`,
    () => `npm run ${pick(scripts)}`,
    (i) => `cd ${pick(dirs)} && npm test -- --grep "case ${i}"`,
    (i) => `python3 scripts/gen_${i}.py --out build/${i}`,
    (i) => `rm -rf ${pick(dirs)}/build-${i}`,
    (i) => `curl -s https://api.example.com/v1/${pick(words)}/${i} | jq '.${pick(words)}'`,
    (i) => `find ${pick(dirs)} -name "*.ts" -newer marker${i} -exec wc -l {} +`,
    (i) => `sed -i 's/${pick(words)}/${pick(words)}${i}/g' ${pick(dirs)}/${pick(files)}`,
    (i) => `echo "${pick(words)} ${i}" >> notes/${i}.txt`,
    (i) => `bash -c "cd ${pick(dirs)} && make target${i % 7}"`,
    (i) => `pip install ${pick(pkgs)}==1.${i % 30}.0`,
    (i) => `git commit -m "fix ${pick(words)} handling (#${i})"`,
    (i) => `for f in ${pick(dirs)}/*.ts; do echo "$f"; wc -c "$f"; done > sizes${i}.txt`,
    (i) => `cp ${pick(dirs)}/${pick(files)} /tmp/backup-${i}`,
    (i) => `docker run --rm -v "$PWD":/w node:20 npm run ${pick(scripts)} # ${i}`,
    (i) => `test -f ${pick(files)} && node ${pick(dirs)}/build-${i}.js || echo "missing ${i}"`,
    (i) => `NODE_ENV=test npx vitest run ${pick(dirs)} --reporter=dot --seed=${i}`,
    (i) => `git checkout feature/${pick(words)}-${i}`,
    (i) => `tar -czf dist-${i}.tgz dist && ls -la dist-${i}.tgz`,
    (i) => `awk -F, '{ sum += $${(i % 5) + 1} } END { print sum }' data/${i}.csv`,
    (i) => `export PATH="$HOME/.local/bin:$PATH"; which tool${i}`,
    (i) => `cat <<'EOF' > gen/${i}.txt\nline ${i}\nEOF`,
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(templates[rand(templates.length)]!(i));
  return out;
}
