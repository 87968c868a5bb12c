import { createHash } from 'node:crypto';

/** A MAC derived from the container id: stable across stop/start (so is a DHCP lease), locally administered, unicast. */
export function macFromId(id: string): string {
  const bytes = createHash('sha256').update(`sc-net:${id}`).digest().subarray(0, 5);
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
