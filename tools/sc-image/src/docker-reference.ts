/**
 * A registry reference, as `docker://` takes it: [HOST[:PORT]/]PATH[:TAG][@DIGEST]. The grammar is
 * distribution's (github.com/distribution/reference), checked here so that a typo is a usage error
 * naming the part that is wrong, and so that sc knows the host (for credentials) and the repository's
 * last part (the image's default name) without asking skopeo.
 */
export interface DockerReference {
  /** As given, with its docker:// (added when it was left out). */
  text: string;
  /** The registry: HOST[:PORT], docker.io when the reference names none. */
  host: string;
  /** The repository in that registry, e.g. library/busybox. */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
/** The other transports skopeo knows: what they name is a file or a store, which import takes. */
const OTHER_TRANSPORT = /^(containers-storage|dir|docker-archive|docker-daemon|oci|oci-archive|ostree|sif|tarball):/;

/** The reference, or why it is none (a sentence for a usage error). */
export function parseReference(given: string): DockerReference | string {
  const transport = OTHER_TRANSPORT.exec(given);
  if (transport) return `${given} names no registry (${transport[1]}: is skopeo's name for files on this machine): sc image import takes archives and layout directories`;
  const rest = given.startsWith('docker://') ? given.slice('docker://'.length) : given;
  const at = rest.indexOf('@');
  const digest = at >= 0 ? rest.slice(at + 1) : undefined;
  let name = at >= 0 ? rest.slice(0, at) : rest;
  if (digest !== undefined && !DIGEST.test(digest)) return `${given}: "${digest}" is not a digest (ALGORITHM:HEX, e.g. sha256:…)`;
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return `${given}: "${tag}" is not a tag (letters, digits, '_', '.', '-', at most 128)`;
  }
  const parts = name.split('/');
  // The first part is a registry when it looks like a host: a dot, a port, or localhost (Docker's rule).
  const first = parts[0]!;
  const host = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost') ? parts.shift()! : undefined;
  if (host !== undefined && !HOST.test(host)) return `${given}: "${host}" is not a registry host (HOST or HOST:PORT)`;
  const bad = parts.find((p) => !COMPONENT.test(p));
  if (bad !== undefined) return `${given}: "${bad}" cannot be part of a repository name (lowercase letters and digits, separated by '.', '_' or '-')`;
  const repository = host === undefined && parts.length === 1 ? `library/${parts[0]}` : parts.join('/');
  const text = `docker://${rest}`;
  return { text, host: host ?? 'docker.io', repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The default image name: the repository's last part (docker://host/team/web:2 → web). */
export function repositoryName(ref: DockerReference): string {
  return ref.repository.slice(ref.repository.lastIndexOf('/') + 1);
}

/** The same repository at DIGEST: what a pull copies once it has read what the tag names, so both are one image. */
export function atDigest(ref: DockerReference, digest: string): string {
  return `docker://${ref.host}/${ref.repository}@${digest}`;
}
