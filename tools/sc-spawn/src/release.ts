import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { isSameProcess, StepError, type StreamVerb } from '@sc/core';

export const release: StreamVerb = {
  kind: 'forward',
  summary: "let each held PID 1 (sc-spawn start --hold) exec its program: what runc's start does to a created container",
  reads: 'name process',
  writes: '- (containers/NAME/exec.fifo goes)',
  each(doc, ctx) {
    const fifo = ctx.layout.holdFifo(doc.name);
    if (!isSameProcess(doc.process)) throw new StepError('ESRCH', 'its PID 1 has exited: there is nothing to release');
    let fd: number;
    try {
      // Never blocks: PID 1 holds the FIFO open while it waits, and nobody does once it is gone (ENXIO).
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new StepError('ENOTHELD', 'it is not held: released already, or started without --hold');
      if (code === 'ENXIO') throw new StepError('ESRCH', 'its PID 1 has exited: there is nothing to release');
      throw err;
    }
    try {
      writeSync(fd, '0');
    } finally {
      closeSync(fd);
    }
    rmSync(fifo, { force: true });
  },
};
