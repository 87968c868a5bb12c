import type { ToolDefinition } from '@sc/core';
import { start } from './start.js';
import { stop } from './stop.js';
import { exec } from './exec.js';
import { release } from './release.js';
import { kill } from './kill.js';

/** sc-spawn: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-spawn',
  summary: 'the container process: new namespaces, pivot_root, a PID 1 that waits (or the application, held until released); signals; exec into a running container',
  verbs: { start, release, stop, kill, exec },
  example: 'sc-ps get web1 | sc-rootfs mount | sc-spawn start | sc-ps save',
};
