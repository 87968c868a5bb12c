import { isSameProcess, type Doc } from '@sc/core';

/** Status is computed, never trusted from disk: running only while the recorded PID is the same process. */
export function computeStatus(doc: Doc): NonNullable<Doc['status']> {
  if (isSameProcess(doc.process)) return 'running';
  if (doc.process || doc.status === 'running' || doc.status === 'stopped') return 'stopped';
  return 'created';
}
