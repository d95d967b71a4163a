/**
 * The renderer's ConsoleApi: JSON-RPC over the console's WebSocket, signed in by the session
 * cookie, in a browser and in the desktop app's window alike (the window has no preload).
 */
import type { ConnectionState, ConsoleApi, DeviceView, GatewayEvent, GuestView, PairingView, PendingApproval, RuleView } from '@aleph/protocol';

interface RpcResponse {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: { readonly message: string; readonly data?: { readonly code?: string } };
}

/** A failed call: the gateway's sentence, and its code. */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const GATEWAY_EVENTS = new Set(['approval_pending', 'approval_resolved', 'pairing_pending', 'pairing_resolved', 'config_invalid', 'config_recovered']);

/** The longest wait between two attempts to reconnect. */
const MAX_RETRY_MS = 15_000;

/** Why the console stopped trying: a sign-in only a new link gives back. */
export const SIGNED_OUT =
  'Signed out: the gateway no longer knows this browser (it was restarted, or the 12-hour session is over). ' +
  "Run aleph console on the gateway's machine for a new sign-in link, and open it.";

/**
 * Whether the console at `page` refuses this browser's session cookie. A browser does not tell a
 * page why its WebSocket was refused, so it asks the page's own address, which answers 401 then.
 * Unreachable is not refused: the gateway may come back.
 */
async function sessionRefused(page: URL): Promise<boolean> {
  try {
    return (await fetch(page, { method: 'HEAD', cache: 'no-store' })).status === 401;
  } catch {
    return false;
  }
}

/**
 * The ConsoleApi over the console's WebSocket. When the connection closes (the gateway stopped,
 * the machine slept), it tries again, sooner first, then every MAX_RETRY_MS; each time it opens,
 * the connection listeners hear `open` and subscribe afresh. When the gateway refuses the session
 * (a restarted gateway forgets every sign-in), trying again cannot help: it stops, and says so.
 */
export function webSocketApi(url: string): ConsoleApi {
  const page = new URL('/', url.replace(/^ws/, 'http'));
  let socket: WebSocket | null = null;
  let retryMs = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let opened: Promise<WebSocket> | null = null;
  let signedOut = false;
  /** What the gateway said when it ended the session, for when the connection then closes. */
  let ended: string | undefined;
  let next = 0;
  let eventListener: ((event: GatewayEvent) => void) | null = null;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const connectionListeners: ((state: ConnectionState, reason?: string) => void)[] = [];
  let state: ConnectionState = 'connecting';
  let reason: string | undefined;
  const setState = (s: ConnectionState, why?: string) => {
    state = s;
    reason = why;
    for (const l of connectionListeners) l(s, why);
  };

  const open = (): Promise<WebSocket> => {
    if (signedOut) return Promise.reject(new ConsoleError(SIGNED_OUT, 'signed_out'));
    opened ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        retryMs = 0;
        setState('open');
        resolve(ws);
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as RpcResponse;
        if (msg.id !== undefined && calls.has(msg.id)) {
          const call = calls.get(msg.id)!;
          calls.delete(msg.id);
          if (msg.error !== undefined) call.reject(new ConsoleError(msg.error.message, msg.error.data?.code ?? 'error'));
          else call.resolve(msg.result);
        } else if (msg.method === 'session_ended') {
          ended = String(msg.params?.reason ?? 'The gateway ended the session.');
        } else if (msg.method !== undefined && GATEWAY_EVENTS.has(msg.method)) {
          eventListener?.({ type: msg.method, ...msg.params } as unknown as GatewayEvent);
        }
      };
      // A close always follows an error, and is where the console takes it up.
      ws.onerror = () => undefined;
      ws.onclose = (e) => {
        const wasOpen = socket === ws;
        const why = ended ?? (e.reason || (wasOpen ? 'The connection to the gateway closed.' : 'The console could not reach the gateway.'));
        socket = null;
        opened = null;
        ended = undefined;
        for (const c of calls.values()) c.reject(new ConsoleError('The connection to the gateway closed.', 'disconnected'));
        calls.clear();
        reject(new ConsoleError('The console could not reach the gateway.', 'unreachable'));
        // A connection that never opened may have been refused for its session.
        void (wasOpen ? Promise.resolve(false) : sessionRefused(page)).then((refused) => {
          if (refused) {
            signedOut = true;
            setState('closed', SIGNED_OUT);
            return;
          }
          if (state !== 'closed') setState('closed', `${why} Reconnecting…`);
          reconnectLater();
        });
      };
    });
    return opened;
  };

  const reconnectLater = (): void => {
    if (connectionListeners.length === 0 || retry !== undefined) return;
    retryMs = Math.min(retryMs === 0 ? 500 : retryMs * 2, MAX_RETRY_MS);
    retry = setTimeout(() => {
      retry = undefined;
      void open().catch(() => undefined);
    }, retryMs);
  };

  const call = async <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    const ws = socket ?? (await open());
    const id = ++next;
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  };

  return {
    async subscribe(listener) {
      eventListener = listener;
      const r = await call<{ approvals: PendingApproval[] }>('approvals.subscribe');
      return r.approvals;
    },
    async resolve(id, decision, options = {}) {
      await call('approvals.resolve', { id, decision, ...options });
    },
    pairings: async () => (await call<{ pending: PairingView[] }>('pairing.list')).pending,
    async approvePairing(code) {
      await call('pairing.approve', { code });
    },
    async rejectPairing(code) {
      await call('pairing.reject', { code });
    },
    devices: async () => (await call<{ devices: DeviceView[] }>('devices.list')).devices,
    async revokeDevice(id) {
      await call('devices.revoke', { id });
    },
    guests: async () => (await call<{ guests: GuestView[] }>('guests.list')).guests,
    inviteGuest: (name, tools, expiresInMs) => call('guests.invite', { name, tools, ...(expiresInMs === undefined ? {} : { expires_in_ms: expiresInMs }) }),
    async revokeGuest(id) {
      await call('guests.revoke', { id });
    },
    policy: () => call('policy.get'),
    async setMode(mode, agent) {
      await call('policy.set_mode', { mode, ...(agent === undefined ? {} : { agent }) });
    },
    addRule: async (rule) => (await call<{ rule: RuleView }>('rules.add', { ...rule })).rule,
    async removeRule(id) {
      await call('rules.remove', { id });
    },
    importRules: async (file) => (await call<{ imported: number }>('rules.import', { ...file })).imported,
    searchTimeline: (query) => call('audit.search', { ...query }),
    verifyChain: () => call('audit.verify'),
    overview: (range) => call('audit.overview', { range }),
    onConnection(listener) {
      connectionListeners.push(listener);
      listener(state, reason);
      void open().catch(() => undefined);
    },
  };
}

/** The page's ConsoleApi. */
export function consoleApi(): ConsoleApi {
  const { protocol, host } = window.location;
  return webSocketApi(`${protocol === 'https:' ? 'wss' : 'ws'}://${host}/api`);
}
