import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * The data root is closed to other host users (images ship setuid binaries, and a container's files are
 * its own): 0700 whatever the umask, fixed if an older sc or a hand-made directory left it open.
 */
export function ensurePrivateRoot(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if ((statSync(root).mode & 0o077) !== 0) chmodSync(root, 0o700);
}
