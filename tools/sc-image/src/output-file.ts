import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stdoutSink } from '@sc/core';

/**
 * Write an archive to FILE, or to stdout without one. Written beside FILE and renamed, so a failure
 * never leaves half an archive. The temp name is random and created exclusively (O_EXCL never follows a
 * link): in a shared directory like /tmp, another user cannot plant a symlink that root would write through.
 */
export async function writeArchive(file: string | undefined, write: (out: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  if (!file) return write(await stdoutSink());
  const partial = join(dirname(file), `.${basename(file)}.${Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex')}.partial`);
  try {
    await write(createWriteStream(partial, { flags: 'wx', mode: 0o644 }));
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

/** DEST itself, DIR/NAME.EXT when DEST is a directory, or undefined for - (stdout). */
export function destination(dest: string, name: string, ext: string): string | undefined {
  if (dest === '-') return undefined;
  try {
    if (statSync(dest).isDirectory()) return join(dest, `${name}.${ext}`);
  } catch {
    // not there yet: a file to create
  }
  return dest;
}
