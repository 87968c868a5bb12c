import { writeOut } from '@sc/core';
import { checkId, getContainer, ociState, statusOf } from './container.js';
import type { Command } from './command.js';

export const state: Command = {
  summary: "print the container's state (runtime-spec's, as runc prints it): status created, running, paused or stopped",
  usage: 'ID',
  flags: {},
  async run(ctx, { args }) {
    const doc = await getContainer(ctx, checkId(args[0]));
    writeOut(`${JSON.stringify(ociState(doc, await statusOf(ctx, doc)), null, 2)}\n`);
    return 0;
  },
};
