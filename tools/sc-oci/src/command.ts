import type { Context } from './container.js';
import type { Flags, Parsed } from './cli.js';

/** One of runc's commands: its flags, and what it does (the exit code: 0, 1, or an exec'd process's). */
export interface Command {
  summary: string;
  usage: string;
  flags: Flags;
  run(ctx: Context, parsed: Parsed): Promise<number>;
}
