// Podman and containerd as the tests run them (interop.test.mjs, oci-interop.test.mjs): their storage, state and
// sockets under the test's directory, in a private mount namespace whose /run and /var/lib are overlays writing
// there too — both write to those whatever their configuration says.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** sh lines that lay overlays over /run and /var/lib whose upper layers are in "$1" (made by overlayDirs). */
export const OVERLAY_RUN_AND_VARLIB = 'mount -t overlay overlay -o "lowerdir=/run,upperdir=$1/run-up,workdir=$1/run-work" /run\n' +
  'mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$1/lib-up,workdir=$1/lib-work" /var/lib\n';

export function overlayDirs(dir) {
  for (const d of ['run-up', 'run-work', 'lib-up', 'lib-work']) mkdirSync(join(dir, d), { recursive: true });
}

/** The environment that points Podman at WORK's containers.conf and storage.conf. */
export function podmanEnv(base, work) {
  return { ...base, CONTAINERS_CONF: join(work, 'containers.conf'), CONTAINERS_STORAGE_CONF: join(work, 'storage.conf'), TMPDIR: join(work, 'tmp') };
}

/** Podman's configuration under WORK (graph/, run/, tmp/, net/); ENGINE: more lines for its [engine] table. */
export function writePodmanConfig(work, engine = '') {
  for (const d of ['graph', 'run', 'tmp', 'net']) mkdirSync(join(work, d), { recursive: true });
  // No default ulimits: this machine's hard NOFILE limit is below Podman's default, and it lacks CAP_SYS_RESOURCE.
  // Its database and volumes stay where they are by default, under graphroot: the cleanup process conmon
  // starts when a container exits is told the roots on its command line, but not this file.
  writeFileSync(join(work, 'containers.conf'), `[containers]\ndefault_ulimits = []\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "none"\n` +
    `${engine}tmp_dir = "${work}/tmp"\nimage_copy_tmp_dir = "${work}/tmp"\n[network]\nnetwork_config_dir = "${work}/net"\n`);
  writeFileSync(join(work, 'storage.conf'), `[storage]\ndriver = "overlay"\ngraphroot = "${work}/graph"\nrunroot = "${work}/run"\n`);
}

/**
 * containerd with its root, state, socket and log under DIR (the socket: DIR/containerd.sock). LAUNCH(argv, logFd)
 * starts it in the test's mount namespace and returns the child; CTR runs ctr against it. Resolves to the child,
 * once ctr reaches it.
 */
export async function startContainerd(dir, launch, ctr) {
  mkdirSync(join(dir, 'fifo'), { recursive: true });
  const socket = join(dir, 'containerd.sock');
  const off = ['cri', 'btrfs', 'zfs', 'devmapper', 'aufs'].map((p) => (p === 'cri' ? '"io.containerd.grpc.v1.cri"' : `"io.containerd.snapshotter.v1.${p}"`));
  writeFileSync(join(dir, 'config.toml'), `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = [${off.join(', ')}, "io.containerd.internal.v1.opt", "io.containerd.tracing.processor.v1.otlp"]\n` +
    `[grpc]\n  address = "${socket}"\n[ttrpc]\n  address = "${socket}.ttrpc"\n[debug]\n  address = ""\n[metrics]\n  address = ""\n`);
  const log = openSync(join(dir, 'containerd.log'), 'a');
  const child = launch(['containerd', '--config', join(dir, 'config.toml')], log);
  closeSync(log);
  child.exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 100 && ctr('version').code !== 0; i++) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(ctr('version').code, 0, `containerd did not start: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
  return child;
}

/** SIGTERM to CHILD (a daemon with an `exited` promise), SIGKILL after ten seconds; nothing if it is gone. */
export async function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const stopped = await Promise.race([child.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
  if (!stopped) {
    child.kill('SIGKILL');
    await child.exited;
  }
}
