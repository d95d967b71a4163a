import { describe, expect, it } from 'vitest';
import { MAX_GRANT_MS, parseClientMessage } from './messages.js';

const request = { command: 'ls', cwd: '/w', agent_id: 'a', session_key: 's' };

function error(value: Record<string, unknown>): string {
  const r = parseClientMessage(value);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(value)}`);
  return r.error.message;
}

describe('client messages are validated before anything acts on them', () => {
  it("accepts a well-formed request, with or without the requester's PATH and a timeout", () => {
    expect(parseClientMessage({ type: 'approval_request', id: '1', request })).toEqual({ ok: true, value: { type: 'approval_request', id: '1', request } });
    const full = { type: 'approval_request', id: '1', request: { ...request, path: '/usr/bin:/bin', extra: 'dropped' }, timeout_ms: 500 };
    expect(parseClientMessage(full)).toEqual({
      ok: true,
      value: { type: 'approval_request', id: '1', request: { ...request, path: '/usr/bin:/bin' }, timeout_ms: 500 },
    });
  });

  it.each([
    [{ type: 'approval_request', request }, '"id" must be a non-empty string'],
    [{ type: 'approval_request', id: '1', request: [] }, '"request" must be an object'],
    [{ type: 'approval_request', id: '1', request: { ...request, command: '' } }, '"command" must be a non-empty string'],
    [{ type: 'approval_request', id: '1', request: { ...request, cwd: 'rel' } }, '"cwd" must be an absolute path'],
    [{ type: 'approval_request', id: '1', request: { ...request, path: 7 } }, '"path" must be a non-empty string'],
    [{ type: 'approval_request', id: '1', request, timeout_ms: 0 }, '"timeout_ms" must be a whole number'],
    [{ type: 'approval_request', id: 'x'.repeat(129), request }, '"id" is longer than 128 characters'],
    [
      { type: 'approval_request', id: '1', request: { ...request, path: Array.from({ length: 257 }, (_, i) => `/d${i}`).join(':') } },
      '"path" has more than 256 directories',
    ],
  ])('refuses a bad request: %j', (value, message) => {
    expect(error(value)).toContain(message);
  });

  it('accepts the answers an approver can give, grants included', () => {
    expect(parseClientMessage({ type: 'resolve', id: 'p', decision: 'deny', reason: 'no' })).toMatchObject({
      ok: true,
      value: { decision: 'deny', reason: 'no' },
    });
    expect(
      parseClientMessage({ type: 'resolve', id: 'p', decision: 'allow-always', rule: { kind: 'prefix', pattern: ' npm * ' }, duration_ms: 900_000 }),
    ).toEqual({ ok: true, value: { type: 'resolve', id: 'p', decision: 'allow-always', rule: { kind: 'prefix', pattern: 'npm *' }, duration_ms: 900_000 } });
    expect(parseClientMessage({ type: 'resolve', id: 'p', decision: 'allow-always', scope: 'session' })).toMatchObject({
      ok: true,
      value: { scope: 'session' },
    });
  });

  it('accepts the confinement an allow runs with', () => {
    const domains = { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org', 'registry.npmjs.org'] } };
    expect(parseClientMessage({ type: 'resolve', id: 'p', decision: 'allow-once', confinement: domains })).toMatchObject({
      ok: true,
      value: { confinement: { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['registry.npmjs.org'] } } },
    });
    expect(parseClientMessage({ type: 'resolve', id: 'p', decision: 'allow-always', confinement: { kind: 'unconfined' } })).toMatchObject({
      ok: true,
      value: { confinement: { kind: 'unconfined' } },
    });
    expect(parseClientMessage({ type: 'resolve', id: 'p', decision: 'allow-once' })).toEqual({
      ok: true,
      value: { type: 'resolve', id: 'p', decision: 'allow-once' },
    });
  });

  it.each([
    [{ type: 'resolve', id: 'p', decision: 'maybe' }, '"decision" must be one of allow-once, allow-always, deny'],
    [{ type: 'resolve', id: 'p', decision: 'allow-always', rule: { kind: 'regex', pattern: '.*' } }, '"rule" must be'],
    [{ type: 'resolve', id: 'p', decision: 'allow-always', duration_ms: 10 }, '"duration_ms" must be a whole number of milliseconds from 1000'],
    [{ type: 'resolve', id: 'p', decision: 'allow-always', duration_ms: MAX_GRANT_MS + 1 }, '"duration_ms"'],
    [{ type: 'resolve', id: 'p', decision: 'allow-always', scope: 'forever' }, '"scope" must be one of agent, session'],
    [{ type: 'resolve', id: 'p', decision: 'deny', duration_ms: 60_000 }, 'go with the decision "allow-always"'],
    [{ type: 'resolve', id: 'p', decision: 'allow-once', scope: 'session' }, 'go with the decision "allow-always"'],
    [{ type: 'resolve', id: 'p', decision: 'allow-once', confinement: { kind: 'none' } }, '"confinement" must be {"kind": "sandbox"'],
    [{ type: 'resolve', id: 'p', decision: 'allow-once', confinement: 'unconfined' }, '"confinement" must be'],
    [
      { type: 'resolve', id: 'p', decision: 'allow-once', confinement: { kind: 'sandbox', network: { kind: 'allow_domains', domains: ['1.2.3.4'] } } },
      '"network" must be',
    ],
    [{ type: 'resolve', id: 'p', decision: 'deny', confinement: { kind: 'unconfined' } }, '"confinement" goes with an allow'],
  ])('refuses a bad answer: %j', (value, message) => {
    expect(error(value)).toContain(message);
  });

  it('accepts how a run ended, and refuses nonsense', () => {
    expect(parseClientMessage({ type: 'exec_result', id: 'r', exit_code: 0, duration_ms: 1.5 })).toEqual({
      ok: true,
      value: { type: 'exec_result', id: 'r', exit_code: 0, duration_ms: 1.5 },
    });
    expect(parseClientMessage({ type: 'exec_result', id: 'r', exit_code: null, signal: 'SIGKILL', duration_ms: 3 })).toMatchObject({
      ok: true,
      value: { signal: 'SIGKILL' },
    });
    expect(error({ type: 'exec_result', id: 'r', exit_code: 256, duration_ms: 1 })).toContain('"exit_code" must be a whole number from 0 to 255');
    const sandbox = { status: 'sandbox_violation', platform: 'linux', capability_hash: 'ab'.repeat(32), violations: ['filesystem: Read-only file system'] };
    expect(parseClientMessage({ type: 'exec_result', id: 'r', exit_code: 1, duration_ms: 2, sandbox })).toMatchObject({ ok: true, value: { sandbox } });
    const unenforced = { ...sandbox, limits_unenforced: ['memory: macOS does not enforce a data-segment limit'] };
    expect(parseClientMessage({ type: 'exec_result', id: 'r', exit_code: 1, duration_ms: 2, sandbox: unenforced })).toMatchObject({
      ok: true,
      value: { sandbox: unenforced },
    });
    expect(error({ type: 'exec_result', id: 'r', exit_code: 1, duration_ms: 2, sandbox: { ...sandbox, limits_unenforced: 'memory' } })).toContain(
      '"sandbox" must be',
    );
    expect(error({ type: 'exec_result', id: 'r', exit_code: 1, duration_ms: 2, sandbox: { ...sandbox, status: 'fine' } })).toContain('"sandbox" must be');
    expect(error({ type: 'exec_result', id: 'r', exit_code: 1, duration_ms: 2, sandbox: { ...sandbox, violations: Array(33).fill('x') } })).toContain(
      'at most 32 strings',
    );
    expect(error({ type: 'exec_result', id: 'r', exit_code: 0, duration_ms: -1 })).toContain('"duration_ms" must be a number');
    expect(error({ type: 'exec_result', id: 'r', duration_ms: 1 })).toContain('"exit_code"');
  });

  it("accepts what an agent's hook decided by itself, and refuses a decision that is neither allow nor deny", () => {
    const decision = {
      agent_id: 'claude-code',
      session_key: 's',
      cwd: '/p',
      tool: 'Read',
      target: '/p/a.txt',
      decision: 'allow',
      reason: 'inside the project',
    };
    expect(parseClientMessage({ type: 'hook_decision', id: 'h', decision })).toEqual({ ok: true, value: { type: 'hook_decision', id: 'h', decision } });
    expect(error({ type: 'hook_decision', id: 'h', decision: { ...decision, decision: 'ask' } })).toContain('must be allow or deny');
    expect(error({ type: 'hook_decision', id: 'h', decision: { ...decision, cwd: 'p' } })).toContain('"cwd" must be an absolute path');
    expect(error({ type: 'hook_decision', id: 'h', decision: { ...decision, target: '' } })).toContain('"target" must be a non-empty string');
    expect(error({ type: 'hook_decision', id: 'h' })).toContain('"decision" must be an object');
  });

  it('accepts a request for a run ticket and a ticket to redeem, and refuses them malformed', () => {
    const request = { command: 'git status', cwd: '/w', agent_id: 'claude-code', session_key: 's' };
    expect(parseClientMessage({ type: 'approval_request', id: 'r', request, run_ticket: true })).toEqual({
      ok: true,
      value: { type: 'approval_request', id: 'r', request, run_ticket: true },
    });
    expect(parseClientMessage({ type: 'approval_request', id: 'r', request, run_ticket: false })).toEqual({
      ok: true,
      value: { type: 'approval_request', id: 'r', request },
    });
    expect(error({ type: 'approval_request', id: 'r', request, run_ticket: 'yes' })).toContain('"run_ticket" must be true or false');
    const redeem = { type: 'redeem_ticket', id: 'x', ticket: 'AAAAAAAAAAAAAAAAAAAAAA', command: 'git status', cwd: '/w' };
    expect(parseClientMessage(redeem)).toEqual({ ok: true, value: redeem });
    expect(error({ ...redeem, cwd: 'w' })).toContain('"cwd" must be an absolute path');
    expect(error({ ...redeem, ticket: '' })).toContain('"ticket" must be a non-empty string');
    expect(error({ ...redeem, command: undefined })).toContain('"command"');
  });

  it('names an unknown message type', () => {
    const r = parseClientMessage({ type: 'rm_rf' });
    expect(r).toEqual({ ok: false, error: { code: 'unknown_type', message: 'Unknown message type "rm_rf".' } });
  });
});

describe('tool runs are validated too', () => {
  const caps = {
    filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }],
    network: { kind: 'deny' },
    process: { max_execution_time_s: 60, max_memory_mb: 256, no_fork: false },
    environment: 'none',
  };
  const run = { tool: 'wc', capabilities: caps, argv: ['wc', '-l', 'x'], cwd: '/w', agent_id: 'a', session_key: 's' };

  it('accepts a declared contract and an argv, dropping repeated parameters', () => {
    expect(parseClientMessage({ type: 'tool_run', id: 't', run: { ...run, parameters: ['-l', '-l', '--bytes'] }, timeout_ms: 5 })).toEqual({
      ok: true,
      value: { type: 'tool_run', id: 't', run: { ...run, parameters: ['-l', '--bytes'] }, timeout_ms: 5 },
    });
  });

  it.each([
    [{ ...run, tool: 'Bad Tool' }, '"tool" must be a name'],
    [{ ...run, argv: [] }, '"argv" must list the executable'],
    [{ ...run, argv: ['a\0b'] }, 'without NUL'],
    [{ ...run, argv: ['x'.repeat(300 * 1024)] }, '"argv" must list'],
    [{ ...run, parameters: ['output'] }, '"parameters" must list'],
    [{ ...run, capabilities: { ...caps, environment: 'all' } }, '"capabilities": "environment" must be one of'],
    [{ ...run, cwd: 'w' }, '"cwd" must be an absolute path'],
  ])('refuses a bad tool run: %j', (value, message) => {
    expect(error({ type: 'tool_run', id: 't', run: value })).toContain(message);
  });
});
