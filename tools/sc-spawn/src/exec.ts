import { existsSync } from 'node:fs';
import { isSameProcess, libexecPath, readDocuments, UsageError, type CommandVerb } from '@sc/core';

export const exec: CommandVerb = {
  kind: 'command',
  summary: 'run a command in each running container read on stdin (stdin of the command: /dev/null); `sc exec` is the interactive form',
  usage: '-- CMD [ARG...]',
  reads: 'name process cgroup.paths (documents on stdin)',
  writes: "nothing: the command's output goes to stdout and stderr",
  options: {
    env: { type: 'string', short: 'e', value: 'K=V', multiple: true, description: 'extra environment variable' },
  },
  check(ctx) {
    if (ctx.args.length === 0) throw new UsageError('exec needs a command, e.g. sc-ps list | sc-spawn exec -- hostname');
    for (const e of (ctx.options.env as string[] | undefined) ?? [])
      if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) throw new UsageError(`--env ${JSON.stringify(e)} must look like NAME=VALUE`);
  },
  async run(ctx) {
    const { spawnSync } = await import('node:child_process');
    let code = 0;
    for await (const doc of readDocuments()) {
      if (!isSameProcess(doc.process)) {
        ctx.say(`${doc.name}: not running; skipped`);
        code = 1;
        continue;
      }
      const args = ['--pid', String(doc.process!.pid), '--start-time', String(doc.process!.startTime)];
      for (const path of doc.cgroup?.paths ?? []) args.push('--cgroup', path);
      for (const e of (ctx.options.env as string[] | undefined) ?? []) args.push('--env', e);
      // The seccomp rules PID 1 runs under (sc-enter refuses a filtered container without them).
      if (existsSync(ctx.layout.seccompBpf(doc.name))) args.push('--seccomp', ctx.layout.seccompBpf(doc.name));
      const result = spawnSync(libexecPath('sc-enter'), [...args, '--', ...ctx.args], { stdio: ['ignore', 'inherit', 'inherit'] });
      const status = result.status ?? 1;
      if (status !== 0) code = status;
    }
    return code;
  },
};
