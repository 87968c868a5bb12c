import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { StepError, type StreamVerb } from '@sc/core';
import { readRecord } from './records.js';
import { releaseIds } from './userns.js';

export const rm: StreamVerb = {
  kind: 'inverse',
  summary: "remove each container's record and its (emptied) directory; refuses running containers",
  reads: 'name id process',
  writes: 'status (and gives back its userns ids)',
  each(doc, ctx) {
    if (doc.error)
      throw new StepError('EKEPT', `record kept because an earlier step failed (${doc.error.tool}: ${doc.error.message})`);
    const saved = readRecord(ctx.layout, doc.name);
    if (saved && doc.id && saved.id !== doc.id)
      throw new StepError('ESTALE', `the record of "${doc.name}" belongs to another container; not removed`);
    if (saved?.status === 'running')
      throw new StepError('EBUSY', `container "${doc.name}" is running (pid ${saved.process?.pid}); stop it first (sc stop ${doc.name}, or sc rm -f)`);
    const dir = ctx.layout.container(doc.name);
    rmSync(ctx.layout.state(doc.name), { force: true });
    rmSync(ctx.layout.lock(doc.name), { force: true }); // a waiter on the old lock file sees it gone and retries
    try {
      rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return releaseIds(ctx.layout, doc.name, saved?.userns ?? doc.userns);
      if (code === 'ENOTEMPTY')
        throw new StepError('ENOTEMPTY', `${dir} still holds ${readdirSync(dir).join(', ')}; sc-rootfs destroy removes the rootfs first`);
      throw err;
    }
    releaseIds(ctx.layout, doc.name, saved?.userns ?? doc.userns);
    delete doc.status;
  },
};
