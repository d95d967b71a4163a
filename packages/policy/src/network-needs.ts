/**
 * What the network a command needs, as data: the package managers that fetch from a known
 * registry (and the option that names another one), and the programs that reach the host their
 * arguments name. The confinement suggestion (confinement.ts) reads these tables.
 */

/** A package manager's subcommand that downloads from its registry. */
export interface RegistryNeed {
  /** The command name (`npm`, `pip3`). */
  readonly program: string;
  /** The leading positional words (`install`; `mod download`); `''`: the program with no subcommand (`yarn`). */
  readonly subcommands: readonly string[];
  /** The registry's domains, as its default configuration reaches them. */
  readonly domains: readonly string[];
  /** Options that name another registry (`--registry URL`, `--registry=URL`): its host is added. */
  readonly registryOptions: readonly string[];
}

const NPM_REGISTRY = ['registry.npmjs.org'];
const PYPI = ['pypi.org', 'files.pythonhosted.org'];
const PIP_INDEX_OPTIONS = ['--index-url', '-i', '--extra-index-url'];

export const REGISTRY_NEEDS: readonly RegistryNeed[] = [
  { program: 'npm', subcommands: ['install', 'i', 'ci', 'add'], domains: NPM_REGISTRY, registryOptions: ['--registry'] },
  { program: 'pnpm', subcommands: ['install', 'i', 'add'], domains: NPM_REGISTRY, registryOptions: ['--registry'] },
  { program: 'yarn', subcommands: ['', 'install', 'add'], domains: ['registry.yarnpkg.com', ...NPM_REGISTRY], registryOptions: ['--registry'] },
  { program: 'pip', subcommands: ['install', 'download'], domains: PYPI, registryOptions: PIP_INDEX_OPTIONS },
  { program: 'pip3', subcommands: ['install', 'download'], domains: PYPI, registryOptions: PIP_INDEX_OPTIONS },
  { program: 'cargo', subcommands: ['build', 'fetch'], domains: ['crates.io', 'index.crates.io', 'static.crates.io'], registryOptions: [] },
  { program: 'go', subcommands: ['mod download', 'get'], domains: ['proxy.golang.org', 'sum.golang.org'], registryOptions: [] },
];

/** git's subcommands that talk to a remote; `clone` names it by URL, the others by URL or remote name. */
export const GIT_REMOTE_SUBCOMMANDS: ReadonlySet<string> = new Set(['fetch', 'pull', 'push', 'clone', 'ls-remote']);

/** git options (before the subcommand) that take the next word as their value. */
export const GIT_VALUE_OPTIONS: ReadonlySet<string> = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']);

/** Downloaders whose URL arguments name the hosts they reach. */
export const URL_FETCHERS: ReadonlySet<string> = new Set(['curl', 'wget']);
