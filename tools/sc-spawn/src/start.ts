import {
  isMountPoint, isSameProcess, libexecPath, processStartTime, requireField, run, StepError, type StreamVerb,
} from '@sc/core';
import { join } from 'node:path';

export const start: StreamVerb = {
  kind: 'forward',
  summary: "start the container's PID 1 in new PID, mount, UTS, IPC, network and cgroup namespaces, inside its cgroups",
  reads: 'name spec.hostname spec.boot rootfs.merged cgroup.paths',
  writes: 'process',
  needs(doc) {
    requireField(doc, 'rootfs.merged', 'pipe it through sc-rootfs mount first');
  },
  async each(doc) {
    if (isSameProcess(doc.process)) return; // already running
    const root = doc.rootfs!.merged;
    if (!isMountPoint(root)) throw new StepError('ENOTMOUNTED', `rootfs ${root} is not mounted; pipe the document through sc-rootfs mount first`);
    const args = ['--root', root, '--hostname', doc.spec.hostname ?? doc.name, '--grace', String(doc.spec.grace ?? 10)];
    for (const path of doc.cgroup?.paths ?? []) args.push('--cgroup', path);
    if (doc.spec.boot) args.push('--boot', '--', '/sbin/init');
    const out = await run(libexecPath('sc-init'), args);
    const pid = Number((JSON.parse(out) as { pid: unknown }).pid);
    const startTime = processStartTime(pid);
    if (!Number.isInteger(pid) || startTime === undefined)
      throw new StepError('ESRCH', `the container's PID 1 exited right after it started${doc.spec.boot ? ` (did ${join(root, 'sbin/init')} fail?)` : ''}`);
    doc.process = { pid, startTime };
  },
};
