import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder shown in --help, e.g. SIZE. */
  value?: string;
  short?: string;
  multiple?: boolean;
}

export type Options = Record<string, string | boolean | string[] | undefined>;

/**
 * Strict GNU-style flags with node:util parseArgs: unknown flags and missing values are usage errors,
 * and values stay strings (a container named 007 stays "007"). The seed's single-dash spelling of a long
 * flag works everywhere (-name web1 is --name web1); a flag sc does not know is named whole, with the
 * nearest one it does (unknown flag -nmae; did you mean -name?).
 */
export function parseFlags(argv: string[], specs: Record<string, OptionSpec>): { options: Options; positionals: string[] } {
  argv = longSpellings(argv, specs);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, s] of Object.entries(specs)) {
    options[name] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { options: values as Options, positionals };
  } catch (err) {
    throw new UsageError(usageMessage(err as Error));
  }
}

/** -name → --name; -nmae (no such long flag, not a group of short ones) → a usage error naming it whole. */
function longSpellings(argv: string[], specs: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  const shorts = new Set(Object.values(specs).flatMap((s) => (s.short ? [s.short] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const single = /^-([A-Za-z][A-Za-z0-9-]+)(=.*)?$/.exec(arg);
    const double = /^--([A-Za-z][A-Za-z0-9-]*)(=.*)?$/.exec(arg);
    if (single && Object.hasOwn(specs, single[1]!)) out.push(`-${arg}`);
    else if (single && ![...single[1]!].every((c) => shorts.has(c))) throw new UsageError(unknownFlag(arg, '-', specs));
    else if (double && !Object.hasOwn(specs, double[1]!)) throw new UsageError(unknownFlag(arg, '--', specs));
    else out.push(arg);
  }
  return out;
}

/** "unknown flag -nmae; did you mean -name?" — the suggestion when one flag is close enough. */
function unknownFlag(arg: string, dashes: string, specs: Record<string, OptionSpec>): string {
  const given = arg.replace(/^-+/, '').replace(/=.*$/, '');
  const near = Object.keys(specs).map((name) => [name, distance(given, name)] as const).sort((a, b) => a[1] - b[1])[0];
  const hint = near && near[1] <= Math.max(1, Math.floor(near[0].length / 3)) ? `; did you mean ${dashes}${near[0]}?` : '';
  return `unknown flag ${arg.replace(/=.*$/, '')}${hint}`;
}

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function usageMessage(err: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(err.message);
  if (missing) return `flag ${missing[1]} needs a value`;
  const ambiguous = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/.exec(err.message);
  if (ambiguous) return `flag ${ambiguous[1]} needs a value (got another flag); use ${ambiguous[1]}=VALUE for values starting with '-'`;
  const notBool = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(err.message);
  if (notBool) return `flag ${notBool[1]} takes no value`;
  return err.message.split('\n')[0]!;
}
