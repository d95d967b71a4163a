/** What the gateway suites share: an echo server over the same kind of socket, and the request they send. */
import { connect, createServer, type Socket } from 'node:net';
import { encodeFrame, FrameReader, type GatewayMessage } from '@aleph/protocol';

export const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The floor: a Unix-socket server that answers each JSON line with a JSON line. */
export function echoServer(path: string): Promise<() => Promise<void>> {
  const server = createServer((s) => {
    const reader = new FrameReader();
    s.on('data', (chunk: Buffer) => {
      let out = '';
      for (const f of reader.push(chunk)) if (f.kind === 'message') out += encodeFrame({ type: 'echo', ...f.value });
      if (out !== '') s.write(out);
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve(() => new Promise((done) => server.close(() => done())))));
}

/** A minimal line client for the echo server. */
export function echoClient(path: string): Promise<{ roundTrip: (m: object) => Promise<void>; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const reader = new FrameReader();
    let waiting: (() => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) if (f.kind === 'message') waiting.shift()?.();
    });
    socket.on('connect', () =>
      resolve({
        socket,
        roundTrip: (m) =>
          new Promise<void>((done) => {
            waiting.push(done);
            socket.write(encodeFrame(m));
          }),
      }),
    );
    waiting = [];
  });
}

/** The request every gateway suite sends: a read-only git command, varied so no cache answers it whole. */
export const request = (i: number) => ({
  type: 'approval_request' as const,
  id: `r${i}`,
  request: { command: `git log --oneline -n ${i % 50}`, cwd: '/home/user/project', agent_id: 'bench', session_key: 'bench' },
});
export const isDecision = (m: GatewayMessage): m is Extract<GatewayMessage, { type: 'approval_decision' }> => m.type === 'approval_decision';
