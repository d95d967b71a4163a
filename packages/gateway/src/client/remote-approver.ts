/**
 * An approver on another machine: the owner's paired device, connected to the gateway's network
 * endpoint with its token and the key it was paired with. It takes and gives the socket client's
 * messages (get_pending, subscribe, resolve; pending, resolved, the pushes), carried as the
 * endpoint's calls and notifications, so that an approver's code is the same whichever way it is
 * connected. Every answer and push is checked as the socket client checks frames.
 */
import { parseGatewayMessage, type ClientMessage, type GatewayMessage } from '@aleph/protocol';
import { GatewayError } from '../errors.js';
import type { GatewayClient } from './socket-client.js';
import { MessageQueue } from './message-queue.js';
import { RpcClient } from './rpc-client.js';

/** What an approver sends: the list of what waits, a subscription, an answer. */
export type ApproverMessage = Extract<ClientMessage, { type: 'get_pending' | 'subscribe' | 'resolve' }>;

/** What an approver uses of a connection to the gateway, over the socket or the network. */
export type Approver = Pick<GatewayClient, 'next' | 'drain' | 'waitFor' | 'failure' | 'close'> & { send(message: ApproverMessage): void };

/** The endpoint's call for each message an approver sends, and the message its result is. */
const CALLS: Readonly<Record<ApproverMessage['type'], { readonly method: string; readonly answer: GatewayMessage['type'] }>> = {
  get_pending: { method: 'approvals.list', answer: 'pending' },
  subscribe: { method: 'approvals.subscribe', answer: 'pending' },
  resolve: { method: 'approvals.resolve', answer: 'resolved' },
};

export class RemoteApprover implements Approver {
  private readonly messages = new MessageQueue();
  private broken: GatewayError | null = null;

  private constructor(private readonly rpc: RpcClient) {
    rpc.listen((n) => {
      if (n.method === 'session_ended') {
        const reason = typeof n.params.reason === 'string' ? n.params.reason : 'no reason given';
        this.broken = new GatewayError('session_ended', `The gateway ended this device's session: ${reason}`);
        return;
      }
      this.take(n.method, n.params);
    });
    void rpc.closed().then(() => this.messages.end());
  }

  /** Opens a session at `url` and connects it as the paired device; a refusal says why (`revoked`, `expired`, ...). */
  static async connect(url: string, token: string, secretKey: Uint8Array): Promise<RemoteApprover> {
    const rpc = await RpcClient.open(url);
    const connected = await rpc.connect(token, secretKey);
    if (!connected.ok) {
      rpc.close();
      throw new GatewayError(connected.error.code, `The gateway at ${url} did not accept this device: ${connected.error.message}`);
    }
    return new RemoteApprover(rpc);
  }

  send(message: ApproverMessage): void {
    const { type, ...params } = message;
    const call = CALLS[type];
    const id = 'id' in message ? message.id : undefined;
    void this.rpc.call(call.method, params).then((r) => {
      if (r.ok) this.take(call.answer, r.value);
      else this.messages.deliver({ type: 'error', code: r.error.code, message: r.error.message, ...(id === undefined ? {} : { id }) });
    });
  }

  next(timeoutMs?: number): Promise<GatewayMessage | null> {
    return this.messages.next(timeoutMs);
  }

  drain(): GatewayMessage[] {
    return this.messages.drain();
  }

  waitFor<T extends GatewayMessage>(match: (m: GatewayMessage) => m is T, timeoutMs?: number): Promise<T | null> {
    return this.messages.waitFor(match, timeoutMs);
  }

  get failure(): GatewayError | null {
    return this.broken;
  }

  close(): void {
    this.rpc.close();
  }

  /** A message from the gateway (its type, and its fields), checked: one it cannot read ends the connection, as on the socket. */
  private take(type: string, fields: Readonly<Record<string, unknown>>): void {
    const { type: _named, ...rest } = fields;
    const message = parseGatewayMessage({ type, ...rest });
    if (message.ok) {
      this.messages.deliver(message.value);
      return;
    }
    this.broken = new GatewayError('protocol', message.error.message);
    this.rpc.close();
  }
}
