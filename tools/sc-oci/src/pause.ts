import { checkId, failure, getContainer, OciError, statusOf } from './container.js';
import { pipeline } from './pipeline.js';
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
    const done = await pipeline([['sc-cgroup', 'freeze']], [doc], ctx.env);
    const why = failure(done.docs, done.stderr);
    if (why) throw new OciError(`cannot pause container "${id}": ${why}`);
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
    const done = await pipeline([['sc-cgroup', 'thaw']], [doc], ctx.env);
    const why = failure(done.docs, done.stderr);
    if (why) throw new OciError(`cannot resume container "${id}": ${why}`);
    return 0;
  },
};
