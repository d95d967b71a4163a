/**
 * `$ALEPH_HOME/exec-approvals.json`: the gateway's configuration, the socket secret, every
 * agent's mode and "Allow Always" rules, and each tool's trust (its approved capability contract). Created 0600 (in a 0700 directory) with a fresh random
 * secret when missing; rewritten atomically; never overwritten when it cannot be parsed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  DM_POLICIES,
  fail,
  ok,
  type Failure,
  parseAllowRule,
  parseRuleRationale,
  parseSecurityMode,
  RULE_ACTIONS,
  TOOL_NAME,
  TRUST_STAGES,
  type AllowRule,
  type RuleRationale,
  type DmPolicy,
  type Result,
  type RuleAction,
  type SecurityMode,
  type TrustStage,
} from '@aleph/protocol';
import type { TrustRecord } from '@aleph/sandbox';
import type { UserPatterns } from '@aleph/policy';
// Only the patterns' parser: a requester reading its configuration does not load the shell grammar.
import { NO_USER_PATTERNS, parseUserPatterns } from '@aleph/policy/patterns';
import { writePrivateFile } from './private-file.js';

/** `$ALEPH_HOME`, or `~/.aleph` (also when it is set but empty). */
export function alephHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ALEPH_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.aleph');
}

export const CONFIG_FILE = 'exec-approvals.json';
export const SOCKET_FILE = 'exec-approvals.sock';
export const SECRET_BYTES = 32;
/** The agent hooks' own settings (web domains, MCP rules), read by the CLI's hooks. */
export const HOOKS_FILE = 'hooks.json';

export type AskFallback = 'deny' | 'allow';

/**
 * One of an agent's rules as stored: what it matches, what it does, where it came from, when it
 * was last used, and the limits of a grant (an expiry time, a single session).
 */
export interface StoredRule extends AllowRule, RuleRationale {
  readonly id: string;
  readonly action: RuleAction;
  /** A deny rule's message to the agent. */
  readonly message?: string | null;
  /** Applies only to requests of this session. */
  readonly session?: string | null;
  readonly source: string;
  readonly created_at: string;
  readonly last_used_at?: string | null;
  readonly expires_at?: string | null;
}

export interface AgentSettings {
  readonly mode?: SecurityMode;
  readonly rules: readonly StoredRule[];
  /** This agent's departures from the sandbox defaults. */
  readonly sandbox?: Partial<Pick<SandboxSettings, 'enabled' | 'network'>>;
}

/** How approved `aleph exec` commands run. */
export interface SandboxSettings {
  /** In the sandbox: the working directory read-write, the home read-only, credentials hidden. */
  readonly enabled: boolean;
  readonly network: 'deny' | 'all';
  /** Where this machine cannot sandbox: refuse the run, or run it without (the owner's call). */
  readonly when_unavailable: 'refuse' | 'run_unsandboxed';
  /**
   * Tool caches the agent profile may write beyond its defaults (DEFAULT_TOOL_CACHES): relative
   * to the home directory, or absolute. Top level only.
   */
  readonly tool_caches: readonly string[];
}

export const DEFAULT_SANDBOX: SandboxSettings = { enabled: true, network: 'deny', when_unavailable: 'refuse', tool_caches: [] };

/** The network endpoint (WebSocket JSON-RPC on loopback). */
export interface NetworkSettings {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** `off` lets unauthenticated (anonymous) callers use tools: only for a machine nobody else reaches. */
  readonly authentication: 'required' | 'off';
}

/** Who may talk to the agent through one chat channel. */
export interface ChannelSettings {
  readonly dm_policy: DmPolicy;
  /** Sender ids let through under `allowlist` (and paired ones under `pairing`, which the gateway keeps itself). */
  readonly allow_from: readonly string[];
}

export const DEFAULT_PORT = 7457;

export interface GatewayConfig {
  readonly version: 1;
  /** Base64 of 32 random bytes; the socket's shared secret. */
  readonly secret: string;
  readonly ask: { readonly fallback: AskFallback; readonly timeout_ms: number };
  readonly defaults: { readonly mode: SecurityMode };
  readonly agents: Readonly<Record<string, AgentSettings>>;
  readonly policy: UserPatterns;
  readonly network: NetworkSettings;
  readonly channels: Readonly<Record<string, ChannelSettings>>;
  readonly sandbox: SandboxSettings;
  /** Each tool's trust stage under the contract the owner approved, by tool name. */
  readonly tools: Readonly<Record<string, TrustRecord>>;
}

/** A channel that is not configured pairs its senders: nobody talks to the agent unannounced. */
export const DEFAULT_CHANNEL: ChannelSettings = { dm_policy: 'pairing', allow_from: [] };

export const DEFAULT_ASK_TIMEOUT_MS = 120_000;

export function configFile(home: string): string {
  return join(home, CONFIG_FILE);
}

/** The audit database under `$ALEPH_HOME`. */
export function auditFile(home: string): string {
  return join(home, 'data', 'aleph.db');
}

/**
 * The audit chain's head, under `$ALEPH_HOME` but outside the audit log's directory, so that
 * whatever removes or replaces the log leaves it behind (see docs/audit.md).
 */
export function auditHeadFile(home: string): string {
  return join(home, 'audit-head.json');
}

/** Devices, guests and the token secret, under `$ALEPH_HOME`. */
export function identityFile(home: string): string {
  return join(home, 'data', 'identity.db');
}

export function defaultConfig(): GatewayConfig {
  return {
    version: 1,
    secret: randomBytes(SECRET_BYTES).toString('base64'),
    ask: { fallback: 'deny', timeout_ms: DEFAULT_ASK_TIMEOUT_MS },
    defaults: { mode: 'safe' },
    agents: {},
    policy: NO_USER_PATTERNS,
    network: { port: DEFAULT_PORT, authentication: 'required' },
    channels: {},
    sandbox: DEFAULT_SANDBOX,
    tools: {},
  };
}

/** The secret as bytes. */
export function secretBytes(config: GatewayConfig): Buffer {
  return Buffer.from(config.secret, 'base64');
}

/** Validates parsed JSON into a configuration; every problem names the field. */
export function parseConfig(value: unknown): Result<GatewayConfig> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', 'it must hold a JSON object');
  const v = value as Record<string, unknown>;
  if (v.version !== undefined && v.version !== 1) return fail('config_invalid', `"version" ${JSON.stringify(v.version)} is not one this Aleph knows (1)`);
  const secret = v.secret;
  if (secret === undefined)
    return fail(
      'config_invalid',
      '"secret" is missing (the gateway creates this file with one: run `aleph gateway --headless` once, then add your settings to it)',
    );
  if (typeof secret !== 'string' || Buffer.from(secret, 'base64').length !== SECRET_BYTES || !/^[A-Za-z0-9+/]+=*$/.test(secret)) {
    return fail('config_invalid', '"secret" must be base64 of 32 random bytes');
  }
  const askIn = (v.ask ?? {}) as Record<string, unknown>;
  if (typeof askIn !== 'object' || askIn === null) return fail('config_invalid', '"ask" must be an object');
  const fallback = askIn.fallback ?? 'deny';
  if (fallback !== 'deny' && fallback !== 'allow') return fail('config_invalid', '"ask.fallback" must be "deny" or "allow"');
  const timeout = askIn.timeout_ms ?? DEFAULT_ASK_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || (timeout as number) < 1 || (timeout as number) > 86_400_000)
    return fail('config_invalid', '"ask.timeout_ms" must be a whole number of milliseconds, at most a day');
  const defaultsIn = (v.defaults ?? {}) as Record<string, unknown>;
  const defaultMode = parseSecurityMode(defaultsIn.mode ?? 'safe');
  if (!defaultMode.ok) return fail('config_invalid', `"defaults.mode": ${defaultMode.error.message}`);
  const agentsIn = v.agents ?? {};
  if (typeof agentsIn !== 'object' || agentsIn === null || Array.isArray(agentsIn))
    return fail('config_invalid', '"agents" must be an object keyed by agent id');
  const agentEntries: [string, AgentSettings][] = [];
  for (const [agent, settingsIn] of Object.entries(agentsIn as Record<string, unknown>)) {
    const parsed = parseAgent(settingsIn);
    if (!parsed.ok) return fail('config_invalid', `"agents.${agent}": ${parsed.error.message}`);
    agentEntries.push([agent, parsed.value]);
  }
  // fromEntries makes every name an own entry, `__proto__` included (an assignment would not).
  const agents = Object.fromEntries(agentEntries);
  const patterns = parseUserPatterns(v.policy);
  if (!patterns.ok) return fail('config_invalid', patterns.error.message);
  const network = parseNetwork(v.network ?? {});
  if (!network.ok) return network;
  const channels = parseChannels(v.channels ?? {});
  if (!channels.ok) return channels;
  const sandbox = parseSandbox(v.sandbox ?? {}, 'sandbox', true);
  if (!sandbox.ok) return sandbox;
  const tools = parseTools(v.tools ?? {});
  if (!tools.ok) return tools;
  return ok({
    version: 1,
    secret,
    ask: { fallback, timeout_ms: timeout as number },
    defaults: { mode: defaultMode.value },
    agents,
    policy: patterns.value,
    network: network.value,
    channels: channels.value,
    sandbox: { ...DEFAULT_SANDBOX, ...sandbox.value },
    tools: tools.value,
  });
}

function parseNetwork(value: unknown): Result<NetworkSettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', '"network" must be an object');
  const v = value as Record<string, unknown>;
  const port = v.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535)
    return fail('config_invalid', '"network.port" must be a TCP port (0 to 65535)');
  const authentication = v.authentication ?? 'required';
  if (authentication !== 'required' && authentication !== 'off') return fail('config_invalid', '"network.authentication" must be "required" or "off"');
  return ok({ port: port as number, authentication });
}

function parseChannels(value: unknown): Result<Record<string, ChannelSettings>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', '"channels" must be an object keyed by channel name');
  const channels: [string, ChannelSettings][] = [];
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail('config_invalid', `"channels.${name}" must be an object`);
    const e = entry as Record<string, unknown>;
    const policy = e.dm_policy ?? DEFAULT_CHANNEL.dm_policy;
    if (!(DM_POLICIES as readonly unknown[]).includes(policy))
      return fail('config_invalid', `"channels.${name}.dm_policy" must be one of ${DM_POLICIES.join(', ')}`);
    const allow = e.allow_from ?? [];
    if (!Array.isArray(allow) || !allow.every((s) => typeof s === 'string' && s !== ''))
      return fail('config_invalid', `"channels.${name}.allow_from" must list sender ids`);
    channels.push([name, { dm_policy: policy as DmPolicy, allow_from: allow as string[] }]);
  }
  return ok(Object.fromEntries(channels));
}

function parseSandbox(value: unknown, at: string, topLevel: boolean): Result<Partial<SandboxSettings>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', `"${at}" must be an object`);
  const v = value as Record<string, unknown>;
  const out: { -readonly [K in keyof SandboxSettings]?: SandboxSettings[K] } = {};
  if (v.enabled !== undefined) {
    if (typeof v.enabled !== 'boolean') return fail('config_invalid', `"${at}.enabled" must be true or false`);
    out.enabled = v.enabled;
  }
  if (v.network !== undefined) {
    if (v.network !== 'deny' && v.network !== 'all') return fail('config_invalid', `"${at}.network" must be "deny" or "all"`);
    out.network = v.network;
  }
  if (v.when_unavailable !== undefined) {
    if (!topLevel || (v.when_unavailable !== 'refuse' && v.when_unavailable !== 'run_unsandboxed'))
      return fail('config_invalid', `"${at}.when_unavailable" must be "refuse" or "run_unsandboxed", and only in the top-level "sandbox"`);
    out.when_unavailable = v.when_unavailable;
  }
  if (v.tool_caches !== undefined) {
    const caches = v.tool_caches;
    if (!topLevel || !Array.isArray(caches) || caches.length > 64 || !caches.every((c) => typeof c === 'string' && c !== '' && !c.split('/').includes('..')))
      return fail(
        'config_invalid',
        `"${at}.tool_caches" must be a list of at most 64 paths (relative to the home, or absolute, without ".."), and only in the top-level "sandbox"`,
      );
    out.tool_caches = caches as string[];
  }
  return ok(out);
}

const HASH = /^[0-9a-f]{64}$/;

function parseTools(value: unknown): Result<Record<string, TrustRecord>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', '"tools" must be an object keyed by tool name');
  const tools: [string, TrustRecord][] = [];
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>;
    const at = `"tools.${name}"`;
    if (!TOOL_NAME.test(name)) return fail('config_invalid', `${at}: a tool name is lower-case letters, digits, ".", "_" and "-"`);
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return fail('config_invalid', `${at} must be an object`);
    if (typeof e.contract_hash !== 'string' || !HASH.test(e.contract_hash)) return fail('config_invalid', `${at}.contract_hash must be a SHA-256 in hex`);
    if (!(TRUST_STAGES as readonly unknown[]).includes(e.stage)) return fail('config_invalid', `${at}.stage must be one of ${TRUST_STAGES.join(', ')}`);
    if (!Number.isInteger(e.confirmed_runs) || (e.confirmed_runs as number) < 0) return fail('config_invalid', `${at}.confirmed_runs must be a whole number`);
    const approved = e.approved_at ?? null;
    if (approved !== null && (typeof approved !== 'number' || !Number.isFinite(approved)))
      return fail('config_invalid', `${at}.approved_at must be epoch milliseconds or null`);
    const changed = e.changed_from ?? null;
    if (changed !== null && (typeof changed !== 'string' || !HASH.test(changed)))
      return fail('config_invalid', `${at}.changed_from must be a SHA-256 in hex or null`);
    // Absent from a record approved before contracts named their program: it matches no contract now.
    const program = (e.program ?? null) as { path?: unknown; hash?: unknown } | null;
    if (program !== null && (typeof program !== 'object' || typeof program.path !== 'string' || typeof program.hash !== 'string'))
      return fail('config_invalid', `${at}.program must be {"path", "hash"} or null`);
    tools.push([
      name,
      {
        tool: name,
        contract_hash: e.contract_hash,
        program: program === null ? null : { path: program.path as string, hash: program.hash as string },
        stage: e.stage as TrustStage,
        confirmed_runs: e.confirmed_runs as number,
        approved_at: approved as number | null,
        changed_from: changed as string | null,
      },
    ]);
  }
  return ok(Object.fromEntries(tools));
}

/** The configuration with one tool's trust replaced. */
export function withTrust(config: GatewayConfig, record: TrustRecord): GatewayConfig {
  return { ...config, tools: { ...config.tools, [record.tool]: record } };
}

/** The configuration with the default mode (no agent) or one agent's mode set. */
export function withMode(config: GatewayConfig, agent: string | undefined, mode: SecurityMode): GatewayConfig {
  return agent === undefined
    ? { ...config, defaults: { mode } }
    : { ...config, agents: { ...config.agents, [agent]: { rules: [], ...own(config.agents, agent), mode } } };
}

/** The sandbox settings for one agent's commands. */
export function sandboxOf(config: GatewayConfig, agent: string): SandboxSettings {
  return { ...config.sandbox, ...own(config.agents, agent)?.sandbox };
}

function parseAgent(value: unknown): Result<AgentSettings> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('config_invalid', 'must be an object');
  const v = value as Record<string, unknown>;
  let mode: SecurityMode | undefined;
  if (v.mode !== undefined) {
    const m = parseSecurityMode(v.mode);
    if (!m.ok) return m;
    mode = m.value;
  }
  const listIn = v.rules ?? [];
  if (!Array.isArray(listIn)) return fail('config_invalid', '"rules" must be a list');
  const rules: StoredRule[] = [];
  for (const [i, entry] of listIn.entries()) {
    const parsed = parseStoredRule(entry);
    if (!parsed.ok) return fail('config_invalid', `rules[${i}]: ${parsed.error.message}`);
    rules.push(parsed.value);
  }
  const sandbox = v.sandbox === undefined ? undefined : parseSandbox(v.sandbox, 'sandbox', false);
  if (sandbox !== undefined && !sandbox.ok) return sandbox;
  const { when_unavailable: _global, tool_caches: _caches, ...own } = sandbox?.value ?? {};
  return ok({ rules, ...(mode === undefined ? {} : { mode }), ...(sandbox === undefined ? {} : { sandbox: own }) });
}

function parseStoredRule(entry: unknown): Result<StoredRule> {
  const rule = parseAllowRule(entry);
  if (!rule.ok) return rule;
  const e = entry as Record<string, unknown>;
  const rationale = parseRuleRationale(e);
  if (!rationale.ok) return rationale;
  const text = (key: string): string | null => (typeof e[key] === 'string' ? (e[key] as string) : null);
  const action = e.action ?? 'allow';
  if (!(RULE_ACTIONS as readonly unknown[]).includes(action)) return fail('config_invalid', `"action" must be one of ${RULE_ACTIONS.join(', ')}`);
  const expires = text('expires_at');
  if (expires !== null && Number.isNaN(Date.parse(expires))) return fail('config_invalid', `"expires_at" ${JSON.stringify(expires)} is not an ISO 8601 time`);
  return ok({
    ...rule.value,
    ...rationale.value,
    id: text('id') ?? randomBytes(6).toString('hex'),
    action: action as RuleAction,
    message: text('message'),
    session: text('session'),
    source: text('source') ?? 'manual',
    created_at: text('created_at') ?? new Date(0).toISOString(),
    last_used_at: text('last_used_at'),
    expires_at: expires,
  });
}

/**
 * Makes `$ALEPH_HOME` private before anything in it is trusted: the home and its data directory
 * 0700, the files holding secrets or what the gateway trusts (the config, the audit chain's head,
 * the hooks' settings, the databases) 0600, all owned by this user. A looser mode (a home made by hand,
 * or by another program that uses ~/.aleph) is tightened, and each change is returned for the
 * caller to tell; anything owned by another user is an error, and nothing is changed.
 */
export function secureHome(home: string): Result<string[]> {
  const uid = process.getuid?.();
  const databases = [identityFile(home), auditFile(home)].flatMap((f) => [f, `${f}-wal`, `${f}-shm`]);
  const files = [configFile(home), auditHeadFile(home), join(home, HOOKS_FILE), ...databases];
  const paths: [string, number][] = [[home, 0o700], [join(home, 'data'), 0o700], ...files.map((f): [string, number] => [f, 0o600])];
  const found: [string, number, number][] = [];
  for (const [path, mode] of paths) {
    let owner: number;
    let current: number;
    try {
      ({ uid: owner, mode: current } = statSync(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return fail('home_unreadable', `Cannot check ${path}: ${(error as Error).message}`);
    }
    if (uid !== undefined && owner !== uid)
      return fail(
        'home_not_private',
        `${path} belongs to another user (uid ${owner}); Aleph keeps its secrets only where no one else owns them. Choose another ALEPH_HOME, or fix its owner.`,
      );
    found.push([path, current & 0o777, mode]);
  }
  const tightened: string[] = [];
  for (const [path, current, mode] of found) {
    if ((current & ~mode) === 0) continue;
    try {
      chmodSync(path, mode);
    } catch (error) {
      return fail('home_not_private', `${path} is ${current.toString(8)} and could not be made ${mode.toString(8)}: ${(error as Error).message}`);
    }
    tightened.push(`${path} was readable by others (${current.toString(8).padStart(4, '0')}); it is now ${mode.toString(8).padStart(4, '0')}.`);
  }
  return ok(tightened);
}

/**
 * The configuration file's text, or why it cannot be had: missing (`config_missing`), not a
 * regular file, or unreadable. It is opened without blocking and checked to be a regular file
 * before it is read: a FIFO (or a device) put in its place must not hang whoever reads it.
 */
export function readConfigText(file: string): Result<string> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('config_missing', `${file} does not exist.`);
    return fail('config_unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    if (!fstatSync(fd).isFile())
      return fail(
        'config_unreadable',
        `Cannot read ${file}: it is not a regular file (a FIFO, a device or a directory); it was left untouched. Put the configuration file back in its place.`,
      );
    return ok(readFileSync(fd, 'utf8'));
  } catch (error) {
    return fail('config_unreadable', `Cannot read ${file}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Parses the text of `file` into a configuration; an error names the file. */
export function parseConfigText(file: string, text: string): Result<GatewayConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail('config_invalid', `${file} is not valid JSON (${(error as Error).message}); it was left untouched.`);
  }
  const parsed = parseConfig(json);
  return parsed.ok ? parsed : fail(parsed.error.code, inFile(file, parsed.error).message);
}

/** A problem with the configuration's content, told with the file it is in. */
export function inFile(file: string, problem: Failure): Failure {
  return { code: problem.code, message: `${file}: ${problem.message.replace(/\.$/, '')}; it was left untouched.` };
}

/**
 * Reads the configuration. Missing: `create` makes it (0600, fresh secret), otherwise defaults are
 * returned without touching the disk. Unreadable, not a regular file, or invalid: an error that
 * names the file.
 */
export function loadConfig(home: string, create: boolean): Result<GatewayConfig> {
  const file = configFile(home);
  const text = readConfigText(file);
  if (!text.ok) {
    if (text.error.code !== 'config_missing') return text;
    const fresh = defaultConfig();
    if (create) {
      const saved = saveConfig(home, fresh);
      if (!saved.ok) return saved;
    }
    return ok(fresh);
  }
  return parseConfigText(file, text.value);
}

const SECRET_FIELD = /"secret"\s*:\s*"([A-Za-z0-9+/]{43}=)"/g;

/**
 * The socket secret, for a local client (`aleph exec`, the hooks, the CLI's owner calls). It
 * lives in the configuration file, which a person may be editing: a file that is valid JSON but
 * wrong elsewhere still gives its `secret`, and so does one that no longer parses as long as it
 * holds exactly one well-formed `"secret": "..."`, so that the running gateway's clients go on
 * working while the file is broken. Otherwise the failure names the file.
 */
export function loadSecret(home: string): Result<Buffer> {
  const file = configFile(home);
  const text = readConfigText(file);
  if (!text.ok)
    return text.error.code === 'config_missing'
      ? fail('gateway_unreachable', `No gateway is listening: ${file} does not exist, so none has run in ${home}. Start one with: aleph gateway --headless`)
      : text;
  const valid = (secret: unknown): secret is string =>
    typeof secret === 'string' && /^[A-Za-z0-9+/]+=*$/.test(secret) && Buffer.from(secret, 'base64').length === SECRET_BYTES;
  try {
    const secret = (JSON.parse(text.value) as { secret?: unknown } | null)?.secret;
    if (valid(secret)) return ok(Buffer.from(secret, 'base64'));
    return fail(
      'config_invalid',
      `${file} holds no valid "secret" (base64 of 32 bytes): local clients cannot reach the gateway. Put it back as it was (a running gateway keeps using the one it started with).`,
    );
  } catch {
    const found = [...text.value.matchAll(SECRET_FIELD)].map((m) => m[1]);
    if (found.length === 1 && valid(found[0])) return ok(Buffer.from(found[0], 'base64'));
  }
  return fail(
    'config_invalid',
    `The socket secret cannot be read from ${file}: the file does not parse and holds no single well-formed "secret". Put the "secret" line back (a running gateway keeps using the one it started with), or restore the file.`,
  );
}

/**
 * A change refused because the configuration file cannot be used (`problem`, from loadConfig):
 * saving the change would replace the file, and with it what the person was in the middle of
 * writing. The gateway and the CLI refuse alike.
 */
export function changeRefused(problem: Failure): Failure {
  return {
    code: problem.code,
    message: `Nothing was changed: ${problem.message} Every change is refused until the file parses again, so that nothing writes over it.`,
  };
}

/** The text saveConfig writes for `config`. */
export function configText(config: GatewayConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the configuration atomically, 0600 (see writePrivateFile). */
export function saveConfig(home: string, config: GatewayConfig): Result<void> {
  const file = configFile(home);
  try {
    writePrivateFile(file, configText(config));
    return ok(undefined);
  } catch (error) {
    return fail('config_unwritable', `Cannot write ${file}: ${(error as Error).message}`);
  }
}

/**
 * A map's own entry, never one inherited from Object.prototype: agents, channels and tools are
 * named by their callers, and an agent may well be called `constructor` or `__proto__`.
 */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** The mode an agent runs in. */
export function modeOf(config: GatewayConfig, agent: string): SecurityMode {
  return own(config.agents, agent)?.mode ?? config.defaults.mode;
}
