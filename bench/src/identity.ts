import { randomBytes } from 'node:crypto';
import { issueToken, newDeviceKeyPair, sign, verifyToken, verifyWithNacl, verifyWithNode, type SubjectState } from '@aleph/identity';
import { medianMs, type Row } from './table.js';

const TOKENS = 20_000;
const SIGNATURES = 500;

/** Token verification, and Ed25519 verification with tweetnacl beside node:crypto, on the same signatures. */
export async function identitySuite(): Promise<Row[]> {
  const secret = new Uint8Array(randomBytes(32));
  const now = Date.now();
  const tokens = Array.from({ length: 100 }, (_, i) =>
    issueToken(secret, { sub: `dev-${i}`, role: 'owner', scopes: ['*'], iat: now, exp: now + 3_600_000, gen: 1 }),
  );
  const state: SubjectState = { revoked: false, generation: 1 };
  const signed = Array.from({ length: 50 }, () => {
    const keys = newDeviceKeyPair();
    const message = new Uint8Array(randomBytes(32));
    return { publicKey: keys.publicKey, message, signature: sign(keys.secretKey, message) };
  });
  const {
    tokens: tokenMs,
    nacl: naclMs,
    node: nodeMs,
  } = medianMs(
    {
      tokens: () => {
        for (let i = 0; i < TOKENS; i++) if (!verifyToken(secret, tokens[i % 100]!, now, () => state).ok) throw new Error('token did not verify');
      },
      nacl: () => {
        for (let i = 0; i < SIGNATURES; i++) {
          const s = signed[i % 50]!;
          if (!verifyWithNacl(s.publicKey, s.message, s.signature)) throw new Error('signature did not verify');
        }
      },
      node: () => {
        for (let i = 0; i < SIGNATURES; i++) {
          const s = signed[i % 50]!;
          if (!verifyWithNode(s.publicKey, s.message, s.signature)) throw new Error('signature did not verify');
        }
      },
    },
    9,
    2,
  );
  const perSecond = (count: number, ms: number) => count / (ms / 1000);
  return [
    { suite: 'identity', metric: 'bearer token verifications (HMAC-SHA256)', value: perSecond(TOKENS, tokenMs), unit: 'verifications/s' },
    {
      suite: 'identity',
      metric: 'Ed25519 verifications, node:crypto',
      value: perSecond(SIGNATURES, nodeMs),
      unit: 'verifications/s',
      baseline: { name: 'tweetnacl', value: perSecond(SIGNATURES, naclMs) },
    },
  ];
}
