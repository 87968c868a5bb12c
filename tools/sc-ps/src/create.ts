import { mkdirSync, rmdirSync } from 'node:fs';
import {
  DOC_VERSION, SPEC_OPTIONS, UsageError, failDocument, nameProblem, specFromOptions, writeJsonAtomic,
  type CommandVerb, type Doc,
} from '@sc/core';
import { allocateIds } from './userns.js';

export const create: CommandVerb = {
  kind: 'command',
  summary: 'reserve a container name and write its first record (status "created")',
  usage: 'NAME',
  reads: '-',
  writes: 'name id created status spec userns',
  options: {
    image: { type: 'string', value: 'IMAGE', description: 'image to run (required)' },
    ...SPEC_OPTIONS,
  },
  check(ctx) {
    if (ctx.args.length !== 1) throw new UsageError('create takes exactly one NAME');
    const problem = nameProblem(ctx.args[0]);
    if (problem) throw new UsageError(problem);
    if (typeof ctx.options.image !== 'string') throw new UsageError('create needs --image IMAGE');
    const imageProblem = nameProblem(ctx.options.image);
    if (imageProblem) throw new UsageError(`--image: ${imageProblem}`);
    specFromOptions(ctx.options);
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    const spec = { image: ctx.options.image as string, ...specFromOptions(ctx.options) };
    // The record says what the container has: the config's default disk, when no --disk was given.
    if (spec.disk === undefined && ctx.config.disk !== undefined) spec.disk = ctx.config.disk;
    const doc: Doc = { v: DOC_VERSION, name, spec };
    mkdirSync(ctx.layout.containers, { recursive: true });
    try {
      // mkdir is the atomic reservation: of two creates of one name, exactly one succeeds.
      mkdirSync(ctx.layout.container(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      failDocument(ctx.tool, doc, Object.assign(new Error(`name "${name}" is taken by an existing container (sc rm ${name} frees it)`), { code: 'EEXIST' }));
      await ctx.emit(doc);
      return 1;
    }
    const reserved: Doc = {
      v: DOC_VERSION,
      name,
      id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
      created: new Date().toISOString(),
      status: 'created',
      spec,
    };
    if (spec.userns) {
      try {
        reserved.userns = allocateIds(ctx.layout, ctx.config, name);
      } catch (err) {
        rmdirSync(ctx.layout.container(name)); // the name goes back with the failure
        failDocument(ctx.tool, doc, err);
        await ctx.emit(doc);
        return 1;
      }
    }
    writeJsonAtomic(ctx.layout.state(name), reserved);
    await ctx.emit(reserved);
    return 0;
  },
};
