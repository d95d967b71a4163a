/**
 * Socket framing: newline-delimited JSON, one object per line, with a hard cap per line. Written
 * for Uint8Array and TextDecoder, so the same code runs in Node and in a browser.
 */
import { illFormedTextAt, illFormedTextMessage } from './text.js';

/** The most bytes one line may hold, newline excluded. */
export const MAX_LINE_BYTES = 1024 * 1024;

export type FrameErrorCode = 'line_too_long' | 'invalid_utf8' | 'invalid_unicode' | 'invalid_json' | 'not_an_object';

export type Frame =
  | { readonly kind: 'message'; readonly value: Readonly<Record<string, unknown>> }
  | { readonly kind: 'error'; readonly code: FrameErrorCode; readonly message: string };

const NEWLINE = 10;

/**
 * Splits a byte stream into lines and parses each. A line that is too long is fatal (the reader
 * stops: the peer is not speaking the protocol, and its next bytes cannot be trusted to start a
 * line); a line that is not UTF-8, not JSON or not an object, or whose text is not well-formed
 * Unicode (a lone surrogate spelt as a JSON escape: see text.ts), is reported and skipped.
 */
export class FrameReader {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private failed = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** Whether a fatal error has stopped the reader. */
  get stopped(): boolean {
    return this.failed;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.failed) return [];
    const frames: Frame[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      if (this.pendingBytes + piece.length > this.maxLineBytes) return this.fail(frames);
      const line = this.take(piece);
      // Empty lines (keep-alives) carry nothing.
      if (line.length > 0 && !(line.length === 1 && line[0] === 13)) frames.push(this.parse(line));
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.pendingBytes + rest.length > this.maxLineBytes) return this.fail(frames);
      // Copy: the caller may reuse its buffer.
      this.pending.push(rest.slice());
      this.pendingBytes += rest.length;
    }
    return frames;
  }

  private fail(frames: Frame[]): Frame[] {
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    frames.push({ kind: 'error', code: 'line_too_long', message: `A line is longer than ${this.maxLineBytes} bytes.` });
    return frames;
  }

  /** The line made of the pending bytes and `last`. */
  private take(last: Uint8Array): Uint8Array {
    if (this.pending.length === 0) return last;
    const line = new Uint8Array(this.pendingBytes + last.length);
    let offset = 0;
    for (const part of this.pending) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(last, offset);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private parse(bytes: Uint8Array): Frame {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      return { kind: 'error', code: 'invalid_utf8', message: 'A line is not valid UTF-8.' };
    }
    // Tolerate CRLF line ends from clients written on Windows.
    if (text.endsWith('\r')) text = text.slice(0, -1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: 'error', code: 'invalid_json', message: 'A line is not valid JSON.' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { kind: 'error', code: 'not_an_object', message: 'A line must hold a JSON object.' };
    }
    const illFormed = illFormedTextAt(value);
    if (illFormed !== null) return { kind: 'error', code: 'invalid_unicode', message: illFormedTextMessage(illFormed) };
    return { kind: 'message', value: value as Record<string, unknown> };
  }
}

/** One message as a line on the wire. */
export function encodeFrame(message: object): string {
  return `${JSON.stringify(message)}\n`;
}
