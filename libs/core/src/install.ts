import { dirname, join, resolve } from 'node:path';

/**
 * The installation the running tool belongs to: DEST of DEST/lib/sc-tools (the compiled multi-call binary,
 * whose scripts live in Bun's virtual /$bunfs) or of DEST/lib/<tool>/<tool>.js (a bundle).
 */
function installDir(): string {
  const script = process.argv[1] ?? '.';
  if (script.startsWith('/$bunfs/')) return resolve(dirname(process.execPath), '..');
  return resolve(dirname(script), '..', '..');
}

/** Directory of the native helpers: DEST/libexec, or $SC_LIBEXEC. */
export function libexecDir(): string {
  return process.env.SC_LIBEXEC || join(installDir(), 'libexec');
}

export function libexecPath(program: string): string {
  return join(libexecDir(), program);
}

/** A tool of the pipeline, for a front end written in TypeScript (sc-oci): DEST/bin/TOOL. */
export function toolPath(tool: string): string {
  return join(installDir(), 'bin', tool);
}
