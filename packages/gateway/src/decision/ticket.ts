/**
 * A request as it travels the data path: who asked (the peer, and where its answer goes), under
 * which id, for what; and, once judged, the ruling. Each step takes the ticket and adds to it
 * rather than passing its parts one by one.
 */
import type { Evaluation } from '@aleph/policy';
import type { Confinement, Decision, ExecRequest } from '@aleph/protocol';
import type { Peer, Reply } from '../transport/peer.js';

export interface Ticket {
  readonly peer: Peer;
  /** Where the answer goes (once its audit event is durable). */
  readonly reply: Reply;
  /** The requester's id for this request; its answer carries it. */
  readonly id: string;
  /** The command as judged (a tool run's, as its plan states it). */
  readonly request: ExecRequest;
  /** How long it may wait for a person; the configured ask timeout when absent. */
  readonly timeoutMs?: number;
  /** When the gateway received it (epoch ms). */
  readonly receivedAt: number;
  /** The requester runs an allowed command through `aleph run`: its allow carries a run ticket. */
  readonly runTicket?: boolean;
  /**
   * Only judged: answered at once with what would happen (approval_preview). It runs nothing, so
   * nobody is asked and nothing is recorded in the audit log.
   */
  readonly dryRun?: boolean;
}

/** Who asks, before what they ask for is known as a command (a tool run's plan is made after admission). */
export type Asker = Omit<Ticket, 'request'>;

/** What was decided about a ticket, by whom, and why. */
export interface Ruling {
  readonly evaluation: Evaluation;
  readonly decision: Decision;
  readonly reason: string;
  /** `policy`, `trust`, `fallback`, `gateway`, or the approver's identity. */
  readonly by: string;
  /** The approval it waited as, when a person was asked. */
  readonly approvalId?: string;
  /** An allowed shell command's: how it runs (a tool run's profile is its contract's). */
  readonly confinement?: Confinement;
}
