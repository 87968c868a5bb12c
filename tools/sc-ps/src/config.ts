import { UsageError, writeOut, type CommandVerb, type Config } from '@sc/core';

/** The configuration as every tool reads it: the one place that resolves it, for front ends in other languages too. */
export const config: CommandVerb = {
  kind: 'command',
  summary: "print the configuration the tools use (/etc/sc.json5 or $SC_CONFIG, $SC_ROOT over its root), resolved: JSON, or one key's value with --get",
  usage: '',
  writes: 'the configuration (not a document)',
  options: {
    get: { type: 'string', value: 'KEY', description: 'print only this key\'s value, e.g. --get root (what sc, init.sh and scripts use)' },
  },
  check(ctx) {
    if (ctx.args.length > 0) throw new UsageError('config takes no arguments');
  },
  async run(ctx) {
    const key = ctx.options.get as string | undefined;
    if (key === undefined) return void (await ctx.emit(ctx.config));
    if (!Object.hasOwn(ctx.config, key)) throw new UsageError(`config has no key ${JSON.stringify(key)} (keys: ${Object.keys(ctx.config).join(', ')})`);
    const value = ctx.config[key as keyof Config];
    writeOut(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  },
};
