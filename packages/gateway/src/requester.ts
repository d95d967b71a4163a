/**
 * What a requester needs (`aleph exec`, `aleph hook`): the client, its errors, the configuration
 * and the binding checks. Importing this entry, not the package's, keeps a short-lived client from
 * loading the server, the audit store and the shell grammar.
 */
export { newNonce, prove, PROTOCOL_VERSION } from './transport/handshake.js';
export {
  alephHome,
  auditFile,
  auditHeadFile,
  CONFIG_FILE,
  configFile,
  DEFAULT_SANDBOX,
  loadConfig,
  loadSecret,
  own,
  sandboxOf,
  secretBytes,
  SOCKET_FILE,
  type AgentSettings,
  type GatewayConfig,
  type SandboxSettings,
  type StoredRule,
} from './config/config.js';
export { writePrivateFile } from './config/private-file.js';
export { bindingDrift, currentBinding, ExecutableCache, resolveExecutable } from './decision/binding.js';
export { GatewayError } from './errors.js';
export { GatewayClient } from './client/socket-client.js';
