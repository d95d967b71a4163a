/** What other packages and apps use of the protocol: wire types and their validation, frames, audit events, capabilities, tools and the console's API. */
export { fail, ok, type Failure, type Result } from './result.js';
export {
  parseAllowRule,
  parseRuleText,
  parseSecurityMode,
  RISK_LEVELS,
  RULE_ACTIONS,
  SECURITY_MODES,
  type Action,
  type AllowRule,
  type PolicyCheckResult,
  type Risk,
  type RiskLevel,
  type RiskReason,
  type RuleAction,
  type SecurityMode,
  type SegmentReport,
  type Verdict,
} from './policy.js';
export { AUDIT_EVENT_TYPES, parseAuditEvent, toJsonLine, type AuditEvent, type AuditEventType, type AuditRow } from './audit.js';
export { formatDuration, parseDuration, parseWhen } from './duration.js';
export { encodeFrame, FrameReader, MAX_LINE_BYTES } from './frames.js';
export {
  describeGrant,
  MAX_REPORTED_VIOLATIONS,
  parseClientMessage,
  SESSION_GRANT_MS,
  type ClientMessage,
  type Decision,
  type ExecBinding,
  type ExecRequest,
  type GatewayEvent,
  type GatewayMessage,
  type PendingApproval,
  type SandboxOutcome,
  type SandboxRunStatus,
} from './messages.js';
export { parseGatewayMessage } from './gateway-messages.js';
export { fromBase64url, toBase64url } from './base64url.js';
export { parseRpcCall, parseRpcIncoming, RPC_CODES, rpcError, type RpcError, type RpcId, type RpcIncoming, type RpcOutgoing } from './rpc.js';
export {
  connectMessage,
  DEVICE_METHODS,
  DM_POLICIES,
  MAX_LISTED_PROBLEMS,
  OWNER_METHODS,
  pairingMessage,
  parseDeviceCall,
  type ChainCheck,
  type ChainHead,
  type ChainProblem,
  type DeviceCall,
  type DeviceView,
  type DmPolicy,
  type GuestView,
  type OwnerCall,
  type PairingView,
  type PolicyCall,
  type PolicyView,
  type RuleDraft,
  type RulesFile,
  type RuleView,
  type SessionView,
  type TimelinePage,
  type TimelineQuery,
} from './calls.js';
export { canonicalJson } from './canonical-json.js';
export {
  describeCapabilities,
  ENVIRONMENT_GRANTS,
  LIMITS,
  parseCapabilities,
  type Capabilities,
  type EnvironmentGrant,
  type FilesystemEntry,
  type NetworkGrant,
  type ProcessLimits,
} from './capabilities.js';
export {
  ESCALATION_KINDS,
  MAX_TOOL_OUTPUT_BYTES,
  TOOL_NAME,
  TRUST_STAGES,
  type Escalation,
  type EscalationKind,
  type PendingTool,
  type ToolProgram,
  type ToolRunOutput,
  type ToolRunRequest,
  type TrustStage,
} from './tools.js';
export {
  formatPairingCode,
  OVERVIEW_RANGES,
  OVERVIEW_SPANS,
  OVERVIEW_TOP,
  sandboxStatus,
  type ConnectionState,
  type ConsoleApi,
  type GuestInvitation,
  type Overview,
  type OverviewAgent,
  type OverviewBucket,
  type OverviewCommand,
  type OverviewRange,
  type ResolveOptions,
  type SandboxStatus,
} from './console-api.js';
export { visibleText } from './visible.js';
