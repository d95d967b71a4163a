import { describe, expect, it } from 'vitest';
import { fromBase64url, toBase64url } from './base64url.js';
import { connectMessage, MAX_IMPORT_RULES, pairingMessage, parseDeviceCall, parseOwnerCall, parseRulesFile } from './calls.js';
import { parseRpcCall, parseRpcIncoming, RPC_CODES } from './rpc.js';

const key = toBase64url(new Uint8Array(32).fill(7));
const signature = toBase64url(new Uint8Array(64).fill(9));

describe('base64url', () => {
  it('round-trips any bytes and accepts only the one canonical spelling', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(fromBase64url(toBase64url(bytes))).toEqual(bytes);
    }
    expect(toBase64url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(fromBase64url('-_9')).toBeNull(); // spare bits set: another spelling of -_8
    expect(fromBase64url('-_8=')).toBeNull(); // padding
    expect(fromBase64url('ab+c')).toBeNull(); // base64, not base64url
    expect(fromBase64url('a')).toBeNull(); // no byte is one character
  });
});

describe('JSON-RPC envelopes', () => {
  it('reads a call, defaulting params to {}', () => {
    expect(parseRpcCall('{"jsonrpc":"2.0","id":1,"method":"ping"}')).toEqual({ ok: true, value: { id: 1, method: 'ping', params: {} } });
    expect(parseRpcCall('{"jsonrpc":"2.0","method":"ping"}')).toMatchObject({ ok: true, value: { id: null } });
  });

  it('says what is wrong, with the id when it could be read', () => {
    const error = (text: string) => {
      const r = parseRpcCall(text);
      return r.ok ? null : [r.id, r.error.code, r.error.data.code];
    };
    expect(error('{oops')).toEqual([null, RPC_CODES.PARSE_ERROR, 'invalid_json']);
    expect(error('[{"jsonrpc":"2.0"}]')).toEqual([null, RPC_CODES.INVALID_REQUEST, 'batch_unsupported']);
    expect(error('{"jsonrpc":"2.0","id":{},"method":"x"}')).toEqual([null, RPC_CODES.INVALID_REQUEST, 'invalid_id']);
    expect(error('{"jsonrpc":"1.0","id":"a","method":"x"}')).toEqual(['a', RPC_CODES.INVALID_REQUEST, 'invalid_request']);
    expect(error('{"jsonrpc":"2.0","id":2,"method":""}')).toEqual([2, RPC_CODES.INVALID_REQUEST, 'invalid_request']);
    expect(error('{"jsonrpc":"2.0","id":3,"method":"x","params":[1]}')).toEqual([3, RPC_CODES.INVALID_PARAMS, 'invalid_params']);
    // A lone surrogate is valid JSON but no text: refused wherever it is, and never echoed back as the id.
    expect(error('{"jsonrpc":"2.0","id":4,"method":"pairing.request","params":{"name":"\\ud800"}}')).toEqual([4, RPC_CODES.INVALID_REQUEST, 'invalid_unicode']);
    expect(error('{"jsonrpc":"2.0","id":"\\udfff","method":"ping"}')).toEqual([null, RPC_CODES.INVALID_REQUEST, 'invalid_unicode']);
  });

  it('reads what the gateway sends: results, errors with their code, notifications', () => {
    expect(parseRpcIncoming('{"jsonrpc":"2.0","id":1,"result":{"a":1}}')).toEqual({ ok: true, value: { kind: 'result', id: 1, result: { a: 1 } } });
    expect(parseRpcIncoming('{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"No.","data":{"code":"revoked"}}}')).toEqual({
      ok: true,
      value: { kind: 'error', id: 1, error: { code: -32000, message: 'No.', data: { code: 'revoked' } } },
    });
    expect(parseRpcIncoming('{"jsonrpc":"2.0","method":"challenge","params":{"nonce":"x"}}')).toEqual({
      ok: true,
      value: { kind: 'notification', method: 'challenge', params: { nonce: 'x' } },
    });
    expect(parseRpcIncoming('42').ok).toBe(false);
  });
});

describe('identity calls', () => {
  it("validate the owner's calls", () => {
    expect(parseOwnerCall('pairing.approve', { code: ' abcd-efgh ' })).toEqual({ ok: true, value: { method: 'pairing.approve', code: 'abcd-efgh' } });
    expect(parseOwnerCall('guests.invite', { name: 'Ana', tools: ['exec', 'exec', '*'], expires_in_ms: 60_000 })).toEqual({
      ok: true,
      value: { method: 'guests.invite', name: 'Ana', tools: ['exec', '*'], expires_in_ms: 60_000 },
    });
    expect(parseOwnerCall('guests.invite', { name: 'Ana', tools: [] })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(parseOwnerCall('guests.invite', { name: 'Ana', tools: ['rm -rf'] })).toMatchObject({ ok: false });
    expect(parseOwnerCall('guests.invite', { name: 'Ana', tools: ['exec'], expires_in_ms: 5 })).toMatchObject({ ok: false });
    expect(parseOwnerCall('devices.revoke', {})).toMatchObject({ ok: false, error: { message: '"id" must be a non-empty string.' } });
    expect(parseOwnerCall('devices.format', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it("validate a device's calls: keys of 32 bytes, signatures of 64, in canonical base64url", () => {
    expect(parseDeviceCall('pairing.request', { name: 'Phone', type: 'phone', public_key: key })).toMatchObject({
      ok: true,
      value: { public_key: new Uint8Array(32).fill(7) },
    });
    expect(parseDeviceCall('pairing.request', { name: 'Phone', type: 'phone', public_key: toBase64url(new Uint8Array(31)) })).toMatchObject({
      ok: false,
      error: { message: '"public_key" must be 32 bytes, base64url without padding.' },
    });
    expect(parseDeviceCall('connect', { token: 'aleph1.x.y', signature })).toMatchObject({ ok: true });
    expect(parseDeviceCall('connect', { token: 'aleph1.x.y', signature: `${signature}=` })).toMatchObject({ ok: false });
    expect(parseDeviceCall('chat.authorize', { channel: 'telegram', sender: '4711' })).toEqual({
      ok: true,
      value: { method: 'chat.authorize', channel: 'telegram', sender: '4711' },
    });
    expect(parseDeviceCall('pairing.request', { name: 'x'.repeat(65), type: 'cli', public_key: key })).toMatchObject({ ok: false });
    // What the owner reads before approving cannot hide or fake anything: no escapes, bidi overrides or zero-width characters.
    for (const name of ['laptop (cli, key 1b41a78b7980896f)\u001b[8m', 'laptop\nfingerprint ok', 'pho\u202Eenol', 'ph\u200Bone']) {
      expect(parseDeviceCall('pairing.request', { name, type: 'cli', public_key: key })).toMatchObject({
        ok: false,
        error: { message: '"name" must not hold control or invisible characters.' },
      });
    }
    expect(parseDeviceCall('pairing.request', { name: 'Ana\u2019s Pixel 📱', type: 'phone', public_key: key })).toMatchObject({ ok: true });
    expect(parseDeviceCall('chat.authorize', { channel: 'telegram', sender: '4711', name: 'Bob\u0007' })).toMatchObject({ ok: false });
  });

  it('sign different things for connecting and for pairing, so one proof is never the other', () => {
    const nonce = new Uint8Array(32).fill(1);
    expect(connectMessage(nonce)).not.toEqual(pairingMessage(nonce));
    expect(new TextDecoder().decode(connectMessage(nonce).subarray(0, 17))).toBe('aleph-connect-v1\n');
  });
});

describe('policy calls', () => {
  it('take a mode for the default or for one agent', () => {
    expect(parseOwnerCall('policy.set_mode', { mode: 'dev' })).toEqual({ ok: true, value: { method: 'policy.set_mode', mode: 'dev' } });
    expect(parseOwnerCall('policy.set_mode', { mode: 'dev', agent: 'claude-code' })).toMatchObject({ ok: true, value: { agent: 'claude-code' } });
    expect(parseOwnerCall('policy.set_mode', { mode: 'yolo' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(parseOwnerCall('policy.set_mode', { mode: 'safe', agent: 'a b' })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });

  it('check a rule whole: agent, action, kind and pattern, a message only on a deny, a real expiry', () => {
    const rule = {
      agent: 'a1',
      action: 'deny',
      kind: 'prefix',
      pattern: ' npm publish * ',
      message: 'Releases go through CI.',
      expires_at: '2030-01-01T00:00:00+01:00',
    };
    expect(parseOwnerCall('rules.add', rule)).toEqual({
      ok: true,
      value: {
        method: 'rules.add',
        agent: 'a1',
        action: 'deny',
        kind: 'prefix',
        pattern: 'npm publish *',
        message: 'Releases go through CI.',
        expires_at: '2029-12-31T23:00:00.000Z',
      },
    });
    for (const bad of [
      { action: 'permit' },
      { kind: 'regex' },
      { kind: 'path', pattern: 'bin/*' },
      { action: 'allow' },
      { expires_at: 'soon' },
      { agent: '' },
      { pattern: 'x'.repeat(1025) },
    ]) {
      expect(parseOwnerCall('rules.add', { ...rule, ...bad })).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    }
  });

  it('carry an optional justification and examples, each checked, with a clear error', () => {
    const rule = { agent: 'a1', action: 'allow', kind: 'prefix', pattern: 'npm run test:*' };
    const examples = { match: [' npm run test:unit '], not_match: ['npm run build'] };
    expect(parseOwnerCall('rules.add', { ...rule, justification: ' Unit tests ', examples })).toEqual({
      ok: true,
      value: { method: 'rules.add', ...rule, justification: 'Unit tests', examples: { match: ['npm run test:unit'], not_match: ['npm run build'] } },
    });
    expect(parseOwnerCall('rules.add', { ...rule, examples: { match: ['npm run test:unit'] } })).toMatchObject({
      ok: true,
      value: { examples: { match: ['npm run test:unit'] } },
    });
    for (const [bad, message] of [
      [{ justification: '' }, '"justification" must be a non-empty string'],
      [{ justification: 7 }, '"justification" must be a non-empty string'],
      [{ examples: ['npm run test:unit'] }, '"examples" must be an object'],
      [{ examples: { match: [] } }, '"examples.match" must list 1 to 20 commands'],
      [{ examples: { not_match: ['npm run build'] } }, '"examples.match" must list 1 to 20 commands'],
      [{ examples: { match: ['x'], not_match: [''] } }, '"examples.not_match" must list at most 20 commands'],
      [{ examples: { match: Array.from({ length: 21 }, () => 'x') } }, '"examples.match" must list 1 to 20 commands'],
    ] as const) {
      expect(parseOwnerCall('rules.add', { ...rule, ...bad })).toMatchObject({
        ok: false,
        error: { code: 'invalid_params', message: expect.stringContaining(message) },
      });
    }
  });

  it('read a rules file all or nothing, naming the first bad rule', () => {
    const good = { agent: 'a1', action: 'allow', kind: 'exact', pattern: 'make' };
    expect(parseRulesFile({ version: 1, rules: [good, good] })).toMatchObject({ ok: true, value: { version: 1, rules: [good, good] } });
    expect(parseRulesFile({ version: 1, rules: [good, { ...good, kind: 'glob' }] })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^rules\[1\]: /) },
    });
    expect(parseRulesFile({ version: 2, rules: [] })).toMatchObject({ ok: false, error: { message: expect.stringContaining('version') } });
    expect(parseRulesFile({ rules: Array.from({ length: MAX_IMPORT_RULES + 1 }, () => good) })).toMatchObject({ ok: false });
    expect(parseRulesFile('[]')).toMatchObject({ ok: false });
  });
});
