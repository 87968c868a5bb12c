import { runTool } from '@sc/core';
import { mount } from './mount.js';
import { umount } from './umount.js';
import { destroy } from './destroy.js';

await runTool({
  name: 'sc-rootfs',
  summary: "the container's own filesystem: an overlay of the image's layers under a per-container upper layer that survives stop/start",
  verbs: { mount, umount, destroy },
  example: 'sc-ps get web1 | sc-rootfs mount | sc-ps save',
});
