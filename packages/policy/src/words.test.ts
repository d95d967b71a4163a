import { describe, expect, it } from 'vitest';
import { sedEffects } from './sed.js';
import { hasOption, positionals } from './options.js';
import { classifyWriteTarget, isSensitivePath, normalizePath } from './paths.js';
import { hasBraceGroup, rewriteScript } from './rewrite.js';
import { decodeAnsiC, unescapeUnquoted, unquoteDouble } from './words.js';

describe('words take the value bash would give them', () => {
  it('removes backslashes from unquoted text', () => {
    expect(unescapeUnquoted('\\rm')).toBe('rm');
    expect(unescapeUnquoted('a\\ b')).toBe('a b');
    expect(unescapeUnquoted('r\\\nm')).toBe('rm');
  });

  it('keeps double-quoted text but reports expansions as dynamic', () => {
    expect(unquoteDouble('a \\"b\\" \\$c')).toBe('a "b" $c');
    expect(unquoteDouble('$HOME/x')).toBeNull();
    expect(unquoteDouble('cost: $ 5')).toBe('cost: $ 5');
    expect(unquoteDouble('`id`')).toBeNull();
  });

  it('decodes ANSI-C strings', () => {
    expect(decodeAnsiC('\\x72\\x6d')).toBe('rm');
    expect(decodeAnsiC('\\162\\155')).toBe('rm');
    expect(decodeAnsiC('\\u0072m')).toBe('rm');
    expect(decodeAnsiC('a\\tb\\n')).toBe('a\tb\n');
    expect(decodeAnsiC("it\\'s")).toBe("it's");
  });

  it('expands braces as bash does, word by word, outside quotes', () => {
    const expand = (line: string): string | null => rewriteScript(line, true)?.text ?? null;
    expect(expand('{rm,-rf,/}')).toBe('rm -rf /');
    expect(expand('cp file{,.bak}')).toBe('cp file file.bak');
    expect(expand('echo {a,b}{1,2}')).toBe('echo a1 a2 b1 b2');
    expect(expand('echo {1..3}')).toBe('echo 1 2 3');
    expect(expand('echo {c..a}')).toBe('echo c b a');
    expect(expand("echo '{a,b}'")).toBeNull();
    expect(expand('echo ${x,,}')).toBeNull();
    expect(expand('{ ls; }')).toBeNull();
    expect(expand('find . -exec rm {} ;')).toBeNull();
    expect(expand('echo {1..99999999}')!.split(' ').length).toBe(257);
    // Not in assignments before the command, `[[ ]]`, `${...}`, heredoc bodies, or across punctuation.
    expect(expand('x={a,b} env')).toBeNull();
    expect(expand('[[ $f == *.{js,ts} ]]')).toBeNull();
    expect(expand('echo ${x:-{a,b}}')).toBeNull();
    expect(expand('cat <<EOF\n{a,b}\nEOF\nls {c,d}')).toBe('cat <<EOF\n{a,b}\nEOF\nls c d');
    expect(expand('echo {Z..a}')).toBeNull();
  });

  it('keeps each expanded word a plain word', () => {
    const expand = (line: string): string | null => rewriteScript(line, true)?.text ?? null;
    expect(expand('echo {#,a}; rm x')).toBe('echo \\# a; rm x');
    expect(expand('{X=1,ls} -l')).toBe('\\X=1 ls -l');
    expect(expand('echo {X=1,ls}')).toBe('echo X=1 ls');
  });

  it('finds the words where bash finds them: past comments, heredocs and nested quotes', () => {
    const expand = (line: string): string | null => rewriteScript(line, true)?.text ?? null;
    expect(expand("ls # it's\nfind . {-delete,-name} x")).toBe("ls # it's\nfind . -delete -name x");
    expect(expand("cat <<EOF\nit's\nEOF\nfind . {-delete,-name} x")).toBe("cat <<EOF\nit's\nEOF\nfind . -delete -name x");
    expect(expand(`echo "$(echo "'")"; find {a,b}`)).toBe(`echo "$(echo "'")"; find a b`);
    expect(expand("echo $'\\''; find {a,b}")).toBe("echo $'\\''; find a b");
    expect(expand('echo "$(find {a,b})" `ls {c,d}` <(cat {e,f})')).toBe('echo "$(find a b)" `ls c d` <(cat e f)');
    expect(expand('x=$(case $1 in a) ls {a,b};; esac); ls {c,d}')).toBe('x=$(case $1 in a) ls a b;; esac); ls c d');
    expect(expand('echo $(( 1 << 2 )); ls {a,b}')).toBe('echo $(( 1 << 2 )); ls a b');
    expect(expand("cat <<\"E'F\"\nit's {a,b}\nE'F\nls {a,b}")).toBe("cat <<\"E'F\"\nit's {a,b}\nE'F\nls a b");
    expect(expand('cat <<\'E"F\' <<E\\G\n{a,b}\nE"F\n{c,d}\nEG\nls {a,b}')).toBe('cat <<\'E"F\' <<E\\G\n{a,b}\nE"F\n{c,d}\nEG\nls a b');
  });

  it('joins backslash-newlines as bash does before it reads words', () => {
    const join = (line: string): string | null => rewriteScript(line, false)?.text ?? null;
    expect(join('r\\\nm -rf x')).toBe('rm -rf x');
    expect(join('find . -del\\\nete')).toBe('find . -delete');
    expect(join('echo "a\\\nb" \'c\\\nd\'')).toBe('echo "ab" \'c\\\nd\'');
    expect(join('ls # note \\\nrm x')).toBeNull();
    expect(join("cat <<'EOF'\na\\\nb\nEOF")).toBeNull();
    expect(join('cat <<EOF\na\\\nb\nE\\\nOF\nls')).toBe('cat <<EOF\nab\nEOF\nls');
    expect(join('echo plain')).toBeNull();
  });

  it('gives up on nesting too deep to follow', () => {
    expect(rewriteScript(`echo ${'"$('.repeat(300)}{a,b}`, true)?.tooDeep).toBe(true);
  });

  it('tells whether a word still holds a brace group', () => {
    expect(hasBraceGroup('{-delete,-name}')).toBe(true);
    expect(hasBraceGroup("'{a,b}'")).toBe(false);
    expect(hasBraceGroup('HEAD@{1}')).toBe(false);
    expect(hasBraceGroup('${x:-{a,b}}')).toBe(false);
  });
});

describe('options are read as getopt reads them', () => {
  it('finds options in clusters, with attached values and abbreviations', () => {
    expect(hasOption(['-ni', 'p'], '-i', true)).toBe(true);
    expect(hasOption(['-i.bak'], '-i', true)).toBe(true);
    expect(hasOption(['--in-place=.bak'], '--in-place', true)).toBe(true);
    expect(hasOption(['--in-pl'], '--in-place', true)).toBe(true);
    expect(hasOption(['--in-pl'], '--in-place', false)).toBe(false);
    expect(hasOption(['--', '-i'], '-i', true)).toBe(false);
    expect(hasOption(['list'], 'list', false)).toBe(true);
  });

  it('skips option values when collecting positionals', () => {
    expect(positionals(['-C', 'dir', 'status', '--short'], ['-C'])).toEqual(['status']);
    expect(positionals(['-a', '--', '-b', 'c'], [])).toEqual(['-b', 'c']);
  });
});

describe('paths', () => {
  const ctx = { cwd: '/home/me/proj', home: '/home/me' };

  it('normalises home, relative and dotted paths', () => {
    expect(normalizePath('/home/me/.ssh/id_rsa', ctx)).toBe('~/.ssh/id_rsa');
    expect(normalizePath('$HOME/.aws', ctx)).toBe('~/.aws');
    expect(normalizePath('../../.ssh', ctx)).toBe('~/.ssh');
    expect(normalizePath('src/./a/../b', ctx)).toBe('~/proj/src/b');
    expect(normalizePath('src/x', { cwd: null, home: null })).toBe('src/x');
  });

  it('recognises secrets by location and by name, not templates', () => {
    for (const p of [
      '~/.ssh/id_ed25519',
      '/home/me/.aws/credentials',
      '.env',
      'config/.env.production',
      'certs/server.key',
      '/proc/1/environ',
      '~/.config/gcloud/x',
    ]) {
      expect(isSensitivePath(p, ctx), p).toBe(true);
    }
    for (const p of ['.env.example', 'src/env.ts', 'README.md', '~/.sshx', '/etc/hosts']) {
      expect(isSensitivePath(p, ctx), p).toBe(false);
    }
  });

  it('judges where a write lands', () => {
    expect(classifyWriteTarget('out.txt', ctx)).toBe('inside_cwd');
    expect(classifyWriteTarget('/dev/null', ctx)).toBe('harmless_device');
    expect(classifyWriteTarget('/dev/sda', ctx)).toBe('disk_device');
    expect(classifyWriteTarget('/dev/tcp/1.2.3.4/80', ctx)).toBe('network_device');
    expect(classifyWriteTarget('/etc/hosts', ctx)).toBe('system');
    expect(classifyWriteTarget('/tmp/x', ctx)).toBe('scratch');
    expect(classifyWriteTarget('/tmpevil/x', ctx)).toBe('outside_cwd');
    expect(classifyWriteTarget('~/.bashrc', ctx)).toBe('persistence');
    expect(classifyWriteTarget('~/.ssh/id_rsa', ctx)).toBe('sensitive');
    expect(classifyWriteTarget('../other/x', ctx)).toBe('outside_cwd');
    expect(classifyWriteTarget('/opt/app/x', { cwd: '/opt/app', home: null })).toBe('inside_cwd');
  });
});

describe('sed programs that reach outside sed', () => {
  it('finds e and w commands and flags', () => {
    expect(sedEffects('s/a/b/')).toEqual([]);
    expect(sedEffects('1e rm -rf /')).toEqual([{ kind: 'exec', command: 'rm -rf /' }]);
    expect(sedEffects('s/x/y/e')).toEqual([{ kind: 'exec', command: '' }]);
    expect(sedEffects('s/x/y/gw out.txt')).toEqual([{ kind: 'write', file: 'out.txt' }]);
    expect(sedEffects('/re/w log')).toEqual([{ kind: 'write', file: 'log' }]);
    expect(sedEffects('s/e/w/g')).toEqual([]);
    expect(sedEffects('y/abc/xyz/')).toEqual([]);
  });

  it('ends labels, exit codes and line lengths at `;`, but text and file names at the end of the line', () => {
    expect(sedEffects('$q;1e touch x')).toEqual([{ kind: 'exec', command: 'touch x' }]);
    expect(sedEffects('1Q 3;1e touch x')).toEqual([{ kind: 'exec', command: 'touch x' }]);
    expect(sedEffects('1l 40;1e touch x')).toEqual([{ kind: 'exec', command: 'touch x' }]);
    expect(sedEffects(':a;N;$!ba;1w out')).toEqual([{ kind: 'write', file: 'out' }]);
    expect(sedEffects('1a text;e touch x')).toEqual([]);
    expect(sedEffects('1r in;e touch x')).toEqual([{ kind: 'read', file: 'in;e touch x' }]);
  });
});
