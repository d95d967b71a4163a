/**
 * What a command line assigns to its variables, recorded as the walker reads it, and which of
 * those assignments reach a point of the line (see values.ts for how they are used).
 *
 * Which assignments reach a use is decided the way a reader of the line would: an assignment
 * earlier in the line, or anywhere in a loop around the use, or anywhere at all for a use inside a
 * function body (it runs when called). The value the variable had before the line reaches the use
 * too, unless an assignment surely ran on every way to it (not one inside a branch, a loop's
 * body, a subshell, a pipeline or a function).
 */
import { INTEGER_SPECIALS } from './arithmetic.js';
import { HARMLESS_VALUE, known, NO_VALUES, union, unknown } from './expand.js';
import { PATH_VARIABLES } from './rules.js';
import type { FlowPoint, LineValues, Segment, ValueSet } from './segment.js';

/** Variables that hold a number or a short name, never a path (`$$`, `$RANDOM`, `$USER`). */
const HARMLESS_VARIABLES: ReadonlySet<string> = new Set([
  ...INTEGER_SPECIALS,
  'USER',
  'LOGNAME',
  'HOSTNAME',
  'HOSTTYPE',
  'OSTYPE',
  'MACHTYPE',
  'BASH_VERSION',
  'GROUPS',
]);

/** Places well-known variables name when the line does not set them, besides PATH_VARIABLES. */
const OUTER_PLACES: Readonly<Record<string, string>> = { PWD: '.', TMPDIR: '/tmp' };

const NO_LOOPS: readonly number[] = [];
const NOTHING: ReadonlySet<string> = new Set();

interface Assigned {
  readonly at: number;
  readonly loops: readonly number[];
  readonly values: () => ValueSet;
}

/** The positional parameters are one pool: `set -- a b` may give any of `$1`, `$2`, `$@`. */
function variableKey(name: string): string {
  return name === '@' || name === '*' || (name.length > 0 && name !== '0' && /^[0-9]+$/.test(name)) ? '@' : name;
}

const outerCache = new Map<string, ValueSet>();

/** What a variable the line does not assign holds: a well-known place, or data from outside the line. */
function outer(name: string): ValueSet {
  let out = outerCache.get(name);
  if (out === undefined) {
    // ALEPH_HOME is the caller's (see paths.ts), known only when a command is judged.
    const place = name === 'ALEPH_HOME' ? '$ALEPH_HOME' : (PATH_VARIABLES[name] ?? OUTER_PLACES[name]);
    out = place !== undefined ? known(place) : unknown(name === '@' ? 'the arguments the shell was given' : `$${name}, a value from outside the line`);
    if (outerCache.size > 1024) outerCache.clear();
    outerCache.set(name, out);
  }
  return out;
}

/** Computes `f` once; a value defined in terms of itself (`p=$p/x` in a loop) is unknown. */
function once(f: () => ValueSet): () => ValueSet {
  let state: ValueSet | null | 'pending' = null;
  return () => {
    if (state === 'pending') return unknown('a value defined in terms of itself');
    if (state !== null) return state;
    state = 'pending';
    const out = f();
    state = out;
    return out;
  };
}

/**
 * The line's variables and its substitutions' commands, recorded as the walker reads the line
 * (decompose.ts calls it), and read back when a command is judged (see values.ts).
 */
export class Flow implements LineValues {
  private clock = 0;
  private loopCount = 0;
  private loops: readonly number[] = NO_LOOPS;
  private functions = 0;
  private definite: ReadonlySet<string> = NOTHING;
  /** `definite` is held by a mark or a point, and is copied before it changes. */
  private shared = true;
  private current: FlowPoint | undefined;
  private assignments: Map<string, Assigned[]> | undefined;
  private substitutions: Map<string, Map<number, readonly Segment[]>> | undefined;

  /** The point the walker is at (one object for the words read between two assignments). */
  point(): FlowPoint {
    if (this.current === undefined) {
      this.shared = true;
      this.current = { line: this, at: ++this.clock, loops: this.loops, inFunction: this.functions > 0, definite: this.definite };
    }
    return this.current;
  }

  /** `name` is given `values` here; `definite` unless the assignment may not last (`x=1 cmd`). */
  assign(name: string, values: () => ValueSet, definite = true): void {
    const key = variableKey(name);
    const list = (this.assignments ??= new Map()).get(key);
    const entry = { at: ++this.clock, loops: this.loops, values: once(values) };
    if (list === undefined) this.assignments.set(key, [entry]);
    else list.push(entry);
    if (definite && !this.definite.has(key)) {
      // The set is shared with a mark (see mark): copy it before it changes.
      if (this.shared) {
        this.definite = new Set(this.definite);
        this.shared = false;
      }
      (this.definite as Set<string>).add(key);
    }
    this.current = undefined;
  }

  /**
   * Where the line's sure assignments stand, to `restore` after a part of the line that may not
   * run, or runs apart (a branch, a loop's body, a subshell, a pipeline's stage): what it assigns
   * for sure stays there.
   */
  mark(): ReadonlySet<string> {
    this.shared = true;
    return this.definite;
  }

  restore(mark: ReadonlySet<string>): void {
    if (this.definite === mark) return;
    this.definite = mark;
    this.shared = true;
    this.current = undefined;
  }

  /** Enters a loop: a value assigned anywhere in it may reach any point of it. Returns what `leaveLoop` takes. */
  enterLoop(): readonly number[] {
    const saved = this.loops;
    this.loops = [...saved, ++this.loopCount];
    this.current = undefined;
    return saved;
  }

  leaveLoop(saved: readonly number[]): void {
    this.loops = saved;
    this.current = undefined;
  }

  /** Enters a function body: it runs when called, after anything in the line. Returns what `leaveFunction` takes. */
  enterFunction(): ReadonlySet<string> {
    const saved = this.definite;
    this.functions++;
    this.definite = NOTHING;
    this.shared = true;
    this.current = undefined;
    return saved;
  }

  leaveFunction(saved: ReadonlySet<string>): void {
    this.functions--;
    this.definite = saved;
    this.shared = true;
    this.current = undefined;
  }

  /** The commands of a substitution whose `$(`, backquote or `<(` is at `start` of `source`. */
  recordSubstitution(source: string, start: number, segments: readonly Segment[]): void {
    let byStart = (this.substitutions ??= new Map()).get(source);
    if (byStart === undefined) this.substitutions.set(source, (byStart = new Map()));
    byStart.set(start, segments);
  }

  assigns(): boolean {
    return this.assignments !== undefined;
  }

  variable(name: string, point: FlowPoint): ValueSet {
    if (HARMLESS_VARIABLES.has(name)) return HARMLESS_VALUE;
    const key = variableKey(name);
    if (key === '@' && point.inFunction) return unknown('the arguments a function is given');
    let out = NO_VALUES;
    for (const a of this.assignments?.get(key) ?? []) {
      if (a.at < point.at || point.inFunction || a.loops.some((l) => point.loops.includes(l))) out = union(out, a.values());
    }
    return point.definite.has(key) ? out : union(out, outer(key));
  }

  substitution(source: string, start: number): readonly Segment[] | undefined {
    return this.substitutions?.get(source)?.get(start);
  }
}
