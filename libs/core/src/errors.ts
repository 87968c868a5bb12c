import { writeErr } from './io.js';

/** Exit codes shared by every tool (DESIGN.md: exit codes). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, BAD_INPUT: 3 } as const;

/** A failure of one document's step: it travels in-band as doc.error. */
export class StepError extends Error {
  /** What a reader of the document (--json) may want and a person at the terminal does not: a program's command line and output. */
  detail?: string;
  constructor(public code: string, message: string, detail?: string) {
    super(message);
    if (detail) this.detail = detail;
  }
}

/** Bad flags or arguments: exit 2, before anything is touched. */
export class UsageError extends Error {}

/** Stdin was not valid documents: exit 3, before anything is touched. */
export class InputError extends Error {}

/** Map a thrown Node error (ENOENT, EBUSY, …) to a StepError with a sentence that names the thing. */
export function stepError(err: unknown, what?: string): StepError {
  if (err instanceof StepError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'EFAIL';
  // Node's "ENOSPC: no space left on device, write '/x'" reads better as "write /x: no space left on device".
  const node = e instanceof Error ? /^([A-Z0-9]+): (.+?), (\w+)(?: '(.*?)')?(?: -> '(.*)')?$/.exec(e.message) : null;
  const message = node ? `${node[3]}${node[4] ? ` ${node[4]}` : ''}: ${node[2]}` : e instanceof Error ? e.message : String(err);
  return new StepError(code, what ? `${what}: ${message}` : message);
}

/** Mark a document failed by this tool: one human line on stderr, the error in-band. */
export function failDocument(tool: string, doc: { name: string; error?: unknown }, err: unknown): void {
  const e = stepError(err);
  writeErr(`${tool}: ${doc.name}: ${e.message}\n`);
  doc.error = { tool, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) };
}
