import { formatBytes, writeErr } from '@sc/core';

/** One line of progress on stderr: bytes / total (when known), percent, rate. */
export function progressLine(label: string, bytes: number, total: number | undefined, seconds: number): string {
  const rate = `${formatBytes(seconds > 0 ? bytes / seconds : 0)}/s`;
  if (total === undefined || total <= 0) return `${label} ${formatBytes(bytes)}  ${rate}`;
  const pct = Math.min(100, Math.floor((bytes / total) * 100));
  return `${label} ${formatBytes(bytes)} / ${formatBytes(total)}  ${pct}%  ${rate}`;
}

/**
 * A progress bar redrawn in place (\r) at most ten times a second, only when stderr is a terminal:
 * on a pipe or a file it prints nothing. done() clears the line.
 */
export class Progress {
  private bytes = 0;
  private last = 0;
  private readonly start = Date.now();
  constructor(private readonly label: string, private readonly total: number | undefined, private readonly live: boolean) {}

  /** node:tty is loaded here, not at start-up: `--version` never pays for it. */
  static async start(label: string, total?: number): Promise<Progress> {
    const { isatty } = await import('node:tty');
    return new Progress(label, total, isatty(2));
  }

  add(n: number): void {
    this.bytes += n;
    if (!this.live) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    writeErr(`\r${progressLine(this.label, this.bytes, this.total, (now - this.start) / 1000)}\x1b[K`);
  }

  /** The count, as measured elsewhere (files growing on disk). */
  set(bytes: number): void {
    this.add(bytes - this.bytes);
  }

  done(): void {
    if (this.live && this.last > 0) writeErr('\r\x1b[K');
  }

  /** The chunks of a stream, counted as they pass. */
  async *count(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      this.add(chunk.length);
      yield chunk;
    }
  }
}
