// End-to-end tests of sc-init and sc-enter: they start real containers, so they need root.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const nativeDir = path.resolve(import.meta.dirname, '..');
const scInit = path.join(nativeDir, 'build', 'sc-init');
const scEnter = path.join(nativeDir, 'build', 'sc-enter');
const applets = ['sh', 'ps', 'hostname', 'cat', 'sleep', 'ls', 'mount', 'id', 'env', 'tr', 'grep', 'kill', 'true', 'mknod', 'tty', 'stty'];

before(() => {
  assert.equal(process.getuid(), 0, 'the native tests start real containers and must run as root');
  execFileSync('make', ['-s'], { cwd: nativeDir, stdio: 'inherit' });
});

after(() => {
  const left = fs.readdirSync('/sys/fs/cgroup/pids').filter((n) => n.startsWith('sc-nativetest-'));
  assert.deepEqual(left, [], 'no test cgroup is left behind');
});

// Cleanups run in reverse order, even when the test failed: processes die before their rootfs goes.
const cleanups = new WeakMap();
function defer(t, fn) {
  if (!cleanups.has(t)) {
    cleanups.set(t, []);
    t.after(async () => {
      for (const f of cleanups.get(t).reverse()) await f();
    });
  }
  cleanups.get(t).push(fn);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function procState(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

// The host's PID 1 reaps orphans only every few seconds, so a zombie counts as gone.
const isGone = (pid) => {
  const fields = procState(pid);
  return !fields || fields[0] === 'Z';
};

async function waitGone(pid, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!isGone(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

async function retry(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const hostMounts = () => fs.readFileSync('/proc/self/mounts', 'utf8');

function makeRootfs(t) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-nativetest-'));
  defer(t, () => {
    assert.ok(!hostMounts().includes(root), `the host has nothing mounted under ${root}`);
    fs.rmSync(root, { recursive: true, force: true });
  });
  fs.mkdirSync(path.join(root, 'bin'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const name of applets) fs.symlinkSync('busybox', path.join(root, 'bin', name));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\ntty:x:5:\n');
  fs.writeFileSync(path.join(root, 'sc-rootfs-marker'), 'mine\n');
  return root;
}

function makeCgroup(t) {
  const dir = `/sys/fs/cgroup/pids/sc-nativetest-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(dir);
  // rmdir fails with EBUSY while the last task is still exiting.
  defer(t, () => retry(`rmdir ${dir}`, () => {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (e) {
      if (e.code === 'ENOENT') return true;
      if (e.code !== 'EBUSY') throw e;
      return false;
    }
  }, 10000));
  return dir;
}

function killAndWait(t, pid) {
  defer(t, async () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
    assert.ok(await waitGone(pid), `process ${pid} is gone`);
  });
}

// Starts a container on a fresh rootfs and kills its PID 1 after the test.
function startContainer(t, { hostname = 'box1', args = [], root = makeRootfs(t), stdio = 'pipe' } = {}) {
  const r = spawnSync(scInit, ['--root', root, '--hostname', hostname, ...args], { encoding: 'utf8', timeout: 10000, stdio });
  assert.equal(r.status, 0, `sc-init failed: ${r.stderr}`);
  assert.match(r.stdout, /^\{"pid":\d+\}\n$/);
  const { pid } = JSON.parse(r.stdout);
  killAndWait(t, pid);
  return { pid, root, startTime: procState(pid)[19] };
}

const enter = (pid, cmd, extra = []) =>
  spawnSync(scEnter, ['--pid', String(pid), ...extra, '--', ...cmd], { encoding: 'utf8', timeout: 10000 });

function enterInBackground(t, pid, cmd, extra = []) {
  const child = spawn(scEnter, ['--pid', String(pid), ...extra, '--', ...cmd], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  defer(t, async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { child, exited };
}

// Live host processes whose command line mentions `text`, or whose root is on it (a container's PID 1
// shows only "sc-init"; its root mount, in its own mountinfo, names the rootfs).
function processesMentioning(text) {
  const rootMount = (p) => fs.readFileSync(`/proc/${p}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/') ?? '';
  return fs.readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && !isGone(p) && (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) || rootMount(p).includes(text));
    } catch {
      return false;
    }
  });
}

const sameNamespace = (a, b) => fs.readlinkSync(`/proc/${a}/ns/pid`) === fs.readlinkSync(`/proc/${b}/ns/pid`);

// Host pids of the processes in the container running `sleep 1000`.
function findSleepers(pid1) {
  return fs.readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p) || isGone(p)) return false;
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\x001000\x00' && sameNamespace(p, pid1);
    } catch {
      return false;
    }
  }).map(Number);
}

test('sc-init prints the pid of a live container init', (t) => {
  const { pid } = startContainer(t);
  assert.ok(!isGone(pid));
  assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /sc-init/);
  assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/pid`), fs.readlinkSync('/proc/self/ns/pid'));
});

test('the host keeps its hostname and mounts', (t) => {
  const hostname = os.hostname();
  const mounts = hostMounts();
  startContainer(t, { hostname: 'not-the-host' });
  assert.equal(os.hostname(), hostname);
  assert.equal(hostMounts(), mounts);
});

test('sc-enter sees the container: hostname, PID 1, processes, rootfs', (t) => {
  const { pid } = startContainer(t, { hostname: 'box-enter' });
  assert.equal(enter(pid, ['hostname']).stdout, 'box-enter\n');
  assert.match(enter(pid, ['cat', '/proc/1/cmdline']).stdout, /sc-init/);
  const ps = enter(pid, ['ps', '-o', 'pid,args']).stdout.trim().split('\n');
  assert.ok(ps.length <= 4, `only the container's processes:\n${ps.join('\n')}`);
  assert.match(ps.find((l) => /^\s*1\s/.test(l)) ?? '', /sc-init/);
  const ls = enter(pid, ['ls', '/']).stdout.split('\n');
  assert.ok(ls.includes('sc-rootfs-marker') && ls.includes('proc') && !ls.includes('work'), ls.join(' '));
});

test('the container has its own /proc, read-only /sys (and /proc/sys when asked), and a /dev tmpfs', (t) => {
  const { pid } = startContainer(t, { args: ['--readonly', '/proc/sys'] });
  const mounts = enter(pid, ['cat', '/proc/self/mounts']).stdout;
  assert.match(mounts, /^proc \/proc proc rw,nosuid,nodev,noexec/m);
  assert.match(mounts, /^proc \/proc\/sys proc ro,/m);
  assert.match(mounts, /^sysfs \/sys sysfs ro,/m);
  assert.match(mounts, /^tmpfs \/dev tmpfs rw,nosuid/m);
  assert.match(mounts, /^devpts \/dev\/pts devpts /m);
  assert.match(enter(pid, ['ls', '-l', '/dev/null']).stdout, /^crw-rw-rw-.* 1,\s+3 /);
  assert.equal(enter(pid, ['sh', '-c', 'echo hi > /dev/null && cat /dev/null && ls /dev/pts/ptmx']).status, 0);
});

// Docker's default set (CHOWN … AUDIT_WRITE), as /proc/PID/status prints it.
const DEFAULT_CAPS = '00000000a80425fb';
const capsOf = (status) => Object.fromEntries([...status.matchAll(/^(Cap\w+|NoNewPrivs):\s+(\S+)$/gm)].map((m) => [m[1], m[2]]));
const ownCaps = () => capsOf(fs.readFileSync('/proc/self/status', 'utf8'));
const CONFINED = { CapInh: '0000000000000000', CapPrm: DEFAULT_CAPS, CapEff: DEFAULT_CAPS, CapBnd: DEFAULT_CAPS, CapAmb: '0000000000000000', NoNewPrivs: '0' };
// Mount points inside the container that cover parts of /proc.
const procMounts = (pid) => enter(pid, ['cat', '/proc/self/mountinfo']).stdout.split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith('/proc/'));
// sc-spawn's default policy, passed in as it passes it.
const READONLY = ['/proc/sys', '/proc/sysrq-trigger', '/proc/irq', '/proc/bus'];
const MASKED = ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/latency_stats', '/proc/sched_debug', '/proc/scsi', '/proc/acpi'];
const CONFINE = [...READONLY.flatMap((p) => ['--readonly', p]), ...MASKED.flatMap((p) => ['--mask', p])];

test('by default PID 1 and entered processes keep only Docker\'s default capabilities', (t) => {
  const { pid } = startContainer(t);
  assert.deepEqual(capsOf(fs.readFileSync(`/proc/${pid}/status`, 'utf8')), CONFINED);
  assert.deepEqual(capsOf(enter(pid, ['cat', '/proc/self/status']).stdout), CONFINED);
  const r = enter(pid, ['hostname', 'other']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Operation not permitted/, 'no CAP_SYS_ADMIN: not even its own hostname');
});

test('--readonly and --mask: kernel knobs read-only, host kernel state masked', (t) => {
  const { pid } = startContainer(t, { args: CONFINE });
  const onHost = (p) => fs.existsSync(p);
  assert.deepEqual(procMounts(pid).sort(), [...READONLY, ...MASKED].filter(onHost).sort());
  const mounts = enter(pid, ['cat', '/proc/self/mounts']).stdout;
  for (const p of READONLY.filter(onHost)) assert.match(mounts, new RegExp(`^proc ${p} proc ro,`, 'm'));
  assert.match(enter(pid, ['sh', '-c', 'echo x > /proc/sys/kernel/hostname']).stderr, /Read-only file system/);
  for (const p of MASKED.filter(onHost)) {
    const r = enter(pid, ['sh', '-c', `cat ${p} 2>/dev/null || ls -A ${p}`]);
    assert.deepEqual([r.status, r.stdout], [0, ''], `${p} shows nothing`);
  }
});

test('--no-mknod (cgroup v2: no devices controller) also drops CAP_MKNOD, for PID 1 and entered processes', (t) => {
  const { pid } = startContainer(t, { args: ['--no-mknod'] });
  const withoutMknod = (BigInt(`0x${DEFAULT_CAPS}`) & ~(1n << 27n)).toString(16).padStart(16, '0');
  assert.equal(capsOf(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).CapBnd, withoutMknod);
  assert.equal(capsOf(enter(pid, ['cat', '/proc/self/status']).stdout).CapEff, withoutMknod);
  assert.match(enter(pid, ['mknod', '/dev/disk0', 'b', '8', '0']).stderr, /Operation not permitted/);
});

test('--readonly and --mask take only paths of /proc and /sys', () => {
  for (const bad of ['/etc/passwd', '/proc/../etc', 'proc/sys', '/sys//x']) {
    const r = spawnSync(scInit, ['--root', '/nonexistent', '--hostname', 'x', '--mask', bad], { encoding: 'utf8' });
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /outside \/proc and \/sys/);
  }
});

test('--privileged keeps every capability and /proc as mounted', (t) => {
  const { pid } = startContainer(t, { args: ['--privileged'] });
  const full = { ...ownCaps(), CapInh: '0000000000000000' };
  assert.equal(capsOf(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).CapBnd, full.CapBnd);
  assert.deepEqual(capsOf(enter(pid, ['cat', '/proc/self/status']).stdout), full);
  assert.deepEqual(procMounts(pid), []);
  assert.equal(enter(pid, ['sh', '-c', 'hostname other && hostname']).stdout, 'other\n');
});

test('--no-new-privs sets no_new_privs in PID 1 and entered processes; sc-enter takes both flags too', (t) => {
  const { pid } = startContainer(t, { args: ['--no-new-privs'] });
  assert.equal(capsOf(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).NoNewPrivs, '1');
  assert.deepEqual(capsOf(enter(pid, ['cat', '/proc/self/status']).stdout), { ...CONFINED, NoNewPrivs: '1' });
  const { pid: plain } = startContainer(t);
  assert.equal(capsOf(enter(plain, ['cat', '/proc/self/status'], ['--no-new-privs']).stdout).NoNewPrivs, '1');
  // Like `docker exec --privileged`: the caller asks for it, the container cannot.
  assert.equal(capsOf(enter(plain, ['cat', '/proc/self/status'], ['--privileged']).stdout).CapBnd, ownCaps().CapBnd);
});

test('the environment comes from PID 1, plus the caller\'s TERM and --env', (t) => {
  const { pid } = startContainer(t, { args: ['--env', 'FOO=bar'] });
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes('container=sc') && environ.includes('FOO=bar'), environ.join(' '));
  assert.ok(!environ.some((kv) => kv.startsWith('NODE_')), 'no host variable reaches PID 1');
  const r = spawnSync(scEnter, ['--pid', String(pid), '--env', 'X=1', '--', 'sh', '-c', 'echo $container $FOO $X $TERM $HOME $PATH'],
    { encoding: 'utf8', env: { TERM: 'vt100', SECRET: 'host' } });
  assert.equal(r.stdout, 'sc bar 1 vt100 /root /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
});

test('no file descriptor of the caller reaches the container', (t) => {
  const extra = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'];
  const { pid } = startContainer(t, { stdio: ['ignore', 'pipe', 'pipe', ...extra] });
  const fdsOf = () => fs.readdirSync(`/proc/${pid}/fd`).map((fd) => `${fd} ${fs.readlinkSync(`/proc/${pid}/fd/${fd}`)}`);
  // PID 1 opens its signalfd just after it reports ready: wait for it rather than race it.
  for (let i = 0; i < 100 && fdsOf().length < 4; i++) spawnSync('sleep', ['0.01']);
  assert.deepEqual(fdsOf(), ['0 /dev/null', '1 /dev/null', '2 /dev/null', '3 anon_inode:[signalfd]']);
  const r = spawnSync(scEnter, ['--pid', String(pid), '--', 'sh', '-c', 'ls /proc/$$/fd; true'], // '; true': sh must not exec ls in its place
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', ...extra] });
  assert.equal(r.stdout, '0\n1\n2\n');
});

test('sc-enter passes the exit status through', (t) => {
  const { pid } = startContainer(t);
  assert.equal(enter(pid, ['sh', '-c', 'exit 7']).status, 7);
  assert.equal(enter(pid, ['sh', '-c', 'kill -9 $$']).status, 128 + 9);
  const missing = enter(pid, ['no-such-command']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /^sc-enter: no-such-command: command not found\n$/);
  const notExecutable = enter(pid, ['/etc/passwd']);
  assert.equal(notExecutable.status, 126);
  assert.match(notExecutable.stderr, /^sc-enter: \/etc\/passwd: Permission denied\n$/);
});

test('sc-enter --cwd and --start-time', (t) => {
  const { pid, startTime } = startContainer(t);
  assert.equal(enter(pid, ['sh', '-c', 'pwd'], ['--cwd', '/etc', '--start-time', startTime]).stdout, '/etc\n');
  const stale = enter(pid, ['true'], ['--start-time', String(Number(startTime) + 1)]);
  assert.equal(stale.status, 125);
  assert.equal(stale.stderr, `sc-enter: the container is not running: its PID 1 (${pid}) has exited\n`);
});

test('SIGTERM to PID 1 stops every process in the container', async (t) => {
  const { pid } = startContainer(t);
  // An orphan (a child of PID 1) and a process sc-enter still waits for (not a child of PID 1).
  assert.equal(enter(pid, ['sh', '-c', 'sleep 1000 >/dev/null 2>&1 &']).status, 0);
  const foreground = enterInBackground(t, pid, ['sleep', '1000']);
  const sleepers = await retry('two sleepers', () => findSleepers(pid).length === 2 && findSleepers(pid));
  const started = Date.now();
  process.kill(pid, 'SIGTERM');
  assert.ok(await waitGone(pid, 5000), 'PID 1 exits');
  assert.ok(Date.now() - started < 3000, `PID 1 did not wait out its 10 s grace (${Date.now() - started} ms)`);
  for (const p of sleepers) assert.ok(isGone(p), `sleep ${p} is gone`);
  assert.deepEqual(await foreground.exited, { code: 128 + 15, signal: null });
});

test('a process that ignores SIGTERM is killed after --grace', async (t) => {
  const { pid } = startContainer(t, { args: ['--grace', '1'] });
  enterInBackground(t, pid, ['sh', '-c', 'trap "" TERM; sleep 1000']);
  const [sleeper] = await retry('the sleeper', () => findSleepers(pid).length === 1 && findSleepers(pid));
  const started = Date.now();
  process.kill(pid, 'SIGTERM');
  assert.ok(await waitGone(pid, 5000), 'PID 1 exits');
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 900 && elapsed < 3000, `PID 1 exits after about 1 s (${elapsed} ms)`);
  assert.ok(isGone(sleeper));
});

test('--cgroup puts PID 1 and entered processes in the cgroup', async (t) => {
  const cgroup = makeCgroup(t);
  const { pid } = startContainer(t, { args: ['--cgroup', cgroup] });
  const procs = () => fs.readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  assert.ok(procs().includes(pid), `PID 1 (${pid}) is in ${cgroup}: ${procs()}`);
  const { child } = enterInBackground(t, pid, ['sleep', '1000'], ['--cgroup', cgroup]);
  const [sleeper] = await retry('the sleeper', () => findSleepers(pid).length === 1 && findSleepers(pid));
  await retry('sc-enter and its child in the cgroup', () => procs().includes(child.pid) && procs().includes(sleeper));
});

test('--boot execs the given command as PID 1', (t) => {
  const { pid } = startContainer(t, { args: ['--boot', '--', '/bin/sleep', '1000'] });
  assert.equal(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '/bin/sleep\x001000\x00');
  assert.equal(enter(pid, ['cat', '/proc/1/cmdline']).stdout, '/bin/sleep\x001000\x00');
  assert.equal(capsOf(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).CapEff, DEFAULT_CAPS, 'the image\'s init is confined too');
});

test('--boot reports a command that cannot be executed', (t) => {
  const root = makeRootfs(t);
  const r = spawnSync(scInit, ['--root', root, '--hostname', 'x', '--boot', '--', '/sbin/init'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'sc-init: exec /sbin/init: No such file or directory\n');
  assert.deepEqual(processesMentioning(root), []);
});

test('bad usage is refused with a message', () => {
  const init = spawnSync(scInit, ['--hostname', 'x'], { encoding: 'utf8' });
  assert.equal(init.status, 2);
  assert.match(init.stderr, /^sc-init: --root is required\nusage: /);
  const noHost = spawnSync(scInit, ['--root', '/x'], { encoding: 'utf8' });
  assert.equal(noHost.status, 2);
  assert.match(noHost.stderr, /^sc-init: --hostname is required\nusage: /, 'only --process goes without a hostname');
  const grace = spawnSync(scInit, ['--root', '/x', '--hostname', 'x', '--grace', 'soon'], { encoding: 'utf8' });
  assert.equal(grace.status, 2);
  assert.match(grace.stderr, /--grace/);
  const enterUsage = spawnSync(scEnter, ['--pid', '1'], { encoding: 'utf8' });
  assert.equal(enterUsage.status, 125);
  assert.match(enterUsage.stderr, /^sc-enter: --pid and either '-- CMD' or --put PATH CONTENT are required\nusage: /);
});

test('a rootfs that does not exist fails with its path and leaves no process', () => {
  const root = path.join(os.tmpdir(), `sc-nativetest-missing-${randomBytes(4).toString('hex')}`);
  const r = spawnSync(scInit, ['--root', root, '--hostname', 'x'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `sc-init: chdir ${root}: No such file or directory\n`);
  assert.deepEqual(processesMentioning(root), []);
});

test('on a terminal, the command gets a terminal of the container\'s own; its size and exit status come through', (t) => {
  const { pid } = startContainer(t);
  // script(1) gives sc-enter a terminal, as a person at a shell would.
  const r = spawnSync('script', ['-qec', `stty cols 91 rows 17; ${scEnter} --pid ${pid} -- sh -c 'tty; stty size; exit 5'`, '/dev/null'],
    { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 5, r.stdout + r.stderr);
  assert.match(r.stdout, /^\/dev\/pts\/\d+\r?$/m, 'a pty of the container\'s devpts');
  assert.match(r.stdout, /^17 91\r?$/m, 'the caller\'s window size');
  assert.equal(enter(pid, ['tty']).stdout.trim(), 'not a tty', 'no terminal when the caller has none');
});

test('where PID 1 could not publish its environment, sc-enter uses the defaults, never the caller\'s', async (t) => {
  // A process in new namespaces that sc-init did not start: its environ is whatever its caller had.
  const standIn = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'sleep', '1000'],
    { env: { PATH: process.env.PATH, SECRET: 'host' }, stdio: 'ignore', detached: true });
  t.after(() => { try { process.kill(-standIn.pid, 'SIGKILL'); } catch { /* gone */ } });
  let pid;
  for (let i = 0; i < 100 && !pid; i++) {
    const child = Number(fs.readFileSync(`/proc/${standIn.pid}/task/${standIn.pid}/children`, 'utf8').trim().split(' ')[0]);
    if (child && fs.readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'sleep') pid = child;
    else await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(pid, 'the stand-in started');
  assert.match(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'), /SECRET=host/);
  const r = spawnSync(scEnter, ['--pid', String(pid), '--', 'env'], { encoding: 'utf8', env: { TERM: 'vt100' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(),
    ['HOME=/root', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=vt100', 'container=sc']);
});

test('--put writes files inside the container\'s root, where its symlinks cannot reach the host', (t) => {
  const { pid, root } = startContainer(t);
  // The container's root points /etc/resolv.conf at the host's file, and /etc/trap at a host directory.
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-put-host-'));
  t.after(() => fs.rmSync(hostDir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(hostDir, 'victim'), 'host\n');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.symlinkSync(path.join(hostDir, 'victim'), path.join(root, 'etc', 'resolv.conf'));
  fs.symlinkSync(hostDir, path.join(root, 'etc', 'trap'));
  const r = spawnSync(scEnter, ['--pid', String(pid), '--put', '/etc/resolv.conf', 'nameserver 10.0.0.1\n', '--put', '/etc/hostname', 'box1\n'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(hostDir, 'victim'), 'utf8'), 'host\n', 'the host file is untouched');
  assert.equal(enter(pid, ['cat', '/etc/resolv.conf']).stdout, 'nameserver 10.0.0.1\n', 'the symlink was replaced');
  assert.equal(enter(pid, ['cat', '/etc/hostname']).stdout, 'box1\n');
  // /etc/trap resolves inside the container (chroot), where the host's directory does not exist.
  const trap = spawnSync(scEnter, ['--pid', String(pid), '--put', '/etc/trap/victim', 'pwned\n'], { encoding: 'utf8' });
  assert.equal(trap.status, 125);
  assert.match(trap.stderr, /No such file or directory/);
  assert.deepEqual(fs.readdirSync(hostDir), ['victim']);
  assert.equal(fs.readFileSync(path.join(hostDir, 'victim'), 'utf8'), 'host\n');
  assert.equal(spawnSync(scEnter, ['--pid', String(pid), '--put', 'relative', 'x']).status, 125);
  assert.equal(spawnSync(scEnter, ['--pid', String(pid), '--put', '/x', 'y', '--', 'true']).status, 125, '--put and a command are exclusive');
});

test('PID 1 shows no host path: command line "sc-init", exe on a read-only mount nobody else can reach', (t) => {
  const { pid, root } = startContainer(t);
  assert.equal(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sc-init\0');
  assert.equal(fs.readFileSync(`/proc/${pid}/comm`, 'utf8'), 'sc-init\n');
  assert.doesNotMatch(fs.readFileSync(`/proc/${pid}/environ`, 'utf8'), new RegExp(root));
  assert.equal(enter(pid, ['ls', '-l', '/proc/1/exe']).stdout.trim().split(' -> ')[1], '/', 'inside, no host path either');
  // Even the host's root cannot write through it: the mount is read-only (and the file busy).
  assert.throws(() => fs.writeFileSync(`/proc/${pid}/exe`, 'x'), /EROFS|ETXTBSY/);
  const fd = fs.openSync(`/proc/${pid}/exe`, 'r');
  assert.throws(() => fs.openSync(`/proc/self/fd/${fd}`, fs.constants.O_WRONLY | fs.constants.O_TRUNC), /EROFS/);
  fs.closeSync(fd);
  assert.match(enter(pid, ['ls', '-l', '/proc/self/exe']).stdout, /-> \/bin\/busybox/, 'an entered command runs its own program');
});

test('a mask or read-only path that exists but cannot be applied fails the start (never a silent skip)', (t) => {
  const root = makeRootfs(t);
  for (const flag of ['--mask', '--readonly']) {
    // /proc/self is a symlink: sc-init refuses to follow it, so the path cannot be covered.
    const r = spawnSync(scInit, ['--root', root, '--hostname', 'x', flag, '/proc/self/environ'], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /proc\/self\/environ in the container is a symlink or crosses one/);
  }
  // A path this kernel lacks has nothing to protect: skipped.
  const { pid } = startContainer(t, { root, args: ['--mask', '/proc/no-such-thing'] });
  assert.ok(!isGone(pid));
});

test('an image whose /dev is a symlink to / gets nothing made on the host\'s /', (t) => {
  const root = makeRootfs(t);
  fs.symlinkSync('/', path.join(root, 'dev'));
  const before = fs.readdirSync('/').sort();
  const r = spawnSync(scInit, ['--root', root, '--hostname', 'x'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "sc-init: dev in the container is a symlink or crosses one; sc never follows a container's links there\n");
  assert.deepEqual(fs.readdirSync('/').sort(), before);
});

test('--userns: PID 1 is root inside and an unprivileged id on the host; /dev holds the host\'s inert nodes', (t) => {
  const root = makeRootfs(t);
  // The rootfs must be the user namespace's own (sc-overlay idmaps it in sc): here, chown a plain copy.
  execFileSync('chown', ['-R', '1100000:1100000', root]);
  const { pid } = startContainer(t, { root, args: ['--userns', '1100000:1100000:65536'] });
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+1100000\s+1100000\s+1100000\s+1100000$/m);
  assert.match(status, /^Gid:\s+1100000\s/m);
  assert.equal(enter(pid, ['id', '-u']).stdout, '0\n');
  assert.equal(enter(pid, ['cat', '/proc/self/uid_map']).stdout.trim().split(/\s+/).join(' '), '0 1100000 65536');
  assert.equal(enter(pid, ['sh', '-c', 'echo hi > /dev/null && echo ok']).stdout, 'ok\n');
  assert.notEqual(enter(pid, ['mknod', '/dev/sda', 'b', '8', '0']).status, 0, 'no device nodes in a user namespace');
  const bad = spawnSync(scInit, ['--root', root, '--hostname', 'x', '--userns', '0:0:65536'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, 'host root is never a container\'s id range');
});

test('without close_range (an older kernel), inherited descriptors are still closed', (t) => {
  const { pid } = startContainer(t);
  const launcher = path.join(os.tmpdir(), `sc-nativetest-ncr-${randomBytes(4).toString('hex')}`);
  t.after(() => fs.rmSync(launcher, { force: true }));
  execFileSync('cc', ['-static', '-O2', '-o', launcher, path.join(nativeDir, 'test', 'fixtures', 'no-close-range.c'), '-lseccomp']);
  const r = spawnSync(launcher, ['/etc/hostname', scEnter, '--pid', String(pid), '--', 'ls', '/proc/self/fd'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['0', '1', '2', '3'], 'stdio and ls\'s own directory fd only: fd 5 was closed');
  const init = spawnSync(launcher, ['/etc/hostname', scInit, '--root', makeRootfs(t), '--hostname', 'ncr'], { encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  const pid2 = JSON.parse(init.stdout).pid;
  killAndWait(t, pid2);
  assert.deepEqual(fs.readdirSync(`/proc/${pid2}/fd`).sort(), ['0', '1', '2', '3'], "PID 1 keeps stdio and its signalfd only");
});

test('sc-enter joins by pidfd and checks the start time after: a reused pid is refused', (t) => {
  const { pid, startTime } = startContainer(t);
  const r = enter(pid, ['true'], ['--start-time', String(Number(startTime) - 1)]);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /the container is not running: its PID 1/);
  const gone = enter(999999999, ['true']);
  assert.equal(gone.status, 125);
  assert.match(gone.stderr, /--pid wants a process id|has exited|No such process/);
});
