import { UsageError, nameProblem, type CommandVerb } from '@sc/core';
import { readRecord } from './records.js';

export const get: CommandVerb = {
  kind: 'command',
  summary: 'write the saved document of each named container, status computed now',
  usage: 'NAME...',
  writes: 'the whole document',
  check(ctx) {
    if (ctx.args.length === 0) throw new UsageError('get needs at least one container NAME');
    for (const n of ctx.args) {
      const problem = nameProblem(n);
      if (problem) throw new UsageError(problem);
    }
  },
  async run(ctx) {
    let code = 0;
    for (const name of ctx.args) {
      const doc = readRecord(ctx.layout, name);
      if (!doc) {
        ctx.say(`no container named "${name}" (sc ps -a lists them)`);
        code = 1;
        continue;
      }
      await ctx.emit(doc);
    }
    return code;
  },
};
