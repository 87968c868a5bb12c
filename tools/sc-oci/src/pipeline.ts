// The tools, piped as the bash front end pipes them: documents in, documents out, failures in-band.
import { spawn } from 'node:child_process';
import { toolPath, type Doc } from '@sc/core';

export interface Piped {
  docs: Doc[];
  /** What the tools said on stderr (one line each that failed). */
  stderr: string;
  code: number;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Run STAGES (each a tool and its arguments) as one pipeline fed INPUT (documents); one stage runs on its own,
 * more through sh. ENV is the tools' environment (SC_ROOT: sc-oci's root).
 */
export async function pipeline(stages: readonly (readonly string[])[], input: readonly Doc[], env: NodeJS.ProcessEnv): Promise<Piped> {
  const [file, args] = stages.length === 1
    ? [toolPath(stages[0]![0]!), stages[0]!.slice(1)]
    : ['/bin/sh', ['-c', stages.map(([tool, ...rest]) => [toolPath(tool!), ...rest].map(quote).join(' ')).join(' | ')]];
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => { /* a tool that stopped reading says why on stderr */ });
  child.stdin.end(input.map((d) => `${JSON.stringify(d)}\n`).join(''));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  const docs = Buffer.concat(out).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc);
  return { docs, stderr: Buffer.concat(err).toString().trim(), code };
}

/** A command tool (sc-ps create, get) run with its arguments, no documents in. */
export async function command(tool: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Piped> {
  return pipeline([[tool, ...args]], [], env);
}
