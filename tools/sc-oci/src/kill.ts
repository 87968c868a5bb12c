import { parseSignal } from '@sc/core';
import { checkId, failure, getContainer, OciError, statusOf } from './container.js';
import { pipeline } from './pipeline.js';
import type { Command } from './command.js';

export const kill: Command = {
  summary: "send a signal (default SIGTERM) to the container's process, or with --all to every process in it",
  usage: '[--all] ID [SIGNAL]',
  flags: { all: { type: 'boolean', short: 'a', description: "every process in the container's cgroups" } },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    const signal = args[1] ?? 'SIGTERM';
    parseSignal(signal);
    const doc = await getContainer(ctx, id);
    if ((await statusOf(ctx, doc)) === 'stopped') throw new OciError(`container "${id}": container not running`);
    const sent = await pipeline([['sc-spawn', 'kill', '--signal', signal, ...(options.all ? ['--all'] : [])]], [doc], ctx.env);
    const why = failure(sent.docs, sent.stderr);
    if (why) throw new OciError(`container "${id}": ${why}`);
    return 0;
  },
};
