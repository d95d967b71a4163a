/**
 * The gateway's public face: the Gateway itself and its options, its clients, the configuration
 * file's reading and writing, and what the CLI needs to change modes and rules the way the gateway
 * does. Everything else in this package is its own business.
 */
export * from './requester.js';
export {
  changeRefused,
  DEFAULT_PORT,
  defaultConfig,
  HOOKS_FILE,
  identityFile,
  modeOf,
  parseConfig,
  saveConfig,
  secureHome,
  withMode,
  withTrust,
  type AskFallback,
  type ChannelSettings,
  type NetworkSettings,
} from './config/config.js';
export { isExpired, liveRules, type NewRule } from './decision/agent-rules.js';
export { applyPolicyCall, policyView, type PolicyChange } from './decision/policy-changes.js';
export { ruleExampleFailure } from './decision/rule-examples.js';
export { changeWithoutGateway } from './config/change-without-gateway.js';
export type { LiveConfig, PolicyChangeCall } from './config/live-config.js';
export type { Queued } from './outbox/outbox.js';
export { DEFAULT_LIMITS, Gateway, type GatewayOptions, type Limits, type Outcome } from './gateway.js';
export { renderReport, type ReportFormat } from './report.js';
export { isLoopback } from './admission/refusals.js';
export { CLOSE_CODES, type NetworkOptions } from './transport/websocket.js';
export { RpcClient } from './client/rpc-client.js';
export { CONSOLE_API_PATH, type ConsoleOptions } from './console/console-server.js';
