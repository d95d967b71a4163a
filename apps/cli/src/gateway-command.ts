import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alephHome, Gateway, GatewayError, isLoopback, loadConfig, renderReport, type ReportFormat } from '@aleph/gateway';
import { flag, value } from './args.js';
import { defineCommand, type Invocation } from './command.js';
import { EXIT } from './io.js';
import { entryParent, whenToStop } from './stopping.js';

export const DEFAULT_CONSOLE_PORT = 7458;

/** The renderer's build, shared with the desktop app. */
const CONSOLE_ROOT = fileURLToPath(new URL('../../desktop/out/renderer', import.meta.url));

export const GATEWAY_HELP = `Usage: aleph gateway --headless [--json] [--ask-fallback deny|allow] [--ask-timeout-ms N]
                     [--port N] [--host ADDRESS --allow-remote] [--console [--console-port N]]
                     [--report FILE [--report-format junit|json]] [--exit-with-parent [--parent-pid PID]]

Runs the gateway on $ALEPH_HOME/exec-approvals.sock until SIGINT or SIGTERM, and its network
endpoint (WebSocket JSON-RPC, for paired devices, guests and chat bridges) on 127.0.0.1 at the
configured port (network.port, default 7457; --port 0 picks a free one). Serving any address but
loopback needs --allow-remote. Agents ask through \`aleph exec\`; people answer with \`aleph
approvals\`, or in the web console: --console serves it on 127.0.0.1 (--console-port, default
${DEFAULT_CONSOLE_PORT}; 0 picks a free one) and prints a sign-in link that works once. On shutdown every pending request is denied (gateway_shutdown), and --report writes
every request and decision (JUnit XML by default). --exit-with-parent stops it too when the program
that started it goes (also while it starts), or its terminal hangs up (what \`npm start\` passes: a
gateway does not outlive the task that ran it); --parent-pid names that program outright, when it
is not the direct parent or may be gone before the gateway begins. Without it, a gateway run under
nohup or & keeps running.`;

export const command = defineCommand({
  help: GATEWAY_HELP,
  options: {
    headless: {},
    json: {},
    'ask-fallback': { value: true },
    'ask-timeout-ms': { value: true },
    report: { value: true },
    'report-format': { value: true },
    port: { value: true },
    host: { value: true },
    'allow-remote': {},
    console: {},
    'console-port': { value: true },
    'exit-with-parent': {},
    'parent-pid': { value: true },
  },
  optionsAnywhere: true,
  run: runGateway,
});

async function runGateway({ args, io }: Invocation): Promise<number> {
  if (!flag(args, 'headless'))
    return io.usage(`Only --headless is available from the command line; the desktop app hosts the gateway otherwise.\n\n${GATEWAY_HELP}`);
  const fallback = value(args, 'ask-fallback');
  if (fallback !== undefined && fallback !== 'deny' && fallback !== 'allow') return io.usage('--ask-fallback must be deny or allow.');
  const timeoutText = value(args, 'ask-timeout-ms');
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) return io.usage('--ask-timeout-ms needs a whole number of milliseconds.');
  const report = value(args, 'report');
  const format = (value(args, 'report-format') ?? 'junit') as ReportFormat;
  if (format !== 'junit' && format !== 'json') return io.usage('--report-format must be junit or json.');
  const json = flag(args, 'json');
  const portText = value(args, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return io.usage('--port needs a TCP port (0 to 65535; 0 picks a free one).');
  const consolePortText = value(args, 'console-port');
  const consolePort = consolePortText === undefined ? DEFAULT_CONSOLE_PORT : Number(consolePortText);
  if (!Number.isInteger(consolePort) || consolePort < 0 || consolePort > 65535)
    return io.usage('--console-port needs a TCP port (0 to 65535; 0 picks a free one).');
  if (consolePortText !== undefined && !flag(args, 'console')) return io.usage('--console-port goes with --console.');
  const host = value(args, 'host') ?? '127.0.0.1';
  const allowRemote = flag(args, 'allow-remote');
  if (!isLoopback(host)) {
    if (!allowRemote)
      return io.usage(
        `--host ${host} is not a loopback address: every machine that reaches it could ask to pair. Add --allow-remote if that is what you want.`,
      );
    io.err(
      `aleph: warning: serving the network endpoint on ${host}, not only this machine. Anyone who reaches it can ask to pair (the owner still approves each code), and its traffic is not encrypted.`,
    );
  }
  const home = alephHome(io.env);
  const config = loadConfig(home, true);
  if (!config.ok) return io.fail(config.error, json);

  const parentText = value(args, 'parent-pid');
  const parentPid = parentText === undefined ? undefined : Number(parentText);
  if (parentPid !== undefined && (!Number.isInteger(parentPid) || parentPid < 1 || !flag(args, 'exit-with-parent')))
    return io.usage('--parent-pid needs a process id, and goes with --exit-with-parent.');
  // Listening before the gateway starts: a stop asked for while it starts is not lost.
  const stop = whenToStop(flag(args, 'exit-with-parent'), { entry: entryParent(), ...(parentPid === undefined ? {} : { pid: parentPid }) });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({
      home,
      network: { port: port ?? config.value.network.port, host, allowRemote },
      keepHistory: report !== undefined,
      ...(flag(args, 'console') ? { console: { port: consolePort, root: CONSOLE_ROOT } } : {}),
      ...(fallback === undefined ? {} : { askFallback: fallback }),
      ...(timeout === undefined ? {} : { askTimeoutMs: timeout }),
      onProblem: (problem) => io.err(json ? JSON.stringify({ event: 'problem', message: problem }) : `aleph: warning: ${problem}`),
    });
  } catch (error) {
    if (error instanceof GatewayError) return io.fail(error, json);
    throw error;
  }
  for (const notice of gateway.notices) io.err(`aleph: warning: ${notice}`);
  const login = gateway.consoleLoginUrl();
  io.out(
    json
      ? JSON.stringify({ event: 'ready', socket: gateway.socketPath, url: gateway.url, pid: process.pid, ...(login === null ? {} : { console: login }) })
      : `Gateway ready on ${gateway.socketPath} and ${gateway.url} (pid ${process.pid}). Ctrl-C stops it.${login === null ? '' : `\nWeb console (this link signs you in once): ${login}`}`,
  );
  const reason = await stop.stopped;
  await gateway.stop();
  stop.done();
  if (report !== undefined) {
    const fd = openSync(report, 'w', 0o600);
    try {
      writeSync(fd, renderReport(gateway.history(), format));
    } finally {
      closeSync(fd);
    }
  }
  const signal = reason === 'parent_exited' ? null : reason;
  io.out(
    json
      ? JSON.stringify({ event: 'stopped', signal, ...(signal === null ? { reason } : {}), requests: gateway.decisions })
      : `Gateway stopped (${signal ?? 'the program that started it is gone'}).`,
  );
  return EXIT.ok;
}
