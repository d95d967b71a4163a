/** Text cut to a length a person can take in at a glance, visibly so. */

/**
 * `text` cut to at most `max` characters (whole code points, so no character is split), ending in
 * `…` when cut.
 */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
