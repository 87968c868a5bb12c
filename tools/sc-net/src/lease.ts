import { isIPv4 } from '@sc/core';

export interface Lease {
  address: string; // CIDR
  gateway?: string;
  dns: string[];
  domain?: string;
  seconds?: number;
  server?: string;
}

/** Parse the key=value file that libexec/sc-udhcpc.script writes on bound/renew; undefined if it holds no usable lease. */
export function parseLease(text: string): Lease | undefined {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const ip = kv.get('ip') ?? '';
  const mask = kv.get('mask') ?? '';
  if (!isIPv4(ip) || !/^\d+$/.test(mask) || Number(mask) > 32) return undefined;
  const words = (key: string) => (kv.get(key) ?? '').split(/\s+/).filter(isIPv4);
  const lease: Lease = { address: `${ip}/${Number(mask)}`, dns: words('dns') };
  const gateway = words('router')[0];
  if (gateway) lease.gateway = gateway;
  if (kv.get('domain')) lease.domain = kv.get('domain');
  if (/^\d+$/.test(kv.get('lease') ?? '')) lease.seconds = Number(kv.get('lease'));
  if (isIPv4(kv.get('serverid') ?? '')) lease.server = kv.get('serverid');
  return lease;
}
