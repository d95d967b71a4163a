/**
 * A deadline for each request's headers on an HTTP server of ours, kept by a timer per
 * connection: armed when the connection opens and again when an answer is sent, stopped when the
 * next request's headers are in, when it upgrades, or when it closes. A peer that sends nothing,
 * trickles its headers out, or idles between requests is dropped at the deadline.
 *
 * Node's own `headersTimeout` is not relied on for this: its periodic check sometimes ends a
 * silent connection without the peer ever seeing it close (the descriptor stays held), and the
 * socket's idle timeout is reset by every trickled byte. The server's own timeouts are set later
 * than this deadline (serverTimeouts), so that this timer always acts first.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const timers = new WeakMap<Socket, NodeJS.Timeout>();

function disarm(socket: Socket): void {
  clearTimeout(timers.get(socket));
  timers.delete(socket);
}

function arm(socket: Socket, deadlineMs: number): void {
  disarm(socket);
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), deadlineMs);
  timer.unref();
  timers.set(socket, timer);
}

/** The server's own timeouts: later than the deadline, as a backstop only. */
export function serverTimeouts(deadlineMs: number): ServerOptions {
  const late = Math.max(60_000, 4 * deadlineMs);
  return { headersTimeout: late, requestTimeout: late, keepAliveTimeout: late };
}

export function requestDeadline(http: Server, deadlineMs: number): void {
  http.on('connection', (socket: Socket) => {
    arm(socket, deadlineMs);
    socket.once('close', () => disarm(socket));
  });
  http.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    disarm(req.socket);
    res.once('finish', () => arm(req.socket, deadlineMs));
  });
  http.prependListener('upgrade', (req: IncomingMessage) => disarm(req.socket));
}
