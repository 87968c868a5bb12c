import { stepError, StepError, writeErr, type Context } from '@sc/core';
import type { Interrupt } from './interrupt.js';

/**
 * A pull or a push that failed: one line on stderr naming the reference and the cause, and on stdout
 * {name, reference, error}, skopeo's own words in error.detail. A signal is the cause it names, not
 * the complaint of a program the same Ctrl-C stopped.
 */
export async function reportFailure(ctx: Context, record: { name: string; reference: string }, err: unknown, interrupt: Interrupt, undone: string): Promise<number> {
  const e = interrupt.signal ? new StepError('EINTR', `${record.reference}: interrupted by ${interrupt.signal}; ${undone}`) : stepError(err);
  writeErr(`${ctx.tool}: ${e.message}\n`);
  await ctx.emit({ ...record, error: { tool: ctx.tool, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) } });
  return 1;
}
