/**
 * What a run ran into. Neither bubblewrap nor the kernel reports a denied access to anyone but the
 * tool, so the runner reads the tool's error output for the messages a denial produces: the names
 * come from the C library's error strings (EROFS, EACCES, ENETUNREACH, EAGAIN on fork, ENOMEM)
 * and the few runtimes that word them their own way. A tool that hides its errors hides its
 * violations too; the sandbox stopped them all the same.
 */
import { MAX_REPORTED_VIOLATIONS } from '@aleph/protocol';

export const VIOLATION_KINDS = ['filesystem', 'network', 'processes', 'memory'] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  readonly kind: ViolationKind;
  /** The line that showed it, trimmed to a readable length. */
  readonly evidence: string;
}

const PATTERNS: ReadonlyArray<readonly [ViolationKind, RegExp]> = [
  ['filesystem', /read-only file system|permission denied|operation not permitted|EROFS|EACCES|EPERM/i],
  [
    'network',
    /network is unreachable|address family not supported|EAFNOSUPPORT|temporary failure in name resolution|could not resolve host|name or service not known|ENETUNREACH|EAI_AGAIN|connection refused|ECONNREFUSED/i,
  ],
  ['processes', /cannot fork|fork: (retry: )?resource temporarily unavailable|EAGAIN.*(spawn|fork)|cannot create thread/i],
  ['memory', /out of memory|cannot allocate memory|memoryerror|ENOMEM|heap out of memory|std::bad_alloc/i],
];

const MAX_EVIDENCE = 200;

/** The violation a line of error output shows, if any. */
export function classifyLine(line: string): Violation | null {
  for (const [kind, pattern] of PATTERNS) {
    if (pattern.test(line)) return { kind, evidence: line.trim().slice(0, MAX_EVIDENCE) };
  }
  return null;
}

/** Splits a byte stream into lines and collects the violations they show: the first MAX_REPORTED_VIOLATIONS, and the count of all. */
export class ViolationCollector {
  readonly violations: Violation[] = [];
  count = 0;
  private partial = '';

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    // A line longer than any message worth reading is not buffered without bound.
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096);
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  private line(line: string): void {
    const v = classifyLine(line);
    if (v === null) return;
    this.count++;
    if (this.violations.length < MAX_REPORTED_VIOLATIONS) this.violations.push(v);
  }
}
