/**
 * FilesystemGuard: every path a tool names, resolved inside its workspace or refused. Containment
 * is decided on real paths (symlinks resolved, `..` applied), segment by segment, never by string
 * prefix: `/srv/app` does not contain `/srv/app-evil`, and `app/link -> /etc` leads to /etc.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { fail, ok, type Result } from '@aleph/protocol';
import { isWithin } from './capabilities.js';

/**
 * The real path of `path` (absolute): its longest existing prefix with symlinks resolved, then the
 * rest as written. A path that does not exist yet (a file about to be written) resolves to where
 * it would be made, and a dangling symlink to where it points: writing through it would go there.
 */
export function realPathOf(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  for (let links = 0; ;) {
    try {
      return join(realpathSync(head), ...[...tail].reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    const link = lstatSync(head, { throwIfNoEntry: false });
    if (link?.isSymbolicLink() === true) {
      if (++links > 40) throw new Error(`too many levels of symbolic links at ${head}`);
      head = resolve(posix.dirname(head), readlinkSync(head));
      continue;
    }
    const parent = posix.dirname(head);
    if (parent === head) return join(head, ...[...tail].reverse());
    tail.push(posix.basename(head));
    head = parent;
  }
}

export class FilesystemGuard {
  private constructor(
    /** The workspace as given, for messages. */
    readonly workspace: string,
    /** Its real path, for containment. */
    readonly root: string,
  ) {}

  static open(workspace: string): Result<FilesystemGuard> {
    if (!isAbsolute(workspace)) return fail('invalid_workspace', `The workspace ${workspace} must be an absolute path.`);
    try {
      return ok(new FilesystemGuard(workspace, realpathSync(workspace)));
    } catch {
      return fail('invalid_workspace', `The workspace ${workspace} does not exist.`);
    }
  }

  /**
   * The real path a tool's path names, relative paths taken from the workspace; or why it is
   * refused: `path_traversal` (`..` leads out), `outside_workspace` (an absolute path elsewhere),
   * `symlink_escape` (a link inside points out), `invalid_path`.
   */
  resolve(path: string): Result<string> {
    if (path === '' || path.includes('\0')) return fail('invalid_path', 'A path must be non-empty and contain no NUL.');
    let candidate: string;
    if (isAbsolute(path)) {
      const given = resolve(path);
      // The workspace as the caller named it (perhaps through a symlink) counts as itself.
      candidate = isWithin(this.workspace, given) ? join(this.root, relative(this.workspace, given)) : given;
      if (!isWithin(this.root, candidate)) return fail('outside_workspace', `${path} is outside the workspace ${this.workspace}.`);
    } else {
      candidate = resolve(this.root, path);
      if (!isWithin(this.root, candidate)) return fail('path_traversal', `"${path}" leads out of the workspace ${this.workspace}.`);
    }
    let real: string;
    try {
      real = realPathOf(candidate);
    } catch (e) {
      return fail('invalid_path', `"${path}" cannot be resolved: ${(e as Error).message}`);
    }
    if (!isWithin(this.root, real))
      return fail('symlink_escape', `"${path}" is a link (or goes through one) to ${real}, outside the workspace ${this.workspace}.`);
    return ok(real);
  }
}
