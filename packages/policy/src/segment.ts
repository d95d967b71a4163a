import type { Finding } from './risk.js';
import type { WordScan } from './words.js';

/** One shell word: how it was written and, when it does not depend on the runtime, its value. */
export interface Word {
  readonly text: string;
  /** The value after quote removal and escapes; null when it depends on the runtime. */
  readonly value: string | null;
  /** The unquoted part contains `*`, `?` or `[`, which the shell expands to file names. */
  readonly glob: boolean;
  /** Segments run by command or process substitutions inside the word. */
  readonly subs: readonly Segment[];
  /**
   * The word's own text (quoted, escaped, beside its expansions) holds `$(` or a backquote: code
   * once bash evaluates the word again, as arithmetic or as a variable name (`let 'a[$(cmd)]'`).
   */
  readonly substitutionText?: true;
  /** The variables the word expands and the arithmetic bash evaluates in it (absent when it expands nothing). */
  readonly scan?: WordScan;
}

export type RedirectKind = 'write' | 'read' | 'dup';

export interface Redirect {
  readonly operator: string;
  readonly kind: RedirectKind;
  readonly target: Word;
}

export interface Assignment {
  readonly name: string;
  readonly value: Word | null;
}

/** Where a segment's standard input comes from, when the policy can tell. */
export type Stdin =
  | { readonly kind: 'inherited' }
  | { readonly kind: 'pipe'; readonly from: readonly Segment[] }
  | { readonly kind: 'text'; readonly text: string | null; readonly subs: readonly Segment[]; readonly scan?: WordScan };

/** One simple command, after wrappers (`sudo`, `env`, `xargs`, ...) have been seen through. */
export interface Segment {
  readonly text: string;
  /** `words[0]` is the command word; the rest are its arguments. Empty for a bare assignment. */
  readonly words: readonly Word[];
  /** The normalised command name (`/bin/rm`, `\rm`, `r''m` are `rm`), or null when not static. */
  readonly name: string | null;
  /** The command word's value when it names a path (`/bin/rm`, `./run.sh`). */
  readonly path: string | null;
  readonly env: readonly Assignment[];
  readonly redirects: Redirect[];
  readonly stdin: Stdin;
  /** Wrappers and shells the segment was reached through, outermost first. */
  readonly via: readonly string[];
  /** Substitution nesting: 0 for a command of the line itself. */
  readonly subDepth: number;
  /** What decomposition noticed about this segment (a fork bomb, code from the network, ...). */
  readonly findings: Finding[];
  /**
   * Files the command's own program or options read or write, beyond its arguments (awk's
   * `getline < f` and `print > f`, sed's `r f` and `w f`, `less -o f`, `strace -o f`): judged the way
   * arguments and redirections are. A value known only at run time is null; its text may then be a
   * glob of the parts that are known (`/etc/*`).
   */
  reads?: Word[];
  writes?: Word[];
}
