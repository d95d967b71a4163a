/**
 * Base64url without padding, for keys, signatures and challenges on the wire. Built on atob and
 * btoa so that the same code runs in Node and in a browser.
 */

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes base64url; null for anything that is not its one canonical spelling (stray characters,
 * padding, spare bits set), so that one value has exactly one text.
 */
export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return toBase64url(bytes) === text ? bytes : null;
}

/** The bytes of a context string followed by `payload`: what a signature covers. */
export function withContext(context: string, payload: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(context);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}
