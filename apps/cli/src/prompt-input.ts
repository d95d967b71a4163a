import { createInterface } from 'node:readline';

/** Where a prompt's answers come from: one key at a time on a terminal, one line at a time otherwise. */
export interface PromptInput {
  /** The next answer: a key, or what was typed before Enter; null once input has ended (Ctrl-C, Ctrl-D, a closed pipe). */
  next(): Promise<string | null>;
  /** Gives the terminal back as it was. */
  close(): void;
  /** Called once when input ends, even while nobody waits for an answer. */
  onEnd(listener: () => void): void;
}

type Tty = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * On a terminal, the keys in `immediate` answer as soon as they are pressed (no Enter); anything else
 * is gathered, with echo and backspace, until Enter (a duration such as `15m`). Otherwise (a pipe, a
 * file) each line is an answer.
 */
export function promptInput(stdin: NodeJS.ReadableStream, echo: NodeJS.WritableStream, immediate: ReadonlySet<string>): PromptInput {
  const tty = stdin as Tty;
  return tty.isTTY === true && typeof tty.setRawMode === 'function' ? keyInput(tty, echo, immediate) : lineInput(stdin);
}

function lineInput(stdin: NodeJS.ReadableStream): PromptInput {
  const input = createInterface({ input: stdin, crlfDelay: Infinity });
  const lines = input[Symbol.asyncIterator]();
  return {
    async next() {
      const line = await lines.next();
      return line.done === true ? null : line.value;
    },
    close: () => input.close(),
    onEnd: (listener) => input.once('close', listener),
  };
}

function keyInput(tty: Tty, echo: NodeJS.WritableStream, immediate: ReadonlySet<string>): PromptInput {
  tty.setRawMode?.(true);
  tty.setEncoding?.('utf8');
  tty.resume();
  const answers: (string | null)[] = [];
  const waiting: ((answer: string | null) => void)[] = [];
  const endListeners: (() => void)[] = [];
  let typed = '';
  let ended = false;
  const give = (answer: string | null): void => {
    const waiter = waiting.shift();
    if (waiter === undefined) answers.push(answer);
    else waiter(answer);
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    tty.off('data', onData);
    tty.setRawMode?.(false);
    tty.pause();
    for (const listener of endListeners) listener();
    give(null);
  };
  const onData = (chunk: string | Buffer): void => {
    for (const key of chunk.toString()) {
      if (key === '\u0003' || key === '\u0004') return end();
      if (key === '\r' || key === '\n') {
        echo.write('\n');
        give(typed);
        typed = '';
      } else if (key === '\u007f' || key === '\b') {
        if (typed.length > 0) {
          typed = typed.slice(0, -1);
          echo.write('\b \b');
        }
      } else if (typed === '' && immediate.has(key.toLowerCase())) {
        echo.write(`${key}\n`);
        give(key);
      } else if (key >= ' ') {
        typed += key;
        echo.write(key);
      }
    }
  };
  tty.on('data', onData);
  tty.once('end', end);
  return {
    next: () =>
      answers.length > 0 ? Promise.resolve(answers.shift() ?? null) : ended ? Promise.resolve(null) : new Promise((resolve) => waiting.push(resolve)),
    close: end,
    onEnd: (listener) => endListeners.push(listener),
  };
}
