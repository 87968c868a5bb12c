// Issue 6: root in a default container is confined (Docker's default capabilities, read-only and masked
// /proc, v1 devices cgroup); --privileged is full root. Each test makes an attempt from inside a default
// container that must fail, and the same attempt with --privileged, which behaves as full root (or, where
// namespaces hold even for full root, fails just the same: said in the test). Run as root after build + assemble.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeSandbox, importBusybox, leftovers, docs, uniqueName, BIN } from './helpers.mjs';

const box = makeSandbox('security');
const confined = uniqueName('conf');
const privileged = uniqueName('priv');
// A file only the host can see: reaching it from inside would be an escape.
const marker = join(box.root, 'host-only', 'marker');
const secret = randomBytes(8).toString('hex');

// Docker's default set (CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW
// SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP) as /proc/PID/status prints it; and a few bits of the rest.
const DEFAULT_CAPS = '00000000a80425fb';
const CAP = { SYS_MODULE: 16, SYS_TIME: 25, MKNOD: 27 };
const hasCap = (hex, cap) => ((BigInt(`0x${hex}`) >> BigInt(cap)) & 1n) === 1n;
const ownCapBnd = () => /^CapBnd:\s+(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1];

// The host's root block device (`findmnt -no SOURCE /`) and its numbers, for mknod.
const rootDevice = execFileSync('findmnt', ['-no', 'SOURCE', '/'], { encoding: 'utf8' }).trim();
const rdev = statSync(rootDevice).rdev;
const [major, minor] = [(rdev >> 8) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & 0xfff00)];
const openable = (dev) => {
  try { closeSync(openSync(dev, 'r')); return true; } catch { return false; }
};
const rootFstype = execFileSync('findmnt', ['-no', 'FSTYPE', '/'], { encoding: 'utf8' }).trim();

before(() => {
  assert.ok(statSync(rootDevice).isBlockDevice(), `${rootDevice} (the host's /) is a block device`);
  mkdirSync(join(box.root, 'host-only'));
  writeFileSync(marker, secret);
  importBusybox(box);
  for (const [name, ...flags] of [[confined], [privileged, '--privileged']]) {
    const r = box.sc('run', '--name', name, ...flags, 'busybox');
    assert.equal(r.code, 0, `sc run ${name}: ${r.stderr}`);
  }
});

after(async () => {
  await box.cleanup();
  assert.deepEqual(leftovers(box), []);
});

const sh = (name, script) => box.sc('exec', name, 'sh', '-c', script);
const pid1 = (name) => docs(box.sc('ps', '--json').stdout).find((d) => d.name === name).process.pid;
const status = (name, pid = 'self') => Object.fromEntries(
  [...sh(name, `cat /proc/${pid}/status`).stdout.matchAll(/^(Cap\w+|NoNewPrivs):\s+(\S+)$/gm)].map((m) => [m[1], m[2]]));
// Mount points at or under `prefix` in the container's own mountinfo, with their mount options.
const mountsIn = (name, prefix) => Object.fromEntries(sh(name, 'cat /proc/self/mountinfo').stdout.split('\n')
  .map((l) => l.split(' ')).filter((f) => f[4] === prefix || f[4]?.startsWith(`${prefix}/`)).map((f) => [f[4], f[5]]));

test('mounting the host disk: confined cannot make its node nor mount; privileged mounts it and reads the host', () => {
  const attempt = `mkdir -p /mnt && mknod /tmp/disk b ${major} ${minor}; mount -t ${rootFstype} /tmp/disk /mnt && cat /mnt${marker}; r=$?; umount /mnt 2>/dev/null; exit $r`;
  const denied = sh(confined, attempt);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /mknod: \/tmp\/disk: Operation not permitted/);
  // busybox's word for EPERM from mount(2): no CAP_SYS_ADMIN, whatever the source.
  assert.match(denied.stderr, /mount: permission denied \(are you root\?\)/);
  assert.match(sh(confined, 'mount -t tmpfs none /mnt').stderr, /mount: permission denied/);
  assert.doesNotMatch(denied.stdout, new RegExp(secret));
  // Full root: the node, the mount (the same superblock as the host's /) and the host's files.
  const full = sh(privileged, attempt);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(full.stdout, secret);
});

test('reading a host block device: the devices cgroup refuses even a node the host made, though CAP_MKNOD is kept', (t) => {
  assert.ok(hasCap(status(confined).CapEff, CAP.MKNOD), 'CAP_MKNOD is in the default set: the cgroup is what refuses');
  const make = `mknod /dev/rootdisk b ${major} ${minor}`;
  assert.match(sh(confined, make).stderr, /rootdisk: Operation not permitted/);
  assert.equal(sh(privileged, make).code, 0);
  // The root disk if the host itself may open it (some VMs refuse even the host), else a block device it may.
  const disk = [rootDevice, '/dev/loop0', '/dev/zram0'].find(openable);
  assert.ok(disk, 'the host can open some block device');
  t.diagnostic(`reading ${disk}`);
  const { rdev: diskRdev } = statSync(disk);
  // The host makes the node in each container's /dev (a tmpfs without nodev), so only the cgroup can stop the read.
  for (const name of [confined, privileged])
    execFileSync('mknod', [`/proc/${pid1(name)}/root/dev/hostdisk`, 'b', String((diskRdev >> 8) & 0xfff), String((diskRdev & 0xff) | ((diskRdev >> 12) & 0xfff00))]);
  const read = 'dd if=/dev/hostdisk of=/dev/null bs=512 count=1';
  assert.match(sh(confined, read).stderr, /hostdisk'?: Operation not permitted/);
  const full = sh(privileged, read);
  assert.equal(full.code, 0, `full root reads it (nothing is written): ${full.stderr}`);
});

test('/proc/sysrq-trigger and /proc/sys: read-only when confined; writable (never written) when privileged', () => {
  const ro = mountsIn(confined, '/proc');
  for (const p of ['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus', '/proc/fs'].filter(existsSync))
    assert.match(ro[p] ?? '', /^ro,/, `${p} is mounted read-only`);
  // 'h' only prints the sysrq help, should the write ever get through.
  assert.notEqual(sh(confined, 'echo h > /proc/sysrq-trigger').code, 0);
  assert.match(sh(confined, 'echo x > /proc/sys/kernel/hostname').stderr, /Read-only file system/);
  // Privileged: only /proc itself, read-write, covers them; nothing is written to check it.
  assert.deepEqual(mountsIn(privileged, '/proc'), { '/proc': 'rw,nosuid,nodev,noexec,relatime' });
});

test('host kernel state (/proc/kcore, keys, timer_list, …) is masked when confined, visible when privileged', () => {
  // Docker's list today; what this kernel lacks has nothing to hide.
  const masked = ['/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
    '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'].filter(existsSync);
  assert.ok(masked.length > 0, 'this kernel has something to mask');
  const inside = { ...mountsIn(confined, '/proc'), ...mountsIn(confined, '/sys') };
  for (const p of masked) {
    assert.ok(inside[p], `${p} is covered`);
    assert.equal(sh(confined, `cat ${p} 2>/dev/null || ls -A ${p}`).stdout, '', `${p} shows nothing`);
  }
  for (const p of masked) assert.equal(mountsIn(privileged, p)[p], undefined, `${p} is not covered when privileged`);
});

test('loading a kernel module: no CAP_SYS_MODULE when confined; privileged has it', () => {
  // Garbage, not a module: should init_module ever run, the kernel rejects it before loading anything.
  const attempt = 'head -c 64 /dev/zero > /tmp/x.ko && insmod /tmp/x.ko';
  const denied = sh(confined, attempt);
  assert.notEqual(denied.code, 0);
  assert.ok(!hasCap(status(confined).CapEff, CAP.SYS_MODULE));
  assert.ok(hasCap(status(privileged).CapEff, CAP.SYS_MODULE));
  const full = sh(privileged, attempt);
  assert.notEqual(full.code, 0, 'garbage is never loaded');
  if (existsSync('/proc/modules')) {
    assert.match(denied.stderr, /Operation not permitted/);
    assert.doesNotMatch(full.stderr, /Operation not permitted/, 'privileged gets past the capability check');
  } else {
    // This kernel has no module support: init_module is ENOSYS for everyone who gets that far; the
    // default seccomp profile refuses it (EPERM) before the kernel is asked.
    assert.match(denied.stderr, /Operation not permitted/);
    assert.match(full.stderr, /kernel does not support requested operation|Function not implemented/);
  }
});

test('hostname: confined cannot set even its own; privileged sets only its own; setns into the host is impossible', () => {
  const host = hostname();
  const denied = sh(confined, 'hostname evil');
  assert.match(denied.stderr, /Operation not permitted/);
  assert.equal(sh(confined, 'hostname').stdout.trim(), confined);
  // nsenter needs CAP_SYS_ADMIN; and PID 1 is the container's own, so there is no host namespace to name.
  assert.match(sh(confined, 'nsenter -t 1 -u -m hostname').stderr, /Operation not permitted/);
  const full = sh(privileged, `hostname evil && hostname && nsenter -t 1 -u -m hostname; hostname ${privileged}`);
  assert.equal(full.stdout, 'evil\nevil\n', full.stderr);
  assert.equal(hostname(), host, 'the host keeps its hostname');
});

test('the clock: confined cannot set it; privileged has CAP_SYS_TIME (the time is never changed)', () => {
  // Sets the clock to what it already reads, so nothing moves should the write ever get through.
  // busybox date reports the failure but exits 0.
  const denied = sh(confined, 'date -s "$(date "+%Y-%m-%d %H:%M:%S")"');
  assert.match(denied.stderr, /can't set date: Operation not permitted/);
  assert.ok(!hasCap(status(confined).CapEff, CAP.SYS_TIME));
  assert.ok(hasCap(status(privileged).CapEff, CAP.SYS_TIME));
});

test('host processes: invisible and unreachable from either container (the PID namespace holds for full root too)', () => {
  for (const name of [confined, privileged]) {
    const pids = sh(name, 'ps -o pid').stdout.trim().split('\n').slice(1).map(Number);
    assert.ok(pids.includes(1) && !pids.includes(process.pid) && pids.length <= 4, `${name} sees only its own: ${pids}`);
    const kill = sh(name, `kill -0 ${process.pid}`);
    assert.notEqual(kill.code, 0);
    assert.match(kill.stderr, /No such process/);
  }
});

test('climbing out of the rootfs via .. or /proc/1/root: only the container\'s / (pivot_root holds for full root too)', () => {
  for (const name of [confined, privileged]) {
    const root = sh(name, 'ls -a /').stdout;
    assert.match(root, /^bin$/m);
    assert.equal(sh(name, 'ls -a /../../..').stdout, root);
    assert.equal(sh(name, 'ls -a /proc/1/root/').stdout, root);
    for (const path of [marker, `/proc/1/root${marker}`, `/../../..${marker}`]) {
      const r = sh(name, `cat ${path}`);
      assert.notEqual(r.code, 0, `${name} cannot read ${path}`);
      assert.doesNotMatch(r.stdout, new RegExp(secret));
    }
  }
});

test('capabilities of PID 1 and of an exec\'d shell: the default set when confined, the host\'s when privileged', () => {
  const none = '0000000000000000';
  for (const p of [1, 'self']) {
    const s = status(confined, p);
    assert.deepEqual([s.CapBnd, s.CapEff, s.CapPrm, s.CapInh], [DEFAULT_CAPS, DEFAULT_CAPS, DEFAULT_CAPS, none], `/proc/${p}/status`);
  }
  assert.equal(status(confined).CapAmb, none);
  assert.equal(readFileSync(`/proc/${pid1(confined)}/status`, 'utf8').match(/^CapBnd:\s+(\S+)/m)[1], DEFAULT_CAPS);
  for (const p of [1, 'self']) assert.equal(status(privileged, p).CapBnd, ownCapBnd());
});

test('no_new_privs: off by default and when privileged, on with --no-new-privileges', () => {
  assert.equal(status(confined, 1).NoNewPrivs, '0');
  assert.equal(status(confined).NoNewPrivs, '0');
  assert.equal(status(privileged).NoNewPrivs, '0');
  const name = uniqueName('nnp');
  const r = box.sc('run', '--name', name, '--no-new-privileges', 'busybox');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(status(name, 1).NoNewPrivs, '1');
  assert.equal(status(name).NoNewPrivs, '1');
  assert.equal(status(name).CapBnd, DEFAULT_CAPS);
});

test('a symlink planted in the container never makes sc write on the host (its /etc files are written from inside)', () => {
  const name = uniqueName('plant');
  assert.equal(box.sc('run', '--name', name, 'busybox').code, 0);
  const hostDir = join(box.root, 'host-etc');
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, 'keep'), 'host\n');
  // Inside, /etc/resolv.conf and /etc/hosts point at a path that, read on the host, is hostDir.
  assert.equal(sh(name, `ln -sf ${hostDir}/resolv.conf /etc/resolv.conf && ln -sf ${hostDir}/hosts /etc/hosts`).code, 0);
  assert.equal(box.sc('stop', name).code, 0);
  const start = box.sc('start', name);
  assert.equal(start.code, 0, start.stderr);
  assert.deepEqual(readdirSync(hostDir), ['keep'], 'nothing written through the planted links');
  assert.match(sh(name, 'cat /etc/hosts').stdout, new RegExp(`\\t${name}$`, 'm'), 'the container got its own files instead');
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('PID 1 shows the container no host path: its command line is "sc-init", its environment the container\'s, its exe unwritable', () => {
  const pid = pid1(confined);
  assert.equal(sh(confined, 'cat /proc/1/cmdline').stdout, 'sc-init\0');
  assert.match(sh(confined, 'ps -o pid,args').stdout, /^\s*1 sc-init$/m);
  const environ = sh(confined, 'cat /proc/1/environ').stdout;
  assert.match(environ, /(^|\0)container=sc\0/);
  assert.doesNotMatch(environ, new RegExp(`${box.root}|/usr/local/lib/sc|/libexec/`), 'no host path in PID 1\'s environment');
  assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sc-init\0', 'the host sees the same');
  assert.equal(sh(confined, 'readlink /proc/1/exe').stdout, '/\n', 'its exe names no host path');
  // On a read-only mount only sc can reach: not even its own root can write it (and it is busy as the running program).
  assert.match(sh(confined, 'echo x > /proc/1/exe').stderr, /Read-only file system|Text file busy/);
});

test('sc exec shows the container no host path either: until its command execs, the child has sc-enter\'s published name, not its arguments', async () => {
  // sc execs sc-enter, which forks the command into the container: the fork shares sc-enter's memory, so what
  // sc-enter's /proc/PID/cmdline reads (host paths: libexec, cgroups) is what the child's read before its exec.
  const exec = spawn(join(BIN, 'sc'), ['exec', confined, 'sleep', '30'], { env: box.env, stdio: 'ignore' });
  try {
    const read = (file) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
    let cmdline = '';
    for (let i = 0; i < 100; i++) {
      cmdline = read(`/proc/${exec.pid}/cmdline`);
      if (cmdline === 'sc-enter\0' && readdirSync(`/proc/${exec.pid}/task`).length && read(`/proc/${exec.pid}/task/${exec.pid}/children`).trim()) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(cmdline, 'sc-enter\0', 'sc-enter, once it has joined the container, publishes no argument');
    assert.doesNotMatch(read(`/proc/${exec.pid}/environ`), new RegExp(`${box.root}|/libexec/`), 'nor a host path in its environment');
    assert.match(sh(confined, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "').stdout, /sleep 30/, 'its child is in the container');
  } finally {
    exec.kill('SIGKILL');
    sh(confined, 'pkill -x sleep');
  }
});

// The probe (test/fixtures/syscalls.c) tries keyctl, unshare(CLONE_NEWUSER), bpf and open_by_handle_at.
const probe = join(box.root, 'syscalls');
function syscallsIn(name) {
  if (!existsSync(probe)) execFileSync('cc', ['-static', '-O2', '-o', probe, join(import.meta.dirname, 'fixtures', 'syscalls.c')]);
  const copy = box.run(join(BIN, 'sc'), ['exec', name, 'sh', '-c', 'cat > /probe && chmod 755 /probe'], { input: readFileSync(probe) });
  assert.equal(copy.code, 0, copy.stderr);
  const r = sh(name, '/probe');
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=')));
}

test('seccomp: Docker\'s default profile refuses keyctl, unshare(CLONE_NEWUSER), bpf, open_by_handle_at (EPERM) in PID 1 and sc exec alike', () => {
  const refused = { keyctl: 'EPERM', unshare_user: 'EPERM', bpf: 'EPERM', open_by_handle_at: 'EPERM', getpid: 'ok' };
  assert.deepEqual(syscallsIn(confined), refused);
  assert.match(sh(confined, 'grep Seccomp: /proc/1/status /proc/self/status').stdout, /1\/status:Seccomp:\s+2\n.*self\/status:Seccomp:\s+2/);
  // The same container without the filter: keyctl and unshare reach the kernel, so the profile was what refused them.
  const open = uniqueName('noseccomp');
  assert.equal(box.sc('run', '--name', open, '--seccomp', 'unconfined', 'busybox').code, 0);
  const unconfined = syscallsIn(open);
  assert.equal(unconfined.keyctl, 'ok');
  assert.equal(unconfined.unshare_user, 'ok');
  assert.match(sh(open, 'grep Seccomp: /proc/1/status').stdout, /Seccomp:\s+0/);
  assert.equal(box.sc('rm', '-f', open).code, 0);
  // Privileged runs without a filter: every call gets as far as the kernel's own checks.
  for (const [call, result] of Object.entries(syscallsIn(privileged))) assert.notEqual(result, 'EPERM', call);
});

test('seccomp: --seccomp FILE takes a profile in Docker/Podman\'s format; a bad one is refused in one line, before anything is made', () => {
  const dir = join(box.root, 'profiles');
  mkdirSync(dir, { recursive: true });
  const profile = join(dir, 'no-mkdir.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }));
  const name = uniqueName('custom');
  const r = box.sc('run', '--name', name, '--seccomp', profile, 'busybox');
  assert.equal(r.code, 0, r.stderr);
  assert.match(sh(name, 'mkdir /made').stderr, /Permission denied/, 'mkdir gets the profile\'s EACCES');
  assert.deepEqual(syscallsIn(name), { keyctl: 'ok', unshare_user: 'ok', bpf: 'EPERM', open_by_handle_at: 'EPERM', getpid: 'ok' });
  assert.equal(box.sc('rm', '-f', name).code, 0);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_EXPLODE' }] }));
  for (const [file, why] of [[broken, /syscalls\[0\]\.action/], [join(dir, 'missing.json'), /cannot read the profile/]]) {
    const bad = uniqueName('bad');
    const refused = box.sc('run', '--name', bad, '--seccomp', file, 'busybox');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, why);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.equal(existsSync(join(box.data, 'containers', bad)), false);
  }
});

test('sc exec of a filtered container without its rules fails closed: sc-enter will not run a command unfiltered', () => {
  const pid = pid1(confined);
  const r = spawnSync(join(BIN, '..', 'libexec', 'sc-enter'), ['--pid', String(pid), '--', 'true'], { encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.match(r.stderr, /runs under a seccomp filter: give it with --seccomp FILTER.bpf/);
});
