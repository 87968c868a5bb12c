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
 * and values stay strings (a container named 007 stays "007").
 */
export function parseFlags(argv: string[], specs: Record<string, OptionSpec>): { options: Options; positionals: string[] } {
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
