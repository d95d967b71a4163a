/**
 * The default profile an agent's commands run in: what everyday work needs and nothing that holds
 * a secret. It reads the system (as every run does), the home directory and the project; it writes
 * the project (git's `.git` included, but not what makes programs outside the sandbox run code:
 * PROJECT_AUTORUN), a private /tmp and the tool caches that builds, installs and
 * test runs fill; it has no network. The runner hides the secret stores inside what it reads (the
 * credential locations of sensitive.ts, `.env` files, the agent socket) and the gateway's own
 * directory, which the caller passes as a path to hide (`agentHiddenPaths`). Writing the home
 * itself (`~/.bashrc`, `~/.gitconfig`, a file dropped there) is refused: only its caches are
 * writable.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { isWithin, type Capabilities, type FilesystemEntry } from './capabilities.js';
import { broadLocation } from './escalation.js';

/**
 * Tool caches below the home directory that an agent's work writes: npm's, the XDG cache (pip,
 * uv, yarn 1, Go's build cache, Playwright's browsers, and most others), Cargo's registry and git
 * checkouts, Go's module cache, pnpm's store, Bun's, Gradle's and Maven's, and macOS's caches
 * directory (Go's build cache there). Those that exist are granted read-write; the configuration
 * may add more.
 */
export const DEFAULT_TOOL_CACHES: readonly string[] = [
  '.npm',
  '.cache',
  '.cargo/registry',
  '.cargo/git',
  'go/pkg/mod',
  '.local/share/pnpm',
  '.bun/install/cache',
  '.gradle/caches',
  '.m2/repository',
  'Library/Caches',
];

/**
 * The caches made when missing, so that a first `npm install` or `pip install` on a fresh account
 * has somewhere to write: npm's and the XDG cache, which every machine with those tools uses. The
 * others are granted only where their tool made them already.
 */
export const CREATED_TOOL_CACHES: readonly string[] = ['.npm', '.cache'];

/** Makes CREATED_TOOL_CACHES below the home (0700) where they do not exist; what could not be made is left out of the profile. */
export function prepareAgentCaches(home: string): void {
  for (const rel of CREATED_TOOL_CACHES) {
    try {
      mkdirSync(join(home, rel), { mode: 0o700 });
    } catch {
      // There already, or not ours to make: agentCapabilities grants it only if it exists.
    }
  }
}

/**
 * Files in the project that make programs outside the sandbox run code: git's hooks and its
 * configuration (`core.fsmonitor`, `core.hooksPath`, aliases, pagers: what the owner's own `git
 * status`, or a shell prompt that runs it, would run), husky's hooks, the editor's tasks and
 * settings, the coding agent's project settings (its hooks) and MCP servers. A run may read them
 * but not change them; only those that exist are bound read-only, so one that does not exist yet
 * can still be made.
 */
export const PROJECT_AUTORUN: readonly string[] = [
  '.git/hooks',
  '.git/config',
  '.husky',
  '.vscode/tasks.json',
  '.vscode/settings.json',
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.mcp.json',
];

/**
 * The grants that keep the project's PROJECT_AUTORUN entries as they are (real paths): each entry
 * that exists and leads to a place inside the project, read-only; and each directory between the
 * project and an entry (`.git`, `.vscode`, `.claude`), bound read-write over itself, so that it is
 * a mount point, which no run can rename: moving `.git` aside and making another would otherwise
 * take the read-only entries with it.
 */
export function projectAutorun(project: string): FilesystemEntry[] {
  let root: string;
  try {
    root = realpathSync(project);
  } catch {
    return [];
  }
  const between = new Set<string>();
  const readOnly = new Set<string>();
  for (const rel of [...PROJECT_AUTORUN, ...submoduleAutorun(root)]) {
    let real: string;
    try {
      real = realpathSync(join(root, rel));
    } catch {
      continue; // Not there.
    }
    // A link out of the project leads to what the profile already decides on: never grant it by this name.
    if (real === root || !isWithin(root, real)) continue;
    readOnly.add(real);
    // Where no link is on the way, the directories on it are pinned too.
    if (real !== join(root, rel)) continue;
    for (let dir = dirname(real); dir !== root; dir = dirname(dir)) between.add(dir);
  }
  return [
    ...[...between].map((path): FilesystemEntry => ({ kind: 'read_write', path })),
    ...[...readOnly].map((path): FilesystemEntry => ({ kind: 'read_only', path })),
  ];
}

/** Whether two paths lead to the same place. */
function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}

/** Submodules' git directories searched at most, so that a run in a large repository starts at once. */
const MAX_SUBMODULE_DIRECTORIES = 200;

/**
 * The hooks and configuration of the project's submodules (`.git/modules/NAME/config`, nested
 * ones below it), relative to the project: the owner's `git status` runs git in each submodule,
 * with its own configuration.
 */
function submoduleAutorun(root: string): string[] {
  const out: string[] = [];
  const queue = [join('.git', 'modules')];
  for (let next = 0; next < queue.length && next < MAX_SUBMODULE_DIRECTORIES; next++) {
    const dir = queue[next]!;
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    if (names.includes('config')) {
      out.push(join(dir, 'config'), join(dir, 'hooks'));
      if (names.includes('modules')) queue.push(join(dir, 'modules'));
    } else for (const name of names) queue.push(join(dir, name));
  }
  return out;
}

export interface AgentProfileOptions {
  /**
   * The project: its PROJECT_AUTORUN entries are made read-only. Not where the project is the home,
   * which stays read-only whole (its `.claude` bound over itself read-write would be writable).
   */
  readonly project?: string;
  /** More caches: relative to the home directory, or absolute. */
  readonly extraCaches?: readonly string[];
  /** Whether a path exists (the file system's answer by default): a cache that does not is not granted. */
  readonly exists?: (path: string) => boolean;
}

/**
 * The agent profile for a home directory. The project is `${PROJECT_ROOT}` (the repository's top,
 * so that git can write its `.git` from any directory inside it); the caller substitutes it and
 * resolves every path to its real path (realCapabilities) before the run.
 */
export function agentCapabilities(home: string, options: AgentProfileOptions = {}): Capabilities {
  const exists = options.exists ?? existsSync;
  const caches = [...DEFAULT_TOOL_CACHES, ...(options.extraCaches ?? [])].map((c) => (isAbsolute(c) ? c : join(home, c)));
  const writable: FilesystemEntry[] = [...new Set(caches)].filter((c) => exists(c)).map((path) => ({ kind: 'read_write', path }));
  return {
    filesystem: [
      { kind: 'read_only', path: home },
      { kind: 'read_write', path: '${PROJECT_ROOT}' },
      ...writable,
      ...(options.project === undefined || samePath(options.project, home) ? [] : projectAutorun(options.project)),
      { kind: 'temp_workspace' },
    ],
    network: { kind: 'deny' },
    // Builds and test suites run long and large: an hour, and 8 GiB per process.
    process: { max_execution_time_s: 3600, max_memory_mb: 8192, no_fork: false },
    environment: 'restricted',
  };
}

/** The temporary directories every process of the machine shares (real paths, macOS's too). */
const SHARED_TEMP = ['/tmp', '/var/tmp', '/private/tmp', '/private/var/tmp'];

/**
 * Why a directory cannot be an agent's project, which the profile grants read-write, or null
 * (real paths). Not the file system's root, a directory that holds the home, a system directory or
 * one inside it, nor a shared temporary directory: writing there would reach what runs outside the
 * sandbox (another user's files, `/var/spool/cron`, `/etc`, what the host's programs leave in
 * `/tmp`). The home itself may be: its read-only grant is bound over the project's, so a run there
 * writes nothing but the caches.
 */
export function unfitProject(path: string, home: string, systemPaths: readonly string[]): string | null {
  if (path === home) return null;
  if (SHARED_TEMP.includes(path)) return 'the temporary directory every program shares';
  const broad = broadLocation(path, home, systemPaths);
  if (broad !== null) return broad;
  return systemPaths.some((s) => isWithin(path, s)) ? 'a directory that holds a system directory' : null;
}

/**
 * What the runner must hide from an agent's run beyond the credential locations it always hides:
 * the gateway's own directory (`$ALEPH_HOME`, `~/.aleph` by default), which holds its socket
 * secret, its rules and its audit log. Pass it as the run's `hide`.
 */
export function agentHiddenPaths(home: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const alephHome = env.ALEPH_HOME;
  return [alephHome !== undefined && alephHome !== '' ? alephHome : join(home, '.aleph')];
}
