/**
 * The tray icon with the number waiting drawn on it, as pixels: macOS shows a title beside a tray
 * icon, but Linux and Windows show only the icon, so the count has to be in the picture. A pure
 * function over an RGBA bitmap, tested without Electron; the main process hands it to nativeImage.
 */

/** 3x5 digits, one string per row, `#` for a lit pixel. */
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '+': ['...', '.#.', '###', '.#.', '...'],
};

export interface Bitmap {
  readonly width: number;
  readonly height: number;
  /** Four bytes a pixel, row by row, in `order`. */
  readonly pixels: Uint8Array;
}

/** Electron's bitmaps are the platform's native order: BGRA on little-endian machines. */
export type ChannelOrder = 'rgba' | 'bgra';

/** What the badge reads: nothing at 0, the number up to 99, then `99+`. */
export function badgeText(count: number): string {
  if (count <= 0) return '';
  return count > 99 ? '99+' : String(count);
}

const BADGE: readonly [number, number, number] = [0xc0, 0x39, 0x2b];

/**
 * The icon with a red badge in its lower right carrying the count in white. The icon is copied;
 * with nothing waiting it comes back unchanged.
 */
export function withBadge(icon: Bitmap, count: number, order: ChannelOrder = 'rgba'): Bitmap {
  const text = badgeText(count);
  const pixels = new Uint8Array(icon.pixels);
  if (text === '') return { ...icon, pixels };
  // Digits 3x5 scaled so that the badge fills about half the icon's height.
  const scale = Math.max(1, Math.floor(icon.height / 16));
  const textWidth = (text.length * 4 - 1) * scale;
  const badgeHeight = 7 * scale;
  const badgeWidth = Math.min(icon.width, Math.max(badgeHeight, textWidth + 2 * scale));
  const left = icon.width - badgeWidth;
  const top = icon.height - badgeHeight;
  const set = (x: number, y: number, [r, g, b]: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= icon.width || y >= icon.height) return;
    const at = (y * icon.width + x) * 4;
    pixels[at] = order === 'rgba' ? r : b;
    pixels[at + 1] = g;
    pixels[at + 2] = order === 'rgba' ? b : r;
    pixels[at + 3] = 255;
  };
  // A pill: a rectangle with its corners cut.
  const radius = Math.floor(badgeHeight / 2);
  for (let y = 0; y < badgeHeight; y++) {
    for (let x = 0; x < badgeWidth; x++) {
      const dx = x < radius ? radius - x : x >= badgeWidth - radius ? x - (badgeWidth - radius - 1) : 0;
      const dy = Math.abs(y - (badgeHeight - 1) / 2);
      if (dx * dx + dy * dy <= radius * radius + radius) set(left + x, top + y, BADGE);
    }
  }
  const textLeft = left + Math.floor((badgeWidth - textWidth) / 2);
  for (const [i, ch] of [...text].entries()) {
    const glyph = GLYPHS[ch]!;
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy]![gx] !== '#') continue;
        for (let sy = 0; sy < scale; sy++)
          for (let sx = 0; sx < scale; sx++) set(textLeft + (i * 4 + gx) * scale + sx, top + (1 + gy) * scale + sy, [255, 255, 255]);
      }
    }
  }
  return { ...icon, pixels };
}
