/**
 * File tools (Write, Edit, Read, ...) judged by where the path really leads, with FilesystemGuard:
 * inside the project, allowed; a credential location or `$ALEPH_HOME`, denied; a system directory,
 * denied for writing and put to a person for reading; anywhere else outside the project, put to a
 * person. Symlinks are followed before anything is decided, so `proj/link -> ~/.ssh` is ~/.ssh.
 */
import { isAbsolute, resolve } from 'node:path';
import { FilesystemGuard, isWithin, protectedReason, realPathOf } from '@aleph/sandbox/paths';
import { ask, deny, allow, type Verdict } from './verdict.js';

export type Access = 'read' | 'write';

export interface FileContext {
  /** The project the agent works in (absolute). */
  readonly project: string;
  /** Where relative paths are taken from (absolute). */
  readonly cwd: string;
  readonly home: string;
  readonly alephHome: string;
}

/** Directories of the system: never written by an agent, read only with a person's say. */
export const SYSTEM_DIRECTORIES = [
  '/etc',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/boot',
  '/sys',
  '/proc',
  '/dev',
  '/opt',
  '/var',
  '/srv',
  '/root',
  '/System',
  '/Library',
  '/Applications',
  '/private/etc',
  '/private/var',
  '/nix',
  '/run',
] as const;

/**
 * The files where agents keep their hooks (and so Aleph's): an agent that could write them could
 * take Aleph out of its own path. Matched as the end of the real path.
 */
export const HOOK_SETTINGS = [
  '/.claude/settings.json',
  '/.claude/settings.local.json',
  '/.codex/hooks.json',
  '/.codex/config.toml',
  '/.gemini/settings.json',
] as const;

export function judgeFile(tool: string, path: unknown, access: Access, ctx: FileContext): Verdict {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    return deny(`Aleph: the ${tool} call names no file path it can read, so it cannot vouch for it.`);
  const absolute = isAbsolute(path) ? resolve(path) : resolve(ctx.cwd, path);
  let real: string;
  let home: string;
  let alephHome: string;
  try {
    real = realPathOf(absolute);
    home = realPathOf(ctx.home);
    alephHome = realPathOf(ctx.alephHome);
  } catch (error) {
    return deny(`Aleph: ${path} cannot be resolved (${(error as Error).message}).`);
  }
  const shown = real === absolute ? path : `${path} (which leads to ${real})`;
  const secret = protectedReason(real, home, alephHome);
  if (secret !== null) return deny(`Aleph: ${tool} ${shown} is refused: ${secret}.`);
  if (access === 'write' && HOOK_SETTINGS.some((end) => real.endsWith(end))) {
    return deny(`Aleph: ${tool} ${shown} is refused: it holds the agent's hooks, which an agent may not change (a person edits it, or runs aleph install).`);
  }
  const project = projectGuard(ctx.project, home);
  if (project !== null && project.resolve(absolute).ok) return allow(`Aleph: ${tool} inside the project ${ctx.project}.`);
  const system = SYSTEM_DIRECTORIES.find((dir) => isWithin(dir, real));
  if (system !== undefined && access === 'write') return deny(`Aleph: ${tool} ${shown} is refused: ${system} is a system directory.`);
  const where = project === null ? `the project directory ${ctx.project} is too broad to vouch for` : `it is outside the project ${ctx.project}`;
  return ask(`Aleph: ${tool} ${shown}: ${where}${system === undefined ? '' : ` (${system} is a system directory)`}.`);
}

/**
 * The project's guard, or null when the project is no project: missing, the root, the home
 * directory or above it, or a system directory; everything inside such a place is not vouched for.
 */
function projectGuard(project: string, home: string): FilesystemGuard | null {
  const opened = FilesystemGuard.open(project);
  if (!opened.ok) return null;
  const root = opened.value.root;
  if (root === '/' || isWithin(root, home) || SYSTEM_DIRECTORIES.some((dir) => isWithin(root, dir))) return null;
  return opened.value;
}
