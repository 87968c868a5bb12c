import { parseSignal } from '@sc/core';
import { checkId, getContainer, OciError, statusOf, step } from './container.js';
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
    await step(ctx, doc, 'signal', [['sc-spawn', 'kill', '--signal', signal, ...(options.all ? ['--all'] : [])]]);
    return 0;
  },
};
