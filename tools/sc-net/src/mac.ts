/** A MAC derived from the container id: stable across stop/start (so is a DHCP lease), locally administered, unicast. */
export async function macFromId(id: string): Promise<string> {
  const { createHash } = await import('node:crypto'); // not at start-up: only attach needs it
  const bytes = createHash('sha256').update(`sc-net:${id}`).digest().subarray(0, 5);
  return ['02', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
