/**
 * The network endpoint's envelope: JSON-RPC 2.0, one object per WebSocket text message. Calls carry
 * the same messages as the Unix socket (validated by the same parsers) plus the identity calls of
 * calls.ts; the gateway's unsolicited events are notifications.
 */
import { fail, ok, type Result } from './result.js';
import { illFormedTextAt, illFormedTextMessage } from './text.js';

export type RpcId = string | number;

export interface RpcCall {
  readonly id: RpcId | null;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export type RpcOutgoing =
  | { readonly jsonrpc: '2.0'; readonly id: RpcId | null; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: RpcId | null; readonly error: RpcError }
  | { readonly jsonrpc: '2.0'; readonly method: string; readonly params: unknown };

/** A JSON-RPC error; `data.code` is the gateway's stable code, `message` its sentence. */
export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data: { readonly code: string };
}

/** JSON-RPC's own codes; every failure of the gateway itself is SERVER_ERROR with data.code. */
export const RPC_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  SERVER_ERROR: -32000,
} as const;

const MAX_METHOD_LENGTH = 64;

/** Reads one incoming text message into a call; a failure says why, with the id when one was readable. */
export function parseRpcCall(
  text: string,
): { readonly ok: true; readonly value: RpcCall } | { readonly ok: false; readonly id: RpcId | null; readonly error: RpcError } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: rpcError(RPC_CODES.PARSE_ERROR, 'invalid_json', 'The message is not JSON.') };
  }
  if (Array.isArray(value))
    return { ok: false, id: null, error: rpcError(RPC_CODES.INVALID_REQUEST, 'batch_unsupported', 'Batches are not supported: send one call per message.') };
  if (typeof value !== 'object' || value === null)
    return { ok: false, id: null, error: rpcError(RPC_CODES.INVALID_REQUEST, 'not_an_object', 'A call is a JSON object.') };
  const v = value as Record<string, unknown>;
  const id = v.id === undefined ? null : v.id;
  if (id !== null && !(typeof id === 'string' && id.length > 0 && id.length <= 128) && !(typeof id === 'number' && Number.isSafeInteger(id))) {
    return {
      ok: false,
      id: null,
      error: rpcError(RPC_CODES.INVALID_REQUEST, 'invalid_id', '"id" must be a string of at most 128 characters or a whole number.'),
    };
  }
  // Checked once here for every call (see text.ts); an id that is not well-formed is not echoed back.
  const illFormed = illFormedTextAt(v);
  if (illFormed !== null)
    return { ok: false, id: illFormed === 'id' ? null : id, error: rpcError(RPC_CODES.INVALID_REQUEST, 'invalid_unicode', illFormedTextMessage(illFormed)) };
  if (v.jsonrpc !== '2.0') return { ok: false, id, error: rpcError(RPC_CODES.INVALID_REQUEST, 'invalid_request', '"jsonrpc" must be "2.0".') };
  if (typeof v.method !== 'string' || v.method.length === 0 || v.method.length > MAX_METHOD_LENGTH) {
    return { ok: false, id, error: rpcError(RPC_CODES.INVALID_REQUEST, 'invalid_request', '"method" must be a method name.') };
  }
  const params = v.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return { ok: false, id, error: rpcError(RPC_CODES.INVALID_PARAMS, 'invalid_params', '"params" must be an object (by-name parameters).') };
  }
  return { ok: true, value: { id, method: v.method, params: params as Record<string, unknown> } };
}

export function rpcError(code: number, dataCode: string, message: string): RpcError {
  return { code, message, data: { code: dataCode } };
}

/** Reads an incoming response or notification (the client side). */
export type RpcIncoming =
  | { readonly kind: 'result'; readonly id: RpcId; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: RpcId | null; readonly error: RpcError }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Readonly<Record<string, unknown>> };

export function parseRpcIncoming(text: string): Result<RpcIncoming> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('invalid_json', 'The gateway sent something that is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('invalid_message', 'The gateway sent something that is not a JSON object.');
  const v = value as Record<string, unknown>;
  if (typeof v.method === 'string') {
    const params = typeof v.params === 'object' && v.params !== null && !Array.isArray(v.params) ? (v.params as Record<string, unknown>) : {};
    return ok({ kind: 'notification', method: v.method, params });
  }
  if (typeof v.error === 'object' && v.error !== null) {
    const e = v.error as Record<string, unknown>;
    const data = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Record<string, unknown>;
    const error = rpcError(
      typeof e.code === 'number' ? e.code : RPC_CODES.SERVER_ERROR,
      typeof data.code === 'string' ? data.code : 'error',
      typeof e.message === 'string' ? e.message : 'The gateway reported an error.',
    );
    return ok({ kind: 'error', id: typeof v.id === 'string' || typeof v.id === 'number' ? v.id : null, error });
  }
  if ((typeof v.id === 'string' || typeof v.id === 'number') && 'result' in v) return ok({ kind: 'result', id: v.id, result: v.result });
  return fail('invalid_message', 'The gateway sent a message that is neither a response nor a notification.');
}
