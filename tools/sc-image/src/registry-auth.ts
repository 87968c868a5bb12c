import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Registry credentials are skopeo's to find, in the standard places (containers-auth.json(5)), which
 * `skopeo login`, `podman login` and `docker login` write: sc passes no --authfile, so both always agree.
 * sc reads the same files only to say, when a registry refuses, whose credentials it refused.
 */
export const AUTH_HELP =
  'Credentials: skopeo finds them, as `skopeo login` and `podman login` store them: $REGISTRY_AUTH_FILE, else ' +
  '${XDG_RUNTIME_DIR}/containers/auth.json (/run/containers/0/auth.json for root without XDG_RUNTIME_DIR), then ' +
  '~/.config/containers/auth.json and ~/.docker/config.json';

/** The files skopeo reads credentials from, in its order. */
export function authFiles(env = process.env): string[] {
  const home = env.HOME ?? '/root';
  const primary = env.REGISTRY_AUTH_FILE || (env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : `/run/containers/${process.getuid?.() ?? 0}/auth.json`);
  return [
    primary,
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'),
    join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'),
  ];
}

/** Why $REGISTRY_AUTH_FILE cannot be used (skopeo would go on silently without it), or undefined. */
export function authFileProblem(env = process.env): string | undefined {
  const file = env.REGISTRY_AUTH_FILE;
  if (!file) return undefined;
  try {
    if (statSync(file).isFile()) return undefined;
    return `REGISTRY_AUTH_FILE names ${file}, which is not a file`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `REGISTRY_AUTH_FILE names ${file}, which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`;
  }
}

/** The first of the files that holds credentials for HOST (or a repository on it), or undefined. */
export function credentialsFile(host: string, files = authFiles()): string | undefined {
  return files.find((file) => {
    let doc: { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown> };
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
    // Keys are HOST, HOST/REPOSITORY, or Docker's older https://HOST/v1/.
    const hosts = Object.keys(doc?.auths ?? {}).map((k) => k.replace(/^https?:\/\//, '').split('/')[0]);
    if (host === 'docker.io') hosts.push(...hosts.filter((h) => /^(index|registry-1)\.docker\.io$/.test(h ?? '')).map(() => 'docker.io'));
    return hosts.includes(host) || Object.hasOwn(doc?.credHelpers ?? {}, host);
  });
}
