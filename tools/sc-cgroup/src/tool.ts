import type { ToolDefinition } from '@sc/core';
import { create } from './create.js';
import { deleteVerb } from './delete.js';
import { stats } from './stats.js';
import { freeze, thaw } from './freeze.js';

/** sc-cgroup: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-cgroup',
  summary:
    'resource limits: memory, CPUs, pids; cgroup v1 and v2\n\n' +
    "A container's cgroups are <controller mount>/<cgroupParent>/<name> (v1) or <unified>/<cgroupParent>/<name> (v2),\n" +
    'found from /proc/self/mountinfo. SC_CGROUP_ROOT=DIR uses DIR as a cgroup2 hierarchy instead (v2 mode on it;\n' +
    'a plain directory shaped like cgroup2 works too, for tests).\n\n' +
    'Devices: on v1 the devices controller allows a container only its standard /dev nodes (null, zero, full,\n' +
    'random, urandom, tty, ptmx, pts), or every device with spec.privileged. On v2 device access is not limited:\n' +
    'that needs a BPF program, which sc does not load.',
  verbs: { create, delete: deleteVerb, stats, freeze, thaw },
  example: 'sc-ps get web1 | sc-cgroup create --memory 64M --cpus 1.5 --pids 512 | sc-ps save',
};
