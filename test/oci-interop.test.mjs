// sc-oci under the orchestrators that drive runc: Debian's containerd (ctr run --runc-binary, as a runtime
// class whose BinaryName is sc-oci) and Podman (--runtime, through conmon). Each runs as its users run it:
// run --rm with output and exit status, detached runs with exec, kill/stop and delete, a terminal through
// the console socket; afterwards nothing of a container is left.
//
// containerd, Podman and sc-oci keep state under /run and /var/lib whatever they are told: all of them run
// in one private mount namespace (held by a sleeper for the whole file) whose /run and /var/lib are
// overlays writing into this test's directory. Their cgroups go under the sandbox's parent. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, busyboxImage, importBusybox, installDebianPackages, leftovers, makeSandbox, uniqueName } from './helpers.mjs';
import { OVERLAY_RUN_AND_VARLIB, overlayDirs, podmanEnv, startContainerd as startContainerdIn, stopChild, writePodmanConfig } from './orchestrators.mjs';

const box = makeSandbox('ocirun');
const work = join(box.root, 'orchestrators');
const SC_OCI = join(BIN, 'sc-oci');
const IMAGE = 'localhost/busybox:latest';
/** What the host had before where these tools write by default: the test leaves them as they were. */
const hostPaths = ['/var/lib/containers', '/run/containerd', '/run/libpod', '/run/sc-oci'];
const hostBefore = Object.fromEntries(hostPaths.map((p) => [p, existsSync(p)]));
const env = podmanEnv(box.env, work);

/** The mount namespace every command of this file runs in: private, its /run and /var/lib overlays of ours. */
let holder;
async function holdNamespace() {
  const dir = join(work, 'ns');
  overlayDirs(dir);
  const script = `${OVERLAY_RUN_AND_VARLIB}touch "$1/ready"\nexec sleep infinity`;
  holder = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-ec', script, 'sh', dir], { stdio: 'ignore' });
  holder.exited = new Promise((resolve) => holder.on('exit', resolve));
  for (let i = 0; i < 100 && !existsSync(join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(join(dir, 'ready')), 'the mount namespace is ready');
}
const inNs = (cmd, args) => ['nsenter', [`--mount=/proc/${holder.pid}/ns/mnt`, '--', cmd, ...args]];
function run(cmd, args, opts = {}) {
  const [file, argv] = inNs(cmd, args);
  const r = spawnSync(file, argv, { env, encoding: 'utf8', timeout: 120_000, ...opts });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function ok(r, what) {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

// containerd, with its own root, state and socket under the test's directory.
const ctrd = join(work, 'containerd');
const socket = join(ctrd, 'containerd.sock');
const NS = 'sc-oci-test';
let containerd;
const ctr = (...args) => run('ctr', ['-a', socket, '-n', NS, ...args]);
/** ctr run's flags for a container ID run by sc-oci, its cgroup under the sandbox's parent. */
const bySc = (id) => ['--runc-binary', SC_OCI, '--fifo-dir', join(ctrd, 'fifo'), '--cgroup', `/${box.cgroupParent}/${id}`];

async function startContainerd() {
  containerd = await startContainerdIn(ctrd, (argv, log) => {
    const [file, args] = inNs(argv[0], argv.slice(1));
    return spawn(file, args, { env, stdio: ['ignore', log, log] });
  }, ctr);
}

const podman = (...args) => run('podman', ['--runtime', SC_OCI, ...args]);

before(async () => {
  installDebianPackages([['podman', 'podman'], ['conmon', 'conmon'], ['containerd', 'containerd'], ['ctr', 'containerd']]);
  mkdirSync(join(work, 'files'), { recursive: true });
  writePodmanConfig(work);
  await holdNamespace();
  // The image both run: the tests' busybox, saved by sc as an OCI archive for containerd, imported by Podman.
  importBusybox(box);
  const archive = join(work, 'files', 'busybox-oci.tar');
  ok(box.sc('image', 'save', 'busybox', archive, '--format', 'oci-archive'), 'sc image save');
  await startContainerd();
  ok(ctr('images', 'import', archive), 'ctr images import');
  ok(podman('import', busyboxImage(), IMAGE), 'podman import');
});

after(async () => {
  if (containerd) {
    for (const id of ctr('containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
      ctr('tasks', 'kill', '-s', 'KILL', id);
      ctr('tasks', 'delete', '-f', id);
      ctr('containers', 'rm', id);
    }
  }
  await stopChild(containerd);
  if (holder) {
    podman('rm', '-a', '-f', '-t', '0');
    podman('rmi', '-a', '-f');
    await stopChild(holder);
  }
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
  for (const p of hostPaths) assert.equal(existsSync(p), hostBefore[p], `${p} is as it was`);
});

/** sc-oci's records under ROOT (inside the namespace): the IDs it still knows. */
const recordsUnder = (root) => run('sh', ['-c', `ls ${root}/containers 2>/dev/null || true`]).stdout.split('\n').filter(Boolean);
const cgroupOf = (pid, controller) => readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1].split(',').includes(controller))?.split(':')[2];

test('containerd: ctr run --rm through sc-oci prints what the container prints, and its exit status passes through', () => {
  const hi = ok(ctr('run', '--rm', ...bySc('orch-hi'), IMAGE, 'orch-hi', 'echo', 'hi'), 'ctr run --rm echo hi');
  assert.equal(hi.stdout, 'hi\n');
  const seven = ctr('run', '--rm', ...bySc('orch-seven'), IMAGE, 'orch-seven', 'sh', '-c', 'echo to stderr >&2; exit 7');
  assert.equal(seven.code, 7, seven.stderr);
  assert.match(seven.stderr, /to stderr/);
  assert.deepEqual(ctr('containers', 'ls', '-q').stdout, '', 'ctr run --rm left no container');
  assert.deepEqual(recordsUnder(`/run/containerd/runc/${NS}`), [], 'sc-oci left no record under containerd\'s runtime root');
});

test('containerd: ctr run -d, then ctr task exec, kill and delete; the process is PID 1 in its own cgroup, and nothing is left', async () => {
  const id = uniqueName('orch-d');
  ok(ctr('run', '-d', ...bySc(id), IMAGE, id, 'sleep', '1000'), 'ctr run -d');
  try {
    const task = ctr('tasks', 'ls').stdout.split('\n').find((l) => l.startsWith(`${id} `));
    assert.match(task, /RUNNING/);
    assert.deepEqual(recordsUnder(`/run/containerd/runc/${NS}`), [id], 'sc-oci keeps the record, under the root containerd gave it');
    const pid = Number(task.split(/\s+/)[1]);
    assert.equal(cgroupOf(pid, 'memory'), `/${box.cgroupParent}/${id}`, 'the cgroup containerd asked for');
    assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sleep\x001000\x00', 'the task is the image\'s program itself');
    const exec = ctr('tasks', 'exec', '--fifo-dir', join(ctrd, 'fifo'), '--exec-id', 'e1', id, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; exit 3');
    assert.equal(exec.code, 3, exec.stderr);
    assert.equal(exec.stdout, 'sleep 1000 \n', 'exec runs beside PID 1, in its namespaces');
    ok(ctr('tasks', 'kill', '-s', 'KILL', id), 'ctr task kill');
    for (let i = 0; i < 50 && !/STOPPED/.test(ctr('tasks', 'ls').stdout); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(ctr('tasks', 'ls').stdout, new RegExp(`${id}\\s+\\d+\\s+STOPPED`));
    ok(ctr('tasks', 'delete', id), 'ctr task delete');
    ok(ctr('containers', 'rm', id), 'ctr container rm');
    assert.deepEqual(recordsUnder(`/run/containerd/runc/${NS}`), []);
    assert.equal(existsSync(`/sys/fs/cgroup/memory/${box.cgroupParent}/${id}`), false, 'its cgroup is gone');
  } finally {
    ctr('tasks', 'kill', '-s', 'KILL', id);
    ctr('tasks', 'delete', '-f', id);
    ctr('containers', 'rm', id);
  }
});

test('Podman: run --rm through conmon and sc-oci, its exit status, a terminal through the console socket', () => {
  const hi = ok(podman('run', '--rm', '--cgroup-parent', `/${box.cgroupParent}`, IMAGE, 'sh', '-c', 'echo hi from podman; id -u'), 'podman run --rm');
  assert.equal(hi.stdout, 'hi from podman\n0\n');
  const five = podman('run', '--rm', '--cgroup-parent', `/${box.cgroupParent}`, IMAGE, 'sh', '-c', 'exit 5');
  assert.equal(five.code, 5, five.stderr);
  // -t: conmon hands sc-oci a console socket; the process's stdio is the pty whose master conmon got.
  const tty = ok(podman('run', '--rm', '-t', '--cgroup-parent', `/${box.cgroupParent}`, IMAGE, 'sh', '-c', 'tty; test -t 0 && test -t 1 && echo both ends a terminal'), 'podman run -t');
  assert.equal(tty.stdout.replace(/\r/g, ''), '/dev/pts/0\nboth ends a terminal\n');
  assert.equal(podman('ps', '-a', '-q').stdout, '', 'run --rm left no container');
});

test('Podman: run -d, exec, stop (SIGTERM ignored by PID 1, then SIGKILL) and rm', () => {
  const name = uniqueName('orch-p');
  const id = ok(podman('run', '-d', '--name', name, '--hostname', 'orch', '--cgroup-parent', `/${box.cgroupParent}`, IMAGE, 'sleep', '1000'), 'podman run -d').stdout.trim();
  try {
    assert.match(podman('ps', '--format', '{{.Names}} {{.Status}}').stdout, new RegExp(`^${name} Up`, 'm'));
    // Podman names its containers by 64 hex digits, longer than an sc name: sc-oci keeps them under a name made from the ID.
    assert.equal(JSON.parse(ok(run(SC_OCI, ['state', id]), 'sc-oci state').stdout).status, 'running', 'sc-oci knows it, under its default root');
    const exec = podman('exec', '-e', 'GREETING=hello', name, 'sh', '-c', 'echo $GREETING from $(hostname); exit 4');
    assert.equal(exec.code, 4, exec.stderr);
    assert.equal(exec.stdout, 'hello from orch\n');
    const pid = Number(ok(podman('inspect', '--format', '{{.State.Pid}}', name), 'podman inspect').stdout.trim());
    assert.equal(cgroupOf(pid, 'pids'), `/${box.cgroupParent}/libpod-${id}`);
    ok(podman('stop', '-t', '1', name), 'podman stop');
    assert.match(podman('ps', '-a', '--format', '{{.Names}} {{.Status}}').stdout, new RegExp(`^${name} Exited \\(137\\)`, 'm'));
    ok(podman('rm', name), 'podman rm');
    assert.equal(existsSync(`/sys/fs/cgroup/pids/${box.cgroupParent}/libpod-${id}`), false, 'its cgroup is gone');
  } finally {
    podman('rm', '-f', '-t', '0', name);
  }
});

test("the README's containerd runtime entry is one containerd reads: a runtime class sc whose BinaryName is sc-oci", () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const toml = /```toml\n([\s\S]*?BinaryName[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(toml, 'the README shows a config.toml entry with a BinaryName');
  const file = join(ctrd, 'readme-config.toml');
  writeFileSync(file, `version = 2\n${toml}`);
  const dump = ok(run('containerd', ['--config', file, 'config', 'dump']), 'containerd config dump');
  const section = /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.sc\]\n([\s\S]*?)\n\n/.exec(dump.stdout)?.[1] ?? '';
  assert.match(section, /runtime_type = "io\.containerd\.runc\.v2"/);
  assert.match(dump.stdout, /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.sc\.options\]\n(\s+\S.*\n)*?\s+BinaryName = "\/usr\/local\/bin\/sc-oci"/);
  const runtimeClass = /```yaml\n([\s\S]*?kind: RuntimeClass[\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(runtimeClass, /^handler: sc$/m, 'the RuntimeClass names the runtime entry');
});
