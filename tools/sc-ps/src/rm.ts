import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StepError, type StreamVerb } from '@sc/core';
import { readRecord } from './records.js';
import { releaseIds } from './userns.js';

/** The record and its history: what rm takes with it (the console log outlives stop, for sc logs; a seccomp profile
 * that came with the container, sc-oci's). */
const RECORD_FILES = ['state.json', 'console.log', 'console.log.1', 'console.sock', 'seccomp.json'];

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
    // Refused before anything goes: a record removed from a directory that then stays is a container nobody can name.
    const left = entries(dir).filter((e) => !RECORD_FILES.includes(e));
    if (left.length > 0)
      throw new StepError('ENOTEMPTY', `${dir} still holds ${left.join(', ')}; sc-rootfs destroy removes the rootfs first (sc rm -f does it all)`);
    for (const file of RECORD_FILES.filter((f) => f !== 'state.json')) rmSync(join(dir, file), { force: true });
    rmSync(ctx.layout.state(doc.name), { force: true });
    rmSync(ctx.layout.lock(doc.name), { force: true }); // a waiter on the old lock file sees it gone and retries
    try {
      rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return releaseIds(ctx.layout, doc.name, saved?.userns ?? doc.userns);
      throw err;
    }
    releaseIds(ctx.layout, doc.name, saved?.userns ?? doc.userns);
    delete doc.status;
  },
};

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
