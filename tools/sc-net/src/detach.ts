import { existsSync, rmSync } from 'node:fs';
import { isSameProcess, type Context, type Doc, type StreamVerb } from '@sc/core';
import { stopDhcp } from './dhcp.js';
import { deleteNic } from './link.js';
import { unbindNetns } from './netns.js';
import { netPaths } from './paths.js';

export const detach: StreamVerb = {
  kind: 'inverse',
  concurrent: true,
  summary: "release the DHCP lease, remove the NIC and the netns file (idempotent; works however the container died)",
  reads: 'name process net',
  writes: 'net',
  async each(doc, ctx) {
    await detachNet(doc, ctx);
  },
};

/** Undo everything attach may have made, from the document or, failing that, from the name alone. */
export async function detachNet(doc: Doc, ctx: Context): Promise<void> {
  const paths = netPaths(ctx.layout, doc.name);
  const net = doc.net ?? {};
  // First the client, while the NIC still holds the address its DHCPRELEASE is sent from.
  await stopDhcp({ pid: net.dhcpPid, startTime: net.dhcpStartTime }, paths);
  const bound = existsSync(paths.netns);
  if (bound) await deleteNic(paths.netns);
  else if (doc.net && isSameProcess(doc.process)) await deleteNic(`/proc/${doc.process!.pid}/ns/net`);
  if (bound) await unbindNetns(paths);
  rmSync(paths.lease, { force: true });
  rmSync(paths.log, { force: true });
  delete doc.net;
}
