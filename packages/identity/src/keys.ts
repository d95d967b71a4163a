/**
 * Device keys: Ed25519 with tweetnacl, so that the same code runs on a device in a browser. The
 * gateway verifies with whichever implementation the benchmark shows faster (see verifyEd25519).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import nacl from 'tweetnacl';

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export interface DeviceKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function newDeviceKeyPair(): DeviceKeyPair {
  return nacl.sign.keyPair();
}

export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, secretKey);
}

/** A key's fingerprint, as people compare it: the first 16 hex digits of SHA-256 of the public key. */
export function fingerprint(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** Ed25519 verification with tweetnacl (pure JavaScript). */
export function verifyWithNacl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return publicKey.length === PUBLIC_KEY_BYTES && signature.length === SIGNATURE_BYTES && nacl.sign.detached.verify(message, signature, publicKey);
}

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Ed25519 verification with node:crypto (OpenSSL). */
export function verifyWithNode(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
