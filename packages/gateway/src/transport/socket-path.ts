/** The socket file: a leftover one is removed only once it is shown that nobody listens on it. */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { GatewayError } from '../errors.js';

/**
 * Removes a leftover socket file, but only once a connection attempt is refused (ECONNREFUSED:
 * nobody listens). A live gateway, a path that is not a socket, or any other answer to the
 * attempt (a full backlog, no permission) is an error: the socket may be in use.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new GatewayError('socket_path_taken', `${path} exists and is not a socket; move it aside.`);
  const probe = await new Promise<'live' | 'stale' | 'gone' | string>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'stale' : error.code === 'ENOENT' ? 'gone' : (error.code ?? error.message)),
    );
  });
  if (probe === 'live') throw new GatewayError('already_running', `A gateway is already running on ${path}.`);
  if (probe === 'gone') return;
  if (probe !== 'stale')
    throw new GatewayError('socket_in_use', `${path} could not be checked (${probe}); another gateway may be using it, so it is left alone.`);
  unlinkSync(path);
}
