import { rmSync } from 'node:fs';
import { isSameProcess, readPidFile, StepError, UsageError, waitGone, type StreamVerb } from '@sc/core';

export const stop: StreamVerb = {
  kind: 'inverse',
  summary: 'ask PID 1 to shut the container down (SIGTERM to every process), SIGKILL after --time seconds',
  reads: 'name process (or containers/NAME/init.pid)',
  writes: 'process (removed; and containers/NAME/seccomp)',
  options: {
    time: { type: 'string', short: 't', value: 'SECONDS', description: 'grace period before SIGKILL (default: the config\'s stopTimeout, 10)' },
  },
  check(ctx) {
    const t = ctx.options.time;
    if (t !== undefined && !/^\d+(\.\d+)?$/.test(String(t))) throw new UsageError(`--time ${JSON.stringify(t)} must be a number of seconds`);
  },
  async each(doc, ctx) {
    const pidFile = ctx.layout.initPid(doc.name);
    // The record may miss a PID 1 started by a pipeline that was killed before it saved: init.pid has it.
    const proc = [doc.process, readPidFile(pidFile)].find((p) => isSameProcess(p));
    if (proc) {
      const grace = ctx.options.time !== undefined ? Number(ctx.options.time) : ctx.config.stopTimeout;
      process.kill(proc.pid, 'SIGTERM');
      if (!(await waitGone(proc, grace * 1000))) {
        // Killing PID 1 of a PID namespace kills every process in it.
        process.kill(proc.pid, 'SIGKILL');
        if (!(await waitGone(proc, 5000))) throw new StepError('EBUSY', `PID 1 (pid ${proc.pid}) survived SIGKILL for 5 s`);
      }
    }
    rmSync(pidFile, { force: true });
    // start compiles them again
    for (const file of [ctx.layout.seccomp(doc.name), ctx.layout.seccompBpf(doc.name)]) rmSync(file, { force: true });
    delete doc.process;
  },
};
