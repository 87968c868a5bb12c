import { causeLine, StepError } from '@sc/core';
import type { Interrupt } from './interrupt.js';
import { credentialsFile } from './registry-auth.js';

/**
 * skopeo, run by root, keeps a blob-info cache in /var/lib/containers/cache whatever it is told. It runs
 * in a mount namespace of its own where /var/lib is read-only (it then keeps the cache in memory), but
 * the stage it works in stays writable: nothing of a pull or a push is left outside the data root.
 */
const CONTAINED = 'set -e; stage=$1; shift; mount --bind "$stage" "$stage"; mount --rbind /var/lib /var/lib; mount -o remount,bind,ro /var/lib; exec "$@"';

/** What a failure's line names: the reference, its registry, and whether it was a tag or a digest. */
export interface About {
  reference: string;
  host: string;
  digest?: string;
}

/**
 * Run skopeo with ARGS (working in STAGE, a directory of the data root's tmp/) and return its stdout,
 * or let it write its stdout (its progress bars) on our stderr. A failure is one line naming the
 * reference and the cause; skopeo's command line and all it said go in the error's detail.
 */
export async function skopeo(args: string[], stage: string, about: About, interrupt: Interrupt, stdout: 'pipe' | 'stderr' = 'pipe'): Promise<Buffer> {
  const { spawn } = await import('node:child_process');
  const argv = ['--mount', '--propagation', 'private', '--', 'sh', '-c', CONTAINED, 'sh', stage, 'skopeo', ...args];
  const child = spawn('unshare', argv, { stdio: ['ignore', stdout === 'pipe' ? 'pipe' : 2, 'pipe'] });
  interrupt.watch(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  interrupt.watch(undefined);
  interrupt.check(about.reference);
  if (code === 0) return Buffer.concat(out);
  const stderr = Buffer.concat(err).toString().trim();
  const detail = [`skopeo ${args.join(' ')}`, stderr].filter(Boolean).join('\n');
  if (code === 127) throw new StepError('ENOENT', `${about.reference}: skopeo is not installed (apt-get install skopeo; init.sh installs it)`, detail);
  const { code: errno, cause } = skopeoCause(stderr, about);
  throw new StepError(errno, `${about.reference}: ${cause}`, detail);
}

/** What skopeo's fatal line says, unquoted (Go's %q); else the line of its stderr that names a cause. */
export function fatalMessage(stderr: string): string {
  const quoted = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(stderr)?.[1];
  if (quoted === undefined) return causeLine(stderr) ?? 'skopeo failed';
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

/** The cause of a failure, in one line, from what skopeo said: the few a user can act on by name, else skopeo's innermost words. */
export function skopeoCause(stderr: string, about: About, credentials = () => credentialsFile(about.host)): { code: string; cause: string } {
  const msg = fatalMessage(stderr).replace(/\s*\n\s*\*?\s*/g, ' ').trim();
  const { host } = about;
  let m: RegExpExecArray | null;
  if ((m = /Digest did not match, expected (\S+?), got (\S+)/.exec(msg)))
    return { code: 'EREFUSED', cause: `blob ${m[1]} is corrupted or was altered: what the registry sent is ${m[2]}` };
  if (/manifest unknown|name unknown/i.test(msg))
    return { code: 'ENOENT', cause: `the registry has no such ${about.digest ? 'digest' : 'tag'} or repository (manifest unknown)` };
  if (/unauthorized|authentication required|denied/i.test(msg)) {
    const said = /(unauthorized|denied|requested access)[^]*$/i.exec(msg)?.[0] ?? msg;
    const file = credentials();
    return {
      code: 'EACCES',
      cause: file
        ? `the registry refused the credentials for ${host} in ${file} (${said})`
        : `the registry asks for credentials and none for ${host} were found (${said}); skopeo login ${host} stores them`,
    };
  }
  if (/server gave HTTP response to HTTPS client/.test(msg))
    return { code: 'EPROTO', cause: `${host} answers in plain HTTP, not HTTPS: for a registry without TLS, --tls-verify=false` };
  if ((m = /(x509: [^"]*|tls: [^"]*)$/.exec(msg)))
    return { code: 'EPROTO', cause: `${host}'s TLS certificate cannot be verified (${m[1]}): its CA goes in /etc/containers/certs.d/${host}/ca.crt, or --tls-verify=false skips the check` };
  const unreachable: [RegExp, string, string][] = [
    [/connection refused/, 'ECONNREFUSED', 'connection refused'],
    [/no such host/, 'ENOTFOUND', 'no such host'],
    [/i\/o timeout|deadline exceeded|handshake timeout/, 'ETIMEDOUT', 'timed out'],
    [/network is unreachable/, 'ENETUNREACH', 'network is unreachable'],
    [/no route to host/, 'EHOSTUNREACH', 'no route to host'],
  ];
  for (const [re, code, why] of unreachable) if (re.test(msg)) return { code, cause: `cannot reach the registry ${host}: ${why}` };
  if ((m = /reading blob (\S+?): .*404/.exec(msg)))
    return { code: 'ENOENT', cause: `the registry has lost blob ${m[1]} of the image (404 Not Found)` };
  // Else skopeo's own words, without the reference it repeats.
  return { code: 'EEXEC', cause: msg.replace(/^(initializing (source|destination)|Error parsing image name|Invalid (source|destination) name) "?docker:\/\/[^\s"]+"?: /, '') };
}
