/**
 * Granted paths held to what was checked. A profile's paths are resolved to real paths once, when
 * a run is planned (and, for a tool, judged and approved); at launch each must still lead there,
 * or nothing runs. On Linux each is opened at that moment and bubblewrap binds the descriptor, not
 * the path: a symlink swapped in after the check binds nothing else.
 */
import { closeSync, openSync, readlinkSync, realpathSync } from 'node:fs';
import { fail, ok, type Result } from '@aleph/protocol';
import type { Capabilities, FilesystemEntry } from './capabilities.js';

/** The profile with each granted path replaced by its real path; a path that does not exist is an error. */
export function realCapabilities(caps: Capabilities): Result<Capabilities> {
  const filesystem: FilesystemEntry[] = [];
  for (const entry of caps.filesystem) {
    if (entry.kind === 'temp_workspace') {
      filesystem.push(entry);
      continue;
    }
    try {
      filesystem.push({ kind: entry.kind, path: realpathSync(entry.path) });
    } catch {
      return fail('path_missing', `The profile grants ${entry.path}, which does not exist.`);
    }
  }
  return ok({ ...caps, filesystem });
}

/** Linux's O_PATH: a descriptor that names a file without opening it for reading or writing. */
const O_PATH = 0o10000000;

/**
 * Checks that each granted path (a real path, as `realCapabilities` made it) still leads to
 * itself. With `open` (Linux), opens each and returns the descriptors in the profile's order, for
 * the launcher to bind; the caller closes them once it has started. A path that moved is refused.
 */
export function pinGrants(caps: Capabilities, open: boolean): Result<number[]> {
  const fds: number[] = [];
  const refuse = (code: string, message: string): Result<number[]> => {
    for (const fd of fds) closeSync(fd);
    return fail(code, message);
  };
  for (const entry of caps.filesystem) {
    if (entry.kind === 'temp_workspace') continue;
    let now: string;
    try {
      if (open) {
        const fd = openSync(entry.path, O_PATH);
        fds.push(fd);
        now = readlinkSync(`/proc/self/fd/${fd}`);
      } else now = realpathSync(entry.path);
    } catch {
      return refuse('path_missing', `The profile grants ${entry.path}, which does not exist.`);
    }
    if (now !== entry.path) {
      return refuse('path_changed', `The profile grants ${entry.path}, which now leads to ${now}: it changed after the run was checked, so nothing was run.`);
    }
  }
  return ok(fds);
}
