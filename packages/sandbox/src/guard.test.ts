import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWithin, resolveCapabilities } from './capabilities.js';
import { detectEscalations, parameterNames, pathArguments, type ToolContract } from './escalation.js';
import { FilesystemGuard, realPathOf } from './guard.js';
import { PRESETS } from './presets.js';
import { approveContract, confirmRun, contractHash, recordApproval, TRIAL_RUNS, trustFor, trustGate } from './trust.js';

const base = mkdtempSync(join(tmpdir(), 'alsb-guard-'));
const ws = join(base, 'app');
const home = join(base, 'home');
mkdirSync(join(ws, 'src'), { recursive: true });
mkdirSync(join(base, 'app-evil'));
mkdirSync(join(home, '.aws'), { recursive: true });
writeFileSync(join(ws, 'src', 'main.c'), '');
symlinkSync('/etc', join(ws, 'etc-link'));
symlinkSync(join(base, 'nowhere', 'file'), join(ws, 'dangling'));
symlinkSync(join(ws, 'src'), join(ws, 'src-link'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function guard(): FilesystemGuard {
  const g = FilesystemGuard.open(ws);
  if (!g.ok) throw new Error(g.error.message);
  return g.value;
}

describe('FilesystemGuard', () => {
  it('resolves paths inside the workspace, including ones that do not exist yet and links that stay inside', () => {
    expect(guard().resolve('src/main.c')).toEqual({ ok: true, value: join(ws, 'src', 'main.c') });
    expect(guard().resolve('out/new.txt')).toEqual({ ok: true, value: join(ws, 'out', 'new.txt') });
    expect(guard().resolve(join(ws, 'src-link', 'main.c'))).toEqual({ ok: true, value: join(ws, 'src', 'main.c') });
    expect(guard().resolve('src/../src/main.c').ok).toBe(true);
  });

  it('refuses traversal, absolute paths elsewhere, a sibling that shares the prefix, and symlink escapes, each saying why', () => {
    expect(guard().resolve('../home/.aws')).toMatchObject({ ok: false, error: { code: 'path_traversal', message: expect.stringContaining('leads out of the workspace') } });
    expect(guard().resolve('/etc/passwd')).toMatchObject({ ok: false, error: { code: 'outside_workspace' } });
    expect(guard().resolve(join(base, 'app-evil', 'x'))).toMatchObject({ ok: false, error: { code: 'outside_workspace' } });
    expect(guard().resolve('etc-link/passwd')).toMatchObject({ ok: false, error: { code: 'symlink_escape', message: expect.stringContaining('/etc/passwd') } });
    expect(guard().resolve('dangling')).toMatchObject({ ok: false, error: { code: 'symlink_escape' } });
    expect(guard().resolve('a\0b')).toMatchObject({ ok: false, error: { code: 'invalid_path' } });
    expect(FilesystemGuard.open('relative')).toMatchObject({ ok: false, error: { code: 'invalid_workspace' } });
  });

  it('decides containment by segments, not prefixes', () => {
    expect(isWithin('/work/app', '/work/app/x')).toBe(true);
    expect(isWithin('/work/app', '/work/app-evil')).toBe(false);
    expect(isWithin('/work/app', '/work/app/..x')).toBe(true);
    expect(realPathOf(join(ws, 'dangling'))).toBe(join(base, 'nowhere', 'file'));
  });
});

describe('escalation detection', () => {
  const caps = resolveCapabilities(PRESETS.file_processor.capabilities, { WORKSPACE: ws, PROJECT_ROOT: ws });
  if (!caps.ok) throw new Error(caps.error.message);
  // No private /tmp here: the workspace itself lives under the host's /tmp.
  const contract: ToolContract = { tool: 'fmt', capabilities: { ...caps.value, filesystem: [{ kind: 'read_write', path: ws }] }, parameters: ['--check', '--out'] };
  const run = (argv: string[]) => detectEscalations(contract, { argv, cwd: ws, home, systemPaths: ['/usr', '/etc'] });

  it('lets a run inside its scope through', () => {
    expect(run(['fmt', '--check', 'src/main.c', '--out=out/x', '/usr/share/dict'])).toEqual([]);
  });

  it('asks again for a path outside the scope, through a symlink too, a credential location, or an undeclared parameter', () => {
    expect(run(['fmt', '../app-evil/x']).map((e) => e.kind)).toEqual(['outside_scope']);
    expect(run(['fmt', 'etc-link/../../home/x'])[0]).toMatchObject({ kind: 'outside_scope' });
    expect(run(['fmt', '~/.aws/credentials'])[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('~/.aws holds credentials') });
    expect(run(['fmt', '.env'])[0]).toMatchObject({ kind: 'sensitive_location' });
    expect(run(['fmt', '--force', 'src/main.c'])).toEqual([{ kind: 'undeclared_parameter', subject: '--force', message: 'fmt was not approved with the parameter --force.' }]);
    expect(pathArguments(['x', '--out=/a', '-v', 'b/c', 'plain'])).toEqual(['/a', 'b/c']);
    expect(parameterNames(['x', '--out=/a', '-v', '--', 'y'])).toEqual(['--out', '-v']);
  });

  it('asks again when the run would make the root, the home, a system directory or a credential location its workspace', () => {
    const from = (workspace: string) => detectEscalations(contract, { argv: ['fmt'], cwd: workspace, home, systemPaths: ['/usr', '/etc'], workspace });
    expect(from(ws)).toEqual([]);
    expect(from('/')[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('(the whole file system)') });
    expect(from(home)[0]).toMatchObject({ message: expect.stringContaining('(the whole home directory)') });
    expect(from(join(home, '..'))[0]).toMatchObject({ message: expect.stringContaining('holds the home directory') });
    expect(from('/etc/ssl')[0]).toMatchObject({ message: expect.stringContaining('(a system directory)') });
    expect(from(join(home, '.ssh'))[0]).toMatchObject({ message: expect.stringContaining('~/.ssh holds credentials') });
  });
});

describe('trust stages', () => {
  it('go Draft, then Trial with confirmed runs, then Verified; an escalation asks again; a change of capabilities starts over', () => {
    let record = trustFor('fmt', 'h1', null);
    expect(trustGate(record, [])).toMatchObject({ action: 'approve_contract', reason: 'fmt has no approved capability contract.' });
    record = approveContract(record, 1000);
    for (let i = 1; i <= TRIAL_RUNS; i++) {
      expect(trustGate(record, [])).toMatchObject({ action: 'confirm_run', stage: 'trial', reason: expect.stringContaining(`run ${i} of ${TRIAL_RUNS}`) });
      record = confirmRun(record);
    }
    expect(trustGate(record, [])).toEqual({ action: 'run', stage: 'verified' });
    expect(trustGate(record, [{ message: '~/.ssh holds credentials.' }])).toMatchObject({ action: 'confirm_run', stage: 'verified' });
    expect(trustFor('fmt', 'h1', record)).toBe(record);
    const changed = trustFor('fmt', 'h2', record);
    expect(changed).toMatchObject({ stage: 'draft', confirmed_runs: 0, changed_from: 'h1' });
    expect(trustGate(changed, [])).toMatchObject({ action: 'approve_contract', reason: 'fmt changed its capabilities since they were approved.' });
  });

  it('count an "Allow Once" of a Draft as the contract approved and Trial\'s first run; "Allow Always" verifies at once', () => {
    const draft = trustFor('fmt', 'h1', null);
    const once = recordApproval(draft, 'allow-once', 5);
    expect(once).toMatchObject({ stage: 'trial', confirmed_runs: 1, approved_at: 5 });
    expect(recordApproval(draft, 'allow-always', 5)).toMatchObject({ stage: 'verified', approved_at: 5 });
    let record = once;
    for (let i = 2; i <= TRIAL_RUNS; i++) record = recordApproval(record, 'allow-once', 6);
    expect(record).toMatchObject({ stage: 'verified', confirmed_runs: TRIAL_RUNS, approved_at: 5 });
    expect(recordApproval(record, 'allow-always', 7)).toBe(record);
  });

  it('key a contract by its declared capabilities and parameters, in any order of parameters', () => {
    const caps = { filesystem: [{ kind: 'read_write' as const, path: '${WORKSPACE}' }], network: { kind: 'deny' as const }, process: { max_execution_time_s: 60, max_memory_mb: 512, no_fork: false }, environment: 'restricted' as const };
    expect(contractHash(caps, ['-a', '-b'])).toBe(contractHash(caps, ['-b', '-a']));
    expect(contractHash(caps, ['-a'])).not.toBe(contractHash(caps, ['-a', '-b']));
    expect(contractHash(caps, undefined)).not.toBe(contractHash(caps, []));
    expect(contractHash(caps, undefined)).not.toBe(contractHash({ ...caps, network: { kind: 'allow_all' } }, undefined));
  });
});
