import type { ToolDefinition } from '@sc/core';
import { mount } from './mount.js';
import { umount } from './umount.js';
import { destroy } from './destroy.js';

/** sc-rootfs: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-rootfs',
  summary: "the container's own filesystem: an overlay of the image's layers under a per-container upper layer that survives stop/start",
  verbs: { mount, umount, destroy },
  example: 'sc-ps get web1 | sc-rootfs mount | sc-ps save',
};
