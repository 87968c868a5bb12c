/**
 * What an archive (or a directory) is, from the names at its top, wherever they stand in it: an
 * image layout, or a root filesystem; and whether what an import made can be a root filesystem at all.
 */

/** Directories a root filesystem has at least one of (FHS, and what `docker export` writes). */
const ROOTFS_DIRS = ['bin', 'boot', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp', 'usr', 'var'];

/** The files image archives keep at their top: docker save's and OCI's, by name. */
const IMAGE_FILE = /^(manifest\.json|index\.json|oci-layout|repositories|[0-9a-f]{64}(\.tar|\.json)?)$/;

/**
 * 'docker' for a `docker save` archive or a `dir:` directory (manifest.json at the top), 'oci' for an
 * OCI image layout (index.json and oci-layout), undefined for anything else (a root filesystem, or not).
 */
export function layoutKind(has: (name: string) => boolean): 'docker' | 'oci' | undefined {
  if (has('manifest.json')) return 'docker';
  if (has('index.json') && has('oci-layout')) return 'oci';
  return undefined;
}

/**
 * Why the union of the layers' tops (name → tar entry type, bottom layer first) cannot be a root
 * filesystem, or undefined when it can: it must have one of a root filesystem's directories, and none of
 * an image archive's own files (a docker save archive taken for a rootfs runs nothing: `sc-enter: …: command not found`).
 */
export function rootfsProblem(tops: Map<string, string>[]): string | undefined {
  const top = new Map<string, string>();
  for (const layer of tops) for (const [name, type] of layer) top.set(name, type);
  const imageFiles = [...top.keys()].filter((n) => IMAGE_FILE.test(n) || (/^[0-9a-f]{64}$/.test(n) && top.get(n) === 'Directory')).sort();
  const dirs = ROOTFS_DIRS.filter((d) => top.get(d) === 'Directory');
  if (imageFiles.length === 0 && dirs.length > 0) return undefined;
  const shown = (names: string[]) => {
    const list = names.slice(0, 6).map((n) => n.replace(/^([0-9a-f]{12})[0-9a-f]{52}/, '$1…').slice(0, 40) + (top.get(n) === 'Directory' ? '/' : ''));
    return list.join(', ') + (names.length > 6 ? ` and ${names.length - 6} more` : '');
  };
  const seen = top.size === 0 ? 'nothing' : shown([...top.keys()].sort());
  if (imageFiles.length > 0) {
    const own = imageFiles.length === top.size ? `, ${top.size === 1 ? 'an image archive\'s own file' : 'an image archive\'s own files'}` : ` (${shown(imageFiles)} ${imageFiles.length === 1 ? 'is an image archive\'s own file' : 'are an image archive\'s own files'})`;
    return `is not a root filesystem: at its top it holds ${seen}${own}${imageHint(top)}; nothing was imported`;
  }
  return `is not a root filesystem: it has none of the directories one has (bin, etc, usr, …), only ${seen} at its top; nothing was imported`;
}

/** Why an image archive's files were not read as an image archive, when that can be told. */
function imageHint(top: Map<string, string>): string {
  if (top.has('repositories') && !top.has('manifest.json')) return ', but no manifest.json (a `docker save` of Docker before 1.10, which sc cannot read: save it again with a newer Docker, Podman or skopeo)';
  if (top.has('index.json') && !top.has('oci-layout')) return ', but no oci-layout (half an OCI image layout)';
  if (top.has('oci-layout') && !top.has('index.json')) return ', but no index.json (half an OCI image layout)';
  return '';
}
