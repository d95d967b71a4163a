/**
 * The chain's head, kept outside the log: the id and hash of the newest row a writer committed.
 * The hash chain shows rows edited, deleted or inserted inside the log, but a log emptied,
 * truncated at its end, replaced by another, or deleted with its directory takes its own evidence
 * along. A head kept in another file remembers what the log held, so that verify can tell a log
 * that no longer reaches it, and no writer starts a new log where one was.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { ChainHead } from '@aleph/protocol';

const HASH = /^[0-9a-f]{64}$/;

/** Why a head file cannot be used. */
export class HeadError extends Error {}

/**
 * The head as recorded: the newest row, and the anchor pruning left (the last row it removed), so
 * that rows removed from the log's start with an anchor put in their place do not pass for pruning.
 */
export interface RecordedHead extends ChainHead {
  readonly anchor?: ChainHead;
}

/** An id and a SHA-256 hash from a parsed head, own members of an object only; null when it holds none. */
function idAndHash(value: unknown): ChainHead | null {
  const v = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const id = Object.hasOwn(v, 'id') ? v.id : undefined;
  const hash = Object.hasOwn(v, 'hash') ? v.hash : undefined;
  if (!Number.isSafeInteger(id) || (id as number) < 0 || typeof hash !== 'string' || !HASH.test(hash)) return null;
  return { id: id as number, hash };
}

/** The head recorded in `file`, or null when there is none; a file that is not a head throws HeadError. */
export function readHead(file: string): RecordedHead | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HeadError(`cannot read it: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HeadError('it is not JSON');
  }
  const head = idAndHash(value);
  if (head === null) throw new HeadError('it does not hold an id and a SHA-256 hash');
  const v = value as Record<string, unknown>;
  if (!Object.hasOwn(v, 'anchor')) return head;
  const anchor = idAndHash(v.anchor);
  if (anchor === null) throw new HeadError('its anchor does not hold an id and a SHA-256 hash');
  return { ...head, anchor };
}

/**
 * Replaces the head in `file` whole (a private temporary file renamed over it), so that a reader
 * sees the old head or the new one, never half of one. Not synced to the disk: see docs/audit.md.
 */
export function writeHead(file: string, head: RecordedHead): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const anchor = head.anchor === undefined ? {} : { anchor: { id: head.anchor.id, hash: head.anchor.hash } };
  try {
    writeFileSync(temporary, `${JSON.stringify({ id: head.id, hash: head.hash, ...anchor })}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
