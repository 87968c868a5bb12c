import { checkNames, type CommandVerb } from '@sc/core';
import { readRecord } from './records.js';

export const get: CommandVerb = {
  kind: 'command',
  summary: 'write the saved document of each named container, status computed now',
  usage: 'NAME...',
  writes: 'the whole document',
  check(ctx) {
    checkNames(ctx.verb, ctx.args, 'container');
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
