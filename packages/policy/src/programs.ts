/**
 * Options and arguments that make a tool run a program, load code or write a file
 * (`OPTION_EFFECTS`), and the tools that read commands of their own: ssh's `-o`, socat's
 * addresses, Vim's Ex commands, gdb's `-ex`, pagers' `+cmd`. A program is walked as the command it is.
 */
import { dynamicCodeFinding, INHERITED, type Context, type Walker } from './walk.js';
import { optionValues } from './options.js';
import { OPTION_EFFECTS, OPTION_STYLES, SOCAT_ADDRESSES, SSH_PROGRAM_OPTIONS } from './rules.js';
import type { Segment, Word } from './segment.js';
import { NO_SUBS } from './walk.js';

/**
 * The options whose values a tool acts on (see OPTION_EFFECTS): a program is parsed and judged as
 * the command it is, a written file is judged where it lands.
 */
export function optionEffects(walk: Walker, segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
  const effects = OPTION_EFFECTS[name]!;
  for (const option in effects) {
    const effect = effects[option]!;
    for (const { index, attached } of optionValues(values, option, OPTION_STYLES[name])) {
      const word = args[index]!;
      const value = attached ?? word.value;
      if (effect === 'writes') {
        // `strace -o '|cmd'` and `-o '!cmd'` pipe to a command instead.
        if (value !== null && (value.startsWith('|') || value.startsWith('!'))) optionProgram(walk, segment, name, option, value.slice(1), ctx);
        else (segment.writes ??= []).push(attached === null ? word : { ...word, value: attached, text: attached });
      } else if (effect === 'program') {
        if (value === null) segment.findings.push(dynamicCodeFinding(word.subs, `${name} ${option}`));
        else optionProgram(walk, segment, name, option, value, ctx);
      }
    }
  }
}

/**
 * ssh's `-o Key=Value` (or `-o 'Key Value'`): ProxyCommand, LocalCommand, KnownHostsCommand and
 * RemoteCommand are commands, judged as the commands they are; PKCS11Provider and its kin load code.
 */
export function sshOptions(walk: Walker, segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
  for (const { index, attached } of optionValues(values, '-o')) {
    const word = args[index]!;
    const setting = attached ?? word.value;
    if (setting === null) {
      segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ' (an -o option known only at run time)' });
      continue;
    }
    const m = /^\s*([A-Za-z0-9]+)\s*(?:=|\s)\s*(.*)$/s.exec(setting);
    if (m === null) continue;
    const effect = SSH_PROGRAM_OPTIONS[m[1]!.toLowerCase()];
    const value = m[2]!.trim();
    if (effect === undefined || value === '' || value.toLowerCase() === 'none') continue;
    if (effect === 'program') optionProgram(walk, segment, name, `-o ${m[1]}`, value, ctx);
    else segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (-o ${m[1]} loads ${value})` });
  }
}

/**
 * socat's addresses: `EXEC:cmd` and `SYSTEM:cmd` run a program, judged as the command it is; with
 * a network address on the other side it is a remote or bind shell (BLOCK). `OPEN:`, `CREATE:`,
 * `GOPEN:` and `FILE:` read and write files.
 */
export function socat(walk: Walker, segment: Segment, args: readonly Word[], ctx: Context): void {
  let program = false;
  let network = false;
  for (const word of args) {
    const v = word.value;
    if (v === null) {
      if (/^["']?(exec|system)/i.test(word.text)) segment.findings.push(dynamicCodeFinding(word.subs, 'socat'));
      continue;
    }
    if (v.startsWith('-') && v.length > 1) continue;
    if (SOCAT_ADDRESSES.program.test(v)) {
      program = true;
      const body = v.slice(v.search(/[:,]/) + 1);
      const command = body.split(/(?<!\\),/)[0]!.replace(/\\,/g, ',');
      if (command.trim() !== '') optionProgram(walk, segment, 'socat', v.slice(0, v.search(/[:,]/)).toUpperCase() + ':', command, ctx);
    } else if (SOCAT_ADDRESSES.network.test(v)) {
      network = true;
    } else if (SOCAT_ADDRESSES.file.test(v)) {
      const file = v.slice(v.search(/[:,]/) + 1).split(',')[0]!;
      const target: Word = { text: file, value: file, glob: false, subs: NO_SUBS };
      (segment.writes ??= []).push(target);
      (segment.reads ??= []).push(target);
    }
  }
  if (program && network)
    segment.findings.push({ code: 'remote_code_execution', verdict: 'block', detail: ' (socat connects a program to the network: a remote or bind shell)' });
}

/**
 * Vim's `-c CMD`, `--cmd CMD` and `+CMD` are Ex commands: a `:!` or `:r !` runs the shell (judged
 * as the command it is), `:call system()`, `:py`, `:lua`, `:source` and their kin run code, and
 * `:w FILE` writes. `-u FILE` loads a vimrc. In Ex mode (`ex`, `vim -e`) what arrives on standard
 * input is Ex commands too.
 */
export function vimCommands(walk: Walker, segment: Segment, name: string, args: readonly Word[], values: readonly string[], ctx: Context): void {
  const commands: (string | null)[] = [];
  for (const option of ['-c', '--cmd']) for (const { index, attached } of optionValues(values, option)) commands.push(attached ?? args[index]!.value);
  for (const word of args) {
    if (word.value === null ? word.text.replace(/^["']/, '').startsWith('+') : word.value.startsWith('+'))
      commands.push(word.value === null ? null : word.value.slice(1));
  }
  for (const { index, attached } of optionValues(values, '-u')) {
    const vimrc = attached ?? args[index]!.value;
    if (vimrc === null || !/^(NONE|NORC|DEFAULTS)$/.test(vimrc))
      segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (-u ${vimrc ?? 'a file named at run time'} loads Vim script)` });
  }
  const exMode = name === 'ex' || values.some((v) => /^-[a-zA-Z]*[eE]/.test(v) && !v.startsWith('--'));
  const stdin = ctx.stdin;
  if (exMode && stdin.kind !== 'inherited') commands.push(stdin.kind === 'text' ? stdin.text : null);
  for (const command of commands) {
    if (command === null) {
      segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs Ex commands known only at run time)` });
      continue;
    }
    for (const line of command.split('\n')) exCommand(walk, segment, name, line, ctx, 0);
  }
}

export function exCommand(walk: Walker, segment: Segment, name: string, text: string, ctx: Context, depth: number): void {
  if (depth > 8) return;
  let rest = text;
  while (rest.trim() !== '') {
    // Leading colons and blanks, then a range (`%`, `1,$`, `'a,'b`, `/re/`).
    rest = rest.replace(/^[\s:]+/, '').replace(/^(?:[%.$]|\d+|'[a-zA-Z<>]|\/(?:[^/\\]|\\.)*\/|\?(?:[^?\\]|\\.)*\?|[,;+-]\d*)*/, '');
    const modifier =
      /^(?:sil|sile|silen|silent|uns|unsi|unsil|unsile|unsilent|keepa|keepalt|keepj|keepjumps|noa|noautocmd|verb|verbose|lockm|lockmarks|hid|hide|vert|vertical|tab|bel|belowright|abo|aboveleft|to|topleft|bo|botright|sandbox|sa|san|sand|sandb|sandbo)!?(?=[\s!]|$)\s*/.exec(
        rest,
      );
    if (modifier !== null && modifier[0].length > 0) {
      rest = rest.slice(modifier[0].length);
      continue;
    }
    const shell = /^(?:(?:r|re|rea|read|w|wr|wri|writ|write|up|upd|upda|updat|update)!?\s*)?!(.*)$/s.exec(rest);
    if (shell !== null) {
      segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:!${shell[1]!.trim()})` });
      if (shell[1]!.trim() !== '') walk.script(shell[1]!, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} :!`], stdin: INHERITED });
      return;
    }
    const terminal = /^ter(?:m|mi|min|mina|minal)?!?\s+((?:\+\+\S+\s+)*)(.*)$/s.exec(rest);
    if (terminal !== null && terminal[2]!.trim() !== '') {
      segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:terminal ${terminal[2]!.trim()})` });
      walk.script(terminal[2]!, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} :terminal`], stdin: INHERITED });
      return;
    }
    const global = /^(?:g|gl|glo|glob|globa|global|v|vg|vgl|vglo|vglob|vgloba|vglobal)!?\s*([^\w\s"|])((?:(?!\1)[^\\]|\\.)*)\1(.*)$/s.exec(rest);
    if (global !== null) {
      exCommand(walk, segment, name, global[3]!, ctx, depth + 1);
      return;
    }
    const bar = rest.search(/(?<!\\)\|/);
    const command = bar < 0 ? rest : rest.slice(0, bar);
    rest = bar < 0 ? '' : rest.slice(bar + 1);
    const word = /^[A-Za-z]+/.exec(command)?.[0] ?? '';
    if (EX_CODE.test(word) || /\bsystem(list)?\s*\(|\blibcall|\bjob_start|\bjobstart|\bterm_start/.test(command)) {
      segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs Vim script: ${JSON.stringify(command.trim())})` });
    } else if (EX_WRITE.test(word)) {
      const file = command.replace(/^[A-Za-z]+!?\s*(?:>>?\s*)?/, '').trim();
      if (file !== '') (segment.writes ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
    } else if (EX_SHELL.test(word)) {
      segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (:${command.trim()} runs a program)` });
    }
  }
}

/** gdb's `-ex`/`-iex` commands: `shell CMD`, `!CMD` and `pipe ... | CMD` run the shell; `python` and its kin run code. */
export function gdbCommands(walk: Walker, segment: Segment, args: readonly Word[], values: readonly string[], ctx: Context): void {
  for (const option of ['-ex', '--ex', '-eval-command', '--eval-command', '-iex', '--iex', '-init-eval-command', '--init-eval-command']) {
    for (const { index, attached } of optionValues(values, option, 'words')) {
      const command = attached ?? args[index]!.value;
      if (command === null) {
        segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ' (gdb runs a command known only at run time)' });
        continue;
      }
      const shell = /^\s*(?:shell\s+|!\s*|pipe\s+[^|]*\|\s*|\|[^|]*\|\s*)(.*)$/s.exec(command);
      if (shell !== null) optionProgram(walk, segment, 'gdb', option, shell[1]!, ctx);
      else if (/^\s*(python|py|pi|python-interactive|guile|gu|source|so|define|compile|call|print\s+\$_shell|eval)\b/.test(command))
        segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (gdb runs code: ${JSON.stringify(command.trim())})` });
    }
  }
}

/** A command line an option gives a tool to run, judged as the command it is. */
export function optionProgram(walk: Walker, segment: Segment, name: string, option: string, value: string, ctx: Context): void {
  const command = name === 'tar' || name === 'bsdtar' ? (/^exec=/.test(value) ? value.slice(5) : option === '--checkpoint-action' ? '' : value) : value;
  if (command.trim() === '') return;
  segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (${option} ${JSON.stringify(command)})` });
  walk.script(command, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} ${option}`], stdin: INHERITED });
}

/**
 * A pager's `+cmd` arguments run as if typed: `+G` or `+/pattern` move, but `!cmd` and `|Xcmd`
 * run shell commands, `s FILE` and `-o FILE` write the input to a file, `v` starts an editor,
 * `:e FILE` and `E FILE` open another file. Each typed line (`$'+!cmd\n'`) is one command.
 */
export function pagerCommands(walk: Walker, segment: Segment, name: string, args: readonly Word[], ctx: Context): void {
  for (const word of args) {
    const v = word.value;
    if (v === null ? !word.text.replace(/^["']/, '').startsWith('+') : !v.startsWith('+')) continue;
    if (v === null) {
      segment.findings.push({ code: 'dynamic_code', verdict: 'confirm', detail: ` (${name} runs the commands of ${word.text}, known only at run time)` });
      continue;
    }
    const typed = v.replace(/^\++/, '');
    // Movement and search: a count and one of less's moving commands, or a search to the end of the word.
    if (/^\d*[GgFpPjkJKdubfeyYNnmR%]?$/.test(typed) || /^\d*[/?&][^\n\r]*$/.test(typed)) continue;
    for (const line of typed.split(/[\n\r]/)) {
      const command = line.replace(/^\d+/, '');
      if (command === '' || /^[GgFpPjkJKdubfeyYNnmR%]+$/.test(command) || /^[/?&]/.test(command)) continue;
      if (command.startsWith('!') || command.startsWith('|')) {
        const shell = command.startsWith('!') ? command.slice(1) : command.slice(2);
        segment.findings.push({ code: 'runs_program', verdict: 'confirm', name, detail: ` (${JSON.stringify(v)} runs a shell command)` });
        if (shell.trim() !== '') walk.script(shell, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `${name} +${command[0]}`], stdin: INHERITED });
      } else if (/^(s|-o|-O)\s*\S/.test(command)) {
        const file = command.replace(/^(s|-o|-O)\s*/, '').trim();
        (segment.writes ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
      } else if (/^(:e|E)\s*\S/.test(command)) {
        const file = command.replace(/^(:e|E)\s*/, '').trim();
        (segment.reads ??= []).push({ text: file, value: file, glob: false, subs: NO_SUBS });
      } else {
        segment.findings.push({
          code: 'runs_program',
          verdict: 'confirm',
          name,
          detail: ` (${JSON.stringify(v)}: a command the policy does not know to be harmless)`,
        });
      }
    }
  }
}

/** Per tool, the letters of its one-letter effect options, and its other effect options (see mayGiveEffect). */
const EFFECT_OPTION_SHAPES = new Map<string, { readonly letters: string; readonly long: readonly string[]; readonly words: ReadonlySet<string> }>(
  Object.entries(OPTION_EFFECTS).map(([tool, effects]) => {
    const options = Object.keys(effects);
    return [
      tool,
      {
        letters: options
          .filter((o) => o.length === 2 && o[0] === '-')
          .map((o) => o[1])
          .join(''),
        long: options.filter((o) => o.startsWith('--')),
        words: new Set(options.filter((o) => o.length > 2 && o[1] !== '-')),
      },
    ];
  }),
);

/** Whether an argument may give one of a tool's effect options: a cheap test before reading the options properly. */
export function mayGiveEffect(tool: string, arg: string): boolean {
  if (arg.length < 2 || arg.charCodeAt(0) !== 45) return false;
  const shape = EFFECT_OPTION_SHAPES.get(tool)!;
  if (arg.charCodeAt(1) === 45) {
    // A long option, or a GNU abbreviation of one (`--to-com`).
    const eq = arg.indexOf('=');
    const given = eq < 0 ? arg : arg.slice(0, eq);
    return given.length > 2 && shape.long.some((o) => o.startsWith(given));
  }
  if (shape.words.has(arg) || (shape.words.size > 0 && arg.includes('='))) return true;
  for (let i = 1; i < arg.length; i++) if (shape.letters.includes(arg[i]!)) return true;
  return false;
}

/** Ex commands that run Vim script or another language's code, write files, or run a program. */
const EX_CODE =
  /^(exe|exec|execu|execut|execute|norm|norma|normal|cal|call|py|pyt|pyth|pytho|python|py3|python3|pyx|pythonx|pyf|pyfile|py3f|py3file|pyxf|pyxfile|pydo|py3do|pyxdo|lua|luado|luafile|luaf|rub|ruby|rubydo|rubyf|rubyfile|perl|perldo|pe|mz|mzscheme|mzf|mzfile|tcl|tcldo|tclf|tclfile|ter|term|termi|termin|termina|terminal|so|sou|sour|sourc|source|ru|run|runt|runti|runtim|runtime|let|com|comm|comma|comman|command|au|aut|auto|autoc|autocm|autocmd|fu|fun|func|funct|functi|functio|function|def|vim9|vim9cmd|[nvxsoilc]?(nore)?map|no|nor|nore|norem|noremap|ab|abb|abbr|abbrev|abbreviate|ia|iab|ca|cab|argdo|bufdo|windo|tabdo|cdo|cfdo|ldo|lfdo|redir|redi|wsh|wshada|wv|wviminfo|mks|mksession|mkv|mkvimrc|mkvie|mkview)$/;

const EX_WRITE = /^(w|wr|wri|writ|write|wq|x|xi|xit|exi|exit|sav|save|savea|saveas|up|upd|upda|updat|update|wa|wall|wqa|wqall|xa|xall)$/;

const EX_SHELL = /^(sh|she|shel|shell|mak|make|lmak|lmake|gr|gre|grep|lgr|lgre|lgrep|grepa|grepadd|cs|cscope|scs|scscope|lcs|lcscope)$/;
