import { describe, expect, it } from 'vitest';
import { badgeText, withBadge, type Bitmap } from './badge.js';

const blank = (size: number): Bitmap => ({ width: size, height: size, pixels: new Uint8Array(size * size * 4) });

/** The icon as text: `#` white, `o` badge red, `.` anything else. */
function picture(b: Bitmap): string[] {
  const rows: string[] = [];
  for (let y = 0; y < b.height; y++) {
    let row = '';
    for (let x = 0; x < b.width; x++) {
      const [r, g, bl, a] = b.pixels.subarray((y * b.width + x) * 4, (y * b.width + x) * 4 + 4);
      row += a === 255 && r === 255 && g === 255 && bl === 255 ? '#' : a === 255 && r === 0xc0 ? 'o' : '.';
    }
    rows.push(row);
  }
  return rows;
}

describe('the tray badge', () => {
  it('reads nothing at zero, the number up to 99, then 99+', () => {
    expect([0, 1, 42, 99, 100, 5000].map(badgeText)).toEqual(['', '1', '42', '99', '99+', '99+']);
  });

  it('leaves the icon as it was when nothing waits, and never changes the icon it was given', () => {
    const icon = blank(16);
    icon.pixels.fill(7);
    expect(withBadge(icon, 0).pixels).toEqual(icon.pixels);
    withBadge(icon, 3);
    expect(icon.pixels.every((v) => v === 7)).toBe(true);
  });

  it('draws the count in white on a red disc in the lower right', () => {
    const rows = picture(withBadge(blank(16), 7));
    expect(rows.slice(0, 9).every((r) => r === '.'.repeat(16))).toBe(true);
    expect(rows.slice(9).map((r) => r.slice(9))).toEqual(['..ooo..', '.o###o.', 'oooo#oo', 'ooo#ooo', 'ooo#ooo', '.oo#oo.', '..ooo..']);
  });

  it("writes its colours in the bitmap's channel order", () => {
    const at = (15 * 16 + 12) * 4;
    expect([...withBadge(blank(16), 7, 'rgba').pixels.subarray(at, at + 4)]).toEqual([0xc0, 0x39, 0x2b, 255]);
    expect([...withBadge(blank(16), 7, 'bgra').pixels.subarray(at, at + 4)]).toEqual([0x2b, 0x39, 0xc0, 255]);
  });

  it('scales with the icon and keeps three characters inside it', () => {
    const rows = picture(withBadge(blank(32), 150));
    expect(rows.every((r) => r.length === 32)).toBe(true);
    expect(rows.join('').split('#').length - 1).toBeGreaterThan(3 * 4 * 8);
    expect(rows.slice(0, 32 - 14).join('')).not.toMatch(/[#o]/);
  });
});
