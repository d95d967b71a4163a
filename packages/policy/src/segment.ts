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
  /**
   * Where the word's value comes from when the line shows more of it than its own text: the
   * variables and substitutions it expands, or the input xargs feeds it (see values.ts). Only a
   * word whose value is known at run time (null) has one.
   */
  readonly origin?: Origin;
}

/**
 * Where a word's value comes from (see values.ts): its own text, expanded at the point of the line
 * where it was read; the items xargs or parallel put in it; the paths `find -exec` puts in `{}`.
 */
export type Origin = (
  | { readonly kind: 'text'; readonly text: string; readonly source: string; readonly start: number; readonly mode: ExpansionMode; readonly point: FlowPoint }
  | { readonly kind: 'input'; readonly feed: Feed; readonly replace?: string; readonly text?: string }
  | { readonly kind: 'listing'; readonly of: Segment; readonly replace: string; readonly text: string }
) & {
  /** The values, once computed (see values.ts). */
  values?: ValueSet;
};

/** How bash expands a text: a command's word, an assigned value, a herestring, an unquoted heredoc's body. */
export type ExpansionMode = 'word' | 'assignment' | 'herestring' | 'heredoc';

/** What the walker knew at the point of the line where a word was read (see values.ts). */
export interface FlowPoint {
  readonly line: LineValues;
  /** When, in the order the walker read the line. */
  readonly at: number;
  /** The loops around the point: a value assigned later in one of them may reach it. */
  readonly loops: readonly number[];
  /** Inside a function body, which runs whenever it is called: every assignment may reach it. */
  readonly inFunction: boolean;
  /** Variables surely assigned on every way to the point: their value from before the line cannot reach it. */
  readonly definite: ReadonlySet<string>;
}

/** What the line shows about its variables and its substitutions (implemented in flow.ts). */
export interface LineValues {
  /** Whether the line assigns any variable (if not, a text without substitutions expands the same in any line). */
  assigns(): boolean;
  variable(name: string, point: FlowPoint): ValueSet;
  /** The commands of the substitution whose `$(`, backquote or `<(` is at `start` of `source`. */
  substitution(source: string, start: number): readonly Segment[] | undefined;
}

/** The input xargs or parallel reads its arguments from. */
export interface Feed {
  readonly stdin: Stdin;
  readonly redirects: readonly Redirect[];
  /** `xargs -a FILE`, `parallel :::: FILE`: a file the input is read from. */
  readonly file: Word | null;
  /** `parallel ::: a b`: the arguments themselves. */
  readonly words: readonly Word[] | null;
  /** How items are separated: by blanks (xargs' default), lines (`-I`, `-L`), NUL (`-0`) or a character (`-d`). */
  readonly delimiter: 'blank' | 'line' | 'nul' | string;
}

/**
 * The values a word or an output may take, each as the text bash would give a command; a part
 * the policy cannot see is the character U+0000. `why` says where such a part comes from.
 */
export interface ValueSet {
  readonly values: readonly PathValue[];
  readonly why: string | null;
}

export interface PathValue {
  readonly text: string;
  /** The text stands for the paths a glob matches (an unquoted `*`, or a loop over `~/.ssh/*`). */
  readonly glob: boolean;
  /** The value is the names a listing prints (`$(find . -name '*.ts')`); its text is then empty. */
  readonly listing?: Listing;
}

/** The names a listing command prints: under its roots, matching its name patterns when it has some. */
export interface Listing {
  readonly tool: string;
  readonly roots: readonly Word[];
  /** Name patterns (`*.ts`) every listed name matches; null when any name may be listed. */
  readonly names: readonly string[] | null;
  /** Names at any depth below the roots, or only directly in them (`ls`). */
  readonly recursive: boolean;
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
  | {
      readonly kind: 'text';
      readonly text: string | null;
      readonly subs: readonly Segment[];
      readonly scan?: WordScan;
      /** The herestring, or the heredoc's body as a word, when its text depends on what it expands. */
      readonly word?: Word;
    };

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
  /** The directory a wrapper runs the command in (`env -C DIR cmd`), when it changes it. */
  cwd?: Word;
}
