/**
 * Wrappers that run other commands (`sudo`, `env`, `timeout`, `xargs`, `parallel`, `busybox`,
 * `coproc`, `eval`, `trap`, shells) and `find -exec`/`fd -x`: what they run is walked as a command
 * of its own; their own options that give code (`su -c`, `env -S`) are code.
 */
import { hasOption, commandStart } from './options.js';
import { shell } from './shells.js';
import { optionEffects } from './programs.js';
import { OPTION_EFFECTS, SHELLS, WRAPPERS, type WrapperSpec } from './rules.js';
import type { Assignment, Redirect, Segment, Word } from './segment.js';
import { runCode, joinText, nest, NO_SUBS, type Context, type Walker } from './walk.js';
import { PARALLEL_REPLACEMENT, parallelFeed, withXargsInput, xargsFeed } from './xargs.js';

/** Wrappers that are commands of their own for the policy (they change who runs the command). */
export const PRIVILEGED_WRAPPERS = new Set(['sudo', 'doas', 'su', 'runuser', 'pkexec', 'run0', 'gosu', 'su-exec', 'chroot']);

/** Commands that run other commands: wrappers, shells, `eval`, `trap`. */
export const RUNS_OTHERS = new Set([...Object.keys(WRAPPERS), ...SHELLS, 'busybox', 'coproc', 'eval', 'trap']);

/**
 * Wrappers, shells and `eval` run other commands. Returns true when the wrapper itself is not a
 * segment of its own (what it runs is).
 */
export function seeThrough(walk: Walker, ctx: Context, name: string, words: readonly Word[], env: readonly Assignment[], redirects: Redirect[]): boolean {
  if (!RUNS_OTHERS.has(name)) return false;
  const wrapper = WRAPPERS[name];
  const args = words.slice(1);
  if (name === 'busybox' || name === 'coproc') {
    // `coproc NAME { ...; }` names the coprocess; tree-sitter-bash reads the group's `{` as a word.
    const inner = name === 'coproc' ? args.slice(args[0]?.value === '{' ? 1 : args[1]?.value === '{' ? 2 : 0) : args;
    if (inner.length === 0) return false;
    walk.runCommand(nest(ctx, name), joinText(inner), inner, env, redirects);
    return true;
  }
  if (wrapper !== undefined) return runWrapper(walk, ctx, name, wrapper, words, env, redirects);
  if (name === 'eval' || (name === 'trap' && args.length > 1)) {
    const code = name === 'eval' ? args : args.slice(0, 1);
    runCode(walk, ctx, name, code, words, env, redirects);
    return name === 'eval';
  }
  if (SHELLS.has(name))
    return shell(
      walk,
      ctx,
      name,
      args,
      args.map((w) => w.value ?? ''),
      words,
      env,
      redirects,
    );
  return false;
}

export function runWrapper(
  walk: Walker,
  ctx: Context,
  name: string,
  spec: WrapperSpec,
  words: readonly Word[],
  env: readonly Assignment[],
  redirects: Redirect[],
): boolean {
  const args = words.slice(1);
  const values = args.map((w) => w.value ?? '\0dynamic');
  const privileged = PRIVILEGED_WRAPPERS.has(name);
  const start = commandStart(values, [...spec.optionsWithValue, ...(spec.commandOptions ?? [])], spec.skip ?? 0, spec.assignments ?? false);
  const own = values.slice(0, start);
  if (spec.stopOptions !== undefined && spec.stopOptions.some((o) => hasOption(own, o, false))) return false;
  let ran = false;
  for (const { option, code } of commandOptionCode(spec, own, args)) {
    runCode(walk, ctx, `${name} ${option}`, [code], words, env, redirects);
    ran = true;
  }
  // GNU parallel's input sources follow `:::`, `::::`, `:::+` and `::::+`; they are not part of the command.
  const sources = name === 'parallel' ? args.findIndex((w, i) => i >= start && w.value !== null && /^::::?\+?$/.test(w.value)) : -1;
  const commandWords = sources < 0 ? args.slice(start) : args.slice(start, sources);
  const inner = name === 'xargs' ? withXargsInput(own, commandWords, xargsFeed(own, args, ctx.stdin, redirects)) : commandWords;
  const innerEnv = spec.assignments === true ? [...env, ...assignmentsIn(args.slice(0, start))] : env;
  if (inner.length > 0) {
    if (spec.joinsIntoShell !== undefined && !spec.joinsIntoShell.unless.some((o) => hasOption(own, o, false))) {
      // Parallel appends its input unless the command holds a replacement string (`{}`) somewhere.
      const append = !inner.some((w) => PARALLEL_REPLACEMENT.test(w.text));
      runCode(
        walk,
        name === 'parallel'
          ? {
              ...ctx,
              input: {
                depth: ctx.depth + 1,
                subDepth: ctx.subDepth,
                append,
                feed: parallelFeed(args.slice(Math.max(sources, 0)), sources >= 0, ctx.stdin, redirects),
              },
            }
          : ctx,
        name,
        inner,
        words,
        innerEnv,
        redirects,
      );
    } else {
      const chdir = name === 'env' ? envDirectory(own, args) : undefined;
      walk.runCommand(chdir === undefined ? nest(ctx, name) : { ...nest(ctx, name), chdir }, joinText(args.slice(start)), inner, innerEnv, redirects);
    }
    ran = true;
  }
  if (spec.ownOptions?.some((o) => hasOption(own, o, true)) === true) {
    const itself = words.slice(0, start + 1);
    const segment = walk.emit(ctx, { text: joinText(itself), words: itself, env, redirects: [] });
    if (OPTION_EFFECTS[name] !== undefined) optionEffects(walk, segment, name, args.slice(0, start), own, ctx);
    ran = true;
  }
  // `sudo` is a command of its own (it is blocked); the others only matter for what they run.
  if (privileged) {
    walk.emit(ctx, { text: joinText(words), words, env, redirects: [] });
    return true;
  }
  return ran;
}

/** `find -exec CMD ... ;` and `fd -x CMD ...`: the command between the option and `;`/`+`. */
export function execArgs(
  walk: Walker,
  segment: Segment,
  values: readonly string[],
  args: readonly Word[],
  ctx: Context,
  options: readonly string[],
  via: string,
): void {
  for (let i = 0; i < values.length; i++) {
    if (!options.includes(values[i]!)) continue;
    let end = i + 1;
    while (end < values.length && values[end] !== ';' && values[end] !== '+') end++;
    // `{}` is each path the listing finds (fd's `{/}`, `{.}` and their kin are parts of it). Under
    // static roots the listing command is judged as a recursive read already.
    let inner = args.slice(i + 1, end);
    if (args.slice(0, i).some((w) => w.value === null)) {
      inner = inner.map((w): Word => {
        const placeholder = w.value === null ? null : (/\{[/.]*\}/.exec(w.value)?.[0] ?? null);
        return placeholder === null ? w : { ...w, value: null, origin: { kind: 'listing', of: segment, replace: placeholder, text: w.value! } };
      });
    }
    if (inner.length > 0) walk.runCommand(nest(ctx, via), joinText(inner), inner, [], []);
    i = end;
  }
}

/**
 * The code a wrapper's command options give (`su -c CODE`, `env -S CODE`), read as getopt reads
 * them: attached (`-SCODE`, `--split-string=CODE`), at the end of a cluster (`-iS CODE`) or
 * abbreviated (`--split CODE`).
 */
export function commandOptionCode(spec: WrapperSpec, own: readonly string[], args: readonly Word[]): { option: string; code: Word }[] {
  const options = spec.commandOptions ?? [];
  const out: { option: string; code: Word }[] = [];
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    let option: string | undefined;
    let attached: string | undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const given = eq < 0 ? v : v.slice(0, eq);
      option = given.length > 2 ? options.find((o) => o.startsWith('--') && o.startsWith(given)) : undefined;
      if (eq >= 0) attached = v.slice(eq + 1);
    } else if (v.startsWith('-')) {
      for (let j = 1; j < v.length; j++) {
        const letter = '-' + v[j];
        if (options.includes(letter)) option = letter;
        else if (!spec.optionsWithValue.includes(letter)) continue;
        if (j + 1 < v.length) attached = v.slice(j + 1);
        break;
      }
    }
    if (option === undefined) continue;
    const code = attached !== undefined ? { ...args[i]!, value: attached } : args[++i];
    if (code !== undefined) out.push({ option, code });
  }
  return out;
}

/** `env -C DIR` and `env --chdir=DIR`: the directory env runs its command in. */
export function envDirectory(own: readonly string[], args: readonly Word[]): Word | undefined {
  let dir: Word | undefined;
  for (let i = 0; i < own.length; i++) {
    const v = own[i]!;
    const word = args[i]!;
    const origin = word.origin;
    if (v === '-C' || v === '--chdir') dir = args[++i];
    else if (v.startsWith('--chdir=')) dir = { ...word, text: v.slice(8), value: v.slice(8) };
    else if (word.value === null && origin?.kind === 'text' && origin.text.startsWith('--chdir='))
      dir = { ...word, text: word.text.slice(8), origin: { ...origin, text: origin.text.slice(8), start: origin.start + 8 } };
    else if (/^-[iv0]*C./.test(v)) dir = { ...args[i]!, text: v.slice(v.indexOf('C') + 1), value: v.slice(v.indexOf('C') + 1) };
  }
  return dir;
}

export function assignmentsIn(words: readonly Word[]): Assignment[] {
  const out: Assignment[] = [];
  for (const w of words) {
    const m = w.value === null ? null : /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
    if (m !== null) out.push({ name: m[1]!, value: { text: m[2]!, value: m[2]!, glob: false, subs: NO_SUBS } });
  }
  return out;
}
