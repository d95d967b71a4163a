/**
 * The gateway's public face: the Gateway itself and its options, its clients, the configuration
 * file's reading and writing, and what the CLI needs to change modes and rules the way the gateway
 * does. Everything else in this package is its own business.
 */
export { alephHome, auditFile, auditHeadFile, loadConfig, own, secretBytes, type StoredRule } from './config/config.js';
export { isExpired } from './decision/agent-rules.js';
export { ruleExampleFailure } from './decision/rule-examples.js';
export { changeWithoutGateway } from './config/change-without-gateway.js';
export type { PolicyChangeCall } from './config/live-config.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export { renderReport, type ReportFormat } from './report.js';
export { isLoopback } from './admission/refusals.js';
export { RpcClient } from './client/rpc-client.js';
export { newNonce, prove } from './transport/handshake.js';
export { writePrivateFile } from './config/private-file.js';
export { ExecutableCache } from './decision/binding.js';
export { GatewayError } from './errors.js';
export { GatewayClient } from './client/socket-client.js';
export { RemoteApprover, type Approver } from './client/remote-approver.js';
export { CONSOLE_API_PATH, type ConsoleOptions } from './console/console-server.js';
