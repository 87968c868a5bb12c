import {
  isMountPoint, isSameProcess, libexecPath, processStartTime, readPidFile, requireField, run, StepError, writeFileAtomic,
  type StreamVerb,
} from '@sc/core';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { initArgs } from './init-args.js';
import { writeSeccompRules } from './seccomp-rules.js';

export const start: StreamVerb = {
  kind: 'forward',
  summary: "start the container's PID 1 in new PID, mount, UTS, IPC, network and cgroup namespaces (and user, with spec.userns), inside its cgroups, under its seccomp filter",
  reads: 'name spec.hostname spec.boot spec.privileged spec.noNewPrivileges spec.seccomp userns rootfs.merged cgroup.paths',
  writes: 'process (and containers/NAME/seccomp, the rules, and seccomp.bpf, the filter sc-enter applies too)',
  needs(doc) {
    requireField(doc, 'rootfs.merged', 'pipe it through sc-rootfs mount first');
  },
  async each(doc, ctx) {
    if (isSameProcess(doc.process)) return; // already running
    // A PID 1 started by a pipeline that was killed before it saved: adopt it rather than start a second.
    const orphan = readPidFile(ctx.layout.initPid(doc.name));
    if (orphan && isSameProcess(orphan)) {
      doc.process = orphan;
      return;
    }
    const root = doc.rootfs!.merged;
    if (!isMountPoint(root)) throw new StepError('ENOTMOUNTED', `rootfs ${root} is not mounted; pipe the document through sc-rootfs mount first`);
    const rules = await writeSeccompRules(doc, ctx.layout.seccomp(doc.name));
    rmSync(ctx.layout.seccompBpf(doc.name), { force: true });
    const seccomp = rules ? { rules, bpf: ctx.layout.seccompBpf(doc.name) } : undefined;
    const out = await run(libexecPath('sc-init'), initArgs(doc, root, seccomp));
    const pid = Number((JSON.parse(out) as { pid: unknown }).pid);
    const startTime = processStartTime(pid);
    if (!Number.isInteger(pid) || startTime === undefined)
      throw new StepError('ESRCH', `the container's PID 1 exited right after it started${doc.spec.boot ? ` (did ${join(root, 'sbin/init')} fail?)` : ''}`);
    // Recorded at once, by us: whatever kills the pipeline from here on, stop can still find this PID 1.
    writeFileAtomic(ctx.layout.initPid(doc.name), `${pid} ${startTime}\n`);
    doc.process = { pid, startTime };
  },
};
