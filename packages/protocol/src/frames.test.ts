import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, type Frame } from './frames.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const values = (frames: Frame[]) => frames.map((f) => (f.kind === 'message' ? f.value : f.code));

describe('newline-delimited JSON frames', () => {
  it('parses messages however the bytes are split, multi-byte characters included', () => {
    const wire = bytes(encodeFrame({ type: 'ping', note: 'héllo ✓ 🚀' }) + encodeFrame({ type: 'pong' }));
    const reader = new FrameReader();
    const frames: Frame[] = [];
    for (const byte of wire) frames.push(...reader.push(Uint8Array.of(byte)));
    expect(values(frames)).toEqual([{ type: 'ping', note: 'héllo ✓ 🚀' }, { type: 'pong' }]);
  });

  it('keeps strings with newlines intact: JSON escapes them', () => {
    const reader = new FrameReader();
    expect(values(reader.push(bytes(encodeFrame({ command: 'echo a\nb' }))))).toEqual([{ command: 'echo a\nb' }]);
  });

  it('reports a bad line and carries on with the next one', () => {
    const reader = new FrameReader();
    const frames = reader.push(bytes('{"type":"ping"}\nnot json\n[1,2]\n"text"\n{"type":"pong"}\n'));
    expect(values(frames)).toEqual([{ type: 'ping' }, 'invalid_json', 'not_an_object', 'not_an_object', { type: 'pong' }]);
    expect(reader.stopped).toBe(false);
  });

  it('reports invalid UTF-8', () => {
    const reader = new FrameReader();
    expect(values(reader.push(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d, 10)))).toEqual(['invalid_utf8']);
  });

  it('reports text that is not well-formed Unicode: a lone surrogate spelt as a JSON escape, which UTF-8 cannot carry', () => {
    const reader = new FrameReader();
    const frames = reader.push(bytes('{"request":{"command":"ls \\ud800"}}\n{"note":"\\ud83d\\ude80"}\n'));
    expect(values(frames)).toEqual(['invalid_unicode', { note: '🚀' }]);
    expect(frames[0]).toMatchObject({ message: expect.stringContaining('"request.command"') });
    expect(reader.stopped).toBe(false);
  });

  it('skips empty lines and tolerates CRLF', () => {
    const reader = new FrameReader();
    expect(values(reader.push(bytes('\n\r\n{"a":1}\r\n\n')))).toEqual([{ a: 1 }]);
  });

  it('accepts a line of exactly the limit and stops for good at one byte more', () => {
    const limit = 64;
    const exact = `{"p":"${'x'.repeat(limit - 8)}"}`;
    expect(exact.length).toBe(limit);
    const reader = new FrameReader(limit);
    expect(values(reader.push(bytes(exact + '\n')))).toEqual([{ p: 'x'.repeat(limit - 8) }]);
    const tooLong = reader.push(bytes(`{"p":"${'x'.repeat(limit)}`));
    expect(values(tooLong)).toEqual(['line_too_long']);
    expect(reader.stopped).toBe(true);
    expect(reader.push(bytes('{"a":1}\n'))).toEqual([]);
  });

  it('stops at the limit even when no newline ever comes, without buffering more', () => {
    const reader = new FrameReader(1024);
    let frames: Frame[] = [];
    for (let i = 0; i < 10 && frames.length === 0; i++) frames = reader.push(new Uint8Array(200).fill(0x61));
    expect(values(frames)).toEqual(['line_too_long']);
  });
});
