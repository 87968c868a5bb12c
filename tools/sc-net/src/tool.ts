import type { ToolDefinition } from '@sc/core';
import { attach } from './attach.js';
import { detach } from './detach.js';

/** sc-net: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-net',
  summary: 'the network: loopback only, or a macvlan NIC on a parent device with a static address or a DHCP lease',
  verbs: { attach, detach },
  example: 'sc-ps get web1 | sc-net attach --net dhcp --parent eth0 | sc-ps save',
};
