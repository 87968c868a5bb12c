// runc's command line as its callers write it (urfave/cli): `--flag value`, `--flag=value`, `-flag value`,
// short forms (-d), flags before the positional arguments only (what follows the container's ID is its own).
import { UsageError } from '@sc/core';

export interface Flag {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
  value?: string;
  description: string;
}
export type Flags = Record<string, Flag>;
export type Parsed = { options: Record<string, string | boolean | string[] | undefined>; args: string[] };

/** Flags of FLAGS up to the first positional (or "--"); the rest are positionals as they are. */
export function parseFlags(argv: readonly string[], flags: Flags, command: string): Parsed {
  const options: Parsed['options'] = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const [spelled, inline] = arg.replace(/^--?/, '').split(/=(.*)/s) as [string, string | undefined];
    const name = Object.hasOwn(flags, spelled) ? spelled : Object.keys(flags).find((n) => flags[n]!.short === spelled);
    if (name === undefined) throw new UsageError(`${command}: unknown flag ${arg.replace(/=.*$/s, '')} (sc-oci ${command} --help)`);
    const flag = flags[name]!;
    let value: string | boolean;
    if (flag.type === 'boolean') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UsageError(`${command}: flag --${name} is true or false, not ${JSON.stringify(inline)}`);
      value = inline === undefined || inline === 'true';
    } else {
      if (inline !== undefined) value = inline;
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new UsageError(`${command}: flag --${name} needs a value`);
    }
    if (flag.multiple) options[name] = [...((options[name] as string[] | undefined) ?? []), String(value)];
    else options[name] = value;
  }
  return { options, args: argv.slice(i) };
}

export function flagsHelp(flags: Flags): string {
  return Object.entries(flags).map(([name, f]) => {
    const spelled = `${f.short ? `-${f.short}, ` : ''}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    return `  ${spelled.padEnd(30)} ${f.description}${f.multiple ? ' (repeatable)' : ''}`;
  }).join('\n');
}
