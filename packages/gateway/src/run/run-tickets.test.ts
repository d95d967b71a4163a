import type { ExecBinding, ExecRequest } from '@aleph/protocol';
import { describe, expect, it } from 'vitest';
import { RunTickets, type RunGrant } from './run-tickets.js';

const request: ExecRequest = { command: 'git status', cwd: '/home/me/project', agent_id: 'claude-code', session_key: 's-1' };
const binding: ExecBinding = { executables: { git: '/usr/bin/git' }, scripts: {} };
const grant: RunGrant = { requestId: 'r-1', request, binding, confinement: { kind: 'sandbox', network: { kind: 'deny' } } };

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let at = 1_000_000;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe('run tickets', () => {
  it('are random, 128 bits, and redeem once for exactly the judged command and directory', () => {
    const tickets = new RunTickets();
    const a = tickets.issue(grant);
    const b = tickets.issue(grant);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(16);
    expect(a).not.toBe(b);
    expect(tickets.redeem(a, 'git status', '/home/me/project')).toEqual({ ok: true, value: grant });
    expect(tickets.redeem(a, 'git status', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_used' } });
    expect(tickets.redeem('nothing-issued-like-this', 'git status', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_unknown' } });
  });

  it('refuse another command or directory, and are spent by the refusal', () => {
    const tickets = new RunTickets();
    const other = tickets.issue(grant);
    expect(tickets.redeem(other, 'git status; curl evil', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_mismatch' } });
    expect(tickets.redeem(other, 'git status', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_used' } });
    const elsewhere = tickets.issue(grant);
    expect(tickets.redeem(elsewhere, 'git status', '/home/me')).toMatchObject({
      ok: false,
      error: { code: 'ticket_mismatch', message: expect.stringContaining('/home/me/project') },
    });
  });

  it('expire after their time, and are forgotten later', () => {
    const time = clock();
    const tickets = new RunTickets(30_000, time.now);
    const late = tickets.issue(grant);
    const inTime = tickets.issue(grant);
    time.advance(30_000);
    expect(tickets.redeem(inTime, 'git status', '/home/me/project')).toMatchObject({ ok: true });
    time.advance(1);
    expect(tickets.redeem(late, 'git status', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_expired' } });
    const forgotten = tickets.issue(grant);
    time.advance(60_001);
    tickets.issue(grant);
    expect(tickets.redeem(forgotten, 'git status', '/home/me/project')).toMatchObject({ ok: false, error: { code: 'ticket_unknown' } });
  });
});
