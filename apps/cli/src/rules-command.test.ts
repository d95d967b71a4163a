import { describe, expect, it } from 'vitest';
import { useAlephHome } from './test-cli.js';

const { aleph } = useAlephHome();

const ADD = ['rules', 'add', '--agent', 'bot', '--action', 'allow', 'prefix:npm run test:*'];

describe('aleph rules add with --why, --example and --not-example', () => {
  it('keeps the justification and the examples with the rule once they hold', () => {
    const added = aleph([
      ...ADD,
      '--why',
      'The unit tests',
      '--example',
      'npm run test:unit',
      '--example',
      'npm run test:e2e',
      '--not-example',
      'npm run build',
    ]);
    expect(added).toMatchObject({ code: 0, stdout: expect.stringContaining('Added') });
    expect(JSON.parse(aleph(['rules', 'list', '--json']).stdout).rules).toEqual([
      expect.objectContaining({
        agent: 'bot',
        pattern: 'npm run test:*',
        justification: 'The unit tests',
        examples: { match: ['npm run test:unit', 'npm run test:e2e'], not_match: ['npm run build'] },
      }),
    ]);
  });

  it('refuses a rule whose example fails, naming the rule and the example, and adds nothing', () => {
    const refused = aleph([...ADD, '--example', 'npm run test:unit', '--not-example', 'npm run test:e2e', '--json']);
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stdout)).toEqual({
      error: {
        code: 'invalid_params',
        message: 'Rule allow prefix rule "npm run test:*" matches "npm run test:e2e", which it must not match. The rule was not added.',
      },
    });
    const missed = aleph([...ADD, '--example', 'npm test']);
    expect(missed.stderr).toBe('aleph: Rule allow prefix rule "npm run test:*" does not match its example "npm test". The rule was not added.\n');
    expect(JSON.parse(aleph(['rules', 'list', '--json']).stdout).rules).toEqual([]);
  });

  it('asks for an example it must match, and a non-empty --why', () => {
    expect(aleph([...ADD, '--not-example', 'npm run build']).stderr).toContain('--example must list 1 to 20 commands');
    expect(aleph([...ADD, '--why', ' ']).stderr).toContain('--why must be a non-empty string');
  });
});
