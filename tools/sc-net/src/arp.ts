import { StepError, run } from '@sc/core';
import { IFNAME } from './paths.js';

/** Duplicate address detection: an ARP probe from 0.0.0.0 that anyone holding ADDR answers. */
export async function assertAddressFree(nsFile: string, addr: string): Promise<void> {
  try {
    // A failed run keeps the program's stdout, where arping names the MAC that answered.
    await run('nsenter', [`--net=${nsFile}`, 'busybox', 'arping', '-D', '-c', '1', '-w', '1', '-I', IFNAME, addr]);
  } catch (err) {
    const out = String((err as { stdout?: unknown }).stdout ?? '');
    const mac = /reply from \S+ \[([0-9a-f:]+)\]/i.exec(out)?.[1];
    if (mac) throw new StepError('EADDRINUSE', `${addr} is already in use on the LAN (answered from MAC ${mac}); pick another --ip`);
    const why = String((err as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop() || (err as Error).message;
    throw new StepError('EARP', `could not check whether ${addr} is free with busybox arping: ${why}`);
  }
}
