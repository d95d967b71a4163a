/**
 * Capability presets: sensible grants for common kinds of tool. Each preset fixes some fields for
 * good (a code analyzer never gets the network, nor write access to the project); a run may add to
 * or tighten the others, never those.
 */
import { fail, ok, type Result } from '@aleph/protocol';
import type { Capabilities, FilesystemEntry, ProcessLimits } from './capabilities.js';

export const PRESET_NAMES = ['file_processor', 'web_scraper', 'code_analyzer', 'data_transformer'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type CapabilityField = keyof Capabilities;

export interface Preset {
  readonly name: PresetName;
  readonly description: string;
  readonly capabilities: Capabilities;
  /** Fields a run may not change. */
  readonly immutable: readonly CapabilityField[];
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  file_processor: {
    name: 'file_processor',
    description: 'Reads and writes files in the workspace; no network.',
    capabilities: {
      filesystem: [{ kind: 'read_write', path: '${WORKSPACE}' }, { kind: 'temp_workspace' }],
      network: { kind: 'deny' },
      process: { max_execution_time_s: 300, max_memory_mb: 512, no_fork: false },
      environment: 'restricted',
    },
    immutable: ['network'],
  },
  web_scraper: {
    name: 'web_scraper',
    description: 'Fetches from the domains it declares; writes only its private temporary space.',
    capabilities: {
      filesystem: [{ kind: 'temp_workspace' }],
      network: { kind: 'deny' },
      process: { max_execution_time_s: 120, max_memory_mb: 512, no_fork: false },
      environment: 'restricted',
    },
    immutable: ['filesystem'],
  },
  code_analyzer: {
    name: 'code_analyzer',
    description: 'Reads the project, writes nothing of it; no network.',
    capabilities: {
      filesystem: [{ kind: 'read_only', path: '${PROJECT_ROOT}' }, { kind: 'temp_workspace' }],
      network: { kind: 'deny' },
      process: { max_execution_time_s: 600, max_memory_mb: 2048, no_fork: false },
      environment: 'restricted',
    },
    immutable: ['filesystem', 'network'],
  },
  data_transformer: {
    name: 'data_transformer',
    description: 'Reads the workspace and writes its private temporary space; no network, no child processes, no environment.',
    capabilities: {
      filesystem: [{ kind: 'read_only', path: '${WORKSPACE}' }, { kind: 'temp_workspace' }],
      network: { kind: 'deny' },
      process: { max_execution_time_s: 300, max_memory_mb: 2048, no_fork: true },
      environment: 'none',
    },
    immutable: ['filesystem', 'network', 'environment'],
  },
};

/** What a run asks on top of a preset (or of nothing). */
export interface Overrides {
  /** Entries added to the preset's. */
  readonly filesystem?: readonly FilesystemEntry[];
  readonly network?: Capabilities['network'];
  readonly process?: Partial<ProcessLimits>;
  readonly environment?: Capabilities['environment'];
}

/** Fails closed when nothing is declared: no files but a temporary space, no network, a short leash. */
export const BASE_CAPABILITIES: Capabilities = {
  filesystem: [{ kind: 'temp_workspace' }],
  network: { kind: 'deny' },
  process: { max_execution_time_s: 300, max_memory_mb: 1024, no_fork: false },
  environment: 'restricted',
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/**
 * A preset (or the base) with a run's overrides. Touching an immutable field is an error that
 * names the preset and the field; nothing is silently dropped.
 */
export function withOverrides(preset: Preset | null, overrides: Overrides): Result<Capabilities> {
  const fixed = new Set(preset?.immutable ?? []);
  for (const field of ['filesystem', 'network', 'process', 'environment'] as const) {
    const given = overrides[field];
    if (given === undefined || !fixed.has(field)) continue;
    if (field === 'filesystem' && (given as readonly FilesystemEntry[]).length === 0) continue;
    return fail('immutable_field', `The ${preset!.name} preset fixes its ${field}; it cannot be changed for a run.`);
  }
  return ok(applyOverrides(preset?.capabilities ?? BASE_CAPABILITIES, overrides));
}

/** Capabilities with a run's overrides: entries added, the rest replaced where given. */
export function applyOverrides(base: Capabilities, overrides: Overrides): Capabilities {
  return {
    filesystem: [...base.filesystem, ...(overrides.filesystem ?? [])],
    network: overrides.network ?? base.network,
    process: { ...base.process, ...overrides.process },
    environment: overrides.environment ?? base.environment,
  };
}

/**
 * What an approved `aleph exec` command gets by default: its working directory read-write, the
 * home read-only (credentials hidden by the runner), a private /tmp, no network, a restricted
 * environment, and an hour.
 */
export function execCapabilities(home: string): Capabilities {
  return {
    filesystem: [{ kind: 'read_only', path: home }, { kind: 'read_write', path: '${WORKSPACE}' }, { kind: 'temp_workspace' }],
    network: { kind: 'deny' },
    process: { max_execution_time_s: 3600, max_memory_mb: 4096, no_fork: false },
    environment: 'restricted',
  };
}
