import { dirname, join, resolve } from 'node:path';

/** Directory of the native helpers: DEST/libexec beside DEST/lib/<tool>/<tool>.js, or $SC_LIBEXEC. */
export function libexecDir(): string {
  return process.env.SC_LIBEXEC || resolve(dirname(process.argv[1] ?? '.'), '..', '..', 'libexec');
}

export function libexecPath(program: string): string {
  return join(libexecDir(), program);
}
