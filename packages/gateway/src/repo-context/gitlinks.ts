/**
 * The gitlinks in git's index (entries of mode 160000): the submodules and embedded repositories
 * whose own repositories `git status` and `git diff` run git in. Read from the index file as git
 * writes it (versions 2 to 4; SHA-1 or SHA-256 object names), without reading the rest.
 */

const GITLINK = 0o160000;
const MODE_MASK = 0o170000;
/** Stat data before the object name: ctime, mtime (seconds and nanoseconds), dev, ino, mode, uid, gid, size. */
const STAT_BYTES = 40;
const EXTENDED = 0x4000;
const NAME_MASK = 0x0fff;

/** The paths of the index's gitlinks; null when the file is not an index this reader understands. */
export function gitlinks(index: Buffer): string[] | null {
  if (index.length < 12 || index.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = index.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  const count = index.readUInt32BE(8);
  // The object names' length is not in the index; the first entry's name length tells them apart.
  for (const hashBytes of [20, 32]) {
    const found = read(index, version, count, hashBytes);
    if (found !== null) return found;
  }
  return null;
}

function read(index: Buffer, version: number, count: number, hashBytes: number): string[] | null {
  const out: string[] = [];
  let at = 12;
  // Version 4's previous path, rebuilt in place: each path is the previous one less some bytes, plus a suffix.
  let previous = Buffer.alloc(version === 4 ? 4096 : 0);
  let previousLength = 0;
  const nameOffset = STAT_BYTES + hashBytes + 2;
  for (let n = 0; n < count; n++) {
    const start = at;
    if (start + nameOffset > index.length) return null;
    const flags = index.readUInt16BE(start + nameOffset - 2);
    at = start + nameOffset;
    if ((flags & EXTENDED) !== 0) {
      if (version < 3) return null;
      at += 2;
    }
    const gitlink = (index.readUInt32BE(start + 24) & MODE_MASK) === GITLINK;
    const named = flags & NAME_MASK;
    if (version === 4) {
      if (at >= index.length) return null;
      let byte = index[at++]!;
      let strip = byte & 0x7f;
      while ((byte & 0x80) !== 0) {
        if (at >= index.length) return null;
        byte = index[at++]!;
        strip = (strip + 1) * 128 + (byte & 0x7f);
      }
      const end = index.indexOf(0, at);
      if (end < 0 || strip > previousLength) return null;
      const length = previousLength - strip + (end - at);
      if (named !== Math.min(length, NAME_MASK)) return null;
      if (length > previous.length) previous = Buffer.concat([previous, Buffer.alloc(length)]);
      index.copy(previous, previousLength - strip, at, end);
      previousLength = length;
      if (gitlink) out.push(previous.toString('utf8', 0, length));
      at = end + 1;
    } else {
      // The name's length is in the flags unless it is that long or longer; a NUL ends it either way.
      const end = named < NAME_MASK ? at + named : index.indexOf(0, at);
      if (end < 0 || end >= index.length || index[end] !== 0) return null;
      if (gitlink) out.push(index.toString('utf8', at, end));
      // Entries are padded with NULs to a multiple of eight bytes.
      at = start + ((end - start + 8) & ~7);
    }
  }
  return out;
}
