/**
 * sed programs, read as GNU sed reads its command line and its commands: `e` runs a shell command
 * (walked as such), `w`/`W` and the `w` flag write files, `r`/`R` read them.
 */
import type { Segment, Word } from './segment.js';
import { INHERITED, NO_SUBS, type Context, type Walker } from './walk.js';

export function sed(walk: Walker, segment: Segment, args: readonly Word[], ctx: Context): void {
  const { programs, scriptFile } = sedCommandLine(args);
  if (scriptFile) {
    segment.findings.push({ code: 'script_execution', verdict: 'confirm', name: 'sed', detail: ' (a sed script file)' });
    return;
  }
  if (programs.includes(null)) segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (a sed program known only at run time)' });
  for (const program of programs) {
    if (program === null) continue;
    for (const effect of sedEffects(program)) {
      if (effect.kind === 'exec') {
        if (effect.command !== '') walk.script(effect.command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, 'sed e'], stdin: INHERITED });
        else segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (sed executes text as a shell command)' });
      } else if (effect.file !== '' && effect.file !== '/dev/stdout' && effect.file !== '/dev/stderr') {
        const file: Word = { text: effect.file, value: effect.file, glob: false, subs: NO_SUBS };
        if (effect.kind === 'read') (segment.reads ??= []).push(file);
        else (segment.writes ??= []).push(file);
      }
    }
  }
}

type SedEffect = { kind: 'exec'; command: string } | { kind: 'write' | 'read'; file: string };

/**
 * What a sed command line runs, read as GNU sed's getopt reads it: the programs given with `-e`
 * (`-e P`, `-eP`, `-neP`, `--expression=P`, `--expr P`), or else the first operand, each null
 * when only known at run time; and whether a program comes from a file (`-f`, `--file`).
 * `-i` takes the rest of its word as a suffix (`-ie` is `-i` with suffix `e`).
 */
function sedCommandLine(args: readonly Word[]): { programs: (string | null)[]; scriptFile: boolean } {
  const programs: (string | null)[] = [];
  let scriptFile = false;
  let operand: Word | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === '--') {
      operand ??= args[i + 1];
      break;
    }
    if (v === null || v.length < 2 || !v.startsWith('-')) {
      operand ??= args[i];
      continue;
    }
    let option: string | undefined;
    let attached: string | undefined;
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const given = eq < 0 ? v : v.slice(0, eq);
      option = SED_LONG_OPTIONS.find((o) => o.startsWith(given));
      if (eq >= 0) attached = v.slice(eq + 1);
    } else {
      for (let j = 1; j < v.length && option === undefined; j++) {
        if (v[j] === 'i') break;
        if ('efl'.includes(v[j]!)) {
          option = '-' + v[j];
          if (j + 1 < v.length) attached = v.slice(j + 1);
        }
      }
    }
    if (option === undefined || !SED_OPTIONS_WITH_VALUE.includes(option)) continue;
    const value = attached !== undefined ? attached : args[++i]?.value;
    if (option === '-e' || option === '--expression') {
      if (value !== undefined) programs.push(value);
    } else if (option === '-f' || option === '--file') {
      scriptFile = true;
    }
  }
  if (programs.length === 0 && operand !== undefined) programs.push(operand.value);
  return { programs, scriptFile };
}

/** GNU sed's long options, in the order an abbreviation is resolved (`--expr` is `--expression`). */
const SED_LONG_OPTIONS = [
  '--expression',
  '--file',
  '--line-length',
  '--in-place',
  '--null-data',
  '--zero-terminated',
  '--quiet',
  '--silent',
  '--regexp-extended',
  '--separate',
  '--unbuffered',
  '--debug',
  '--posix',
  '--sandbox',
  '--follow-symlinks',
  '--binary',
  '--help',
  '--version',
];

const SED_OPTIONS_WITH_VALUE = ['-e', '--expression', '-f', '--file', '-l', '--line-length'];

/**
 * The sed commands that reach outside sed: `e [command]` and the `e` flag of `s` execute shell
 * commands; `w file`, `W file` and the `w` flag of `s` write files; `r file` and `R file` read them.
 */
export function sedEffects(program: string): SedEffect[] {
  const effects: SedEffect[] = [];
  let i = 0;
  const n = program.length;
  const skipSpace = (): void => {
    while (i < n && /[ \t;]/.test(program[i]!)) i++;
  };
  const readToEol = (): string => {
    const start = i;
    while (i < n && program[i] !== '\n') i++;
    return program.slice(start, i).trim();
  };
  // A label, exit code or line length ends at `;` as well (and at `}`: ending early only makes
  // more of the program read as commands).
  const readArgument = (): void => {
    while (i < n && program[i] !== '\n' && program[i] !== ';' && program[i] !== '}') i++;
  };
  const skipDelimited = (delimiter: string): void => {
    while (i < n && program[i] !== delimiter) {
      if (program[i] === '\\') i++;
      i++;
    }
    i++;
  };
  while (i < n) {
    skipSpace();
    if (program[i] === '\n' || program[i] === '}' || program[i] === '{') {
      i++;
      continue;
    }
    // Addresses: numbers, `$`, `/re/`, `\cREc`, ranges, steps and negation.
    for (;;) {
      if (i < n && /[0-9$~+,!]/.test(program[i]!)) i++;
      else if (program[i] === '/') {
        i++;
        skipDelimited('/');
      } else if (program[i] === '\\' && i + 1 < n) {
        const d = program[i + 1]!;
        i += 2;
        skipDelimited(d);
      } else break;
      while (i < n && /[IM ]/.test(program[i]!)) i++;
    }
    const cmd = program[i++];
    if (cmd === undefined) break;
    if (cmd === 's' || cmd === 'y') {
      const d = program[i++] ?? '/';
      skipDelimited(d);
      skipDelimited(d);
      if (cmd === 's') {
        const start = i;
        while (i < n && /[gpiImMe0-9w]/.test(program[i]!)) {
          if (program[i] === 'w') break;
          i++;
        }
        const flags = program.slice(start, i);
        if (flags.includes('e')) effects.push({ kind: 'exec', command: '' });
        if (program[i] === 'w') {
          i++;
          effects.push({ kind: 'write', file: readToEol() });
        }
      }
    } else if (cmd === 'e') {
      effects.push({ kind: 'exec', command: readToEol() });
    } else if (cmd === 'w' || cmd === 'W') {
      effects.push({ kind: 'write', file: readToEol() });
    } else if (cmd === 'r' || cmd === 'R') {
      effects.push({ kind: 'read', file: readToEol() });
    } else if ('aic#'.includes(cmd)) {
      readToEol();
    } else if ('btT:qQlLv'.includes(cmd)) {
      readArgument();
    }
  }
  return effects;
}
