// OCI hooks, run in the runtime's namespaces with the container's state on stdin, within their timeouts.
import { spawn } from 'node:child_process';
import type { Hook } from './config.js';

/** Runs HOOKS in order; the first failure is thrown, with what the hook said. */
export async function runHooks(stage: string, hooks: readonly Hook[] | undefined, state: Record<string, unknown>): Promise<void> {
  for (const hook of hooks ?? []) {
    const [argv0, ...args] = hook.args?.length ? hook.args : [hook.path];
    // Without env a hook gets ours, as runc's (Go's exec) do.
    const env = hook.env ? Object.fromEntries(hook.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) : process.env;
    const child = spawn(hook.path, args, { argv0, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const said: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => said.push(b));
    child.stderr.on('data', (b: Buffer) => said.push(b));
    child.stdin.on('error', () => { /* a hook that reads nothing */ });
    child.stdin.end(JSON.stringify(state));
    let timedOut = false;
    const timer = hook.timeout ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, hook.timeout * 1000) : undefined;
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('error', () => resolve([127, null]));
      child.on('close', (c, s) => resolve([c, s]));
    });
    clearTimeout(timer);
    if (code === 0) continue;
    const output = Buffer.concat(said).toString().trim().split('\n').pop();
    const why = timedOut ? `timed out after ${hook.timeout} s` : signal ? `was killed by ${signal}` : code === 127 && !output ? 'could not be run' : `exited ${code}`;
    throw new Error(`${stage} hook ${hook.path} ${why}${output ? `: ${output}` : ''}`);
  }
}
