import { rmSync } from 'node:fs';
import { isMountPoint, StepError, umountDisk, type StreamVerb } from '@sc/core';
import { everythingOf } from './paths.js';

export const destroy: StreamVerb = {
  kind: 'inverse',
  summary: "delete the container's upper layer, work dir, mount point and disk image (refuses while mounted)",
  reads: 'name',
  writes: 'rootfs (removed)',
  async each(doc, ctx) {
    for (const point of [ctx.layout.merged(doc.name), ctx.layout.disk(doc.name)]) {
      if (isMountPoint(point)) throw new StepError('EBUSY', `${point} is still mounted; stop the container first (sc stop ${doc.name})`);
    }
    await umountDisk(ctx.layout, doc.name); // not mounted: only a loop device some half-done step left
    for (const path of everythingOf(ctx.layout, doc.name)) rmSync(path, { recursive: true, force: true });
    delete doc.rootfs;
  },
};
