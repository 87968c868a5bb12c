import type { ToolDefinition } from '@sc/core';
import { create } from './create.js';
import { save } from './save.js';
import { get } from './get.js';
import { list } from './list.js';
import { rm } from './rm.js';

/** sc-ps: its verbs, for the runner (main.ts) and the multi-call binary (tools/sc-tools). */
export const tool: ToolDefinition = {
  name: 'sc-ps',
  summary: 'the container records: reserve a name, save, get, list, remove',
  verbs: { create, save, get, list, rm },
  example: "sc-ps list | jq -c 'select(.image.name==\"busybox\")' | sc-spawn stop | sc-ps save",
};
