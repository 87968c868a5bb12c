import { StepError } from '@sc/core';

export interface ProgramOptions {
  /** What the program reads; nothing by default. */
  input?: AsyncIterable<Buffer>;
  /** Exit codes that still count as success (GNU tar -c exits 1 when a file changed while it was read). */
  okCodes?: number[];
  /** Told the program's stderr when it exits with an accepted non-zero code. */
  onWarning?: (stderr: string) => void;
  /** The error for a program that is not installed. */
  missing?: string;
  /** What a failure is about, e.g. "xz cannot decompress the archive". */
  failure: string;
}

/**
 * The stdout of a program as it is produced (run() from @sc/core collects it whole): for archives
 * of hundreds of MB. Throws a StepError naming the failure once the output ends, if the program failed.
 */
export async function* programOutput(program: string, args: string[], options: ProgramOptions): AsyncGenerator<Buffer> {
  const [{ spawn }, { Readable, pipeline }] = await Promise.all([import('node:child_process'), import('node:stream')]);
  const sub = spawn(program, args, { stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; missing: boolean }>((resolve) => {
    sub.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, missing: e.code === 'ENOENT' }));
    sub.on('close', (code) => resolve({ code, missing: false }));
  });
  const stderr: Buffer[] = [];
  sub.stderr!.on('data', (b: Buffer) => stderr.push(b));
  if (options.input && sub.stdin) {
    sub.stdin.on('error', () => { /* the program stopped reading: its exit tells why */ });
    pipeline(Readable.from(options.input), sub.stdin, () => {});
  }
  let read = false;
  try {
    for await (const chunk of sub.stdout!) yield chunk as Buffer;
    read = true;
  } finally {
    // Only a reader that stopped early kills it: one that closed its stdout may not have exited yet.
    if (!read && sub.exitCode === null) sub.kill();
  }
  const { code, missing } = await exited;
  if (missing) throw new StepError('ENOENT', options.missing ?? `${program} is not installed (or not on PATH)`);
  const text = Buffer.concat(stderr).toString().trim();
  if (code !== 0 && code !== null && options.okCodes?.includes(code)) {
    if (text) options.onWarning?.(text);
    return;
  }
  if (code !== 0) throw new StepError('EBADARCHIVE', `${options.failure}: ${text.split('\n').pop() || `exit ${code}`}`);
}
