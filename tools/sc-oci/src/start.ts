import { checkId, getContainer, OciError, ociState, statusOf, step } from './container.js';
import { runHooks } from './hooks.js';
import type { Command } from './command.js';

export const start: Command = {
  summary: 'start a created container: its process execs its program',
  usage: 'ID',
  flags: {},
  async run(ctx, { args }) {
    const id = checkId(args[0]);
    const doc = await getContainer(ctx, id);
    const status = await statusOf(ctx, doc);
    if (status === 'stopped') throw new OciError(`cannot start container "${id}": it has stopped`);
    if (status !== 'created') throw new OciError(`cannot start container "${id}": it is ${status} already`);
    await step(ctx, doc, 'start', [['sc-spawn', 'release']]);
    try {
      await runHooks('poststart', doc.oci?.hooks.poststart, ociState(doc, 'running'));
    } catch (err) {
      ctx.log.warn((err as Error).message); // runtime-spec: a poststart hook that fails is a warning
    }
    return 0;
  },
};
