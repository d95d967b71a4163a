/**
 * What the console's end-to-end tests share: the CLI they start, the Chromium they drive, where
 * screenshots go, and a real `aleph gateway --headless --console` started and stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ALEPH = fileURLToPath(new URL('../apps/cli/bin/aleph.js', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The first whole line a child prints (the gateway's addresses, once it is ready); an error if it exits before one. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      const end = text.indexOf('\n');
      if (end === -1) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      resolve(text.slice(0, end));
    };
    const onExit = (code: number | null): void => reject(new Error(`the gateway exited (${code}) before it was ready: ${text}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** What the gateway's ready line says: its socket, its network endpoint, and the console's one-time sign-in link. */
export interface Ready {
  readonly console: string;
  readonly url: string;
  readonly socket: string;
}

/**
 * Starts a gateway with its console on free ports, and waits until it is ready. Its standard error
 * goes to the test's unless `onError` takes it.
 */
export async function startConsoleGateway(
  env: NodeJS.ProcessEnv,
  options: { readonly consolePort?: string; readonly extraArgs?: readonly string[]; readonly onError?: (text: string) => void } = {},
): Promise<{ gateway: ChildProcess; ready: Ready }> {
  const args = [
    ALEPH,
    'gateway',
    '--headless',
    '--json',
    '--port',
    '0',
    '--console',
    '--console-port',
    options.consolePort ?? '0',
    ...(options.extraArgs ?? []),
  ];
  const gateway = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', options.onError === undefined ? 'inherit' : 'pipe'] });
  const onError = options.onError;
  if (onError !== undefined) gateway.stderr!.on('data', (d: Buffer) => onError(d.toString()));
  return { gateway, ready: JSON.parse(await firstLine(gateway)) as Ready };
}

/** Stops a gateway (SIGTERM) and waits until it has gone. */
export async function stopGateway(gateway: ChildProcess | undefined): Promise<void> {
  if (gateway === undefined || gateway.exitCode !== null || gateway.signalCode !== null) return;
  gateway.kill('SIGTERM');
  await new Promise((r) => gateway.once('exit', r));
}
