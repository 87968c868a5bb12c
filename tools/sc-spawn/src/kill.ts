import { cgroupPids, isSameProcess, parseSignal, StepError, type StreamVerb } from '@sc/core';

export const kill: StreamVerb = {
  kind: 'forward',
  summary: "send a signal to each container's PID 1, or with --all to every process in its cgroups (runc's kill); a container that is not running fails",
  reads: 'name process cgroup.paths',
  writes: '-',
  options: {
    signal: { type: 'string', short: 's', value: 'SIGNAL', description: 'a name (TERM, SIGKILL, RTMIN+3) or a number; default SIGTERM' },
    all: { type: 'boolean', short: 'a', description: "every process in the container's cgroups, not only PID 1" },
  },
  check(ctx) {
    parseSignal(String(ctx.options.signal ?? 'SIGTERM'));
  },
  each(doc, ctx) {
    const signal = parseSignal(String(ctx.options.signal ?? 'SIGTERM'));
    if (!isSameProcess(doc.process)) throw new StepError('ESRCH', 'container not running');
    const pids = ctx.options.all ? [...new Set([doc.process!.pid, ...(doc.cgroup?.paths ?? []).flatMap(cgroupPids)])] : [doc.process!.pid];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err; // gone meanwhile
      }
    }
  },
};
