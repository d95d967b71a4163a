/** What the gateway, the CLI and the benchmark use of the sandbox: capabilities and presets, the runner and its launchers, the guards, tool trust, and the domain proxy. */
export { parseCapabilities, resolveCapabilities, type Capabilities, type FilesystemEntry, type NetworkGrant } from './capabilities.js';
export { applyOverrides, execCapabilities, isPresetName, PRESET_NAMES, PRESETS, withOverrides, type Overrides } from './presets.js';
export { bubblewrapArgs, LINUX_SYSTEM_PATHS } from './bubblewrap.js';
export { MACOS_SYSTEM_PATHS } from './seatbelt.js';
export { SANDBOX_PLATFORMS, sandboxLaunch, type SandboxPlatform, insideProfile } from './launch.js';
export { sandboxAvailability } from './availability.js';
export { exitCodeOf, notRun, sandboxOutcome, type SandboxAuditLog } from './run-record.js';
export { resolveAndRun, resolveProfile, runSandboxed } from './runner.js';
export { DEFAULT_HELPER } from './sandbox-run.js';
export { protectedReason } from './sensitive.js';
export { realPathOf } from './guard.js';
export { detectEscalations, type Escalation } from './escalation.js';
export { contractChange, contractHash, recordApproval, TRIAL_RUNS, trustFor, trustGate, type TrustGate, type TrustRecord } from './trust.js';
export { realCapabilities } from './grants.js';
export { pathsToHide } from './hidden.js';
export { unixSocketFilter } from './seccomp.js';
export { startDomainProxy, type RefusedConnection } from './domain-proxy.js';
export { agentCapabilities, agentHiddenPaths, prepareAgentCaches, unfitProject } from './agent-profile.js';
