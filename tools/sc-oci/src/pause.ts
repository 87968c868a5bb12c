import { checkId, getContainer, OciError, statusOf, step } from './container.js';
import type { Command } from './command.js';

export const pause: Command = {
  summary: 'pause every process of a running container (its cgroups frozen)',
  usage: 'ID',
  flags: {},
  async run(ctx, { args }) {
    const id = checkId(args[0]);
    const doc = await getContainer(ctx, id);
    const status = await statusOf(ctx, doc);
    if (status !== 'running' && status !== 'created') throw new OciError(`cannot pause container "${id}": it is ${status === 'paused' ? 'paused already' : 'not running'}`);
    await step(ctx, doc, 'pause', [['sc-cgroup', 'freeze']]);
    return 0;
  },
};

export const resume: Command = {
  summary: 'resume a paused container',
  usage: 'ID',
  flags: {},
  async run(ctx, { args }) {
    const id = checkId(args[0]);
    const doc = await getContainer(ctx, id);
    if ((await statusOf(ctx, doc)) !== 'paused') throw new OciError(`cannot resume container "${id}": it is not paused`);
    await step(ctx, doc, 'resume', [['sc-cgroup', 'thaw']]);
    return 0;
  },
};
