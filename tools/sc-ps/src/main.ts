import { runTool } from '@sc/core';
import { create } from './create.js';
import { save } from './save.js';
import { get } from './get.js';
import { list } from './list.js';
import { rm } from './rm.js';

await runTool({
  name: 'sc-ps',
  summary: 'the container records: reserve a name, save, get, list, remove',
  verbs: { create, save, get, list, rm },
  example: "sc-ps list | jq -c 'select(.image.name==\"busybox\")' | sc-spawn stop | sc-ps save",
});
