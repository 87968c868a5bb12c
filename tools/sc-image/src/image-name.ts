import { basename } from 'node:path';

/** The default image name for an archive: its file name up to the first dot (busybox.tar.gz → busybox). */
export function defaultImageName(file: string): string {
  return basename(file).split('.')[0]!;
}
