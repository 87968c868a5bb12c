import { StepError, writeJsonAtomic, type StreamVerb } from '@sc/core';
import { readRecord } from './records.js';
import { computeStatus } from './status.js';

export const save: StreamVerb = {
  // It records what happened, failures included, so it runs on documents that carry an error too.
  kind: 'inverse',
  summary: 'save each document as its container\'s record (atomically), with its status computed now',
  reads: 'the whole document',
  writes: 'status lastError',
  each(doc, ctx) {
    if (!doc.id) return; // never reserved (e.g. the name was taken): not ours to save
    const saved = readRecord(ctx.layout, doc.name);
    if (!saved) throw new StepError('ENOENT', `no container named "${doc.name}" (it was removed); nothing saved`);
    if (saved.id !== doc.id)
      throw new StepError('ESTALE', `the record of "${doc.name}" belongs to another container (id ${saved.id?.slice(0, 12)}); nothing saved`);
    doc.status = computeStatus(doc, ctx.layout);
    // An error belongs to the pipeline that failed; the record keeps it as history, so the next
    // pipeline read from the record starts clean. A pipeline that succeeds clears it.
    const { error, ...record } = doc;
    if (error) record.lastError = { ...error, at: new Date().toISOString() };
    else delete record.lastError;
    // The id range is create's to hand out: a document cannot claim another container's host ids.
    if (saved.userns) record.userns = saved.userns;
    else delete record.userns;
    // So is the disk: where the container's files are follows from it.
    record.spec = { ...record.spec };
    if (saved.spec?.disk !== undefined) record.spec.disk = saved.spec.disk;
    else delete record.spec.disk;
    writeJsonAtomic(ctx.layout.state(doc.name), record);
    if (!error) delete doc.lastError;
  },
};
