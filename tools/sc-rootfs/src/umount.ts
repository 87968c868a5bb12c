import { isMountPoint, run, StepError, umountDisk, type StreamVerb } from '@sc/core';
import { rootfsPaths } from './paths.js';

export const umount: StreamVerb = {
  kind: 'inverse',
  concurrent: true,
  summary: "unmount the container's overlay, then its disk if it has one; its upper layer stays for the next start",
  reads: 'name',
  writes: 'rootfs.mounted',
  async each(doc, ctx) {
    const paths = rootfsPaths(ctx.layout, doc);
    if (isMountPoint(paths.merged)) {
      try {
        await run('umount', [paths.merged]);
      } catch (err) {
        throw new StepError('EBUSY', `cannot unmount ${paths.merged} (${(err as Error).message}); is something still using it?`);
      }
    }
    // Whatever the document says: a disk left mounted (or a loop device left attached) is found by its path.
    await umountDisk(ctx.layout, doc.name);
    if (doc.rootfs) doc.rootfs.mounted = false;
  },
};
