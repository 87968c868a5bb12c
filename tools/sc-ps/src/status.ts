import { isSameProcess, readPidFile, type Doc, type Layout } from '@sc/core';

/**
 * Status is computed, never trusted from disk: running only while the recorded PID is the same
 * process. A PID 1 that sc-spawn started but no record names yet (the pipeline was killed before
 * sc-ps save) is found through its init.pid and put back in the document, so ps tells the truth
 * and stop can reach it.
 */
export function computeStatus(doc: Doc, layout: Layout): NonNullable<Doc['status']> {
  if (isSameProcess(doc.process)) return 'running';
  const orphan = readPidFile(layout.initPid(doc.name));
  if (orphan && isSameProcess(orphan)) {
    doc.process = orphan;
    return 'running';
  }
  if (doc.process || doc.status === 'running' || doc.status === 'stopped') return 'stopped';
  return 'created';
}
