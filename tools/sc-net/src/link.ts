import { existsSync } from 'node:fs';
import { StepError, run } from '@sc/core';
import { IFNAME } from './paths.js';

/**
 * Create the macvlan NIC directly inside the container's netns under its final name, already up:
 * one netlink request, so a failure leaves no half-made link on the host (and no clash with the host's eth0).
 */
export async function addMacvlan(netns: string, parent: string, mac: string, mode: string): Promise<void> {
  if (!existsSync(`/sys/class/net/${parent}`))
    throw new StepError('ENODEV', `parent device "${parent}" not found (ip link lists the host's devices; pick one with --parent)`);
  await run('ip', ['link', 'add', 'link', parent, 'name', IFNAME, 'address', mac, 'netns', netns, 'up', 'type', 'macvlan', 'mode', mode]);
}

/** Delete eth0 inside the netns that FILE names (a /var/run/netns file or /proc/PID/ns/net); a missing link or netns is fine. */
export async function deleteNic(nsFile: string): Promise<void> {
  try {
    await run('nsenter', [`--net=${nsFile}`, 'ip', 'link', 'del', IFNAME]);
  } catch (err) {
    if (!/Cannot find device|cannot open|reassociate|No such file|Invalid argument/.test((err as Error).message)) throw err;
  }
}

export async function configureStatic(netns: string, address: string, gateway: string): Promise<void> {
  await run('ip', ['-n', netns, 'addr', 'replace', address, 'dev', IFNAME]);
  await run('ip', ['-n', netns, 'route', 'replace', 'default', 'via', gateway, 'dev', IFNAME]);
}
