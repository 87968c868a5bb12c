import type { Options as ExecaOptions } from 'execa';
import { StepError } from './errors.js';

/**
 * Run a program (ip, mount, a native helper) and return its stdout. execa is loaded here, lazily,
 * so a tool pays for it only in the verbs that spawn a process.
 */
export async function run(file: string, args: string[], options: ExecaOptions = {}): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa(file, args, { reject: false, stripFinalNewline: true, ...options });
  if (result.failed) {
    const why = String(result.stderr ?? '').trim().split('\n').pop() || (result.code ?? `exit ${result.exitCode}`);
    throw new StepError(result.code === 'ENOENT' ? 'ENOENT' : 'EEXEC', `${file} ${args.join(' ')}: ${why}`);
  }
  return String(result.stdout ?? '');
}
