import { rmSync } from 'node:fs';
import { InputError, StepError, isSameProcess, processStartTime, requireField, type Doc, type StreamVerb } from '@sc/core';
import { assertAddressFree } from './arp.js';
import { detachNet } from './detach.js';
import { startDhcp, stopDhcp } from './dhcp.js';
import { writeEtc } from './etc.js';
import { addMacvlan, configureStatic, deleteNic } from './link.js';
import { macFromId } from './mac.js';
import { bindNetns, boundTo, unbindNetns } from './netns.js';
import { ATTACH_OPTIONS, checkNetSpec, dhcpTimeout, netSpecFromFlags, type NetSpec } from './options.js';
import { IFNAME, netPaths, type NetPaths } from './paths.js';

export const attach: StreamVerb = {
  kind: 'forward',
  concurrent: true,
  summary: "give the container its network: loopback only, or a macvlan NIC with a static address or a DHCP lease; writes its /etc/hostname, hosts, resolv.conf",
  reads: 'name id spec process',
  writes: 'net (and spec.net from flags)',
  options: ATTACH_OPTIONS,
  check(ctx) {
    netSpecFromFlags(ctx.options);
    dhcpTimeout(ctx.options);
  },
  needs(doc) {
    requireField(doc, 'process.pid', 'the container must be running: sc-spawn start first');
    if (!Number.isInteger(doc.process!.pid) || doc.process!.pid <= 0)
      throw new InputError(`${doc.name}: document field "process.pid" is not a process id`);
  },
  async each(doc, ctx) {
    const fromFlags = netSpecFromFlags(ctx.options);
    if (fromFlags) doc.spec.net = fromFlags;
    const want: NetSpec = doc.spec.net ?? { mode: 'none' };
    checkNetSpec(want);
    const pid = doc.process!.pid;
    const alive = doc.process!.startTime === undefined ? processStartTime(pid) !== undefined : isSameProcess(doc.process);
    if (!alive) throw new StepError('ESRCH', `container process ${pid} is not running; start the container first (sc-spawn start)`);
    const paths = netPaths(ctx.layout, doc.name);
    const mac = want.mac ?? (await macFromId(doc.id ?? doc.name));
    if (isAttached(doc, want, mac, paths)) return;
    await detachNet(doc, ctx); // leftovers of an earlier life of this container

    const undo: Array<() => Promise<void>> = [];
    try {
      await bindNetns(paths, pid);
      undo.push(() => unbindNetns(paths));
      const net: Record<string, unknown> = { mode: want.mode, netns: paths.netns };
      let dns = want.dns;
      if (want.mode !== 'none') {
        const parent = want.parent!;
        await addMacvlan(paths.netnsName, parent, mac, want.macvlanMode ?? 'bridge');
        undo.push(() => deleteNic(paths.netns));
        Object.assign(net, { ifname: IFNAME, mac, parent });
        if (want.mode === 'static') {
          await assertAddressFree(paths.netns, want.address!.split('/')[0]!);
          await configureStatic(paths.netnsName, want.address!, want.gateway!);
          Object.assign(net, { address: want.address, gateway: want.gateway });
        } else {
          // Before the start: a client that forked but then failed our checks is found by its pidfile.
          undo.push(() => stopDhcp({}, paths).then(() => rmSync(paths.lease, { force: true })));
          const target = { pid, startTime: doc.process!.startTime ?? processStartTime(pid)!, fixedDns: Boolean(want.dns?.length) };
          // An id of its own on the host for the client (PID 1's pid is unique while the container lives).
          const client = await startDhcp(paths, parent, hostnameOf(doc), dhcpTimeout(ctx.options), target, ctx.config.dhcpIdBase + pid);
          const { lease } = client;
          dns ??= lease.dns;
          Object.assign(net, { address: lease.address, gateway: lease.gateway, dhcpPid: client.pid, dhcpStartTime: client.startTime });
        }
        net.dns = dns ?? [];
      }
      try {
        await writeEtc(doc.process!, { hostname: hostnameOf(doc), address: net.address as string | undefined, dns });
      } catch (err) {
        // A full disk must not keep a container from starting, where room can be made: its /etc stays as it was.
        if ((err as StepError).code !== 'ENOSPC') throw err;
        ctx.say(`${doc.name}: ${(err as Error).message}; started with them as they were`);
      }
      doc.net = net;
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw err;
    }
  },
};

function hostnameOf(doc: Doc): string {
  return doc.spec.hostname ?? doc.name;
}

/** Attach is idempotent: the same wish on a NIC that is still in place (and a client still renewing) is left alone. */
function isAttached(doc: Doc, want: NetSpec, mac: string, paths: NetPaths): boolean {
  const net = doc.net;
  if (!net || net.mode !== want.mode || !boundTo(paths, doc.process!.pid)) return false;
  if (want.mode === 'none') return true;
  if (net.parent !== want.parent || net.mac !== mac) return false;
  if (want.mode === 'static') return net.address === want.address && net.gateway === want.gateway;
  return isSameProcess({ pid: net.dhcpPid as number, startTime: net.dhcpStartTime as number });
}
