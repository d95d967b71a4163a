import type { AllowRule } from '@aleph/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { CommandPolicy, type EvaluateOptions } from './evaluate.js';

let policy: CommandPolicy;
beforeAll(async () => {
  policy = await CommandPolicy.load();
});

const exact = (pattern: string): AllowRule => ({ kind: 'exact', pattern });
const prefix = (pattern: string): AllowRule => ({ kind: 'prefix', pattern });
const path = (pattern: string): AllowRule => ({ kind: 'path', pattern });

function check(command: string, allowlist: AllowRule[], extra: EvaluateOptions = {}) {
  return policy.evaluate(command, { cwd: '/w', allowlist, ...extra });
}

describe('Allow Always rules', () => {
  it('an exact rule allows exactly that command, whatever its quoting', () => {
    expect(check('cp a b', [exact('cp a b')]).action).toBe('run');
    expect(check('cp \'a\' "b"', [exact('cp a b')]).action).toBe('run');
    expect(check('cp a c', [exact('cp a b')]).action).toBe('prompt');
    expect(check('cp a b', [exact('cp a b')]).allowed_by).toEqual([exact('cp a b')]);
  });

  it('an exact rule for a whole line allows that line even when it does not parse cleanly', () => {
    expect(check('echo "unterminated', [exact('echo "unterminated')]).action).toBe('run');
    expect(check('echo "unterminated', [prefix('echo *')]).action).toBe('prompt');
  });

  it('a prefix rule allows the command with any further arguments', () => {
    const rules = [prefix('npm run test:*')];
    expect(check('npm run test:unit', rules).action).toBe('run');
    expect(check('npm run test:e2e', rules).action).toBe('run');
    expect(check('npm run build', rules).action).toBe('prompt');
    expect(check('npm run test:unit --watch', [prefix('npm run test:unit *')]).action).toBe('run');
    expect(check('npm run test:unit', [prefix('npm run test:unit *')]).action).toBe('run');
    expect(check('npm run test:unit --watch', [prefix('npm run test:unit')]).action).toBe('prompt');
  });

  it('a prefix rule matches however the program was spelled', () => {
    expect(check('/usr/bin/npm test', [prefix('npm test *')]).action).toBe('run');
  });

  it('a dynamic argument falls only under a trailing "any arguments"', () => {
    expect(check('npm run "$TASK"', [prefix('npm run *')]).action).toBe('run');
    expect(check('npm run "$TASK"', [prefix('npm run test')]).action).toBe('prompt');
  });

  it('a path rule matches the resolved executable, and * never crosses a slash', () => {
    const resolveExecutable = (name: string) => (name === 'mytool' ? '/opt/tools/bin/mytool' : null);
    expect(check('mytool --go', [path('/opt/tools/bin/*')], { resolveExecutable }).action).toBe('run');
    expect(check('mytool --go', [path('/opt/*/mytool')], { resolveExecutable }).action).toBe('prompt');
    expect(check('mytool --go', [path('/opt/**/mytool')], { resolveExecutable }).action).toBe('run');
    expect(check('/tmpevil/x', [path('/tmp/*')]).action).toBe('prompt');
    expect(check('/tmp/x', [path('/tmp/*')]).action).toBe('run');
    expect(check('/tmp/sub/x', [path('/tmp/*')]).action).toBe('prompt');
  });

  it('never overrides BLOCK', () => {
    expect(check('rm -rf build', [exact('rm -rf build')]).action).toBe('reject');
    expect(check('git push', [prefix('git *')]).action).toBe('reject');
    expect(check('curl x | sh', [exact('curl x | sh')]).action).toBe('reject');
  });

  it('allows a compound command only when every segment that needs approval is covered', () => {
    const rules = [exact('cp a b')];
    expect(check('cd sub && cp a b', rules).action).toBe('run');
    expect(check('cp a b && mv c d', rules).action).toBe('prompt');
    expect(check('cp a b && mv c d', [...rules, exact('mv c d')]).action).toBe('run');
    expect(check('cp a b; curl https://x', rules).action).toBe('prompt');
  });

  it('does not stretch a rule over redirections or environment it did not see', () => {
    expect(check('npm test > ~/.bashrc', [prefix('npm test *')]).action).toBe('prompt');
    expect(check('LD_PRELOAD=x.so npm test', [prefix('npm test *')]).action).toBe('prompt');
    expect(check('cat x | python3', [exact('python3')]).action).toBe('prompt');
  });
});

describe('the suggested rule is the narrowest sensible one', () => {
  it.each([
    ['cp a b', { kind: 'exact', pattern: 'cp a b' }],
    ["cp 'my file' b", { kind: 'exact', pattern: "cp 'my file' b" }],
    ['npm run test:unit -- --grep x', { kind: 'prefix', pattern: 'npm run test:unit *' }],
    ['npm test', { kind: 'prefix', pattern: 'npm test *' }],
    ['make build', { kind: 'prefix', pattern: 'make build *' }],
    ['cargo test -p core', { kind: 'prefix', pattern: 'cargo test *' }],
    ['pytest tests/unit', { kind: 'prefix', pattern: 'pytest *' }],
    ['make -j4', { kind: 'exact', pattern: 'make -j4' }],
    ['cd sub && npm test', { kind: 'exact', pattern: 'cd sub && npm test' }],
    ['npm test > out.txt', { kind: 'exact', pattern: 'npm test > out.txt' }],
    ['ls', { kind: 'exact', pattern: 'ls' }],
  ] as const)('%s → %j', (command, rule) => {
    expect(check(command, []).suggested_rule).toEqual(rule);
  });

  it('suggests nothing for a blocked command', () => {
    expect(check('rm x', []).suggested_rule).toBeNull();
  });

  it('the suggestion, once stored, allows the command it was made for', () => {
    for (const command of ['cp a b', 'npm run test:unit -- --grep x', "cp 'my file' b", 'cd sub && npm test', 'curl -s https://x.example']) {
      const rule = check(command, []).suggested_rule!;
      expect(check(command, [rule]).action).toBe('run');
    }
  });
});

describe('user patterns from the configuration', () => {
  const patterns = { block: ['terraform destroy *'], confirm: ['ls secret*'], safe: ['make lint', 'docker compose ps *'] };

  it('user BLOCK joins the built-in list', () => {
    expect(policy.evaluate('terraform destroy -auto-approve', { patterns }).verdict).toBe('block');
    expect(policy.evaluate('terraform destroy -auto-approve', { patterns }).risk.reasons[0]?.message).toContain('terraform destroy *');
  });

  it('user CONFIRM and SAFE refine the built-in lists', () => {
    expect(policy.evaluate('ls secrets', { patterns }).verdict).toBe('confirm');
    expect(policy.evaluate('make lint', { patterns }).verdict).toBe('safe');
    expect(policy.evaluate('docker compose ps -a', { patterns }).verdict).toBe('safe');
    expect(policy.evaluate('make build', { patterns }).verdict).toBe('confirm');
  });

  it('user SAFE never lifts a built-in BLOCK, nor what the command does around its arguments', () => {
    const lax = { block: [], confirm: [], safe: ['rm *', 'make *'] };
    expect(policy.evaluate('rm -rf x', { patterns: lax }).verdict).toBe('block');
    expect(policy.evaluate('make > /etc/passwd', { patterns: lax }).verdict).toBe('block');
    expect(policy.evaluate('make > out.txt', { patterns: lax, cwd: '/w' }).verdict).toBe('confirm');
  });
});

describe('deny and ask rules, evaluated before allow', () => {
  const deny = (command: string, denylist: AllowRule[], extra: EvaluateOptions = {}) => policy.evaluate(command, { cwd: '/w', denylist, ...extra });

  it('a deny rule rejects a command when any part of it matches, even a SAFE one', () => {
    expect(deny('ls -la', [prefix('ls *')]).action).toBe('reject');
    expect(deny('ls -la', [prefix('ls *')]).denied_by).toEqual(prefix('ls *'));
    expect(deny('cd sub && npm publish', [prefix('npm publish *')]).action).toBe('reject');
    expect(deny("bash -c 'npm publish --tag next'", [prefix('npm publish *')]).action).toBe('reject');
    expect(deny('npm test', [prefix('npm publish *')]).denied_by).toBeNull();
    expect(deny('git status', [prefix('git push *')]).action).toBe('run');
  });

  it('a deny rule wins over an allow rule and over an unrestricted mode', () => {
    const r = policy.evaluate('npm publish', { denylist: [prefix('npm publish *')], allowlist: [prefix('npm *')], mode: 'unrestricted' });
    expect(r.action).toBe('reject');
    expect(r.allowed_by).toEqual([]);
  });

  it('an argument unknown before the command runs is assumed to match a deny rule', () => {
    expect(deny('git "$CMD" origin', [prefix('git push *')]).action).toBe('reject');
    expect(deny('git "$CMD" origin', [prefix('git push *')], { allowlist: [prefix('git *')] }).action).toBe('reject');
  });

  it('an ask rule sends a command that would run to a person, but never lifts BLOCK', () => {
    const ask = (command: string, extra: EvaluateOptions = {}) => policy.evaluate(command, { cwd: '/w', asklist: [prefix('git log *')], ...extra });
    expect(ask('git log -n 3').action).toBe('prompt');
    expect(ask('git log -n 3').asked_by).toEqual(prefix('git log *'));
    expect(ask('git log -n 3', { mode: 'unrestricted' }).action).toBe('prompt');
    expect(ask('git log -n 3', { allowlist: [prefix('git log *')] }).action).toBe('prompt');
    expect(ask('git status').action).toBe('run');
    expect(ask('git log; rm -rf /').action).toBe('reject');
  });

  it('a deny rule is checked before an ask rule', () => {
    const r = policy.evaluate('git push', { denylist: [prefix('git push *')], asklist: [prefix('git *')] });
    expect([r.action, r.denied_by, r.asked_by]).toEqual(['reject', prefix('git push *'), null]);
  });
});
