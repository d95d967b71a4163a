/**
 * The narrowest confinement a command needs: no network, unless it is a download whose hosts the
 * command (or its repository's remote configuration, which the gateway gathers) names. Pure: what
 * it cannot know before the command runs it leaves out, and says so in a note.
 */
import { CONFINED, isGrantableDomain, type Confinement } from '@aleph/protocol';
import { GIT_REMOTE_SUBCOMMANDS, GIT_VALUE_OPTIONS, REGISTRY_NEEDS, URL_FETCHERS, type RegistryNeed } from './network-needs.js';
import { locationKey, type GitLocation, type RepositoryContext } from './repository.js';
import type { Segment, Word } from './segment.js';

export interface ConfinementSuggestion {
  readonly confinement: Confinement;
  /** What the person should know about it: a host left out, an ssh remote without the agent. */
  readonly notes: readonly string[];
}

/** The confinement suggested for a decomposed command, with its git locations and what was found there. */
export function suggestConfinement(
  segments: readonly Segment[],
  locations: readonly GitLocation[],
  repositories: RepositoryContext | undefined,
): ConfinementSuggestion {
  const need = new Need();
  for (const segment of segments) {
    const name = segment.name;
    if (name === null) continue;
    const args = segment.words.slice(1);
    if (URL_FETCHERS.has(name)) fetcherNeeds(name, args, need);
    else if (/^git(\.exe)?$/.test(name)) gitNeeds(segment, locations, repositories, need);
    else for (const entry of REGISTRY_NEEDS) if (entry.program === name) registryNeeds(entry, args, need);
  }
  return { confinement: need.confinement(), notes: need.notes };
}

/** The hosts and notes gathered over a command's segments. */
class Need {
  private readonly domains = new Set<string>();
  readonly notes: string[] = [];

  host(host: string, what: string): void {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (isGrantableDomain(name)) this.domains.add(name);
    else this.note(`${what}: ${host} is not a domain name a grant can list; it needs the whole network.`);
  }

  note(note: string): void {
    if (!this.notes.includes(note)) this.notes.push(note);
  }

  confinement(): Confinement {
    return this.domains.size === 0 ? CONFINED : { kind: 'sandbox', network: { kind: 'allow_domains', domains: [...this.domains] } };
  }
}

/** The words that are not options, with the values of `valueOptions` (given as `--opt v` or `--opt=v`) apart. */
function positionals(args: readonly Word[], valueOptions: ReadonlySet<string>): { words: (string | null)[]; values: Map<string, (string | null)[]> } {
  const words: (string | null)[] = [];
  const values = new Map<string, (string | null)[]>();
  const add = (option: string, value: string | null): void => void values.set(option, [...(values.get(option) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (value === null || !value.startsWith('-') || value === '-') {
      words.push(value);
      continue;
    }
    const eq = value.indexOf('=');
    if (eq > 0 && valueOptions.has(value.slice(0, eq))) add(value.slice(0, eq), value.slice(eq + 1));
    else if (valueOptions.has(value)) add(value, args[++i]?.value ?? null);
  }
  return { words, values };
}

/** `npm install`, `pip install -i URL`, `go mod download`: the registry's domains, and any registry the command names. */
function registryNeeds(entry: RegistryNeed, args: readonly Word[], need: Need): void {
  const { words, values } = positionals(args, new Set(entry.registryOptions));
  const matches = entry.subcommands.some((sub) => {
    if (sub === '') return words.length === 0;
    const parts = sub.split(' ');
    return parts.every((p, i) => words[i] === p);
  });
  if (!matches) return;
  for (const d of entry.domains) need.host(d, entry.program);
  for (const option of entry.registryOptions) {
    for (const url of values.get(option) ?? []) {
      const host = url === null ? null : urlHost(url);
      if (host === null)
        need.note(`${entry.program}: the registry ${url === null ? 'named at run time' : url} is not a URL with a host; it is not in the grant.`);
      else need.host(host, entry.program);
    }
  }
}

/** `curl URL`, `wget URL`: each URL's host. */
function fetcherNeeds(name: string, args: readonly Word[], need: Need): void {
  let found = false;
  for (const word of args) {
    if (word.value === null) {
      need.note(`${name}: an argument known only at run time may be a URL; its host is not in the grant.`);
      continue;
    }
    const host = urlHost(word.value);
    if (host !== null) {
      found = true;
      need.host(host, name);
    }
  }
  if (!found) need.note(`${name}: no URL with a scheme (https://...) among its arguments; no host is in the grant.`);
}

/** `git fetch/pull/push/clone`: the host of the URL it names, or of the remote it uses (from the repository's configuration). */
function gitNeeds(segment: Segment, locations: readonly GitLocation[], repositories: RepositoryContext | undefined, need: Need): void {
  const args = segment.words.slice(1);
  let at = 0;
  while (at < args.length) {
    const value = args[at]!.value;
    if (value === null || !value.startsWith('-')) break;
    at += GIT_VALUE_OPTIONS.has(value) ? 2 : 1;
  }
  const subcommand = args[at]?.value;
  if (subcommand === undefined || subcommand === null || !GIT_REMOTE_SUBCOMMANDS.has(subcommand)) return;
  const { words } = positionals(args.slice(at + 1), new Set());
  const remotes = remotesOf(segment, locations, repositories);
  // The repository is the first word that is not an option (refspecs, `main:main`, follow it); for
  // clone, the first that is a repository's location (an option's value, `--depth 1`, may come first).
  for (const word of subcommand === 'clone' ? words : words.slice(0, 1)) {
    if (word === null) {
      need.note(`git ${subcommand}: a word known only at run time may name the remote; its host is not in the grant.`);
      continue;
    }
    const url = gitRemoteHost(word);
    if (url !== undefined) {
      if (url !== null) gitHost(url, need);
      return;
    }
    const configured = remotes?.filter(([remote]) => remote === word) ?? [];
    for (const [, u] of configured) {
      const host = gitRemoteHost(u);
      if (host !== undefined && host !== null) gitHost(host, need);
    }
    if (configured.length > 0) return;
  }
  if (subcommand === 'clone' || words[0] === null) return;
  // No remote named (`git pull`, `git fetch --all`), or a word that names none: any of the repository's remotes.
  if (remotes === null) {
    need.note(`git ${subcommand}: the repository's remotes are not known before it runs; their hosts are not in the grant.`);
    return;
  }
  for (const [, u] of remotes) {
    const host = gitRemoteHost(u);
    if (host !== undefined && host !== null) gitHost(host, need);
  }
}

function gitHost(remote: { host: string; ssh: boolean }, need: Need): void {
  need.host(remote.host, 'git');
  if (remote.ssh)
    need.note(
      `git over ssh to ${remote.host}: the sandbox does not pass the ssh agent (SSH_AUTH_SOCK) in, so keys held only by the agent are not available; a key file under ~/.ssh is hidden too.`,
    );
}

/** The remotes (`remote.NAME.url`, `.pushurl`) of the repositories the segment's git uses; null when none was probed. */
function remotesOf(
  segment: Segment,
  locations: readonly GitLocation[],
  repositories: RepositoryContext | undefined,
): readonly (readonly [string, string])[] | null {
  if (repositories === undefined) return null;
  let remotes: (readonly [string, string])[] | null = null;
  for (const location of locations) {
    if (location.command !== segment.text || location.unknown !== null) continue;
    const report = repositories.get(locationKey(location));
    if (report?.kind === 'repository' && report.remotes !== undefined) (remotes ??= []).push(...report.remotes);
  }
  return remotes;
}

/**
 * A git remote's host: from a URL (`https://h/x`, `ssh://u@h:22/x`, `git://h/x`), or scp-like
 * syntax (`u@h:path`). Null for a local repository (a path, `file://`); undefined when the word is
 * no remote location at all (a remote's name, a branch).
 */
function gitRemoteHost(word: string): { host: string; ssh: boolean } | null | undefined {
  if (word.startsWith('file://')) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(word);
  if (scheme !== null) {
    const host = urlHost(word);
    return host === null ? null : { host, ssh: scheme[1]!.toLowerCase().includes('ssh') };
  }
  // git's scp-like syntax: a colon before any slash.
  const scp = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^:/]+):/.exec(word);
  if (scp !== null) return { host: scp[1]!.replace(/^\[|\]$/g, ''), ssh: true };
  return word.startsWith('/') || word.startsWith('.') || word.startsWith('~') ? null : undefined;
}

/** The host of a URL with a scheme and an authority (`https://host/...`); null for anything else. */
function urlHost(value: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null;
  try {
    const host = new URL(value).hostname;
    return host === '' ? null : host.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}
