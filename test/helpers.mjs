// Shared helpers for the end-to-end tests: a sandbox per test file (its own SC_ROOT, config and
// cgroup parent), the tools from out/bin, and a teardown that removes everything and checks it did.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const REPO = resolve(import.meta.dirname, '..');
export const BIN = join(REPO, 'out', 'bin');

export function requireRoot() {
  if (process.getuid?.() !== 0) throw new Error('the end-to-end tests need root (CI runs them as root): sudo npm test');
}

export function uniqueName(prefix) {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A throw-away sc installation state: SC_ROOT, SC_CONFIG with its own cgroup parent. */
export function makeSandbox(label) {
  requireRoot();
  const root = mkdtempSync(join(tmpdir(), `sc-e2e-${label}-`));
  const cgroupParent = uniqueName(`sc-test-${label}`);
  const config = join(root, 'sc.json5');
  writeFileSync(config, `{\n  root: "${root}/data",\n  cgroupParent: "${cgroupParent}",\n}\n`);
  const env = { ...process.env, SC_ROOT: join(root, 'data'), SC_CONFIG: config, PATH: `${BIN}:${process.env.PATH}` };
  const box = {
    root,
    data: join(root, 'data'),
    cgroupParent,
    env,
    /** Run a command with the sandbox's environment; never throws. */
    run(cmd, args = [], opts = {}) {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000, ...opts });
      return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    sc(...args) { return box.run(join(BIN, 'sc'), args); },
    /** A tool of the pipeline fed `input` on stdin. */
    tool(name, args, input = '') { return box.run(join(BIN, name), args, { input }); },
    async cleanup() { await cleanupSandbox(box); },
  };
  return box;
}

/** The busybox demo image as a docker-export tar.gz, built once per test run from Debian's busybox-static. */
let busyboxTarball;
export function busyboxImage() {
  if (busyboxTarball && existsSync(busyboxTarball)) return busyboxTarball;
  const dir = mkdtempSync(join(tmpdir(), 'sc-e2e-image-'));
  busyboxTarball = join(dir, 'busybox.tar.gz');
  const r = spawnSync('bash', [join(REPO, 'scripts', 'make-busybox-image.sh'), busyboxTarball], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-busybox-image.sh failed: ${r.stderr}`);
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return busyboxTarball;
}

export function importBusybox(box) {
  const r = box.sc('image', 'import', busyboxImage());
  if (r.code !== 0) throw new Error(`sc image import failed: ${r.stderr}`);
}

export function mountsUnder(path) {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[1]?.startsWith(path));
}

/** Loop devices whose backing file is under PATH (a container's disk image), as "/dev/loopN FILE". */
export function loopDevicesUnder(path) {
  const found = [];
  for (const device of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    try {
      const file = readFileSync(`/sys/block/${device}/loop/backing_file`, 'utf8').trim();
      if (file === path || file.startsWith(`${path}/`)) found.push(`/dev/${device} ${file}`);
    } catch { /* not attached */ }
  }
  return found;
}

export function cgroupDirsOf(parent) {
  const found = [];
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', controller, parent);
    if (existsSync(dir)) found.push(dir);
  }
  return found;
}

/** Processes whose command line mentions the sandbox (a container's PID 1 names its rootfs). */
export function processesMentioning(text) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

/**
 * Live processes in the cgroup at PATH (below each controller's root, e.g. "sc-test-x/web1") or under it.
 * A container's PID 1 names no host path (its command line is just "sc-init"): its cgroup says whose it is.
 */
export function processesInCgroup(path) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const paths = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').map((l) => l.split(':').slice(2).join(':'));
      if (paths.some((p) => p === `/${path}` || p.startsWith(`/${path}/`))) found.push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

/** The PID 1 of container NAME of the sandbox (host pids; more than one would be a bug). */
export function containerInits(box, name) {
  return processesInCgroup(`${box.cgroupParent}/${name}`).filter((pid) => {
    try {
      return /^NSpid:.*\t1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Every process of the sandbox: its containers' (by cgroup) and its helpers' (by command line). */
export function sandboxProcesses(box) {
  return [...new Set([...processesMentioning(box.root), ...processesInCgroup(box.cgroupParent)])];
}

/** What a sandbox left on the machine: mounts, loop devices, cgroups, processes. Empty means clean. */
export function leftovers(box) {
  return [
    ...mountsUnder(box.root).map((m) => `mount: ${m}`),
    ...loopDevicesUnder(box.root).map((l) => `loop device: ${l}`),
    ...cgroupDirsOf(box.cgroupParent).map((d) => `cgroup: ${d}`),
    ...sandboxProcesses(box).map((p) => `process: ${p}`),
  ];
}

async function cleanupSandbox(box) {
  const containers = join(box.data, 'containers');
  const names = existsSync(containers) ? readdirSync(containers) : [];
  for (const name of names) box.sc('rm', '-f', name);
  // Whatever sc could not remove is removed by force, so one failing test does not leak into the next.
  for (const pid of sandboxProcesses(box)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const m of mountsUnder(box.root).reverse()) spawnSync('umount', ['-l', m.split(' ')[1]]);
  for (const l of loopDevicesUnder(box.root)) spawnSync('losetup', ['-d', l.split(' ')[0]]);
  for (const dir of cgroupDirsOf(box.cgroupParent)) removeCgroupTree(dir);
  rmSync(box.root, { recursive: true, force: true });
}

function removeCgroupTree(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(dir, entry.name));
  for (let i = 0; i < 50; i++) {
    try { rmdirSync(dir); return; } catch { spawnSync('sleep', ['0.1']); }
  }
}

/** Read one line of JSON documents. */
export function docs(stdout) {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * Debian's packages for the commands WANTED ([command, package] pairs) that are missing; no service of theirs is
 * started meanwhile (Debian starts one on install unless policy-rc.d says no: a host containerd of ours would
 * outlive the test). An existing policy is left as it is.
 */
export function installDebianPackages(wanted) {
  const missing = [...new Set(wanted.filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  const policy = '/usr/sbin/policy-rc.d';
  const planted = !existsSync(policy);
  if (planted) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const apt = (args) => spawnSync('apt-get', args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const update = apt(['update', '-qq']);
    if (update.status !== 0) throw new Error(`apt-get update: ${update.stderr}`);
    const r = apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
    if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')}: ${r.stderr}`);
  } finally {
    if (planted) rmSync(policy, { force: true });
  }
}

/** What CMD prints inside a container sc runs from IMAGE (exit 0 asserted); the container goes either way. */
export function runInSc(box, image, ...cmd) {
  const name = uniqueName('in-sc');
  try {
    const r = box.sc('run', '--name', name, image);
    if (r.code !== 0) throw new Error(`sc run ${image}: ${r.stderr}`);
    const out = box.sc('exec', name, ...cmd);
    if (out.code !== 0) throw new Error(`sc exec ${cmd.join(' ')}: ${out.stderr}`);
    return out.stdout;
  } finally {
    box.sc('rm', '-f', name);
  }
}
