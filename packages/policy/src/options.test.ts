import { describe, expect, it } from 'vitest';
import { optionValues, OptionView, possibleSubcommands, sureSubcommand } from './options.js';

describe('an option may be given', () => {
  it('inside a cluster, with its value attached, or abbreviated', () => {
    const view = new OptionView(['-tvIsh -c x', '-p/etc/x.conf', '--compress-prog=sh']);
    expect(view.may('-I')).toBe(true);
    expect(view.may('-p')).toBe(true);
    expect(view.may('--compress-program')).toBe(true);
    // Letters after a character no option can be are part of a value.
    expect(view.may('-c')).toBe(false);
    expect(view.may('-x')).toBe(false);
  });

  it('not after `--`, unless the tool reads on past it', () => {
    expect(new OptionView(['--', '-delete']).may('-delete')).toBe(false);
    expect(new OptionView(['--', '.', '-delete'], 'expression').may('-delete')).toBe(true);
  });

  it('as a whole word, for tools whose options are words', () => {
    const view = new OptionView(['-br', '--toolexec=x'], 'words');
    expect(view.may('-b')).toBe(false);
    expect(view.may('-br')).toBe(true);
    expect(view.may('-toolexec')).toBe(true);
  });
});

describe('an option is surely given', () => {
  it('only as the very word or behind known flags, never as the value of the option before it', () => {
    const known = { withValue: [], flags: ['-z', '--global'] };
    expect(new OptionView(['-ztvf', 'a.tar'], 'getopt', known).sure('-t')).toBe(true);
    expect(new OptionView(['-Kt', 'a.tar'], 'getopt', known).sure('-t')).toBe(false);
    expect(new OptionView(['--global', '--get', 'x'], 'getopt', known).sure('--get')).toBe(true);
    expect(new OptionView(['-f', '--get', 'x'], 'getopt', known).sure('--get')).toBe(false);
    expect(new OptionView(['--li'], 'getopt', known).sure('--list')).toBe(false);
  });

  it('and a word is surely positional only when no option before it may take it', () => {
    const view = new OptionView(['-m', 'list', 'x'], 'getopt', { withValue: [], flags: [] });
    expect(view.positionals('sure')).toEqual(['x']);
    expect(view.positionals('may')).toEqual(['list', 'x']);
  });
});

describe('subcommands', () => {
  const git = { withValue: ['-C', '-c'], flags: ['--no-pager'] };

  it('are certain only past known options', () => {
    expect(sureSubcommand(['-C', 'dir', '--no-pager', 'log'], git)).toBe(3);
    expect(sureSubcommand(['--tag', 'ls', 'run', 'x'], { withValue: [], flags: [] })).toBe(-1);
  });

  it('may be any word an option before it could have taken', () => {
    expect(possibleSubcommands(['-c', 'k=v', 'push'])).toEqual([1, 2]);
    expect(possibleSubcommands(['--tag', 'ls', 'run', 'x'])).toEqual([1, 2]);
    expect(possibleSubcommands(['status', '-s'])).toEqual([0]);
  });
});

describe('option values', () => {
  it('are found attached, in the next word, and in clusters', () => {
    const args = ['-uo/etc/x', '-o', 'out', '--output=o2', 'of=o3'];
    const values = (spec: string) => optionValues(args, spec).map(({ index, attached }) => attached ?? args[index]);
    expect(values('-o')).toEqual(['/etc/x', 'out']);
    expect(values('--output')).toEqual(['o2']);
    expect(values('of=')).toEqual(['o3']);
  });
});
