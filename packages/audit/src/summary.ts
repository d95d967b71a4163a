import { formatDuration, type AuditEvent } from '@aleph/protocol';

/** One line a person reads in the timeline; derived from the event, never supplied by the caller. */
export function summarize(e: AuditEvent): string {
  switch (e.event) {
    case 'terminal_cmd': {
      const outcome = e.exit_code === undefined || e.exit_code === null ? '' : `, exit ${e.exit_code}`;
      return `${e.command} (${e.decision}${outcome})${e.reason ? `: ${e.reason}` : ''}`;
    }
    case 'command_finished': {
      const end = e.exit_code === undefined || e.exit_code === null ? `killed by ${e.signal ?? 'a signal'}` : `exit ${e.exit_code}`;
      return `${e.command} finished: ${end} after ${formatDuration(e.duration_ms)}`;
    }
    case 'approval_request':
      return `${e.agent} asks to run ${e.command}: ${e.risk_level} risk, waiting for a person`;
    case 'hook_decision':
      return `${e.agent}'s ${e.tool} ${e.target}: ${e.decision} by its hook: ${e.reason}`;
    case 'approval_decision':
      return `${e.decision} for ${e.command} by ${e.resolved_by}${e.channel ? ` via ${e.channel}` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    case 'security_mode_change':
      return `mode ${e.from ?? 'default'} -> ${e.to}${e.agent ? ` for ${e.agent}` : ''}`;
    case 'rule_change': {
      // The rule is the caller's object: only its own members count, each shown as text.
      const member = (key: string): string | undefined => {
        if (!Object.hasOwn(e.rule, key)) return undefined;
        const v = e.rule[key];
        return typeof v === 'string' ? v : JSON.stringify(v);
      };
      return `${e.change} ${member('action') ?? 'allow'} ${member('kind') ?? ''} rule "${member('pattern') ?? ''}" for ${e.agent}`;
    }
    case 'sandbox_exec':
      return `${e.command ?? e.tool_id} ran sandboxed on ${e.platform}: ${e.status}${e.violations?.length ? ` (${e.violations.length} violations)` : ''}`;
    case 'capability_approval': {
      const by = e.resolved_by ?? e.actor ?? 'the owner';
      if (e.decision === 'revoked') return `${e.tool_id} forgotten by ${by}: back to ${e.stage}`;
      return `${e.tool_id} ${e.stage_before === 'draft' ? 'contract approved' : 'run confirmed'} by ${by}: now ${e.stage}`;
    }
    case 'capability_escalation':
      return `${e.tool_id} asked beyond its contract${e.decision ? ` (${e.decision})` : ''}: ${e.reason}`;
    case 'pairing_request':
      return `${e.device_name} (${e.device_type}) asks to pair`;
    case 'pairing_approved':
      return `approved pairing of ${e.device_name ?? e.device_id ?? 'a device'}`;
    case 'pairing_rejected':
      return `rejected pairing of ${e.device_name ?? 'a device'}${e.reason ? `: ${e.reason}` : ''}`;
    case 'device_paired':
      return `paired device ${e.device_name ?? e.device_id} (${e.fingerprint})`;
    case 'device_rotated':
      return `rotated the token of ${e.device_name ?? e.device_id}`;
    case 'guest_accepted':
      return `guest ${e.name ?? e.guest_id} accepted the invitation`;
    case 'auth_failed':
      return `${e.source} authentication failed: ${e.reason}`;
    case 'device_revoked':
      return `revoked device ${e.device_name ?? e.device_id}`;
    case 'guest_invited':
      return `invited guest ${e.name} for ${e.tools?.join(', ') || 'no tools'}`;
    case 'guest_revoked':
      return `revoked guest ${e.name ?? e.guest_id}`;
    case 'policy_denied':
      return `${e.role} denied ${e.tool}: ${e.reason}`;
    case 'network_refused':
      return `${e.command ?? e.tool_id ?? 'a sandboxed run'}: connection to ${e.host}${e.port === undefined || e.port === null ? '' : `:${e.port}`} refused (${e.reason.replace(/_/g, ' ')})`;
    case 'filesystem_denied':
      return `${e.operation ?? 'access to'} ${e.path} refused: ${e.reason}`;
    case 'config_invalid':
      return `the configuration cannot be used, so changes are refused: ${e.reason}`;
    case 'config_recovered':
      return `the configuration ${e.file} parses again; changes are accepted`;
  }
}

/**
 * The words full-text search finds an event by: its summary, plus the command (or tool) when the
 * summary does not already hold it, plus the paths involved.
 */
export function searchText(summary: string, payload: Readonly<Record<string, unknown>>): string {
  const p = payload;
  // Own members only: a payload's prototype holds no words of the event.
  const text = (key: string): string => (Object.hasOwn(p, key) && typeof p[key] === 'string' ? (p[key] as string) : '');
  const command = text('command') || text('tool') || text('tool_id');
  return [summary, summary.includes(command) ? '' : command, text('cwd'), text('path')].filter((s) => s !== '').join(' ');
}
