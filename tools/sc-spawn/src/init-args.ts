import type { Doc } from '@sc/core';

/** The spawner's command line: every policy about the container's process is decided here, in TypeScript. */
export function initArgs(doc: Doc, root: string): string[] {
  const args = ['--root', root, '--hostname', doc.spec.hostname ?? doc.name, '--grace', String(doc.spec.grace ?? 10)];
  for (const path of doc.cgroup?.paths ?? []) args.push('--cgroup', path);
  // Confined unless asked: sc-init drops capabilities and masks /proc; sc-enter copies PID 1's confinement.
  if (doc.spec.privileged) args.push('--privileged');
  // cgroup v2 limits devices only with a BPF program, which sc does not load: without it, no mknod.
  else if (doc.cgroup?.version === 2) args.push('--no-mknod');
  if (doc.spec.noNewPrivileges) args.push('--no-new-privs');
  if (doc.spec.boot) args.push('--boot', '--', '/sbin/init');
  return args;
}
