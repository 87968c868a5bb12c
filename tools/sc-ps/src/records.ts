import { readdirSync } from 'node:fs';
import { readJson, StepError, type Doc, type Layout } from '@sc/core';
import { computeStatus } from './status.js';

/** The saved record of a container with its status computed now, or undefined if there is none. */
export function readRecord(layout: Layout, name: string): Doc | undefined {
  let doc: Doc | undefined;
  try {
    doc = readJson<Doc>(layout.state(name));
  } catch (err) {
    throw new StepError('EBADSTATE', `record ${layout.state(name)} is unreadable (${(err as Error).message}); sc rm -f ${name} clears it`);
  }
  if (!doc) return undefined;
  doc.status = computeStatus(doc, layout);
  return doc;
}

/** Every container name that has a directory, sorted. */
export function recordNames(layout: Layout): string[] {
  try {
    return readdirSync(layout.containers).filter((n) => !n.startsWith('.')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
