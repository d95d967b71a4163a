import { once } from 'node:events';

/**
 * Buffered line output that respects backpressure: thousands of small writes become a few large
 * ones, and a slow reader slows the writer instead of filling memory.
 */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly highWater = 64 * 1024,
  ) {}

  async line(text: string): Promise<void> {
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= this.highWater) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
