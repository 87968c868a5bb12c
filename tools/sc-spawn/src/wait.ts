import { isSameProcess } from '@sc/core';
import { setTimeout as sleep } from 'node:timers/promises';

/** Poll until the recorded process is gone (or a zombie); false if it is still there after `ms`. */
export async function waitGone(proc: { pid: number; startTime: number }, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 2; isSameProcess(proc); delay = Math.min(delay * 2, 50)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
  return true;
}
