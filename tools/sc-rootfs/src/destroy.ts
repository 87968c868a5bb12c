import { rmSync } from 'node:fs';
import { isMountPoint, StepError, type StreamVerb } from '@sc/core';
import { rootfsPaths } from './paths.js';

export const destroy: StreamVerb = {
  kind: 'inverse',
  summary: "delete the container's upper layer, work dir and mount point (refuses while mounted)",
  reads: 'name',
  writes: 'rootfs (removed)',
  each(doc, ctx) {
    const paths = rootfsPaths(ctx.layout, doc);
    if (isMountPoint(paths.merged))
      throw new StepError('EBUSY', `rootfs ${paths.merged} is still mounted; stop the container first (sc stop ${doc.name})`);
    for (const dir of [paths.merged, paths.work, paths.upper]) rmSync(dir, { recursive: true, force: true });
    delete doc.rootfs;
  },
};
