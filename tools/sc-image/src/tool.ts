import type { ToolDefinition } from '@sc/core';
import { commit } from './commit.js';
import { exportImage } from './export.js';
import { importImage } from './import.js';
import { ls } from './ls.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { resolve } from './resolve.js';
import { rm } from './rm.js';
import { save } from './save.js';

/** sc-image: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-image',
  summary: 'the image store: import docker-export tarballs, docker-save archives and OCI layouts (archives or directories), pull from and push to registries (through skopeo), export, save as OCI or docker archives, commit, list, remove; resolves an image name to its layer paths',
  verbs: { import: importImage, pull, push, export: exportImage, save, commit, ls, resolve, rm },
  example: 'sc-ps create web1 --image busybox | sc-image resolve | sc-rootfs mount | sc-ps save',
};
