import type { ToolDefinition } from '@sc/core';
import { create } from './create.js';
import { save } from './save.js';
import { get } from './get.js';
import { list } from './list.js';
import { rm } from './rm.js';
import { config } from './config.js';

/** sc-ps: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-ps',
  summary: 'the container records: reserve a name, save, get, list, remove; and the configuration every tool reads',
  verbs: { create, save, get, list, rm, config },
  example: "sc-ps list | jq -c 'select(.image.name==\"busybox\")' | sc-spawn stop | sc-ps save",
};
