import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWithin, resolveCapabilities, type Capabilities } from './capabilities.js';
import { detectEscalations, parameterNames, pathArguments, type ToolContract } from './escalation.js';
import { realCapabilities } from './grants.js';
import { FilesystemGuard, realPathOf } from './guard.js';
import { PRESETS } from './presets.js';
import { approveContract, confirmRun, contractChange, contractHash, recordApproval, TRIAL_RUNS, trustFor, trustGate } from './trust.js';

const base = mkdtempSync(join(tmpdir(), 'alsb-guard-'));
const ws = join(base, 'app');
const home = join(base, 'home');
const gatewayHome = join(home, '.aleph');
mkdirSync(join(ws, 'src'), { recursive: true });
mkdirSync(gatewayHome, { recursive: true });
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
    expect(guard().resolve('../home/.aws')).toMatchObject({
      ok: false,
      error: { code: 'path_traversal', message: expect.stringContaining('leads out of the workspace') },
    });
    expect(guard().resolve('/etc/passwd')).toMatchObject({ ok: false, error: { code: 'outside_workspace' } });
    expect(guard().resolve(join(base, 'app-evil', 'x'))).toMatchObject({ ok: false, error: { code: 'outside_workspace' } });
    expect(guard().resolve('etc-link/passwd')).toMatchObject({ ok: false, error: { code: 'symlink_escape', message: expect.stringContaining('/etc/passwd') } });
    expect(guard().resolve('dangling')).toMatchObject({ ok: false, error: { code: 'symlink_escape' } });
    expect(guard().resolve('a\0b')).toMatchObject({ ok: false, error: { code: 'invalid_path' } });
    expect(FilesystemGuard.open('relative')).toMatchObject({ ok: false, error: { code: 'invalid_workspace' } });
  });

  it('decides containment by segments, not prefixes', () => {
    expect(isWithin('/srv/app', '/srv/app/x')).toBe(true);
    expect(isWithin('/srv/app', '/srv/app-evil')).toBe(false);
    expect(isWithin('/srv/app', '/srv/app/..x')).toBe(true);
    expect(realPathOf(join(ws, 'dangling'))).toBe(join(base, 'nowhere', 'file'));
  });
});

describe('escalation detection', () => {
  /** The contract as declared, and what it comes to when `${WORKSPACE}` is `workspace`. */
  function contractFor(filesystem: Capabilities['filesystem'], workspace = ws): ToolContract {
    const declared = { ...PRESETS.file_processor.capabilities, filesystem };
    const resolved = resolveCapabilities(declared, { WORKSPACE: workspace, PROJECT_ROOT: workspace });
    if (!resolved.ok) throw new Error(resolved.error.message);
    const real = realCapabilities(resolved.value);
    if (!real.ok) throw new Error(real.error.message);
    return { tool: 'fmt', declared, capabilities: real.value, parameters: ['--check', '--out'] };
  }
  const request = (argv: string[], workspace = ws) => ({
    argv,
    cwd: workspace,
    home,
    systemPaths: ['/usr', '/etc'],
    vars: { WORKSPACE: workspace, PROJECT_ROOT: workspace },
    gatewayHome,
  });
  // No private /tmp here: the workspace itself lives under the host's /tmp.
  const contract = contractFor([{ kind: 'read_write', path: ws }]);
  const run = (argv: string[]) => detectEscalations(contract, request(argv));

  it('lets a run inside its scope through', () => {
    expect(run(['fmt', '--check', 'src/main.c', '--out=out/x', '/usr/share/dict'])).toEqual([]);
  });

  it('asks again for a path outside the scope, through a symlink too, a credential location, or an undeclared parameter', () => {
    expect(run(['fmt', '../app-evil/x']).map((e) => e.kind)).toEqual(['outside_scope']);
    expect(run(['fmt', 'etc-link/../../home/x'])[0]).toMatchObject({ kind: 'outside_scope' });
    expect(run(['fmt', '~/.aws/credentials'])[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('~/.aws holds credentials') });
    expect(run(['fmt', '.env'])[0]).toMatchObject({ kind: 'sensitive_location' });
    expect(run(['fmt', '.envrc'])[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('.envrc files hold secrets') });
    expect(run(['fmt', '--force', 'src/main.c'])).toEqual([
      { kind: 'undeclared_parameter', subject: '--force', message: 'fmt was not approved with the parameter --force.' },
    ]);
    expect(pathArguments(['x', '--out=/a', '-v', 'b/c', 'plain'])).toEqual(['/a', 'b/c']);
    expect(parameterNames(['x', '--out=/a', '-v', '--', 'y'])).toEqual(['--out', '-v']);
  });

  it("asks again when the run would make the root, the home, a system directory, a credential location or the gateway's own directory its workspace", () => {
    const workspace = contractFor([{ kind: 'read_write', path: '${WORKSPACE}' }]);
    const from = (dir: string) => detectEscalations(contractFor(workspace.declared.filesystem, dir), request(['fmt'], dir));
    expect(from(ws)).toEqual([]);
    expect(from('/')[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('(the whole file system)') });
    expect(from(home)[0]).toMatchObject({ message: expect.stringContaining('(the whole home directory)') });
    expect(from(join(home, '..'))[0]).toMatchObject({ message: expect.stringContaining('holds the home directory') });
    expect(from('/etc/ssl')[0]).toMatchObject({ message: expect.stringContaining('(a system directory)') });
    expect(from(join(home, '.aws'))[0]).toMatchObject({ message: expect.stringContaining('~/.aws holds credentials') });
    expect(from(gatewayHome)[0]).toMatchObject({
      kind: 'sensitive_location',
      subject: gatewayHome,
      message: expect.stringContaining("the gateway's own directory"),
    });
  });

  it("asks again when a granted path leads, through a symlink, to a credential location, the home, the gateway's directory or out of the workspace", () => {
    const project = join(base, 'project');
    mkdirSync(join(project, 'out'), { recursive: true });
    const declared: Capabilities['filesystem'] = [
      { kind: 'read_only', path: '${WORKSPACE}' },
      { kind: 'read_only', path: '${WORKSPACE}/data' },
      { kind: 'read_write', path: '${WORKSPACE}/out' },
    ];
    const leadsTo = (target: string) => {
      rmSync(join(project, 'data'), { recursive: true, force: true });
      symlinkSync(target, join(project, 'data'));
      return detectEscalations(contractFor(declared, project), request(['fmt'], project));
    };
    expect(leadsTo(join(project, 'out'))).toEqual([]);
    expect(leadsTo(join(home, '.aws'))).toEqual([
      {
        kind: 'sensitive_location',
        subject: join(home, '.aws'),
        message: `\${WORKSPACE}/data is ${join(home, '.aws')} here (~/.aws holds credentials), which the contract would grant to fmt.`,
      },
    ]);
    expect(leadsTo(home)[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining('(the whole home directory)') });
    expect(leadsTo(gatewayHome)[0]).toMatchObject({ kind: 'sensitive_location', message: expect.stringContaining("the gateway's own directory") });
    expect(leadsTo(join(base, 'app-evil'))[0]).toMatchObject({
      kind: 'outside_scope',
      subject: join(base, 'app-evil'),
      message: expect.stringContaining(`outside ${project}, where \${WORKSPACE} is`),
    });
  });

  it("takes a credential location the contract names as approved, but never the gateway's own directory", () => {
    expect(detectEscalations(contractFor([{ kind: 'read_only', path: join(home, '.aws') }]), request(['fmt']))).toEqual([]);
    expect(detectEscalations(contractFor([{ kind: 'read_only', path: gatewayHome }]), request(['fmt']))[0]).toMatchObject({
      kind: 'sensitive_location',
      subject: gatewayHome,
    });
  });
});

describe('trust stages', () => {
  const FMT = { path: '/usr/bin/fmt', hash: 'a'.repeat(64) };
  const CAPS = {
    filesystem: [{ kind: 'read_write' as const, path: '${WORKSPACE}' }],
    network: { kind: 'deny' as const },
    process: { max_execution_time_s: 60, max_memory_mb: 512, no_fork: false },
    environment: 'restricted' as const,
  };

  it('go Draft, then Trial with confirmed runs, then Verified; an escalation asks again; a change of capabilities starts over', () => {
    let record = trustFor('fmt', 'h1', FMT, null);
    expect(trustGate(record, [])).toMatchObject({ action: 'approve_contract', reason: 'fmt has no approved capability contract.' });
    record = approveContract(record, 1000);
    for (let i = 1; i <= TRIAL_RUNS; i++) {
      expect(trustGate(record, [])).toMatchObject({ action: 'confirm_run', stage: 'trial', reason: expect.stringContaining(`run ${i} of ${TRIAL_RUNS}`) });
      record = confirmRun(record);
    }
    expect(trustGate(record, [])).toEqual({ action: 'run', stage: 'verified' });
    expect(trustGate(record, [{ message: '~/.ssh holds credentials.' }])).toMatchObject({ action: 'confirm_run', stage: 'verified' });
    expect(trustFor('fmt', 'h1', FMT, record)).toBe(record);
    const changed = trustFor('fmt', 'h2', FMT, record);
    expect(changed).toMatchObject({ stage: 'draft', confirmed_runs: 0, changed_from: 'h1' });
    expect(trustGate(changed, [])).toMatchObject({ action: 'approve_contract', reason: 'fmt changed its capabilities since they were approved.' });
  });

  it('count an "Allow Once" of a Draft as the contract approved and Trial\'s first run; "Allow Always" verifies at once', () => {
    const draft = trustFor('fmt', 'h1', FMT, null);
    const once = recordApproval(draft, 'allow-once', 5);
    expect(once).toMatchObject({ stage: 'trial', confirmed_runs: 1, approved_at: 5 });
    expect(recordApproval(draft, 'allow-always', 5)).toMatchObject({ stage: 'verified', approved_at: 5 });
    let record = once;
    for (let i = 2; i <= TRIAL_RUNS; i++) record = recordApproval(record, 'allow-once', 6);
    expect(record).toMatchObject({ stage: 'verified', confirmed_runs: TRIAL_RUNS, approved_at: 5 });
    expect(recordApproval(record, 'allow-always', 7)).toBe(record);
  });

  it('key a contract by its program, its declared capabilities and its parameters, in any order of parameters', () => {
    expect(contractHash(CAPS, ['-a', '-b'], FMT)).toBe(contractHash(CAPS, ['-b', '-a'], FMT));
    expect(contractHash(CAPS, ['-a'], FMT)).not.toBe(contractHash(CAPS, ['-a', '-b'], FMT));
    expect(contractHash(CAPS, undefined, FMT)).not.toBe(contractHash(CAPS, [], FMT));
    expect(contractHash(CAPS, undefined, FMT)).not.toBe(contractHash({ ...CAPS, network: { kind: 'allow_all' } }, undefined, FMT));
    expect(contractHash(CAPS, undefined, FMT)).not.toBe(contractHash(CAPS, undefined, { ...FMT, path: '/usr/bin/bash' }));
    expect(contractHash(CAPS, undefined, FMT)).not.toBe(contractHash(CAPS, undefined, { ...FMT, hash: 'b'.repeat(64) }));
  });

  it('say what changed since the contract was approved: the program, the capabilities, or both', () => {
    const approved = recordApproval(trustFor('fmt', contractHash(CAPS, undefined, FMT), FMT, null), 'allow-always', 1);
    const wider = { ...CAPS, network: { kind: 'allow_all' as const } };
    const bash = { path: '/usr/bin/bash', hash: 'b'.repeat(64) };
    expect(contractChange(approved, CAPS, undefined, bash)).toBe(
      'fmt changed its program since it was approved: it was approved to run /usr/bin/fmt and runs /usr/bin/bash now.',
    );
    expect(contractChange(approved, CAPS, undefined, { ...FMT, hash: 'c'.repeat(64) })).toBe(
      'fmt changed its program since it was approved: /usr/bin/fmt is not the file it was approved to run: its content changed.',
    );
    expect(contractChange(approved, wider, undefined, FMT)).toBe('fmt changed its capabilities since they were approved.');
    expect(contractChange(approved, wider, undefined, bash)).toMatch(
      /^fmt changed its capabilities and its program since they were approved: it was approved to run/,
    );
    // A record approved before contracts named their program matches no contract now, and says why.
    expect(contractChange({ ...approved, program: null }, CAPS, undefined, FMT)).toBe(
      "fmt's approved contract did not name the program it runs; it runs /usr/bin/fmt now.",
    );
    const draft = trustFor('fmt', contractHash(CAPS, undefined, bash), bash, approved);
    expect(trustGate(draft, [], contractChange(approved, CAPS, undefined, bash))).toMatchObject({
      action: 'approve_contract',
      stage: 'draft',
      reason: expect.stringContaining('runs /usr/bin/bash now'),
    });
  });
});
