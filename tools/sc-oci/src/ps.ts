import { spawnSync } from 'node:child_process';
import { writeOut } from '@sc/core';
import { checkId, failure, getContainer, OciError } from './container.js';
import { pipeline } from './pipeline.js';
import type { Command } from './command.js';

export const ps: Command = {
  summary: "the container's processes: --format json, their pids (what containerd reads); table, ps's lines of them (ARGS: ps's options, default -ef)",
  usage: '[--format table|json] ID [PS ARGS...]',
  flags: { format: { type: 'string', short: 'f', value: 'FORMAT', description: 'table (default) or json' } },
  async run(ctx, { options, args }) {
    const id = checkId(args[0]);
    const format = String(options.format ?? 'table');
    if (format !== 'table' && format !== 'json') throw new OciError(`--format ${JSON.stringify(format)} must be table or json`);
    const doc = await getContainer(ctx, id);
    const read = await pipeline([['sc-cgroup', 'stats']], [doc], ctx.env);
    const why = failure(read.docs, read.stderr);
    const pids = (read.docs[0]?.cgroup as { stats?: { processes?: number[] } } | undefined)?.stats?.processes;
    if (why || !pids) throw new OciError(`container "${id}": ${why ?? 'no processes read'}`);
    if (format === 'json') {
      writeOut(`${JSON.stringify(pids)}\n`);
      return 0;
    }
    const table = spawnSync('ps', args.length > 1 ? args.slice(1) : ['-ef'], { encoding: 'utf8' });
    if (table.status !== 0) throw new OciError(`ps ${args.slice(1).join(' ')}: ${table.stderr.trim()}`);
    const [header, ...lines] = table.stdout.split('\n');
    const column = header!.trim().split(/\s+/).indexOf('PID');
    if (column < 0) throw new OciError('ps printed no PID column');
    const wanted = new Set(pids.map(String));
    writeOut([header, ...lines.filter((l) => wanted.has(l.trim().split(/\s+/)[column] ?? ''))].join('\n') + '\n');
    return 0;
  },
};
