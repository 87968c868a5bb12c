import { existsSync, statSync } from 'node:fs';
import { run } from '@sc/core';
import type { NetPaths } from './paths.js';

/** Bind the container's netns at /var/run/netns/sc-NAME, so `ip netns exec sc-NAME …` works (ip makes the dir a shared mount). */
export async function bindNetns(paths: NetPaths, pid: number): Promise<void> {
  await run('ip', ['netns', 'attach', paths.netnsName, String(pid)]);
}

/** Unmount and remove the netns file; nothing to do if there is none. */
export async function unbindNetns(paths: NetPaths): Promise<void> {
  if (existsSync(paths.netns)) await run('ip', ['netns', 'delete', paths.netnsName]);
}

/** True when the netns file is bound to the same namespace as the process. */
export function boundTo(paths: NetPaths, pid: number): boolean {
  try {
    const a = statSync(paths.netns);
    const b = statSync(`/proc/${pid}/ns/net`);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}
