import { join } from 'node:path';
import type { Layout } from '@sc/core';

export const IFNAME = 'eth0';

/** Where a container's network state lives: derived from the name alone, so detach works on any document. */
export function netPaths(layout: Layout, name: string) {
  const dir = layout.container(name);
  return {
    dir,
    netnsName: `sc-${name}`,
    netns: `/var/run/netns/sc-${name}`,
    lease: join(dir, 'dhcp.lease'),
    pidFile: join(dir, 'udhcpc.pid'),
    log: join(dir, 'udhcpc.log'),
  };
}

export type NetPaths = ReturnType<typeof netPaths>;
