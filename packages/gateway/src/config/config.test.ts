import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFile, loadConfig, loadSecret, modeOf, sandboxOf, saveConfig, secretBytes, secureHome, withMode } from './config.js';

let dir: string;
let home: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aleph-config-'));
  home = join(dir, 'home');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('exec-approvals.json', () => {
  it('is created 0600 in a 0700 home with a fresh 32-byte secret, and read back the same', () => {
    const created = loadConfig(home, true);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(secretBytes(created.value)).toHaveLength(32);
    expect(loadConfig(home, true)).toEqual(created);
    const other = mkdtempSync(join(tmpdir(), 'aleph-config-other-'));
    const second = loadConfig(other, true);
    rmSync(other, { recursive: true, force: true });
    expect(second.ok && second.value.secret).not.toBe(created.value.secret);
  });

  it('defaults the network endpoint to loopback port 7457 with authentication, and chat channels to pairing', () => {
    const created = loadConfig(home, true);
    expect(created.ok && created.value.network).toEqual({ port: 7457, authentication: 'required' });
    writeFileSync(configFile(home), JSON.stringify({ secret: Buffer.alloc(32).toString('base64'), channels: { telegram: {} } }));
    const read = loadConfig(home, false);
    expect(read.ok && read.value.channels).toEqual({ telegram: { dm_policy: 'pairing', allow_from: [] } });
  });

  it('sandboxes approved commands by default, refusing where it cannot; agents may depart from the defaults', () => {
    const created = loadConfig(home, true);
    expect(created.ok && created.value.sandbox).toEqual({ enabled: true, network: 'deny', when_unavailable: 'refuse', tool_caches: [] });
    const secret = Buffer.alloc(32).toString('base64');
    writeFileSync(configFile(home), JSON.stringify({ secret, sandbox: { network: 'all' }, agents: { builder: { sandbox: { enabled: false }, rules: [] } } }));
    const read = loadConfig(home, false);
    if (!read.ok) throw new Error(read.error.message);
    expect(sandboxOf(read.value, 'builder')).toEqual({ enabled: false, network: 'all', when_unavailable: 'refuse', tool_caches: [] });
    expect(sandboxOf(read.value, 'other')).toEqual({ enabled: true, network: 'all', when_unavailable: 'refuse', tool_caches: [] });
    writeFileSync(configFile(home), JSON.stringify({ secret, agents: { builder: { sandbox: { when_unavailable: 'run_unsandboxed' } } } }));
    expect(loadConfig(home, false)).toMatchObject({ ok: false, error: { message: expect.stringContaining('only in the top-level "sandbox"') } });
    writeFileSync(configFile(home), JSON.stringify({ secret, sandbox: { enabled: 'yes' } }));
    expect(loadConfig(home, false)).toMatchObject({ ok: false, error: { message: expect.stringContaining('"sandbox.enabled" must be true or false') } });
  });

  it('takes more tool caches for the agent profile in the top-level "sandbox" only', () => {
    loadConfig(home, true);
    const secret = Buffer.alloc(32).toString('base64');
    writeFileSync(configFile(home), JSON.stringify({ secret, sandbox: { tool_caches: ['.rustup/toolchains', '/opt/cache'] } }));
    const read = loadConfig(home, false);
    expect(read.ok && read.value.sandbox.tool_caches).toEqual(['.rustup/toolchains', '/opt/cache']);
    for (const sandbox of [{ tool_caches: ['../outside'] }, { tool_caches: 'cache' }, { tool_caches: [''] }]) {
      writeFileSync(configFile(home), JSON.stringify({ secret, sandbox }));
      expect(loadConfig(home, false)).toMatchObject({ ok: false, error: { message: expect.stringContaining('"sandbox.tool_caches" must be a list') } });
    }
    writeFileSync(configFile(home), JSON.stringify({ secret, agents: { builder: { sandbox: { tool_caches: ['.x'] }, rules: [] } } }));
    expect(loadConfig(home, false)).toMatchObject({ ok: false, error: { message: expect.stringContaining('only in the top-level "sandbox"') } });
  });

  it("takes agents named like Object.prototype's members as any other name, through a save and a load", () => {
    const created = loadConfig(home, true);
    if (!created.ok) throw new Error(created.error.message);
    expect(modeOf(created.value, 'constructor')).toBe('safe');
    expect(sandboxOf(created.value, 'toString')).toEqual(sandboxOf(created.value, 'anyone'));
    let config = withMode(withMode(created.value, '__proto__', 'dev'), 'constructor', 'unrestricted');
    expect(saveConfig(home, config).ok).toBe(true);
    const loaded = loadConfig(home, false);
    if (!loaded.ok) throw new Error(loaded.error.message);
    config = loaded.value;
    expect([modeOf(config, '__proto__'), modeOf(config, 'constructor'), modeOf(config, 'hasOwnProperty')]).toEqual(['dev', 'unrestricted', 'safe']);
    expect(Object.getPrototypeOf(config.agents)).toBe(Object.prototype);
  });

  it('is not created when only read', () => {
    expect(loadConfig(home, false).ok).toBe(true);
    expect(() => statSync(configFile(home))).toThrow();
  });

  it('refuses a file it cannot parse, naming it and the problem, and never overwrites it', () => {
    loadConfig(home, true);
    writeFileSync(configFile(home), '{"secret": ');
    const r = loadConfig(home, true);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain(configFile(home));
    expect(r.error.message).toContain('not valid JSON');
    expect(readFileSync(configFile(home), 'utf8')).toBe('{"secret": ');
  });

  it.each([
    [{ secret: 'c2hvcnQ=' }, '"secret" must be base64 of 32 random bytes'],
    [{ secret: Buffer.alloc(32).toString('base64'), ask: { fallback: 'maybe' } }, '"ask.fallback"'],
    [
      { secret: Buffer.alloc(32).toString('base64'), tools: { wc: { contract_hash: 'x', stage: 'trial', confirmed_runs: 1 } } },
      '"tools.wc".contract_hash must be a SHA-256',
    ],
    [
      { secret: Buffer.alloc(32).toString('base64'), tools: { wc: { contract_hash: 'a'.repeat(64), stage: 'trusted', confirmed_runs: 1 } } },
      '"tools.wc".stage must be one of draft, trial, verified',
    ],
    [{ secret: Buffer.alloc(32).toString('base64'), tools: { 'Bad Name': {} } }, 'a tool name is lower-case'],
    [
      {
        secret: Buffer.alloc(32).toString('base64'),
        tools: { wc: { contract_hash: 'a'.repeat(64), program: '/usr/bin/wc', stage: 'trial', confirmed_runs: 1 } },
      },
      '"tools.wc".program must be {"path", "hash"} or null',
    ],
    [{ secret: Buffer.alloc(32).toString('base64'), ask: { timeout_ms: -1 } }, '"ask.timeout_ms"'],
    [{ secret: Buffer.alloc(32).toString('base64'), agents: { bot: { mode: 'yolo' } } }, '"agents.bot"'],
    [{ secret: Buffer.alloc(32).toString('base64'), agents: { bot: { rules: [{ kind: 'path', pattern: 'relative' }] } } }, 'rules[0]'],
    [
      { secret: Buffer.alloc(32).toString('base64'), agents: { bot: { rules: [{ kind: 'exact', pattern: 'make', examples: { match: 'make' } }] } } },
      'rules[0]: "examples.match" must list 1 to 20 commands',
    ],
    [{ secret: Buffer.alloc(32).toString('base64'), policy: { safe: [''] } }, 'policy.safe[0]'],
    [{ secret: Buffer.alloc(32).toString('base64'), version: 9 }, '"version"'],
    [{ secret: Buffer.alloc(32).toString('base64'), network: { port: 70000 } }, '"network.port"'],
    [{ secret: Buffer.alloc(32).toString('base64'), network: { authentication: 'maybe' } }, '"network.authentication"'],
    [{ secret: Buffer.alloc(32).toString('base64'), channels: { telegram: { dm_policy: 'everyone' } } }, '"channels.telegram.dm_policy"'],
    [{ secret: Buffer.alloc(32).toString('base64'), channels: { telegram: { allow_from: [42] } } }, '"channels.telegram.allow_from"'],
  ])('names what is wrong: %j', (content, message) => {
    loadConfig(home, true);
    writeFileSync(configFile(home), JSON.stringify(content));
    const r = loadConfig(home, false);
    expect(r.ok ? '' : r.error.message).toContain(message);
    expect(r.ok ? '' : r.error.message).toMatch(/[^.]; it was left untouched\.$/);
  });

  it('survives a writer killed in the middle of saving: the file is always whole', async () => {
    loadConfig(home, true);
    const writer = spawn(process.execPath, [fileURLToPath(new URL('../../test-fixtures/save-loop.mjs', import.meta.url)), home], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.on('exit', resolve));
    expect(loadConfig(home, false).ok).toBe(true);
    // A temporary file may be left behind by the kill; the configuration itself never is torn.
    expect(readdirSync(home).filter((f) => f === 'exec-approvals.json')).toHaveLength(1);
  });

  it('saves atomically without leaving temporary files behind', () => {
    const c = loadConfig(home, true);
    if (!c.ok) return;
    expect(saveConfig(home, { ...c.value, defaults: { mode: 'dev' } }).ok).toBe(true);
    expect(readdirSync(home)).toEqual(['exec-approvals.json']);
    const again = loadConfig(home, false);
    expect(again.ok && again.value.defaults.mode).toBe('dev');
  });
});

describe('the socket secret, for local clients', () => {
  it('is read from a file that is wrong elsewhere, or no longer parses but holds its one "secret" line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsec-'));
    try {
      const created = loadConfig(dir, true);
      if (!created.ok) throw new Error(created.error.message);
      const secret = secretBytes(created.value);
      const file = configFile(dir);
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace('"mode": "safe"', '"mode": "bogus"'));
      expect(loadSecret(dir)).toEqual({ ok: true, value: secret });
      writeFileSync(file, text.replace('"defaults": {', '"defaults": {{ half-edited'));
      expect(loadConfig(dir, false).ok).toBe(false);
      expect(loadSecret(dir)).toEqual({ ok: true, value: secret });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails naming the file when the file holds none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsec-'));
    try {
      writeFileSync(configFile(dir), '{ "secret": ');
      const got = loadSecret(dir);
      expect(got).toMatchObject({ ok: false, error: { code: 'config_invalid', message: expect.stringContaining(configFile(dir)) } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never waits on a FIFO in the file's place", () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsec-'));
    const file = configFile(dir);
    execFileSync('mkfifo', [file]);
    // Were the FIFO opened for reading, this writer would feed it; it must find no reader.
    const writer = spawn('sh', ['-c', `printf '{}' > "${file}"`], { stdio: 'ignore' });
    try {
      expect(loadSecret(dir)).toMatchObject({ ok: false, error: { code: 'config_unreadable', message: expect.stringContaining('not a regular file') } });
      expect(loadConfig(dir, true)).toMatchObject({ ok: false, error: { code: 'config_unreadable' } });
    } finally {
      writer.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('securing $ALEPH_HOME', () => {
  it("makes the audit chain's head and the hooks' settings private too", () => {
    const dir = mkdtempSync(join(tmpdir(), 'alsecure-'));
    try {
      const files = ['exec-approvals.json', 'audit-head.json', 'hooks.json'].map((f) => join(dir, f));
      for (const f of files) writeFileSync(f, '{}', { mode: 0o644 });
      const secured = secureHome(dir);
      expect(secured.ok).toBe(true);
      for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
