import { fstatSync, readSync, statSync, writeSync } from 'node:fs';
import { StepError } from './errors.js';

// Plain blocking reads and writes on fds 0, 1 and 2. A pipeline tool handles one document at a
// time, so blocking is natural back-pressure, and it spares every tool the ~10 ms that creating
// process.stdin/stdout streams costs at start-up.

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Run a read or write, waiting out EAGAIN on a descriptor someone left non-blocking. */
function retrying<T>(op: () => T): T {
  for (;;) {
    try {
      return op();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let off = 0; off < buf.length; ) off += retrying(() => writeSync(fd, buf, off));
}

/**
 * Stdout as a stream for bulk output (an archive on `-`): blocking writes that wait out EAGAIN, where a file
 * stream on fd 1 fails mid-archive ("write failed") once a reader's pipe is full and the descriptor is
 * non-blocking, leaving it a truncated archive.
 */
export async function stdoutSink(): Promise<NodeJS.WritableStream> {
  const { Writable } = await import('node:stream');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        writeAll(1, chunk);
        done();
      } catch (err) {
        const gone = (err as NodeJS.ErrnoException).code === 'EPIPE';
        done(gone ? new StepError('EPIPE', 'the reader of stdout went away before the whole archive was written') : (err as Error));
      }
    },
  });
}

/** Write on stdout; a reader that went away (EPIPE, e.g. `| head`) ends the tool with exit 1. */
export function writeOut(text: string): void {
  try {
    writeAll(1, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(1);
    throw err;
  }
}

export function writeErr(text: string): void {
  try {
    writeAll(2, text);
  } catch {
    // Nowhere left to complain to.
  }
}

/** True when fd 0 is a terminal (a stream verb run by hand without a pipe); /dev/null is not one. */
export function stdinIsTerminal(): boolean {
  try {
    const st = fstatSync(0);
    return st.isCharacterDevice() && st.rdev !== statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** The lines of fd 0, read as they arrive. */
export function* readLines(fd = 0): Generator<string> {
  const chunk = Buffer.alloc(64 * 1024);
  let pending = '';
  for (;;) {
    const n = retrying(() => {
      try {
        return readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EOF') return 0;
        throw err;
      }
    });
    if (n === 0) break;
    pending += chunk.toString('utf8', 0, n);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl);
      pending = pending.slice(nl + 1);
    }
  }
  if (pending !== '') yield pending;
}
