import { runTool } from '@sc/core';
import { start } from './start.js';
import { stop } from './stop.js';
import { exec } from './exec.js';

await runTool({
  name: 'sc-spawn',
  summary: 'the container process: new namespaces, pivot_root, a PID 1 that waits; exec into a running container',
  verbs: { start, stop, exec },
  example: 'sc-ps get web1 | sc-rootfs mount | sc-spawn start | sc-ps save',
});
