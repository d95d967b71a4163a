/**
 * How much of this process each way in may hold. Every connection is a file descriptor, and the
 * process has a fixed number of them (RLIMIT_NOFILE): the Unix socket (the owner's agents), the
 * network endpoint and the web console each get a cap of their own, sized so that together they
 * stay well under that number, and the descriptors the gateway needs for itself (its databases,
 * the config watch, sandboxed runs' pipes) are always left over. No number of network or console
 * peers can then take the owner's socket's places, nor the descriptors it needs to accept.
 */
import { readFileSync } from 'node:fs';
import { MAX_LINE_BYTES } from '@aleph/protocol';

export interface Limits {
  /** Unix-socket connections at once (the owner's agents and approvers), counted apart from the network's. */
  readonly maxConnections: number;
  /** Network sessions at once: paired devices, guests, the web console, and those not yet connected. */
  readonly maxNetworkConnections: number;
  /** Of those, sessions not yet connected (anonymous) at once. */
  readonly maxAnonymousConnections: number;
  /** How long an anonymous network session has to connect; what it sends meanwhile does not extend it. */
  readonly anonymousDeadlineMs: number;
  /** TCP connections to the web console's HTTP server at once (its page's WebSocket among them). */
  readonly maxConsoleConnections: number;
  /** How long the console's HTTP server waits for a request's headers (and whole request), and keeps an idle connection. */
  readonly consoleRequestTimeoutMs: number;
  readonly maxPendingPerConnection: number;
  readonly handshakeTimeoutMs: number;
  /** A connection with nothing pending and no traffic for this long is closed. */
  readonly idleTimeoutMs: number;
  readonly maxLineBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxConnections: 512,
  maxNetworkConnections: 512,
  maxAnonymousConnections: 32,
  anonymousDeadlineMs: 10_000,
  maxConsoleConnections: 64,
  consoleRequestTimeoutMs: 10_000,
  maxPendingPerConnection: 64,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 300_000,
  maxLineBytes: MAX_LINE_BYTES,
};

/** What is assumed when the process's limit cannot be read: the usual soft limit on Linux and macOS is 1024 or less. */
export const FALLBACK_OPEN_FILES = 1024;

/** Descriptors kept back for the gateway itself: two SQLite databases with their WAL and SHM, the config watch, runs' pipes. */
export const RESERVED_FILES = 128;

/** The share of what is left that connections may hold at most, all ways in together. */
const CONNECTION_SHARE = 0.75;

/**
 * The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit as it starts), or
 * FALLBACK_OPEN_FILES where it cannot be read (no /proc: macOS) or reads as unlimited.
 */
export function openFileLimit(procLimits = '/proc/self/limits'): number {
  let text: string;
  try {
    text = readFileSync(procLimits, 'utf8');
  } catch {
    return FALLBACK_OPEN_FILES;
  }
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  const n = soft === undefined ? Number.NaN : Number(soft);
  return Number.isInteger(n) && n > 0 ? n : FALLBACK_OPEN_FILES;
}

/**
 * The limits to run with under `openFiles` descriptors: the caller's own values, with each
 * connection cap lowered where needed so that the socket's cap, twice the network's (sessions,
 * and connections still upgrading or being refused) and the console's add up to at most
 * CONNECTION_SHARE of what RESERVED_FILES leaves. The socket gets half of that budget, the
 * network three eighths, the console one eighth.
 */
export function sizeLimits(openFiles: number, wanted: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...wanted };
  const budget = Math.max(8, Math.floor((openFiles - RESERVED_FILES) * CONNECTION_SHARE));
  const socket = Math.max(1, Math.floor(budget / 2));
  const network = Math.max(1, Math.floor((budget * 3) / 8 / 2));
  const consoleCap = Math.max(1, Math.floor(budget / 8));
  const maxNetworkConnections = Math.min(limits.maxNetworkConnections, network);
  return {
    ...limits,
    maxConnections: Math.min(limits.maxConnections, socket),
    maxNetworkConnections,
    maxAnonymousConnections: Math.min(limits.maxAnonymousConnections, Math.max(1, Math.floor(maxNetworkConnections / 4))),
    maxConsoleConnections: Math.min(limits.maxConsoleConnections, consoleCap),
  };
}

/** How many descriptors connections may hold at most under `limits`, every way in together. */
export function connectionDescriptors(limits: Limits): number {
  return limits.maxConnections + 2 * limits.maxNetworkConnections + limits.maxConsoleConnections;
}
