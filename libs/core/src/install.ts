import { dirname, join, resolve } from 'node:path';

/**
 * Directory of the native helpers, or $SC_LIBEXEC: DEST/libexec beside DEST/lib/sc-tools (the compiled
 * multi-call binary, whose scripts live in Bun's virtual /$bunfs) or DEST/lib/<tool>/<tool>.js (a bundle).
 */
export function libexecDir(): string {
  if (process.env.SC_LIBEXEC) return process.env.SC_LIBEXEC;
  const script = process.argv[1] ?? '.';
  if (script.startsWith('/$bunfs/')) return resolve(dirname(process.execPath), '..', 'libexec');
  return resolve(dirname(script), '..', '..', 'libexec');
}

export function libexecPath(program: string): string {
  return join(libexecDir(), program);
}
