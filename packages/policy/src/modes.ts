/**
 * What each security mode does with each verdict (the seed's table):
 *
 * | mode         | SAFE | CONFIRM                                   | BLOCK  |
 * |--------------|------|-------------------------------------------|--------|
 * | safe         | run  | prompt                                    | reject |
 * | dev          | run  | prompt, except the narrow git list below  | reject |
 * | unrestricted | run  | auto_approve (and audited)                | reject |
 *
 * An allowlisted command runs in every mode. Nothing overrides BLOCK.
 */
import type { Action, SecurityMode, Verdict } from '@aleph/protocol';
import type { Classified } from './allowlist.js';
import { hasOption, positionals, sureSubcommand } from './options.js';
import { DEV_AUTO_APPROVE, OPTIONS } from './rules.js';

export function actionFor(verdict: Verdict, mode: SecurityMode, allowlisted: boolean, devAutoApprovable: boolean): Action {
  if (verdict === 'block') return 'reject';
  if (verdict === 'safe' || allowlisted) return 'run';
  if (mode === 'unrestricted') return 'auto_approve';
  if (mode === 'dev' && devAutoApprovable) return 'auto_approve';
  return 'prompt';
}

const CLONE_OPTIONS_WITH_VALUE = [
  '-b',
  '--branch',
  '-o',
  '--origin',
  '--depth',
  '--shallow-since',
  '--shallow-exclude',
  '-j',
  '--jobs',
  '--filter',
  '--reference',
  '--reference-if-able',
  '--separate-git-dir',
  '-c',
  '--config',
  '-u',
  '--upload-pack',
  '--template',
  '--server-option',
  '--bundle-uri',
];

/**
 * Dev mode's auto-approval: every segment that is not SAFE must be a plain `git clone` or a
 * `git checkout` of a branch or ref, with nothing else about it (no redirection, no risky
 * environment, no option that runs programs or discards work).
 */
export function devAutoApprovable(classified: readonly Classified[], lineClean: boolean): boolean {
  if (!lineClean) return false;
  let any = false;
  for (const { segment, result } of classified) {
    if (result.verdict === 'safe') continue;
    if (result.verdict !== 'confirm' || segment.name !== 'git' || result.contextVerdict !== 'safe') return false;
    if (result.findings.some((f) => f.code !== 'git_state_change')) return false;
    const values = segment.words.slice(1).map((w) => w.value);
    if (values.some((v) => v === null)) return false;
    if (!isDevGit(values as string[])) return false;
    any = true;
  }
  return any;
}

function isDevGit(args: readonly string[]): boolean {
  const at = sureSubcommand(args, OPTIONS.git);
  if (at < 0) return false;
  const globals = args.slice(0, at);
  if (DEV_AUTO_APPROVE.excludedGlobalOptions.some((o) => hasOption(globals, o, true))) return false;
  const sub = args[at];
  const rest = args.slice(at + 1);
  if (sub === 'clone') {
    if (DEV_AUTO_APPROVE.clone.excludedOptions.some((o) => hasOption(rest, o, true))) return false;
    const [url] = positionals(rest, CLONE_OPTIONS_WITH_VALUE);
    return url !== undefined && !DEV_AUTO_APPROVE.clone.excludedUrls.test(url);
  }
  if (sub === 'checkout') {
    if (rest.includes('--')) return false;
    if (DEV_AUTO_APPROVE.checkout.excludedOptions.some((o) => hasOption(rest, o, true))) return false;
    if (rest.some((a) => a.startsWith('-') && a !== '-' && a !== '--detach' && a !== '-q' && a !== '--quiet')) return false;
    const refs = rest.filter((a) => !a.startsWith('-') || a === '-');
    return refs.length === 1 && (refs[0] === '-' || DEV_AUTO_APPROVE.refName.test(refs[0]!));
  }
  return false;
}
