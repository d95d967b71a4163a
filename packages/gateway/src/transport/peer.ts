/**
 * Who is connected, as every step after the transport sees them: a Unix-socket client (always the
 * owner) or a network session, and where the answers to its messages go.
 */
import type { IdentityContext } from '@aleph/identity';
import type { Confinement, ExecRequest, GatewayEvent, GatewayMessage } from '@aleph/protocol';

/** An allowed request whose run may report its end; a run ticket's run says how it was confined. */
export type RunningRequest = ExecRequest & { readonly confinement?: Confinement };

/** Someone connected: a Unix-socket client (always the owner) or a network session. */
export interface Peer {
  /** Who it is; frozen. A network session starts anonymous and may connect once. */
  readonly identity: IdentityContext;
  /** Where it connects from: the network peer's address, or `unix-socket`. */
  readonly address: string;
  subscribed: boolean;
  readonly closed: boolean;
  /** Its requests waiting for a human (approval ids), and its tool runs under way (run ids). */
  readonly pending: Set<string>;
  /** Its allowed requests whose run may still report its end (exec_result), oldest first. */
  readonly running: Map<string, RunningRequest>;
  /** An event for a subscriber. */
  notify(event: GatewayEvent): void;
  /** Something it waited for is over: its idle clock may start again. */
  settled(): void;
}

/** Where the answer to one message goes. */
export type Reply = (message: GatewayMessage) => void;
