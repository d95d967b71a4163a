/**
 * A client of the gateway's socket: connects, answers the challenge, checks that the gateway
 * proves it knows the secret too (a process squatting on the socket path cannot), then exchanges
 * messages.
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, fail, FrameReader, ok, parseGatewayMessage, type ClientMessage, type GatewayMessage, type Result } from '@aleph/protocol';
import { newNonce, nonceBytes, prove, verifyProof } from '../transport/handshake.js';
import { GatewayError } from '../errors.js';
import { MessageQueue } from './message-queue.js';

export class GatewayClient {
  private readonly reader = new FrameReader();
  private readonly messages = new MessageQueue();
  private calls = 0;
  private broken: GatewayError | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        const message =
          frame.kind === 'message' ? parseGatewayMessage(frame.value) : fail('protocol', `The gateway sent a line that is not a message: ${frame.message}`);
        if (!message.ok) {
          // Nothing after a frame we cannot read is trusted: the connection ends, and whoever waits hears it.
          this.broken = new GatewayError('protocol', message.error.message);
          socket.destroy();
          return;
        }
        this.messages.deliver(message.value);
      }
    });
    socket.on('close', () => this.messages.end());
    socket.on('error', () => this.messages.end());
  }

  /**
   * Connects and authenticates. Nobody listening is `gateway_unreachable`; a gateway that cannot
   * prove it knows the secret is `gateway_unverified`.
   */
  static async connect(socketPath: string, secret: Uint8Array, timeoutMs = 5_000): Promise<GatewayClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(socketPath);
      s.once('connect', () => resolve(s));
      s.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new GatewayError(
            'gateway_unreachable',
            `No gateway is listening on ${socketPath} (${error.code ?? error.message}). Start one with: aleph gateway --headless`,
          ),
        );
      });
    });
    const client = new GatewayClient(socket);
    try {
      const challenge = await client.next(timeoutMs);
      client.checkSpeaks(socketPath);
      if (challenge?.type !== 'challenge') throw new GatewayError('protocol', 'The gateway did not send a challenge.');
      if (nonceBytes(challenge.nonce) === null) {
        throw new GatewayError('gateway_unverified', `The process on ${socketPath} sent a malformed challenge; refusing to talk to it.`);
      }
      const nonce = newNonce();
      client.send({ type: 'challenge_response', hmac: prove(secret, challenge.nonce, 'client'), nonce });
      const reply = await client.next(timeoutMs);
      client.checkSpeaks(socketPath);
      if (reply?.type === 'error') throw new GatewayError(reply.code, `The gateway refused the connection: ${reply.message}`);
      if (reply?.type !== 'auth_ok' || !verifyProof(secret, nonce, 'server', reply.hmac)) {
        throw new GatewayError('gateway_unverified', `The process on ${socketPath} could not prove it is the gateway; refusing to talk to it.`);
      }
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** During the handshake, a frame that is not the protocol's means whoever listens is not the gateway. */
  private checkSpeaks(socketPath: string): void {
    if (this.broken !== null)
      throw new GatewayError(
        'gateway_unverified',
        `The process on ${socketPath} does not speak the protocol (${this.broken.message}); refusing to talk to it.`,
      );
  }

  send(message: ClientMessage): void {
    this.socket.write(encodeFrame(message));
  }

  /** One of the owner's identity calls (pairing codes, devices, guests); other messages stay queued. */
  async call<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Result<T>> {
    const id = `call-${++this.calls}`;
    this.socket.write(encodeFrame({ type: 'call', id, method, params }));
    // An error without an id ends the connection (the call broke the protocol): it is this call's answer too.
    const answer = await this.waitFor(
      (m): m is Extract<GatewayMessage, { type: 'result' | 'error' }> =>
        (m.type === 'result' && m.id === id) || (m.type === 'error' && (m.id === id || m.id === undefined)),
      timeoutMs,
    );
    if (answer === null) return fail('gateway_unreachable', 'The gateway did not answer.');
    return answer.type === 'result' ? ok(answer.result as T) : fail(answer.code, answer.message);
  }

  /** The next message, or null when the connection ends or `timeoutMs` passes. */
  next(timeoutMs?: number): Promise<GatewayMessage | null> {
    return this.messages.next(timeoutMs);
  }

  /** Every message received and not yet taken, without waiting. */
  drain(): GatewayMessage[] {
    return this.messages.drain();
  }

  /** Waits for the first message that satisfies `match`, keeping the others queued in order. */
  waitFor<T extends GatewayMessage>(match: (m: GatewayMessage) => m is T, timeoutMs?: number): Promise<T | null> {
    return this.messages.waitFor(match, timeoutMs);
  }

  /** Why the connection ended, when it ended because the gateway sent something unreadable. */
  get failure(): GatewayError | null {
    return this.broken;
  }

  close(): void {
    this.socket.destroy();
  }
}
