/**
 * What git runs besides itself: programs named by `-c` keys and `git config`, `git clone -c`,
 * `rebase -x`, `difftool --extcmd`, `bisect run`, `submodule foreach`, `filter-branch` filters.
 */
import { globToRegExp } from './glob.js';
import { optionValues, positionals, takesValue } from './options.js';
import { GIT_PROGRAM_KEYS } from './rules.js';
import type { Segment, Word } from './segment.js';
import { INHERITED, joinText, nest, type Context, type Walker } from './walk.js';

/** git -c keys whose value git runs through the shell. */
const GIT_SHELL_KEYS = [
  'core.pager',
  'core.editor',
  'core.sshcommand',
  'core.fsmonitor',
  'sequence.editor',
  'pager.*',
  'alias.*',
  'credential.helper',
  'credential.*.helper',
  'diff.external',
  'diff.*.command',
  'diff.*.textconv',
  'filter.*.clean',
  'filter.*.smudge',
  'filter.*.process',
  'merge.*.driver',
  'mergetool.*.cmd',
  'difftool.*.cmd',
  'interactive.difffilter',
  'core.askpass',
  'core.gitproxy',
  'gpg.program',
  'gpg.*.program',
];

const GIT_PROGRAM_KEY_PATTERNS = GIT_PROGRAM_KEYS.map((k) => globToRegExp(k, null));

const GIT_SHELL_KEY_PATTERNS = GIT_SHELL_KEYS.map((k) => globToRegExp(k, null));

const GIT_FILTER_OPTIONS = ['--env-filter', '--tree-filter', '--index-filter', '--parent-filter', '--msg-filter', '--commit-filter', '--tag-name-filter'];

export function git(walk: Walker, segment: Segment, args: readonly Word[], values: readonly string[], ctx: Context): void {
  let i = 0;
  for (; i < values.length; i++) {
    const v = values[i]!;
    if (!v.startsWith('-')) break;
    if (v === '-c' || v.startsWith('-c')) {
      const setting = v === '-c' ? values[++i] : v.slice(2);
      if (setting !== undefined) gitConfig(walk, segment, setting, ctx);
    } else if (v === '--config-env' || v.startsWith('--config-env=') || v.startsWith('--exec-path=')) {
      segment.findings.push({ code: 'git_runs_program', verdict: 'confirm', detail: ` (${v})` });
      if (v === '--config-env') i++;
    } else if (takesValue(v, ['-C', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--attr-source', '--list-cmds'])) {
      i++;
    }
  }
  const sub = values[i];
  const rest = values.slice(i + 1);
  const restWords = args.slice(i + 1);
  const reparse = (via: string, code: string | undefined): void => {
    if (code !== undefined) walk.script(code, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, via], stdin: INHERITED });
  };
  if (sub === 'config' && rest.length >= 2 && !rest[0]!.startsWith('-')) {
    gitConfig(walk, segment, `${rest[0]}=${rest[1]}`, ctx);
  } else if (sub === 'clone') {
    // `git clone -c key=value` and `--config key=value` set configuration for the new repository, used at once.
    for (const option of ['-c', '--config'])
      for (const { index, attached } of optionValues(rest, option)) gitConfig(walk, segment, attached ?? rest[index]!, ctx);
  } else if (sub === 'rebase' || sub === 'difftool') {
    rest.forEach((v, j) => {
      if (v === '-x' || v === '--exec' || v === '--extcmd') reparse(`git ${sub} ${v}`, rest[j + 1]);
      else if (v.startsWith('--exec=') || v.startsWith('--extcmd=')) reparse(`git ${sub}`, v.slice(v.indexOf('=') + 1));
    });
  } else if (sub === 'bisect' && rest[0] === 'run' && restWords.length > 1) {
    const inner = restWords.slice(1);
    walk.runCommand(nest(ctx, 'git bisect run'), joinText(inner), inner, segment.env, segment.redirects);
  } else if (sub === 'submodule' && rest.includes('foreach')) {
    const code = positionals(rest.slice(rest.indexOf('foreach') + 1), [])[0];
    reparse('git submodule foreach', code);
  } else if (sub === 'filter-branch') {
    rest.forEach((v, j) => {
      if (GIT_FILTER_OPTIONS.includes(v)) reparse(`git filter-branch ${v}`, rest[j + 1]);
    });
  }
}

export function gitConfig(walk: Walker, segment: Segment, setting: string, ctx: Context): void {
  const eq = setting.indexOf('=');
  const key = (eq < 0 ? setting : setting.slice(0, eq)).toLowerCase();
  const value = eq < 0 ? '' : setting.slice(eq + 1);
  if (!GIT_PROGRAM_KEY_PATTERNS.some((p) => p.test(key))) return;
  segment.findings.push({ code: 'git_runs_program', verdict: 'confirm', detail: ` (${key})` });
  if (value === '' || !GIT_SHELL_KEY_PATTERNS.some((p) => p.test(key))) return;
  // Aliases and helpers run through the shell when they start with `!`.
  const code = value.startsWith('!') ? value.slice(1) : key.startsWith('alias.') ? null : value;
  if (code !== null) walk.script(code, { ...ctx, depth: ctx.depth + 1, via: [...ctx.via, `git -c ${key}`], stdin: INHERITED });
}
