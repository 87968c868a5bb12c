import { isMountPoint, run, StepError, type StreamVerb } from '@sc/core';
import { rootfsPaths } from './paths.js';

export const umount: StreamVerb = {
  kind: 'inverse',
  summary: "unmount the container's overlay; its upper layer stays for the next start",
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
    if (doc.rootfs) doc.rootfs.mounted = false;
  },
};
