/**
 * Each agent's hook dialect, as its own documentation gives it (sources and the date they were
 * read: apps/cli/test-fixtures/hooks/README.md): which events Aleph answers, what each tool call
 * is to Aleph, and how a verdict is written back. An agent or event not described here is not
 * guessed at.
 */
import type { Access } from './judge-files.js';
import { parseMcpName, type McpName } from './judge-mcp.js';
import { object, text, type HookInput } from './input.js';
import type { Verdict } from './verdict.js';

/** A tool call as Aleph judges it. */
export type Call =
  | { readonly kind: 'shell'; readonly command: unknown; readonly dir?: unknown }
  | { readonly kind: 'file'; readonly path: unknown; readonly access: Access }
  | { readonly kind: 'fetch'; readonly url: unknown }
  | { readonly kind: 'search'; readonly query: unknown; readonly domains: unknown }
  | { readonly kind: 'mcp'; readonly name: McpName }
  | { readonly kind: 'other' };

export interface Dialect {
  /** The hook events this hook answers, the first being the one a broken input is answered in. */
  readonly events: readonly string[];
  /**
   * How long to wait for a person, within the agent's own limit for a hook (the timeout
   * `aleph install` writes), leaving a few seconds to answer.
   */
  readonly timeoutMs: number;
  /** The variable the agent sets to the project's directory for its hooks, if it sets one. */
  readonly projectVariable?: string;
  /** The events on which an allowed shell command can be rewritten to its confined run (confine.ts). */
  readonly confinesOn?: readonly string[];
  classify(tool: string, toolInput: HookInput): Call;
  /** What to print for a verdict on `event`; '' prints nothing (the agent's own rules decide). */
  render(event: string, verdict: Verdict | null, input: HookInput): string;
}

export const AGENT_NAMES = ['claude-code', 'codex', 'gemini'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

function mcpOr(tool: string): Call {
  const name = parseMcpName(tool);
  return name === null ? { kind: 'other' } : { kind: 'mcp', name };
}

/**
 * A PreToolUse answer. An allow with a confined run replaces the tool's input with `updatedInput`
 * (Claude Code hooks reference, https://code.claude.com/docs/en/hooks, "PreToolUse decision
 * control": `updatedInput` modifies the tool's input before it runs, with `permissionDecision`
 * "allow"), the whole input, so every other field is kept as the agent sent it.
 */
function preToolUse(verdict: Verdict, toolInput: HookInput = {}): string {
  const updated =
    verdict.decision === 'allow' && verdict.updatedCommand !== undefined ? { updatedInput: { ...toolInput, command: verdict.updatedCommand } } : {};
  return JSON.stringify({
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: verdict.decision, permissionDecisionReason: verdict.reason, ...updated },
  });
}

/**
 * An owner's "allow always" (for good, a while, or this session) becomes a rule of the agent's
 * session, as the agent itself would have offered it: the `permission_suggestions` it sent that
 * add allow rules, with their destination narrowed to `session`. Aleph's own rule decides the
 * next time; this only spares the person the agent's second dialog.
 */
function sessionRules(input: HookInput): unknown[] {
  const suggestions = input.permission_suggestions;
  if (!Array.isArray(suggestions)) return [];
  return suggestions
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && !Array.isArray(s))
    .filter((s) => s.type === 'addRules' && s.behavior === 'allow' && Array.isArray(s.rules))
    .map((s) => ({ type: 'addRules', rules: s.rules, behavior: 'allow', destination: 'session' }));
}

const claudeCode: Dialect = {
  events: ['PreToolUse', 'PermissionRequest'],
  // Claude Code gives a command hook 600 s by default (its hooks reference, "timeout").
  timeoutMs: 590_000,
  projectVariable: 'CLAUDE_PROJECT_DIR',
  confinesOn: ['PreToolUse'],
  classify(tool, input) {
    switch (tool) {
      case 'Bash':
        return { kind: 'shell', command: input.command };
      case 'Write':
      case 'Edit':
      case 'MultiEdit':
        return { kind: 'file', path: input.file_path, access: 'write' };
      case 'NotebookEdit':
        return { kind: 'file', path: input.notebook_path, access: 'write' };
      case 'Read':
        return { kind: 'file', path: input.file_path, access: 'read' };
      case 'WebFetch':
        return { kind: 'fetch', url: input.url };
      case 'WebSearch':
        return { kind: 'search', query: input.query, domains: input.allowed_domains };
      default:
        return mcpOr(tool);
    }
  },
  render(event, verdict, input) {
    if (verdict === null) return '';
    if (event === 'PreToolUse') return preToolUse(verdict, object(input, 'tool_input'));
    // PermissionRequest: allow or deny the dialog; "ask" leaves Claude Code's own dialog to show.
    if (verdict.decision === 'ask') return '';
    const rules = verdict.decision === 'allow' && verdict.always === true ? sessionRules(input) : [];
    const decision =
      verdict.decision === 'allow'
        ? { behavior: 'allow', ...(rules.length > 0 ? { updatedPermissions: rules } : {}) }
        : { behavior: 'deny', message: verdict.reason };
    return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } });
  },
};

const codex: Dialect = {
  events: ['PreToolUse', 'PermissionRequest'],
  // Codex gives a hook 600 s when its `timeout` is omitted.
  timeoutMs: 590_000,
  classify(tool, input) {
    return tool === 'Bash' ? { kind: 'shell', command: input.command } : mcpOr(tool);
  },
  render(event, verdict) {
    if (verdict === null) return '';
    // PreToolUse: Codex takes only a deny ("ask" and a bare "allow" fail the hook run, and the
    // call goes on), so an allowed call is left to Codex's own approval settings.
    if (event === 'PreToolUse') return verdict.decision === 'deny' ? preToolUse(verdict) : '';
    if (verdict.decision === 'ask') return '';
    const decision = verdict.decision === 'allow' ? { behavior: 'allow' } : { behavior: 'deny', message: verdict.reason };
    return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } });
  },
};

const gemini: Dialect = {
  events: ['BeforeTool'],
  // `aleph install gemini` gives the hook 600 s (Gemini CLI's default is 60 s, in milliseconds).
  timeoutMs: 590_000,
  projectVariable: 'GEMINI_PROJECT_DIR',
  classify(tool, input) {
    switch (tool) {
      case 'run_shell_command':
        return { kind: 'shell', command: input.command, dir: input.dir_path };
      case 'write_file':
      case 'replace':
        return { kind: 'file', path: input.file_path, access: 'write' };
      case 'read_file':
        return { kind: 'file', path: input.file_path, access: 'read' };
      default:
        return { kind: 'other' };
    }
  },
  render(_event, verdict) {
    // Gemini CLI documents a deny for BeforeTool; an allow is left to its own confirmation.
    if (verdict === null || verdict.decision !== 'deny') return verdict === null ? '' : '{}';
    return JSON.stringify({ decision: 'deny', reason: verdict.reason });
  },
};

export const DIALECTS: Readonly<Record<AgentName, Dialect>> = { 'claude-code': claudeCode, codex, gemini };

export function isAgentName(name: string | undefined): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name ?? '');
}

/** The event an input names, when this dialect answers it. */
export function eventOf(dialect: Dialect, input: HookInput): string | undefined {
  const event = text(input, 'hook_event_name');
  return event !== undefined && dialect.events.includes(event) ? event : undefined;
}

export { object, text };
