import { readFileSync } from 'node:fs';
import { ConfigError, readResources } from './config.js';
import { checkId, getContainer, OciError, step } from './container.js';
import type { Command } from './command.js';

export const update: Command = {
  summary: "change a container's memory, CPU and pids limits: --resources FILE (or - for stdin) in config.json's linux.resources form, or the flags",
  usage: '[FLAGS] ID',
  flags: {
    resources: { type: 'string', short: 'r', value: 'FILE', description: 'the new resources as JSON (linux.resources); - reads stdin' },
    memory: { type: 'string', value: 'BYTES', description: 'memory limit' },
    'memory-swap': { type: 'string', value: 'BYTES', description: 'memory plus swap limit (-1: unlimited)' },
    'cpu-quota': { type: 'string', value: 'MICROSECONDS', description: 'CPU time per period' },
    'cpu-period': { type: 'string', value: 'MICROSECONDS', description: 'the period of --cpu-quota' },
    'cpu-share': { type: 'string', value: 'SHARES', description: 'CPU weight (cpu.shares)' },
    'pids-limit': { type: 'string', value: 'N', description: 'maximum number of processes' },
  },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    let json: Record<string, unknown> = {};
    if (options.resources !== undefined) {
      try {
        json = JSON.parse(readFileSync(options.resources === '-' ? 0 : String(options.resources), 'utf8'));
      } catch (err) {
        throw new OciError(`cannot read the resources ${options.resources}: ${(err as Error).message}`);
      }
    }
    const number = (flag: string) => {
      const v = options[flag];
      if (v === undefined) return undefined;
      if (!/^-?\d+$/.test(String(v))) throw new OciError(`--${flag} ${JSON.stringify(v)} must be a whole number`);
      return Number(v);
    };
    const doc = await getContainer(ctx, id);
    const memory: Record<string, unknown> = { ...(json.memory as object | undefined), ...defined({ limit: number('memory'), swap: number('memory-swap') }) };
    // Swap is memory plus swap: given alone, it is read against the limit the container has.
    if (memory.swap !== undefined && memory.limit === undefined && doc.spec.memory !== undefined) memory.limit = doc.spec.memory;
    const cpu = { ...(json.cpu as object | undefined), ...defined({ quota: number('cpu-quota'), period: number('cpu-period'), shares: number('cpu-share') }) };
    const pids = { ...(json.pids as object | undefined), ...defined({ limit: number('pids-limit') }) };
    let wanted: ReturnType<typeof readResources>;
    try {
      wanted = readResources({ ...json, memory, cpu, pids }, 'resources');
    } catch (err) {
      if (err instanceof ConfigError) throw new OciError(err.message.replace(/^config\.json: /, ''));
      throw err;
    }
    if (wanted.deviceRules) throw new OciError('resources.devices cannot be changed on a running container: sc writes device rules once, at create');
    // What is not given stays as it was; memory and its swap go together.
    const spec = { ...doc.spec, ...wanted };
    if (wanted.memory !== undefined && wanted.memorySwap === undefined && doc.spec.memorySwap !== undefined && doc.spec.memorySwap !== -1 && doc.spec.memorySwap < wanted.memory) delete spec.memorySwap;
    await step(ctx, { ...doc, spec }, 'update', [['sc-cgroup', 'create'], ['sc-ps', 'save']]);
    return 0;
  },
};

function defined(o: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;
}
