import { join } from 'node:path';
import { nameProblem } from './names.js';
import { StepError } from './errors.js';
import type { Doc } from './document.js';

/** Where things live under the data root (DESIGN.md: state on disk). */
export class Layout {
  constructor(public readonly root: string) {}

  get images(): string { return join(this.root, 'images'); }
  get layers(): string { return join(this.root, 'layers'); }
  get containers(): string { return join(this.root, 'containers'); }
  get tmp(): string { return join(this.root, 'tmp'); }
  /** One file per host id range a --userns container holds, named by its first host id, holding the container's name. */
  get userns(): string { return join(this.root, 'userns'); }

  image(name: string): string { return join(this.images, checked(name)); }
  layer(digest: string): string {
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new StepError('EINVAL', `layer digest ${JSON.stringify(digest)} is not 64 hex digits`);
    return join(this.layers, digest);
  }
  container(name: string): string { return join(this.containers, checked(name)); }
  state(name: string): string { return join(this.container(name), 'state.json'); }
  /** The lock every `sc` command on NAME holds: outside the container's directory, which it must outlive. */
  lock(name: string): string { return join(this.root, 'locks', checked(name)); }
  /**
   * The one place that knows where a container's own layer (overlay upper and work dirs) lives: on its
   * disk when it has one (spec.disk), else in its directory. From the name and the layout, never from
   * the document's rootfs section.
   */
  upperOf(doc: Pick<Doc, 'name' | 'spec'>): string { return join(this.ownLayerRoot(doc), 'upper'); }
  workOf(doc: Pick<Doc, 'name' | 'spec'>): string { return join(this.ownLayerRoot(doc), 'work'); }
  /** The container's own disk (sc run --disk): a sparse ext4 image … */
  diskImage(name: string): string { return join(this.container(name), 'disk.img'); }
  /** … and where it is mounted: the root of its upper and work dirs. */
  disk(name: string): string { return join(this.container(name), 'disk'); }
  merged(name: string): string { return join(this.container(name), 'merged'); }
  /** PID and start time of the container's PID 1, written by sc-spawn the moment it exists: a crash before the record is saved cannot orphan it. */
  initPid(name: string): string { return join(this.container(name), 'init.pid'); }
  /** The seccomp rules of the container's process, compiled from its profile by sc-spawn start. */
  seccomp(name: string): string { return join(this.container(name), 'seccomp'); }
  /** The container's cgroup directories, one a line (sc-cgroup writes it): what sc exec joins. */
  cgroupPaths(name: string): string { return join(this.container(name), 'cgroup.paths'); }
  /** PID 1's console, as the keeper (sc-console) logs it; console.log.1 holds the part before. */
  consoleLog(name: string): string { return join(this.container(name), 'console.log'); }
  /** Where the console keeper listens for `sc console`. */
  consoleSocket(name: string): string { return join(this.container(name), 'console.sock'); }
  /** BPF programs sc-init compiled, kept by the sha256 of their rules: the next start with the same rules compiles nothing. */
  seccompProgram(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new StepError('EINVAL', `seccomp program name ${JSON.stringify(sha256)} is not 64 hex digits`);
    return join(this.root, 'seccomp', `${sha256}.bpf`);
  }
  /** A seccomp profile that came with the container (sc-oci: config.json's linux.seccomp), Docker/OCI JSON. */
  seccompProfile(name: string): string { return join(this.container(name), 'seccomp.json'); }
  /** Where a held PID 1 (sc-spawn start --hold) waits to be released: a FIFO while it waits, gone after. */
  holdFifo(name: string): string { return join(this.container(name), 'exec.fifo'); }
  /** The same rules as the BPF program sc-init loaded: what sc-enter loads for sc exec. */
  seccompBpf(name: string): string { return join(this.container(name), 'seccomp.bpf'); }

  private ownLayerRoot(doc: Pick<Doc, 'name' | 'spec'>): string {
    return doc.spec?.disk ? this.disk(doc.name) : this.container(doc.name);
  }
}

function checked(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new StepError('EINVAL', problem);
  return name;
}
