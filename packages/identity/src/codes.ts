/**
 * Pairing codes: 8 characters from a 32-character alphabet without look-alikes (no 0, O, 1, I), so
 * a person can read one off a screen and type it. 32 symbols are 5 bits each: 40 bits per code.
 */
export const PAIRING_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;

/** Random bytes from a CSPRNG; injected so that the package stays pure and testable. */
export type RandomBytes = (n: number) => Uint8Array;

/** A fresh code. 256 is a multiple of 32, so taking each byte modulo 32 is unbiased. */
export function newPairingCode(random: RandomBytes): string {
  const bytes = random(PAIRING_CODE_LENGTH);
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_ALPHABET[bytes[i]! & 31];
  return code;
}

/**
 * A code as typed: case, spaces and dashes do not matter (`abcd-efgh` is `ABCDEFGH`). Null when the
 * input cannot be a code (wrong length, or a character outside the alphabet).
 */
export function normalizeCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const c of code) if (!PAIRING_ALPHABET.includes(c)) return null;
  return code;
}
