/**
 * The repository context of a command: for each place its git invocations will look for a
 * repository, what the probe found there. The policy judges it; this only gathers it.
 */
import { locationKey, type CommandPolicy, type GitLocation, type RepositoryContext, type RepositoryReport } from '@aleph/policy';
import { RepositoryProbe } from './probe.js';

export { RepositoryProbe, type ProbeOptions } from './probe.js';
export { parseConfig, type ConfigEntry, type ConfigParse } from './config-syntax.js';

const probes = new Map<string, RepositoryProbe>();

/** One probe (and cache) per home directory: include paths with `~/` depend on it. */
function probeFor(home: string | null): RepositoryProbe {
  const key = home ?? '';
  let probe = probes.get(key);
  if (probe === undefined) {
    probe = new RepositoryProbe({ home, uid: process.geteuid?.() ?? null });
    probes.set(key, probe);
  }
  return probe;
}

/**
 * The `repositories` option for `policy.evaluate(command, ...)`: what each git invocation of the
 * command will find, looked at from `cwd`. A command without git costs one pass over its parsed
 * segments (the policy keeps the parse for the evaluation that follows).
 */
export function repositoryContext(policy: CommandPolicy, command: string, cwd: string, home: string | null): { repositories: RepositoryContext } {
  const repositories = new Map<string, RepositoryReport>();
  const locations = policy.gitLocations(command, { cwd, home });
  if (locations.length > 0) {
    const probe = probeFor(home);
    for (const location of locations) {
      if (location.unknown === null) repositories.set(locationKey(location), safely(probe, location));
    }
  }
  return { repositories };
}

/** A probe that fails in a way nobody foresaw leaves its location not probed (the command is asked about), never the request unanswered. */
function safely(probe: RepositoryProbe, location: GitLocation): RepositoryReport {
  try {
    return probe.report(location);
  } catch (e) {
    return { kind: 'unprobed', reason: `the repository could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}
