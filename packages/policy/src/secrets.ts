/**
 * Secrets a command reads from the environment rather than from files: the whole environment
 * (`env`, `export -p`, `set`, `ps e`, `jq -n env`, awk's `ENVIRON`), or a variable whose name says
 * it holds a credential (`printenv GITHUB_TOKEN`, `echo $AWS_SECRET_ACCESS_KEY`).
 */
import { hasOption, positionals } from './options.js';
import type { Finding } from './risk.js';
import { CREDENTIAL_VARIABLES } from './rules.js';

const PARTS: ReadonlySet<string> = new Set(CREDENTIAL_VARIABLES.parts);
const NAMES: ReadonlySet<string> = new Set(CREDENTIAL_VARIABLES.names);
const NOT_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_VARIABLES.notNames);
const credentialCache = new Map<string, boolean>();

/** Whether a variable's name looks like a credential's (see CREDENTIAL_VARIABLES). */
export function isCredentialVariable(name: string): boolean {
  let out = credentialCache.get(name);
  if (out === undefined) {
    out = credentialName(name.toUpperCase());
    if (credentialCache.size > 4096) credentialCache.clear();
    credentialCache.set(name, out);
  }
  return out;
}

function credentialName(upper: string): boolean {
  if (NOT_NAMES.has(upper)) return false;
  if (NAMES.has(upper) || CREDENTIAL_VARIABLES.prefixes.some((p) => upper.startsWith(p))) return true;
  for (const part of upper.split('_')) {
    if (PARTS.has(part)) return true;
    for (const suffix of CREDENTIAL_VARIABLES.suffixes) if (part.length > suffix.length && part.endsWith(suffix)) return true;
  }
  return false;
}

/** The finding for a command that prints secrets from the environment. */
export function environmentSecret(what: string): Finding {
  return { code: 'reads_secrets', verdict: 'confirm', secret: 'value', detail: ` (${what})` };
}

const WHOLE = 'the whole environment, credentials included';
/** Options of `declare` and its kin that select variables rather than name them; `-f`/`-F` print functions. */
const DECLARE_SELECTORS = /^[-+][aAgilnrtuxp]+$/;
const PS_OPTIONS_WITH_VALUE = [
  '-C',
  '-G',
  '-g',
  '-o',
  '-O',
  '-p',
  '-q',
  '-s',
  '-t',
  '-U',
  '-u',
  '--sort',
  '--format',
  '--pid',
  '--ppid',
  '--user',
  '--group',
  '--cols',
  '--columns',
  '--rows',
  '-N',
];

/**
 * What a builtin or tool prints from the environment, judged from its arguments: null when it
 * prints no secret. `args` are the static values (dynamic ones as null).
 */
export function environmentRead(name: string, args: readonly (string | null)[]): Finding | null {
  const values = args.map((a) => a ?? '');
  switch (name) {
    case 'env':
      // `env` that runs no command prints the environment (`env -i` an empty one).
      if (
        hasOption(values, '-i', false) ||
        hasOption(values, '--ignore-environment', true) ||
        values.includes('-') ||
        values.includes('--help') ||
        values.includes('--version')
      )
        return null;
      return environmentSecret(WHOLE);
    case 'printenv': {
      if (values.includes('--help') || values.includes('--version')) return null;
      const names = positionals(values, []);
      if (names.length === 0) return environmentSecret(WHOLE);
      const secret = args.find((a, i) => (a === null ? !values[i]!.startsWith('-') : !a.startsWith('-') && isCredentialVariable(a)));
      return secret === undefined ? null : environmentSecret(secret === null ? 'a variable named at run time' : `the variable ${secret}`);
    }
    case 'export':
    case 'declare':
    case 'typeset':
    case 'local':
    case 'readonly': {
      if (values.some((v) => /^-[a-zA-Z]*[fF]/.test(v))) return null;
      const names = args.filter((a, i) => a === null || !DECLARE_SELECTORS.test(values[i]!));
      // `export` alone, `export -p`, `declare -p`, `declare -x`: every variable and its value.
      if (names.length === 0) return environmentSecret(WHOLE);
      if (!values.some((v) => /^-[a-zA-Z]*p/.test(v))) return null;
      const secret = names.find((n) => n === null || isCredentialVariable(n.replace(/=.*$/s, '')));
      return secret === undefined ? null : environmentSecret(secret === null ? 'a variable named at run time' : `the variable ${secret}`);
    }
    case 'set':
      return args.length === 0 ? environmentSecret(WHOLE) : null;
    case 'compgen': {
      // `compgen -v`, `-e`, `-A variable|export|arrayvar`: the names of the variables, credentials' included.
      const names =
        values.some((v) => /^-[a-zA-Z]*[ve]/.test(v) && !v.startsWith('--')) ||
        values.some((v, i) => v === '-A' && /^(variable|export|arrayvar)$/.test(values[i + 1] ?? '')) ||
        values.some((v) => /^-A(variable|export|arrayvar)$/.test(v));
      return names ? environmentSecret("the names of the environment's variables, credentials' among them") : null;
    }
    case 'ps': {
      // BSD-style letters (no dash): `e` shows each process's environment (`ps e`, `ps auxe`, `ps eww`).
      const bsd = positionals(values, PS_OPTIONS_WITH_VALUE).some((v) => /^[a-zA-Z]+$/.test(v) && v.includes('e'));
      return bsd ? environmentSecret('the environment of running processes') : null;
    }
    default:
      return null;
  }
}

/**
 * What a jq or yq program reads from the environment: jq's `env` and `$ENV` give all of it, yq's
 * `env(NAME)` and `strenv(NAME)` one variable. A field called `env` (`.env`, `{env: 1}`) is not.
 */
export function programEnvironmentRead(name: string, program: string): Finding | null {
  if (!program.includes('env') && !program.includes('ENV')) return null;
  const code = program.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (name === 'yq' || name === 'xq') {
    for (const m of code.matchAll(/\b(?:str)?env\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)?/g)) {
      if (m[1] === undefined || isCredentialVariable(m[1])) return environmentSecret(m[1] === undefined ? 'environment variables' : `the variable ${m[1]}`);
    }
    return /\benvsubst\b/.test(code) ? environmentSecret('environment variables substituted into the document') : null;
  }
  const m = /\$ENV\b(?:\.([A-Za-z_][A-Za-z0-9_]*))?|(?<![.\w$])env\b(?!\s*:)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/.exec(code);
  if (m === null) return null;
  const variable = m[1] ?? m[2];
  if (variable !== undefined && !isCredentialVariable(variable)) return null;
  return environmentSecret(variable === undefined ? WHOLE : `the variable ${variable}`);
}
