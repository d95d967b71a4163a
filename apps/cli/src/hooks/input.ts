/**
 * The hook's standard input, read whole and parsed at the edge: a JSON object, or why not. Every
 * other shape (`[1,2]`, `null`, `"x"`, a number) is refused here, so nothing further in ever sees
 * raw JSON.
 */
import { fail, ok, type Result } from '@aleph/protocol';

export type HookInput = Readonly<Record<string, unknown>>;

/** At most this much is read: a hook input is one tool call, and a Write's content is the largest part. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export async function readInput(stream: NodeJS.ReadableStream): Promise<Result<string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) return fail('input_too_large', `The hook input is larger than ${MAX_INPUT_BYTES} bytes.`);
    chunks.push(buffer);
  }
  return ok(Buffer.concat(chunks).toString('utf8'));
}

export function parseInput(text: string): Result<HookInput> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('invalid_json', 'The hook input is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not_an_object', 'The hook input is not a JSON object.');
  return ok(value as HookInput);
}

/** A string field, or undefined when absent or of another type. */
export function text(input: HookInput, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

/** An object field (tool_input), or undefined. */
export function object(input: HookInput, key: string): HookInput | undefined {
  const value = input[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as HookInput) : undefined;
}
