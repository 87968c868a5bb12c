// sc-oci against the real kernel: runc's command line (create, start, state, kill, delete, exec, ps, update,
// pause, resume, features, spec) as orchestrators call it, config.json's fields honoured (each read back from
// inside the container) or refused by name, and attacks from a hostile bundle and from inside a container.
// Every bundle lives in the sandbox, --root is the sandbox's, every cgroupsPath is under its own parent. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeSandbox, busyboxImage, REPO, leftovers, mountsUnder, cgroupDirsOf, processesInCgroup, sandboxProcesses, uniqueName, BIN } from './helpers.mjs';

const box = makeSandbox('oci');
const OCI = join(BIN, 'sc-oci');
const stateRoot = join(box.root, 'state');
const bundles = join(box.root, 'bundles');
const template = join(box.root, 'rootfs');
/** Host directories an attack aims at: whatever lands in one has escaped. */
const hostSide = join(box.root, 'host');
/** Every ID a test created (or tried to): after() deletes them all with --force. */
const ids = new Set();
const netnsNames = new Set();
let baseConfig;

before(() => {
  mkdirSync(bundles);
  mkdirSync(template);
  mkdirSync(hostSide);
  execFileSync('tar', ['-xzf', busyboxImage(), '-C', template]);
  const specDir = join(box.root, 'spec');
  mkdirSync(specDir);
  const r = oci(['spec', '--bundle', specDir]);
  assert.equal(r.code, 0, r.stderr);
  baseConfig = JSON.parse(readFileSync(join(specDir, 'config.json'), 'utf8'));
});

after(async () => {
  const failed = [];
  for (const id of ids) {
    const r = oci(['delete', '--force', id]);
    if (r.code !== 0) failed.push(`delete --force ${id}: ${r.stderr}`);
  }
  for (const ns of netnsNames) spawnSync('ip', ['netns', 'delete', ns]);
  // Before the sandbox's own sweep: sc-oci itself must have left no process, mount or cgroup of a container.
  const left = [
    ...failed,
    ...mountsUnder(box.root).map((m) => `mount: ${m}`),
    ...sandboxProcesses(box).map((p) => `process: ${p} ${cmdline(p)}`),
    ...cgroupDirsOf(box.cgroupParent).flatMap((d) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `cgroup: ${d}/${e.name}`)),
  ];
  await box.cleanup();
  assert.deepEqual(left, []);
  assert.deepEqual(leftovers(box), []);
  for (const ns of netnsNames) assert.equal(existsSync(`/run/netns/${ns}`), false);
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

function oci(args, opts = {}) {
  return box.run(OCI, ['--root', stateRoot, ...args], opts);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function waitFor(what, check, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const got = check();
    if (got) return got;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    sleep(20);
  }
}

/** A failure as runc's callers read it: exit CODE, one line on stderr matching RE, nothing on stdout. */
function assertRefused(r, code, re) {
  assert.equal(r.code, code, `exit ${code}: ${r.stderr}`);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.equal(r.stdout, '');
}

/** A bundle for ID running ARGS: the busybox rootfs (a copy of its own), runc spec's config, terminal off, root writable, its cgroups under the sandbox's parent. */
function makeBundle(id, args, change = () => {}) {
  const dir = join(bundles, id);
  mkdirSync(dir);
  cpSync(template, join(dir, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  const config = structuredClone(baseConfig);
  config.process.terminal = false;
  config.process.args = args;
  config.root.readonly = false;
  config.linux.cgroupsPath = `/${box.cgroupParent}/${id}`;
  change(config, dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * sc-oci create with its stdout and stderr on files of the bundle (the container's process takes them over, as it
 * takes a shim's pipes: a pipe here would stay open as long as the process runs). Returns what create itself said.
 */
function create(id, bundle, flags = []) {
  ids.add(id);
  const outFile = join(bundle, 'stdout');
  const errFile = join(bundle, 'stderr');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  try {
    const r = spawnSync(OCI, ['--root', stateRoot, 'create', '--bundle', bundle, ...flags, id], { stdio: ['ignore', out, err], env: box.env, timeout: 30_000 });
    return { code: r.status, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** What the container's process wrote to create's stdout (and stderr) so far. */
const output = (bundle, stream = 'stdout') => readFileSync(join(bundle, stream), 'utf8');

function state(id) {
  const r = oci(['state', id]);
  assert.equal(r.code, 0, `state ${id}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const waitStatus = (id, status) => waitFor(`${id} to be ${status}`, () => state(id).status === status && state(id));

function createAndStart(id, bundle, flags = []) {
  const c = create(id, bundle, flags);
  assert.equal(c.code, 0, `create ${id}: ${c.stderr}`);
  const s = oci(['start', id]);
  assert.equal(s.code, 0, `start ${id}: ${s.stderr}`);
}

function remove(id) {
  const r = oci(['delete', '--force', id]);
  assert.equal(r.code, 0, `delete --force ${id}: ${r.stderr}`);
  ids.delete(id);
}

/** A container that runs ARGS (after CHANGE to its config) to the end: what it printed, and its bundle. */
function runToEnd(prefix, args, change) {
  const id = uniqueName(prefix);
  const bundle = makeBundle(id, args, change);
  try {
    createAndStart(id, bundle);
    waitStatus(id, 'stopped');
    return { stdout: output(bundle), stderr: output(bundle, 'stderr'), bundle };
  } finally {
    remove(id);
  }
}

/** A container whose process sleeps until deleted. */
const SLEEPER = ['sh', '-c', 'while :; do sleep 1; done'];

function withRunning(prefix, change, fn, args = SLEEPER) {
  const id = uniqueName(prefix);
  const bundle = makeBundle(id, args, change);
  try {
    createAndStart(id, bundle);
    return fn(id, bundle);
  } finally {
    remove(id);
  }
}

const ex = (id, ...args) => oci(['exec', id, ...args]);
const exSh = (id, script) => ex(id, 'sh', '-c', script);
/** exec --detach: the process keeps exec's stdio (as runc's does), so not a pipe of ours that would stay open. */
function exDetached(id, pidFile, ...args) {
  const errFile = `${pidFile}.stderr`;
  const err = openSync(errFile, 'w');
  try {
    const r = oci(['exec', '--detach', '--pid-file', pidFile, id, ...args], { stdio: ['ignore', 'ignore', err] });
    return { ...r, stderr: readFileSync(errFile, 'utf8') };
  } finally {
    closeSync(err);
  }
}
/** Dead: gone, or a zombie its new parent has not reaped yet. */
const dead = (pid) => {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};
/** Fields of /proc/self/status as the process itself reads them. */
const statusFields = (text) => Object.fromEntries([...text.matchAll(/^(\w+):\s+(.*)$/gm)].map((m) => [m[1], m[2].trim()]));
const capMask = (...bits) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0');
const CAP = { CHOWN: 0, KILL: 5, NET_BIND_SERVICE: 10, SYS_PTRACE: 19, SYS_ADMIN: 21, AUDIT_WRITE: 29 };

/** Nothing of ID is left: no record under --root, no cgroup, no process. */
function assertNothingOf(id, bundle) {
  assert.equal(existsSync(join(stateRoot, 'containers', id)), false, `no record of ${id}`);
  assert.deepEqual(cgroupDirsOf(`${box.cgroupParent}/${id}`), [], `no cgroup of ${id}`);
  assert.deepEqual(processesInCgroup(`${box.cgroupParent}/${id}`), [], `no process of ${id}`);
  if (bundle) assert.deepEqual(sandboxProcesses(box).filter((p) => cmdline(p).includes(bundle)), [], `no process names ${bundle}`);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Lifecycle

test('create holds the process before its program; start runs it with the caller\'s stdio; it stops; start again fails', () => {
  const id = uniqueName('life');
  const pidFile = join(box.root, `${id}.pid`);
  const bundle = makeBundle(id, ['sh', '-c', 'echo out-of-the-process; echo err-of-the-process >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo bye']);
  const c = create(id, bundle, ['--pid-file', pidFile]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stderr, '');
  const created = state(id);
  assert.equal(created.status, 'created');
  assert.equal(created.id, id);
  assert.equal(created.bundle, bundle);
  assert.ok(created.pid > 0);
  assert.equal(readFileSync(pidFile, 'utf8'), String(created.pid), '--pid-file holds the pid, as runc writes it');
  assert.ok(existsSync(`/proc/${created.pid}`), 'the process exists while created');
  assert.ok(!cmdline(created.pid).startsWith('sh -c'), `it has not exec'd its program yet: ${cmdline(created.pid)}`);
  assert.equal(output(bundle), '', 'nothing of the program ran before start');

  assert.equal(oci(['start', id]).code, 0);
  waitFor('the program to print', () => output(bundle).includes('out-of-the-process'));
  assert.equal(output(bundle), 'out-of-the-process\n', "its stdout is create's stdout");
  assert.equal(output(bundle, 'stderr'), 'err-of-the-process\n', "its stderr is create's stderr");
  const running = state(id);
  assert.equal(running.status, 'running');
  assert.equal(running.pid, created.pid, 'the held process is the one that runs');
  assert.match(cmdline(created.pid), /^sh -c echo out-of-the-process/);
  assertRefused(oci(['start', id]), 1, /cannot start container .*: it is running already/);

  writeFileSync(join(bundle, 'rootfs', 'tmp', 'go'), '');
  const stopped = waitStatus(id, 'stopped');
  assert.equal(stopped.pid, 0);
  assert.equal(output(bundle), 'out-of-the-process\nbye\n');
  assertRefused(oci(['start', id]), 1, /cannot start container .*: it has stopped/);
  assert.equal(oci(['delete', id]).code, 0, 'a stopped container is deleted without --force');
  ids.delete(id);
  assertNothingOf(id, bundle);
  assertRefused(oci(['state', id]), 1, /does not exist/);
});

test('delete refuses a running container without --force and kills it with --force; an unknown ID is exit 1, or 0 with --force', () => {
  const id = uniqueName('del');
  const bundle = makeBundle(id, SLEEPER);
  createAndStart(id, bundle);
  const { pid } = state(id);
  assertRefused(oci(['delete', id]), 1, /cannot delete container .* that is not stopped: running/);
  assert.equal(state(id).status, 'running', 'still running after the refusal');
  const r = oci(['delete', '--force', id]);
  assert.equal(r.code, 0, r.stderr);
  ids.delete(id);
  assert.ok(dead(pid), 'its process is dead');
  assertNothingOf(id, bundle);
  assertRefused(oci(['delete', id]), 1, /does not exist/);
  const forced = oci(['delete', '--force', id]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stderr, '');
});

test('create of an ID that exists fails and leaves the first container as it was', () => {
  const id = uniqueName('dup');
  const first = makeBundle(id, SLEEPER);
  try {
    assert.equal(create(id, first).code, 0);
    const before = state(id);
    const second = makeBundle(`${id}-second`, ['echo', 'second']);
    const r = create(id, second);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.deepEqual(state(id), before, 'the first is still created, same pid, same bundle');
    assert.equal(oci(['start', id]).code, 0);
    assert.equal(state(id).status, 'running');
  } finally {
    remove(id);
  }
});

test('create with a --pid-file it cannot write fails in one line naming it, and leaves no container behind', () => {
  const id = uniqueName('pidfail');
  const bundle = makeBundle(id, SLEEPER);
  const where = join(box.root, 'no-such-dir', 'pid');
  const r = create(id, bundle, ['--pid-file', where]);
  ids.delete(id);
  if (r.code === 0) remove(id);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`container "${id}": cannot write the pid file ${where}: no directory`));
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assertNothingOf(id, bundle);
});

test('a created container is deleted without --force (its held process goes), or stopped by kill KILL before its program ran', () => {
  const id = uniqueName('heldel');
  const bundle = makeBundle(id, ['echo', 'must-not-run']);
  assert.equal(create(id, bundle).code, 0);
  const { pid } = state(id);
  const r = oci(['delete', id]);
  assert.equal(r.code, 0, r.stderr);
  ids.delete(id);
  assert.ok(dead(pid), 'the held process is dead');
  assertNothingOf(id, bundle);
  const killed = uniqueName('helkill');
  const killedBundle = makeBundle(killed, ['echo', 'must-not-run']);
  try {
    assert.equal(create(killed, killedBundle).code, 0);
    assert.equal(oci(['kill', killed, 'KILL']).code, 0);
    waitStatus(killed, 'stopped');
    assertRefused(oci(['start', killed]), 1, /it has stopped/);
    assert.equal(output(killedBundle), '', 'its program never ran');
  } finally {
    remove(killed);
  }
});

// ---------------------------------------------------------------------------------------------------------
// 2. kill

const TRAPS = ['sh', '-c', 'for s in TERM USR1 USR2 HUP; do trap "echo got-$s" $s; done; echo ready; while :; do sleep 0.05; done'];

test('kill sends SIGTERM by default, named and numeric signals as given; 9 and KILL stop it', () => {
  const id = uniqueName('kill');
  const bundle = makeBundle(id, TRAPS);
  try {
    createAndStart(id, bundle);
    waitFor('ready', () => output(bundle).includes('ready'));
    assert.equal(oci(['kill', id]).code, 0);
    waitFor('TERM', () => output(bundle).includes('got-TERM'));
    assert.equal(oci(['kill', id, 'SIGUSR1']).code, 0);
    waitFor('USR1', () => output(bundle).includes('got-USR1'));
    assert.equal(oci(['kill', id, 'USR2']).code, 0);
    waitFor('USR2', () => output(bundle).includes('got-USR2'));
    assert.equal(oci(['kill', id, '1']).code, 0);
    waitFor('HUP (1)', () => output(bundle).includes('got-HUP'));
    assert.equal(state(id).status, 'running', 'trapped signals did not stop it');
    assert.equal(oci(['kill', id, '9']).code, 0);
    waitStatus(id, 'stopped');
    assertRefused(oci(['kill', id, 'KILL']), 1, /not running/);
  } finally {
    remove(id);
  }
  withRunning('killname', undefined, (other) => {
    assert.equal(oci(['kill', other, 'KILL']).code, 0);
    waitStatus(other, 'stopped');
  });
});

test('kill --all reaches a second process in the container; without --all only the container\'s process gets it', () => {
  withRunning('killall', undefined, (id, bundle) => {
    const second = join(box.root, `${id}-second.pid`);
    const r = exDetached(id, second, 'sh', '-c', 'trap "echo got > /tmp/second-got-USR1" USR1; while :; do sleep 0.05; done');
    assert.equal(r.code, 0, r.stderr);
    const secondPid = Number(readFileSync(second, 'utf8'));
    const marker = join(bundle, 'rootfs', 'tmp', 'second-got-USR1');
    waitFor('the trap is set', () => /^sh -c trap/.test(cmdline(secondPid)) && (sleep(100), true));
    assert.equal(oci(['kill', id, 'USR1']).code, 0);
    sleep(300);
    assert.equal(existsSync(marker), false, 'without --all the second process got nothing');
    assert.equal(oci(['kill', '--all', id, 'USR1']).code, 0);
    waitFor('the second process to get USR1', () => existsSync(marker));
    assert.equal(oci(['kill', '--all', id, 'KILL']).code, 0);
    waitStatus(id, 'stopped');
    waitFor('the second process to go', () => dead(secondPid));
  }, TRAPS);
});

test('kill with a signal that is not one is a usage error in one line, and sends nothing', () => {
  withRunning('badsig', undefined, (id) => {
    for (const bad of ['SIGFOO', '99', 'TERM2']) {
      const r = oci(['kill', id, bad]);
      assert.ok(r.code === 2 || r.code === 1, `exit 1 or 2 for ${bad}: ${r.code}`);
      assert.match(r.stderr, /is not a signal/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(state(id).status, 'running');
  });
});

// ---------------------------------------------------------------------------------------------------------
// 3. exec

test('exec runs ARGS inside with their exit status; --env, --cwd and --user change them; exec in a stopped container fails', () => {
  withRunning('exec', undefined, (id) => {
    const hi = ex(id, 'echo', 'hi');
    assert.equal(hi.code, 0, hi.stderr);
    assert.equal(hi.stdout, 'hi\n');
    assert.equal(exSh(id, 'exit 7').code, 7, 'the exit status passes through');
    assert.equal(exSh(id, 'kill -9 $$').code, 137, 'a signal is 128 + its number');
    const env = oci(['exec', '--env', 'FOO=bar baz', '--env', 'PATH=/bin', id, 'sh', '-c', 'echo "$FOO|$PATH"']);
    assert.equal(env.stdout, 'bar baz|/bin\n');
    const cwd = oci(['exec', '--cwd', '/etc', id, 'pwd']);
    assert.equal(cwd.stdout, '/etc\n');
    const user = oci(['exec', '--user', '1000:1000', id, 'sh', '-c', 'grep -E "^(Uid|Gid|Groups):" /proc/self/status']);
    assert.equal(user.code, 0, user.stderr);
    const f = statusFields(user.stdout);
    assert.equal(f.Uid, '1000\t1000\t1000\t1000');
    assert.equal(f.Gid, '1000\t1000\t1000\t1000');
    assert.equal(ex(id, 'cat', '/no/such/file').code, 1);
    assert.equal(ex(id, 'no-such-program').code, 127);
    // Its processes are the container's: the same pid namespace (PID 1 is the sleeper's shell).
    assert.match(ex(id, 'cat', '/proc/1/cmdline').stdout, /^sh\0-c\0while/);
    assert.equal(oci(['kill', id, 'KILL']).code, 0);
    waitStatus(id, 'stopped');
    assertRefused(ex(id, 'true'), 1, /cannot exec in container .*: it has stopped/);
  });
});

test('exec --process FILE runs an OCI process as given: args, env, cwd, user and groups', () => {
  withRunning('execp', undefined, (id, bundle) => {
    const file = join(bundle, 'process.json');
    writeFileSync(file, JSON.stringify({
      args: ['sh', '-c', 'echo "$WHO in $(pwd)"; grep -E "^(Uid|Gid|Groups):" /proc/self/status; tr "\\0" "\\n" < /proc/$$/environ | sort'],
      env: ['WHO=proc-file', 'PATH=/bin:/usr/bin', 'HOME=/tmp'],
      cwd: '/var',
      user: { uid: 1234, gid: 4321, additionalGids: [7, 8] },
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
      terminal: false,
    }));
    const r = oci(['exec', '--process', file, id]);
    assert.equal(r.code, 0, r.stderr);
    const [first, ...rest] = r.stdout.trim().split('\n');
    assert.equal(first, 'proc-file in /var');
    const f = statusFields(rest.join('\n'));
    assert.equal(f.Uid, '1234\t1234\t1234\t1234');
    assert.equal(f.Gid, '4321\t4321\t4321\t4321');
    assert.equal(f.Groups, '7 8');
    assert.deepEqual(rest.filter((l) => l.includes('=')), ['HOME=/tmp', 'PATH=/bin:/usr/bin', 'WHO=proc-file'], 'the environment exactly as given');
    assertRefused(oci(['exec', '--process', file, id, 'echo']), 1, /not both/);
  });
});

test('exec --detach --pid-file returns at once, the process running in the container with its pid in the file', () => {
  withRunning('execd', undefined, (id) => {
    const pidFile = join(box.root, `${id}-detached.pid`);
    const t0 = Date.now();
    const r = exDetached(id, pidFile, 'sleep', '30');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 5000, 'it did not wait for the 30 s sleep');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0);
    // The pid is written as it forks: its exec follows a moment later.
    waitFor('the detached process to exec', () => cmdline(pid) === 'sleep 30');
    assert.ok(processesInCgroup(`${box.cgroupParent}/${id}`).includes(pid), "it runs in the container's cgroups");
    const ps = oci(['ps', '--format', 'json', id]);
    assert.ok(JSON.parse(ps.stdout).includes(pid), 'ps lists it');
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4. ps, update, pause/resume, features, spec

test('ps --format json lists the host pids of exactly the container\'s processes; the table shows their lines', () => {
  withRunning('ps', undefined, (id) => {
    const { pid } = state(id);
    const pidFile = join(box.root, `${id}-ps.pid`);
    assert.equal(exDetached(id, pidFile, 'sleep', '31').code, 0);
    const second = Number(readFileSync(pidFile, 'utf8'));
    const r = oci(['ps', '--format', 'json', id]);
    assert.equal(r.code, 0, r.stderr);
    const pids = JSON.parse(r.stdout);
    assert.ok(pids.includes(pid) && pids.includes(second), `${pids} holds ${pid} and ${second}`);
    assert.ok(!pids.includes(process.pid));
    assert.deepEqual([...pids].sort(), [...processesInCgroup(`${box.cgroupParent}/${id}`)].sort());
    const table = oci(['ps', id]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^UID\s+PID/);
    assert.match(table.stdout, /sleep 31/);
    assert.doesNotMatch(table.stdout, /node --test/, 'no process of the host outside it');
  });
});

test('update changes the memory and pids limits in the cgroup: --resources FILE, then the flags', () => {
  withRunning('upd', undefined, (id, bundle) => {
    const knob = (controller, file) => readFileSync(`/sys/fs/cgroup/${controller}/${box.cgroupParent}/${id}/${file}`, 'utf8').trim();
    const file = join(bundle, 'resources.json');
    writeFileSync(file, JSON.stringify({ memory: { limit: 64 * 2 ** 20 }, pids: { limit: 50 } }));
    const r = oci(['update', '--resources', file, id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(knob('memory', 'memory.limit_in_bytes'), String(64 * 2 ** 20));
    assert.equal(knob('pids', 'pids.max'), '50');
    const f = oci(['update', '--memory', String(32 * 2 ** 20), '--pids-limit', '20', id]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(knob('memory', 'memory.limit_in_bytes'), String(32 * 2 ** 20));
    assert.equal(knob('pids', 'pids.max'), '20');
    // The limit holds inside: 30 sleeps cannot all start.
    const many = exSh(id, 'for i in $(seq 30); do sleep 5 & done; wait; echo all-started');
    assert.notEqual(many.code, 0);
    assert.match(many.stderr, /can't fork/);
    assert.doesNotMatch(many.stdout, /all-started/);
    assert.ok(Number(knob('pids', 'pids.events').split(' ')[1]) > 0, 'pids.events counted refused forks');
    assertRefused(oci(['update', '--memory', 'lots', id]), 1, /must be a whole number/);
  });
});

test('pause freezes the container (state paused, freezer FROZEN, its counter still); resume thaws it', () => {
  const counter = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done'];
  withRunning('pause', undefined, (id, bundle) => {
    const count = () => Number(readFileSync(join(bundle, 'rootfs', 'tmp', 'count'), 'utf8') || 0);
    const freezer = () => readFileSync(`/sys/fs/cgroup/freezer/${box.cgroupParent}/${id}/freezer.state`, 'utf8').trim();
    waitFor('the counter', () => existsSync(join(bundle, 'rootfs', 'tmp', 'count')) && count() > 2);
    assert.equal(oci(['pause', id]).code, 0);
    assert.equal(state(id).status, 'paused');
    assert.equal(freezer(), 'FROZEN');
    const frozenAt = count();
    sleep(300);
    assert.equal(count(), frozenAt, 'nothing runs while paused');
    assertRefused(oci(['pause', id]), 1, /paused already/);
    assertRefused(oci(['exec', id, 'true']), 1, /it is paused/);
    assert.equal(oci(['resume', id]).code, 0);
    assert.equal(state(id).status, 'running');
    assert.equal(freezer(), 'THAWED');
    waitFor('the counter to go on', () => count() > frozenAt + 2);
    assertRefused(oci(['resume', id]), 1, /not paused/);
    // A paused container goes with delete --force all the same.
    assert.equal(oci(['pause', id]).code, 0);
  }, counter);
});

test("the README's by-hand runc session runs as written: a bundle from sc's image, spec, create (held), start, exec, delete", () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = /By hand, as with runc[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has the by-hand block');
  assert.equal(box.sc('image', 'import', busyboxImage(), '--name', 'busybox').code, 0);
  const dir = mkdtempSync(join(box.root, 'readme-'));
  // Only the state root differs from the README's (the default /run/sc-oci is the host's).
  const script = block.replaceAll(/\bsc-oci (?=[a-z])/g, `sc-oci --root ${stateRoot} `);
  ids.add('web1');
  const r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], { cwd: dir, env: box.env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${script}\n${r.stderr}`);
  assert.match(r.stdout, /"status": "created"/, 'create holds it');
  assert.match(r.stdout, /^\s*1 root\s+.*httpd -f -p 8080$/m, 'exec sees httpd as PID 1');
  assertNothingOf('web1');
});

test("a bundle without cgroupsPath gets cgroups of its own under _oci, never those of sc's own container of the same name", () => {
  if (!existsSync(join(box.data, 'images', 'busybox'))) assert.equal(box.sc('image', 'import', busyboxImage(), '--name', 'busybox').code, 0);
  const twin = uniqueName('twin');
  assert.equal(box.sc('run', '--name', twin, 'busybox').code, 0);
  try {
    const bundle = makeBundle(twin, SLEEPER, (c) => { delete c.linux.cgroupsPath; });
    createAndStart(twin, bundle);
    const memoryCgroup = (pid) => readFileSync(`/proc/${pid}/cgroup`, 'utf8').match(/^\d+:memory:(.*)$/m)?.[1];
    assert.equal(memoryCgroup(state(twin).pid), `/${box.cgroupParent}/_oci/${twin}`);
    const scPid1 = Number(readFileSync(join(box.data, 'containers', twin, 'init.pid'), 'utf8').split(' ')[0]);
    assert.equal(memoryCgroup(scPid1), `/${box.cgroupParent}/${twin}`, "sc's container keeps its own");
    remove(twin);
    assert.equal(box.sc('exec', twin, 'true').code, 0, "deleting the OCI one left sc's running");
  } finally {
    box.sc('rm', '-f', twin);
  }
});

test('features prints valid JSON of what is honoured; spec writes a config.json and refuses to overwrite one', () => {
  const r = oci(['features']);
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout);
  assert.equal(f.ociVersionMin, '1.0.0');
  assert.ok(f.hooks.includes('prestart') && !f.hooks.includes('createContainer'));
  assert.ok(f.linux.namespaces.includes('user') && !f.linux.namespaces.includes('time'));
  assert.equal(f.linux.cgroup.systemd, false);
  const dir = join(box.root, 'spec-again');
  mkdirSync(dir);
  assert.equal(oci(['spec', '--bundle', dir]).code, 0);
  const written = readFileSync(join(dir, 'config.json'), 'utf8');
  assert.equal(JSON.parse(written).root.path, 'rootfs');
  writeFileSync(join(dir, 'config.json'), '{"mine": true}');
  assertRefused(oci(['spec', '--bundle', dir]), 1, /exists already/);
  assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), '{"mine": true}', 'the file was not touched');
  const version = oci(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^sc-oci version .*\nspec: 1\.1\.0\n$/);
});

// ---------------------------------------------------------------------------------------------------------
// 5. config.json honoured, read back from inside

test('process.user: uid, gid, additional groups and umask as given', () => {
  const { stdout } = runToEnd('user', ['sh', '-c', 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; umask; touch /tmp/made; stat -c "%a %u %g" /tmp/made'], (c) => {
    c.process.user = { uid: 1000, gid: 1001, additionalGids: [10, 20], umask: 0o027 };
  });
  const f = statusFields(stdout);
  assert.equal(f.Uid, '1000\t1000\t1000\t1000');
  assert.equal(f.Gid, '1001\t1001\t1001\t1001');
  assert.equal(f.Groups, '10 20');
  assert.match(stdout, /^0027$/m);
  assert.match(stdout, /^640 1000 1001$/m, 'a file made inside has the umask\'s mode and the user\'s ids');
});

test('process.capabilities: the bounding, effective, permitted, inheritable and ambient sets are the config\'s, and exec gets them too; none given is sc-oci\'s own', () => {
  const caps = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'];
  withRunning('caps', (c) => {
    c.process.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
  }, (id) => {
    const mask = capMask(CAP.CHOWN, CAP.KILL, CAP.SYS_ADMIN);
    const status1 = ex(id, 'cat', '/proc/1/status');
    assert.equal(status1.code, 0, status1.stderr);
    const own = statusFields(status1.stdout);
    assert.deepEqual([own.CapBnd, own.CapEff, own.CapPrm, own.CapInh, own.CapAmb], [mask, mask, mask, '0'.repeat(16), '0'.repeat(16)]);
    const exec = statusFields(ex(id, 'cat', '/proc/self/status').stdout);
    assert.deepEqual([exec.CapBnd, exec.CapEff, exec.CapPrm], [mask, mask, mask], 'exec runs with the same sets');
    assert.match(exSh(id, 'kill -0 1 && chown 5 /tmp && echo allowed').stdout, /allowed/);
    assert.match(exSh(id, 'mknod /tmp/n c 1 3').stderr, /Operation not permitted/, 'CAP_MKNOD is not in the sets');
  });
  // None at all (Kubernetes' drop: [ALL]): exec still runs and its status still passes through.
  withRunning('capsnone', (c) => { c.process.capabilities = { bounding: [], effective: [], permitted: [] }; }, (id) => {
    const r = exSh(id, 'grep CapBnd /proc/self/status; exit 4');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 4);
    assert.equal(statusFields(r.stdout).CapBnd, '0'.repeat(16));
  });
  // None given: runc's process keeps what runc has; ours gets every capability sc-oci has itself (not one it lacks).
  const ownBnd = statusFields(readFileSync('/proc/self/status', 'utf8')).CapBnd;
  withRunning('nocaps', (c) => { delete c.process.capabilities; }, (id, bundle) => {
    const own = statusFields(ex(id, 'cat', '/proc/1/status').stdout);
    assert.deepEqual([own.CapBnd, own.CapEff, own.CapPrm], [ownBnd, ownBnd, ownBnd]);
    const file = join(bundle, 'process-nocaps.json');
    writeFileSync(file, JSON.stringify({ args: ['grep', 'CapEff', '/proc/self/status'], cwd: '/' }));
    const r = oci(['exec', '--process', file, id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statusFields(r.stdout).CapEff, ownBnd, 'exec --process without capabilities: the same');
  });
  // A user that is not root keeps what is ambient across its exec.
  const net = ['CAP_NET_BIND_SERVICE'];
  const { stdout } = runToEnd('ambient', ['cat', '/proc/self/status'], (c) => {
    c.process.user = { uid: 1000, gid: 1000 };
    c.process.capabilities = { bounding: net, effective: net, permitted: net, inheritable: net, ambient: net };
  });
  const f = statusFields(stdout);
  const bind = capMask(CAP.NET_BIND_SERVICE);
  assert.deepEqual([f.Uid.split('\t')[0], f.CapBnd, f.CapEff, f.CapPrm, f.CapInh, f.CapAmb], ['1000', bind, bind, bind, bind, bind]);
});

test('ambient capabilities that are not inheritable are left out, as runc leaves them (`runc spec` asks for such): the process runs', () => {
  const three = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  const { stdout } = runToEnd('runcspec', ['cat', '/proc/self/status'], (c) => {
    c.process.capabilities = { bounding: three, effective: three, permitted: three, ambient: three };
  });
  const f = statusFields(stdout);
  const mask = capMask(CAP.AUDIT_WRITE, CAP.KILL, CAP.NET_BIND_SERVICE);
  assert.deepEqual([f.CapBnd, f.CapEff, f.CapPrm, f.CapInh, f.CapAmb], [mask, mask, mask, capMask(), capMask()]);
});

test('process.rlimits, noNewPrivileges and oomScoreAdj are set on the process', () => {
  const { stdout } = runToEnd('limits', ['sh', '-c', 'ulimit -n; ulimit -Hn; grep "Max locked memory" /proc/self/limits; grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj'], (c) => {
    c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 123, hard: 456 }, { type: 'RLIMIT_MEMLOCK', soft: 65536, hard: 131072 }];
    c.process.noNewPrivileges = true;
    c.process.oomScoreAdj = 123;
  });
  const [soft, hard, memlock, nnp, oom] = stdout.trim().split('\n');
  assert.equal(soft, '123');
  assert.equal(hard, '456');
  assert.match(memlock, /^Max locked memory\s+65536\s+131072\s+bytes/);
  assert.match(nnp, /^NoNewPrivs:\s+1$/);
  assert.equal(oom, '123');
  const off = runToEnd('nonnp', ['grep', 'NoNewPrivs', '/proc/self/status'], (c) => { c.process.noNewPrivileges = false; });
  assert.match(off.stdout, /^NoNewPrivs:\s+0$/m, 'and not set when the config says false');
  assert.equal(readFileSync('/proc/self/oom_score_adj', 'utf8').trim(), '0', 'the caller\'s own score is untouched');
});

test('process.env is the environment exactly (HOME from the image\'s passwd only when absent), and process.cwd the working directory', () => {
  const given = runToEnd('env', ['cat', '/proc/self/environ'], (c) => { c.process.env = ['A=1', 'B=two words', 'HOME=/h', 'PATH=/bin']; });
  assert.equal(given.stdout, 'A=1\0B=two words\0HOME=/h\0PATH=/bin\0');
  const home = runToEnd('envhome', ['cat', '/proc/self/environ'], (c) => { c.process.env = ['PATH=/bin']; });
  assert.equal(home.stdout, 'PATH=/bin\0HOME=/root\0', 'HOME from /etc/passwd, as runc adds it');
  const cwd = runToEnd('cwd', ['pwd'], (c) => { c.process.cwd = '/var/work/here'; });
  assert.equal(cwd.stdout, '/var/work/here\n', 'a working directory that did not exist is made');
});

test('root.readonly makes / read-only inside (EROFS) and nothing lands in the rootfs; hostname and domainname are the config\'s', () => {
  const hostHost = readFileSync('/proc/sys/kernel/hostname', 'utf8');
  const { stdout, stderr, bundle } = runToEnd('ro', ['sh', '-c', 'touch /written; echo rc=$?; echo x > /dev/shm/ok && echo shm-ok; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'], (c) => {
    c.root.readonly = true;
    c.hostname = 'box-a';
    c.domainname = 'example.test';
  });
  assert.match(stderr, /touch: \/written: Read-only file system/);
  assert.equal(stdout, 'rc=1\nshm-ok\nbox-a\nexample.test\n');
  assert.equal(existsSync(join(bundle, 'rootfs', 'written')), false);
  assert.equal(readFileSync('/proc/sys/kernel/hostname', 'utf8'), hostHost, "the host's hostname is its own");
});

test('mounts: a read-only bind of a host directory (writes fail), a read-write one, a tmpfs with its options, proc and a read-only sysfs', () => {
  const roDir = join(hostSide, 'bind-ro');
  const rwDir = join(hostSide, 'bind-rw');
  mkdirSync(roDir);
  mkdirSync(rwDir);
  writeFileSync(join(roDir, 'data'), 'from the host\n');
  const { stdout, stderr } = runToEnd('mounts', ['sh', '-c', [
    'cat /srv/ro/data', 'echo x > /srv/ro/new', 'echo written-inside > /srv/rw/new',
    'grep -E " /(scratch|proc|sys) " /proc/self/mounts', 'stat -c %a /scratch', 'touch /sys/x',
  ].join('; ')], (c) => {
    c.mounts.push(
      { destination: '/srv/ro', type: 'bind', source: roDir, options: ['rbind', 'ro'] },
      { destination: '/srv/rw', type: 'bind', source: rwDir, options: ['bind'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=1m', 'mode=1730'] },
    );
  });
  assert.match(stdout, /^from the host$/m);
  assert.match(stderr, /\/srv\/ro\/new: Read-only file system/);
  assert.deepEqual(readdirSync(roDir), ['data'], 'the read-only bind gained nothing');
  assert.equal(readFileSync(join(rwDir, 'new'), 'utf8'), 'written-inside\n', 'the read-write bind is the host directory');
  const line = (mp) => stdout.split('\n').find((l) => l.split(' ')[1] === mp) ?? '';
  assert.match(line('/scratch'), /^tmpfs \/scratch tmpfs (?=.*\bnosuid\b)(?=.*\bnodev\b)(?=.*\bnoexec\b)(?=.*\bsize=1024k\b)(?=.*\bmode=1730\b)/);
  assert.match(stdout, /^1730$/m);
  assert.match(line('/proc'), /^proc \/proc proc rw,/);
  assert.match(line('/sys'), /^sysfs \/sys sysfs ro,/);
  assert.match(stderr, /touch: \/sys\/x: Read-only file system/);
});

test('a network namespace given by path is joined: the container sees the same namespace as the host holds', () => {
  const ns = uniqueName('sc-oci-net');
  netnsNames.add(ns);
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    const inode = statSync(`/run/netns/${ns}`).ino;
    const { stdout } = runToEnd('netns', ['readlink', '/proc/self/ns/net'], (c) => {
      c.linux.namespaces = c.linux.namespaces.map((n) => (n.type === 'network' ? { type: 'network', path: `/run/netns/${ns}` } : n));
    });
    assert.equal(stdout, `net:[${inode}]\n`);
    assert.notEqual(readlinkSync('/proc/self/ns/net'), `net:[${inode}]`);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
    netnsNames.delete(ns);
  }
});

test('a second container joins the first one\'s namespaces by path, as a Kubernetes pod\'s containers join its sandbox', () => {
  withRunning('sandbox', (c) => { c.hostname = 'the-pod'; }, (sandbox) => {
    const { pid } = state(sandbox);
    const joined = (types) => (c) => {
      c.linux.namespaces = c.linux.namespaces.map((n) => (types.includes(n.type) ? { type: n.type, path: `/proc/${pid}/ns/${n.type === 'network' ? 'net' : n.type}` } : n));
      delete c.hostname;
    };
    const own = (ns) => readlinkSync(`/proc/${pid}/ns/${ns}`);
    let memberPid;
    let memberChild;
    withRunning('member', joined(['network', 'ipc', 'uts', 'pid']), (member) => {
      const r = exSh(member, 'for ns in net ipc uts pid; do readlink /proc/self/ns/$ns; done; hostname; cat /proc/1/cmdline | tr "\\0" " "');
      assert.equal(r.code, 0, r.stderr);
      const [net, ipc, uts, pidns, host, pid1] = r.stdout.split('\n');
      assert.deepEqual([net, ipc, uts, pidns], [own('net'), own('ipc'), own('uts'), own('pid')]);
      assert.equal(host, 'the-pod', "the sandbox's hostname");
      assert.match(pid1, /^sh -c while/, "PID 1 is the sandbox's process: one pid namespace");
      memberPid = state(member).pid;
      assert.notEqual(memberPid, pid);
      const pidFile = join(box.root, `${member}-child.pid`);
      assert.equal(exDetached(member, pidFile, 'sleep', '33').code, 0);
      memberChild = Number(readFileSync(pidFile, 'utf8'));
    });
    assert.equal(state(sandbox).status, 'running', 'deleting the member left the sandbox running');
    assert.ok(dead(memberPid), "the member's process went with it, though the pid namespace lives on");
    waitFor("the member's exec'd process to go too", () => dead(memberChild));
  });
});

test('linux.uidMappings/gidMappings with a user namespace: files made inside belong to the mapped host ids, a bind from a closed directory too', () => {
  const base = 1_000_000 + Math.floor(Math.random() * 100) * 65536;
  const shared = join(hostSide, 'userns-data');
  mkdirSync(shared);
  execFileSync('chown', [`${base}:${base}`, shared]);
  const roDir = join(hostSide, 'userns-ro');
  mkdirSync(roDir);
  writeFileSync(join(roDir, 'data'), 'read-only\n');
  writeFileSync(join(hostSide, 'userns-hosts'), '10.0.0.1 the-pod\n');
  const mapped = (c, dir) => {
    // The rootfs is the mapped root's, as an orchestrator hands it to a user namespace (chowned, or idmapped).
    execFileSync('chown', ['-R', `${base}:${base}`, join(dir, 'rootfs')]);
    c.linux.namespaces.push({ type: 'user' });
    c.linux.uidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
    c.linux.gidMappings = [{ containerID: 0, hostID: base, size: 65536 }];
    c.mounts.push({ destination: '/data', type: 'bind', source: shared, options: ['bind'] });
    c.mounts.push({ destination: '/ro', type: 'bind', source: roDir, options: ['rbind', 'ro', 'nosuid'] });
    // A file, as containerd binds /etc/hosts and resolv.conf.
    c.mounts.push({ destination: '/etc/hosts', type: 'bind', source: join(hostSide, 'userns-hosts'), options: ['rbind', 'ro'] });
  };
  const script = 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /data/inside /tmp/inside && echo made; cat /ro/data; touch /ro/x; cat /etc/hosts';
  const { stdout, stderr, bundle } = runToEnd('userns', ['sh', '-c', script], mapped);
  assert.match(stdout, new RegExp(`^\\s*0\\s+${base}\\s+65536\\n\\s*0\\s+${base}\\s+65536\\n0\\nmade\\nread-only\\n10\\.0\\.0\\.1 the-pod\\n$`), stderr);
  assert.match(stderr, /touch: \/ro\/x: Read-only file system/, 'a read-only bind stays read-only in the user namespace');
  assert.deepEqual(readdirSync(roDir), ['data']);
  for (const file of [join(shared, 'inside'), join(bundle, 'rootfs', 'tmp', 'inside')]) {
    const st = statSync(file);
    assert.deepEqual([st.uid, st.gid], [base, base], `${file} is the mapped host id's`);
  }
  // exec joins the user namespace too: its root is the mapped one.
  withRunning('usernsexec', mapped, (id, execBundle) => {
    const r = exSh(id, 'id -u; touch /tmp/by-exec');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '0\n');
    const st = statSync(join(execBundle, 'rootfs', 'tmp', 'by-exec'));
    assert.deepEqual([st.uid, st.gid], [base, base]);
  });
});

test('linux.maskedPaths and readonlyPaths: exactly the listed paths are masked or read-only', () => {
  const { stdout, stderr } = runToEnd('mask', ['sh', '-c', 'wc -c < /proc/keys; ls /sys/firmware | wc -l; ls /sys/kernel | wc -l; echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv4/ip_forward_use_pmtu && echo pmtu-written'], (c) => {
    c.linux.maskedPaths = ['/proc/keys', '/sys/firmware'];
    c.linux.readonlyPaths = ['/proc/sys/net/ipv4/ip_forward'];
  });
  const [keys, firmware, kernel] = stdout.split('\n');
  assert.equal(keys, '0', '/proc/keys reads as empty');
  assert.equal(firmware, '0', '/sys/firmware is an empty directory');
  assert.ok(Number(kernel) > 0, '/sys/kernel, not listed, is there');
  assert.match(stderr, /ip_forward: Read-only file system/);
  assert.match(stdout, /pmtu-written/, 'a sysctl next to it, not listed, is writable (the container\'s own netns)');
});

test('linux.devices makes the node (type, numbers, mode, owner); linux.resources.devices decides whether it opens', () => {
  const tun = { path: '/dev/tun-here', type: 'c', major: 10, minor: 200, fileMode: 0o620, uid: 1, gid: 2 };
  const probe = ['sh', '-c', 'stat -c "%F %t %T %a %u %g" /dev/tun-here; (exec 3<>/dev/tun-here) && echo opened'];
  const denied = runToEnd('devdeny', probe, (c) => { c.linux.devices = [tun]; });
  assert.match(denied.stdout, /^character special file a c8 620 1 2$/m);
  assert.match(denied.stderr, /can't create \/dev\/tun-here: Operation not permitted/, 'the devices cgroup refuses it (runc spec denies all)');
  assert.doesNotMatch(denied.stdout, /opened/);
  const allowed = runToEnd('devallow', probe, (c) => {
    c.linux.devices = [tun];
    c.linux.resources.devices.push({ allow: true, type: 'c', major: 10, minor: 200, access: 'rw' });
  });
  assert.match(allowed.stdout, /^opened$/m, allowed.stderr);
});

test('linux.sysctl is set in the container\'s own network namespace; the host\'s value stays', () => {
  const host = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  const wanted = host === '1' ? '0' : '1';
  const { stdout } = runToEnd('sysctl', ['cat', '/proc/sys/net/ipv4/ip_forward'], (c) => { c.linux.sysctl = { 'net.ipv4.ip_forward': wanted }; });
  assert.equal(stdout, `${wanted}\n`);
  assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), host);
});

test('linux.seccomp: a profile that denies mkdir makes it fail with EPERM inside, for the process and for exec alike', () => {
  withRunning('seccomp', (c) => {
    c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] };
  }, (id, bundle) => {
    waitFor('the process to try', () => existsSync(join(bundle, 'rootfs', 'tmp', 'tried')));
    assert.match(output(bundle, 'stderr'), /mkdir: can't create directory '\/tmp\/by-process': Operation not permitted/);
    assert.equal(existsSync(join(bundle, 'rootfs', 'tmp', 'by-process')), false);
    const r = ex(id, 'mkdir', '/tmp/by-exec');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Operation not permitted/);
    assert.equal(ex(id, 'touch', '/tmp/allowed').code, 0, 'what the profile allows works');
    assert.match(ex(id, 'grep', 'Seccomp:', '/proc/self/status').stdout, /Seccomp:\s+2/);
  }, ['sh', '-c', 'mkdir /tmp/by-process; touch /tmp/tried; while :; do sleep 1; done']);
});

test('hooks: prestart and createRuntime run at create, poststart at start, poststop at delete, each with the state on stdin', () => {
  const id = uniqueName('hooks');
  const record = (stage) => join(hostSide, `${id}-${stage}.json`);
  const hook = (stage) => ({ path: '/bin/sh', args: ['sh', '-c', `cat > ${record(stage)}; echo "$HOOK_STAGE" > ${record(stage)}.env`], env: [`HOOK_STAGE=${stage}`], timeout: 10 });
  const stages = ['prestart', 'createRuntime', 'poststart', 'poststop'];
  const bundle = makeBundle(id, SLEEPER, (c) => {
    c.hooks = Object.fromEntries(stages.map((s) => [s, [hook(s)]]));
    c.annotations = { 'org.example/owner': 'the test' };
  });
  const read = (stage) => JSON.parse(readFileSync(record(stage), 'utf8'));
  try {
    const c = create(id, bundle);
    assert.equal(c.code, 0, c.stderr);
    const { pid, annotations } = state(id);
    assert.deepEqual(annotations, { 'org.example/owner': 'the test' }, 'state carries the annotations');
    assert.deepEqual(stages.map((s) => existsSync(record(s))), [true, true, false, false], 'prestart and createRuntime ran at create, no other');
    for (const stage of ['prestart', 'createRuntime']) {
      const s = read(stage);
      assert.deepEqual([s.id, s.pid, s.status, s.bundle], [id, pid, 'created', bundle], stage);
      assert.equal(readFileSync(`${record(stage)}.env`, 'utf8'), `${stage}\n`, 'the hook\'s env is its own');
    }
    assert.equal(oci(['start', id]).code, 0);
    const post = read('poststart');
    assert.deepEqual([post.id, post.pid, post.status, post.bundle], [id, pid, 'running', bundle]);
    assert.equal(existsSync(record('poststop')), false);
  } finally {
    remove(id);
  }
  const stopped = read('poststop');
  assert.deepEqual([stopped.id, stopped.status, stopped.bundle], [id, 'stopped', bundle]);
});

test('a prestart hook that fails, or a createRuntime hook past its timeout, makes create fail in one line naming it, and leaves nothing', () => {
  const id = uniqueName('hookfail');
  const bundle = makeBundle(id, SLEEPER, (c) => {
    c.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo the hook says no >&2; exit 3'] }] };
  });
  const r = create(id, bundle);
  ids.delete(id);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /prestart hook \/bin\/sh exited 3: the hook says no/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assertNothingOf(id, bundle);
  assertRefused(oci(['state', id]), 1, /does not exist/);
  // After the container's process exists: a createRuntime hook past its timeout takes it down with it.
  const late = uniqueName('hookslow');
  const lateBundle = makeBundle(late, SLEEPER, (c) => {
    c.hooks = { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '5'], timeout: 1 }] };
  });
  const t0 = Date.now();
  const slow = create(late, lateBundle);
  ids.delete(late);
  assert.equal(slow.code, 1);
  assert.match(slow.stderr, /createRuntime hook \/bin\/sleep timed out after 1 s/);
  assert.equal(slow.stderr.trim().split('\n').length, 1, slow.stderr);
  assert.ok(Date.now() - t0 < 4000, 'the hook was killed at its timeout');
  assertNothingOf(late, lateBundle);
});

/**
 * Listens on a socket; MODE create: runs create with --console-socket, takes the pty master, starts; MODE exec: runs
 * exec --console-socket SOCKET with the rest of the arguments (flags, ID, command) and takes its master. Types into it and prints what came back (and exec's status).
 */
const TERMINAL_CLIENT = `
import os, socket, subprocess, sys, select, time
mode, oci, root, bundle, cid, path = sys.argv[1:7]
how = sys.argv[7:]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
if mode == 'create':
    made = subprocess.run([oci, '--root', root, 'create', '--bundle', bundle, '--console-socket', path, cid], capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit('create: ' + made.stderr)
else:
    execd = subprocess.Popen([oci, '--root', root, 'exec', '--console-socket', path, *how], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
conn, _ = srv.accept()
conn.settimeout(10)
msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
if len(fds) != 1:
    sys.exit('no descriptor came')
master = fds[0]
if mode == 'create':
    started = subprocess.run([oci, '--root', root, 'start', cid], capture_output=True, text=True)
    if started.returncode != 0:
        sys.exit('start: ' + started.stderr)
os.write(master, b'echo answer-$((6*7)); tty; stty size; [ -t 0 ] && echo stdin-is-a-terminal; exit 3\\n')
got, end = b'', time.time() + 10
while time.time() < end and b'stdin-is-a-terminal' not in got.replace(b'echo stdin-is-a-terminal', b''):
    if select.select([master], [], [], 0.2)[0]:
        try:
            got += os.read(master, 4096)
        except OSError:
            break
print(got.decode(errors='replace'))
if mode == 'exec':
    print('exec exited', execd.wait(10), execd.stderr.read().decode())
`;

test('process.terminal with --console-socket: the pty master reaches the socket, and a shell on it answers; exec likewise (--tty, or terminal in --process as containerd gives it)', () => {
  const id = uniqueName('tty');
  const bundle = makeBundle(id, ['sh'], (c) => {
    c.process.terminal = true;
    c.process.consoleSize = { height: 33, width: 101 };
  });
  const client = join(box.root, 'terminal-client.py');
  writeFileSync(client, TERMINAL_CLIENT);
  ids.add(id);
  try {
    const r = box.run('python3', [client, 'create', OCI, stateRoot, bundle, id, join(box.root, `${id}.sock`)], { timeout: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /answer-42/);
    assert.match(r.stdout, /^\/dev\/pts\/\d+\r?$/m, 'its stdin is a pty of the container\'s devpts');
    assert.match(r.stdout, /^33 101\r?$/m, 'of process.consoleSize');
    waitStatus(id, 'stopped');
  } finally {
    remove(id);
  }
  withRunning('ttyexec', undefined, (execId, execBundle) => {
    // As people write it (--tty), and as containerd's shim does (terminal in the process file, no --tty).
    const processFile = join(execBundle, 'tty-process.json');
    writeFileSync(processFile, JSON.stringify({ ...baseConfig.process, args: ['sh'], terminal: true, consoleSize: { height: 20, width: 70 } }));
    for (const how of [['--tty', execId, 'sh'], ['--process', processFile, execId]]) {
      const r = box.run('python3', [client, 'exec', OCI, stateRoot, '-', execId, join(box.root, `${execId}-${how[0].slice(2)}.sock`), ...how], { timeout: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /answer-42/, how.join(' '));
      assert.match(r.stdout, /^\/dev\/pts\/\d+\r?$/m, 'a pty of the container\'s own');
      assert.match(r.stdout, /^exec exited 3 $/m, 'its exit status is exec\'s');
    }
  });
  const without = makeBundle(`${id}-nosock`, ['sh'], (c) => { c.process.terminal = true; });
  const refused = create(`${id}-nosock`, without);
  ids.delete(`${id}-nosock`);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /process\.terminal is set: give --console-socket/);
  assertNothingOf(`${id}-nosock`);
});

// ---------------------------------------------------------------------------------------------------------
// 6. Refusals: named, one line, exit 1 (usage: 2), and nothing left

const REFUSED = [
  ['linux.intelRdt', (c) => { c.linux.intelRdt = { closID: 'x' }; }, /linux\.intelRdt is not supported/],
  ['process.apparmorProfile', (c) => { c.process.apparmorProfile = 'docker-default'; }, /process\.apparmorProfile is not supported/],
  ['process.selinuxLabel', (c) => { c.process.selinuxLabel = 'system_u:system_r:container_t:s0'; }, /process\.selinuxLabel is not supported/],
  ['hooks.createContainer', (c) => { c.hooks = { createContainer: [{ path: '/bin/true' }] }; }, /hooks\.createContainer is not supported/],
  ['hooks.startContainer', (c) => { c.hooks = { startContainer: [{ path: '/bin/true' }] }; }, /hooks\.startContainer is not supported/],
  ['a time namespace', (c) => { c.linux.namespaces.push({ type: 'time' }); }, /linux\.namespaces\[\d+\] is not supported: sc makes no time namespace/],
  ['a systemd cgroupsPath', (c) => { c.linux.cgroupsPath = 'system.slice:sc:abc'; }, /linux\.cgroupsPath is not supported: "system\.slice:sc:abc" is a systemd slice path/],
  ['a cgroupsPath with ..', (c) => { c.linux.cgroupsPath = '/x/../../etc'; }, /linux\.cgroupsPath is not supported: "\/x\/\.\.\/\.\.\/etc": sc-oci takes an absolute path of plain names/],
  ['an unknown field', (c) => { c.linux.madeUp = true; }, /linux\.madeUp is not a field/],
  ['a mount destination with ..', (c) => { c.mounts.push({ destination: '/tmp/../../etc', type: 'tmpfs', source: 'tmpfs' }); }, /mounts\[\d+\]\.destination "\/tmp\/\.\.\/\.\.\/etc" must not contain "\.\."/],
  ['a mount type sc does not make', (c) => { c.mounts.push({ destination: '/x', type: 'nfs', source: 'host:/x' }); }, /mounts\[\d+\]\.type is not supported/],
  ['a sysctl outside any namespace', (c) => { c.linux.sysctl = { 'kernel.panic': '1' }; }, /linux\.sysctl\["kernel\.panic"\] is not supported: it is not a namespaced sysctl/],
  ['a net sysctl in a joined netns', (c) => {
    c.linux.namespaces = c.linux.namespaces.map((n) => (n.type === 'network' ? { type: 'network', path: '/proc/1/ns/net' } : n));
    c.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
  }, /linux\.sysctl\["net\.ipv4\.ip_forward"\] is not supported: the container has no network namespace of its own/],
  ['memory.kernel', (c) => { c.linux.resources.memory = { kernel: 1048576 }; }, /linux\.resources\.memory\.kernel is not supported/],
  ['an ociVersion sc-oci does not read', (c) => { c.ociVersion = '2.0.0'; }, /ociVersion is not supported/],
  ['no mount namespace', (c) => { c.linux.namespaces = c.linux.namespaces.filter((n) => n.type !== 'mount'); }, /linux\.namespaces is not supported: a container without a mount namespace/],
  ['a program the rootfs does not have', (c) => { c.process.args = ['no-such-program']; }, /exec: "no-such-program": executable file not found in \$PATH/],
  ['a bind mount source that does not exist', (c) => { c.mounts.push({ destination: '/x', type: 'bind', source: '/no/such/source', options: ['bind'] }); }, /bind mount source \/no\/such\/source: No such file or directory/],
  ['a capability that is none', (c) => { c.process.capabilities.bounding.push('CAP_MADE_UP'); }, /process\.capabilities\.bounding\[\d+\] "CAP_MADE_UP" is not a capability/],
];

for (const [what, change, message] of REFUSED) {
  test(`create refuses ${what} by name, in one line, exit 1, and leaves nothing`, () => {
    const id = uniqueName('refuse');
    const bundle = makeBundle(id, SLEEPER, change);
    const r = create(id, bundle);
    ids.delete(id);
    assertRefused(r, 1, message);
    assertNothingOf(id, bundle);
  });
}

test('create refuses a config.json that is not JSON, a missing bundle, a bad ID; --systemd-cgroup and unknown commands or flags are refused', () => {
  const id = uniqueName('notjson');
  const bundle = makeBundle(id, SLEEPER);
  writeFileSync(join(bundle, 'config.json'), '{"ociVersion": "1.0.2", ');
  const log = join(box.root, 'runtime.log');
  const notJson = box.run(OCI, ['--root', stateRoot, '--log', log, '--log-format', 'json', 'create', '--bundle', bundle, id]);
  assertRefused(notJson, 1, /config\.json is not JSON/);
  const logged = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(logged.length, 1);
  assert.equal(logged[0].level, 'error');
  assert.match(logged[0].msg, /config\.json is not JSON/, 'the error is in --log, in runc\'s JSON, where containerd reads it');
  ids.delete(id);
  assertNothingOf(id, bundle);
  assertRefused(oci(['create', '--bundle', join(box.root, 'no-such-bundle'), uniqueName('nob')]), 1, /cannot read the bundle's config\.json .*: no such file/);
  const good = makeBundle(uniqueName('badid'), SLEEPER);
  const records = () => readdirSync(join(stateRoot, 'containers')).sort();
  const before = records();
  for (const bad of ['../x', '', 'a/b', '..']) {
    const r = oci(['create', '--bundle', good, bad]);
    assertRefused(r, 2, bad === '' ? /a container ID is required/ : /is not valid/);
  }
  assert.deepEqual(records(), before, 'no record was made for a bad ID');
  assert.equal(existsSync(join(stateRoot, 'x')), false, '../x reached nothing beside the records');
  const sd = uniqueName('sd');
  assertRefused(box.run(OCI, ['--root', stateRoot, '--systemd-cgroup', 'create', '--bundle', good, sd]), 1, /--systemd-cgroup is not supported/);
  assertNothingOf(sd, good);
  assertRefused(oci(['checkpoint', 'x']), 2, /no command "checkpoint": sc-oci does not offer it/);
  assertRefused(oci(['frobnicate']), 2, /no command "frobnicate"/);
  assertRefused(oci(['create', '--bundel', good, 'x']), 2, /unknown flag --bundel/);
  assertRefused(oci(['--made-up', 'state', 'x']), 2, /unknown flag --made-up/);
  assertRefused(oci(['create', '--preserve-fds', '2', '--bundle', good, uniqueName('pfd')]), 1, /--preserve-fds is not supported/);
  assertRefused(oci(['state']), 2, /a container ID is required/);
  assertRefused(oci(['state', uniqueName('nobody')]), 1, /does not exist/);
});

// ---------------------------------------------------------------------------------------------------------
// 7. Attacks: a hostile bundle, a hostile process

/** The host directory an attack aims at: it must stay as it was (one marker file). */
function target(name) {
  const dir = join(hostSide, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'marker'), 'host\n');
  return dir;
}
const assertUntouched = (dir) => {
  assert.deepEqual(readdirSync(dir), ['marker'], `${dir} gained nothing`);
  assert.deepEqual(mountsUnder(dir), [], `nothing is mounted on ${dir}`);
};

/**
 * Runs a hostile bundle (CHANGE to its config, ROOTFS changed by a function of its path) to the end: a symlink of the
 * image is followed as the container would follow it, under its root (runc's securejoin), never out to the host.
 */
function runHostile(prefix, args, change, rootfs) {
  const id = uniqueName(prefix);
  const bundle = makeBundle(id, args, change);
  rootfs(join(bundle, 'rootfs'));
  try {
    createAndStart(id, bundle);
    waitStatus(id, 'stopped');
    return { stdout: output(bundle), stderr: output(bundle, 'stderr'), rootfs: join(bundle, 'rootfs') };
  } finally {
    remove(id);
  }
}

test('a mount whose destination\'s parent is a symlink to / (rootfs/mnt -> /) lands in the rootfs, nothing on the host', () => {
  const dir = target('via-mnt');
  const name = `sc-oci-attack-${randomBytes(4).toString('hex')}`;
  const r = runHostile('mntlink', ['sh', '-c', `grep -E " /${name} | ${dir} " /proc/self/mounts | cut -d" " -f2,3`], (c) => {
    c.mounts.push({ destination: `/mnt/${name}`, type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
    c.mounts.push({ destination: `/mnt${dir}`, type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
  }, (rootfs) => {
    rmSync(join(rootfs, 'mnt'), { recursive: true, force: true });
    symlinkSync('/', join(rootfs, 'mnt'));
  });
  assert.equal(r.stdout, `/${name} tmpfs\n${dir} tmpfs\n`, 'inside, both are mounted where the link leads there');
  assert.ok(statSync(join(r.rootfs, name)).isDirectory(), 'the mount point was made in the rootfs');
  assert.equal(existsSync(`/${name}`), false, `/${name} was not made on the host`);
  assertUntouched(dir);
});

for (const link of ['dev', 'proc']) {
  test(`a rootfs whose /${link} is a symlink to a host directory: what sc mounts there lands in the rootfs, nothing on the host`, () => {
    const dir = target(`via-${link}`);
    const r = runHostile(`link${link}`, ['sh', '-c', 'echo $(ls /dev/null /proc/self/status); head -c 3 /dev/zero | wc -c'], () => {}, (rootfs) => {
      rmSync(join(rootfs, link), { recursive: true, force: true });
      symlinkSync(dir, join(rootfs, link));
    });
    assert.equal(r.stdout, '/dev/null /proc/self/status\n3\n', `the container's ${link} works, through its link`);
    assert.ok(existsSync(join(r.rootfs, dir)), `the mount point is ${dir} inside the rootfs`);
    assertUntouched(dir);
  });
}

test('process.cwd through a symlink to a host directory is made and entered inside the rootfs, nothing on the host', () => {
  const dir = target('via-cwd');
  const r = runHostile('cwdlink', ['sh', '-c', 'pwd -P; ls -A'], (c) => { c.process.cwd = '/work/deeper'; }, (rootfs) => {
    symlinkSync(dir, join(rootfs, 'work'));
  });
  assert.equal(r.stdout, `${dir}/deeper\n`, 'an empty directory of the rootfs, not the host\'s (no marker)');
  assert.ok(statSync(join(r.rootfs, dir, 'deeper')).isDirectory());
  assertUntouched(dir);
});

test('a mount destination that is itself a symlink to a host directory: the bind goes where it leads inside the rootfs', () => {
  const dir = target('via-dest');
  const source = target('bind-source');
  const r = runHostile('destlink', ['sh', '-c', 'cat /escape/marker; echo written > /escape/new'], (c) => {
    c.mounts.push({ destination: '/escape', type: 'bind', source, options: ['rbind', 'ro'] });
  }, (rootfs) => {
    symlinkSync(dir, join(rootfs, 'escape'));
  });
  assert.equal(r.stdout, 'host\n');
  assert.match(r.stderr, /Read-only file system/);
  assertUntouched(dir);
  assertUntouched(source);
});

test('a mount under an image\'s link that stays inside (Debian\'s /var/run -> /run) goes where it leads, as Kubernetes\' service account does', () => {
  const secrets = target('serviceaccount');
  writeFileSync(join(secrets, 'token'), 'sekrit\n');
  const hostRun = existsSync('/run/secrets') ? readdirSync('/run/secrets') : undefined;
  const r = runHostile('varrun', ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token /run/secrets/kubernetes.io/serviceaccount/token'], (c) => {
    c.mounts.push({ destination: '/var/run/secrets/kubernetes.io/serviceaccount', type: 'bind', source: secrets, options: ['rbind', 'ro'] });
  }, (rootfs) => {
    rmSync(join(rootfs, 'var', 'run'), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'run'));
    symlinkSync('/run', join(rootfs, 'var', 'run'));
  });
  assert.equal(r.stdout, 'sekrit\nsekrit\n');
  assert.ok(statSync(join(r.rootfs, 'run', 'secrets', 'kubernetes.io', 'serviceaccount')).isDirectory());
  assert.deepEqual(existsSync('/run/secrets') ? readdirSync('/run/secrets') : undefined, hostRun, "the host's /run is untouched");
});

test('an image\'s /dev/null that leads to /proc/sys/kernel/core_pattern (a config that keeps the image\'s /dev) is refused: nothing is masked with a writable kernel file', () => {
  const id = uniqueName('devnull');
  const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  // The process would only read what a masked path shows: the test never writes a kernel file, even if the fix regressed.
  const bundle = makeBundle(id, ['sh', '-c', 'cat /proc/timer_list /proc/keys'], (c) => {
    c.mounts = c.mounts.filter((m) => !m.destination.startsWith('/dev'));
  });
  const dev = join(bundle, 'rootfs', 'dev');
  rmSync(dev, { recursive: true, force: true });
  mkdirSync(dev);
  symlinkSync('/proc/sys/kernel/core_pattern', join(dev, 'null'));
  const r = create(id, bundle);
  assertRefused(r, 1, /\/dev\/null in the container is not the null device/);
  assertNothingOf(id, bundle);
  assert.equal(readFileSync('/proc/sys/kernel/core_pattern', 'utf8'), corePattern, 'the host\'s core_pattern is as it was');
});

test('a loop of links in a mount destination\'s way is refused in one line, and leaves nothing', () => {
  const id = uniqueName('loop');
  const bundle = makeBundle(id, SLEEPER, (c) => { c.mounts.push({ destination: '/loop-a/x', type: 'tmpfs', source: 'tmpfs' }); });
  symlinkSync('/loop-b', join(bundle, 'rootfs', 'loop-a'));
  symlinkSync('loop-a', join(bundle, 'rootfs', 'loop-b'));
  const r = create(id, bundle);
  ids.delete(id);
  assertRefused(r, 1, /container ".*": .*loop.*: Too many levels of symbolic links/);
  assertNothingOf(id, bundle);
});

test('the container\'s process reaches no sc binary and no descriptor of sc-oci: /proc/1/exe is unwritable, only 0, 1 and 2 are open', () => {
  const id = uniqueName('fds');
  const bundle = makeBundle(id, SLEEPER, (c) => {
    // Every capability the runtime has itself: the strongest process a config can ask for.
    const all = readFileSync('/proc/self/status', 'utf8').match(/^CapBnd:\s+(\S+)/m)[1];
    const names = JSON.parse(oci(['features']).stdout).linux.capabilities.filter((_, i) => (BigInt(`0x${all}`) >> BigInt(i)) & 1n);
    c.process.capabilities = { bounding: names, effective: names, permitted: names };
  });
  try {
    assert.equal(create(id, bundle).code, 0);
    const { pid } = state(id);
    // Held: sc-init is PID 1, and a process exec'd in now must not write its file nor learn where it lives.
    const held = exSh(id, 'readlink /proc/1/exe; echo x >> /proc/1/exe && echo WROTE; tr "\\0" " " < /proc/1/cmdline; echo; tr "\\0" "\\n" < /proc/1/environ');
    assert.doesNotMatch(held.stdout, /WROTE/);
    assert.match(held.stderr, /can't create \/proc\/1\/exe: (Read-only file system|Text file busy)/);
    // Busy only while it runs: what keeps it unwritable after is its read-only mount (CVE-2019-5736).
    const ro = box.run('python3', ['-c', 'import os, sys; print(bool(os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY))', `/proc/${pid}/exe`]);
    assert.equal(ro.stdout, 'True\n', ro.stderr);
    const [exe, args, ...environ] = held.stdout.split('\n');
    assert.ok(!exe.includes(REPO) && !exe.includes('libexec'), `/proc/1/exe names no host path: ${exe}`);
    assert.equal(args, 'sc-init ', 'the held process shows no command line of the host (bundle, FIFO, cgroups)');
    assert.deepEqual(environ.filter(Boolean).sort(), ['HOME=/root', ...baseConfig.process.env].sort(), "its environment is the process's, not the caller's");
    assert.equal(oci(['start', id]).code, 0);
    waitFor('the program', () => /^sh -c while/.test(cmdline(pid)));
    assert.deepEqual(readdirSync(`/proc/${pid}/fd`).sort(), ['0', '1', '2'], 'no hold FIFO, no descriptor of sc-oci or sc-init');
    const inside = exSh(id, 'echo $(ls /proc/1/fd); readlink /proc/1/exe');
    assert.equal(inside.stdout, '0 1 2\n/bin/busybox\n');
    // An exec'd process likewise: none of sc-oci's or sc-enter's descriptors come along.
    const execFds = ex(id, 'ls', '/proc/self/fd');
    assert.equal(execFds.stdout, '0\n1\n2\n3\n', "3 is ls's own, the directory it reads");
  } finally {
    remove(id);
  }
});

test('a created container\'s held process is already confined as its config says: a process exec\'d in before start meets no root to trace', () => {
  const caps = ['CAP_KILL', 'CAP_SYS_PTRACE'];
  const id = uniqueName('confined');
  const bundle = makeBundle(id, SLEEPER, (c) => {
    c.process.user = { uid: 1000, gid: 1000 };
    c.process.capabilities = { bounding: caps, effective: caps, permitted: caps };
    c.process.noNewPrivileges = true;
  });
  try {
    assert.equal(create(id, bundle).code, 0);
    const r = oci(['exec', '--user', '0:0', '--cap', 'CAP_SYS_PTRACE', id, 'cat', '/proc/1/status']);
    assert.equal(r.code, 0, r.stderr);
    const f = statusFields(r.stdout);
    const mask = capMask(CAP.KILL, CAP.SYS_PTRACE);
    assert.deepEqual([f.Uid.split('\t')[0], f.CapBnd, f.CapPrm, f.NoNewPrivs], ['1000', mask, mask, '1'], 'held: its user, capabilities and no_new_privs already');
    assert.equal(state(id).status, 'created');
  } finally {
    remove(id);
  }
  // What cannot be applied fails create itself (one line, nothing left), not the start after it.
  const bad = uniqueName('unconfinable');
  const badBundle = makeBundle(bad, SLEEPER, (c) => { c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 30, hard: 2 ** 30 }]; });
  const made = create(bad, badBundle);
  ids.delete(bad);
  if (made.code === 0) remove(bad);
  assertRefused(made, 1, /set a resource limit \(rlimits\) sh: Operation not permitted/);
  assertNothingOf(bad, badBundle);
});

test('a process inside one container cannot release another created container: its hold FIFO is in no rootfs, its process in no view', () => {
  const held = uniqueName('heldc');
  const heldBundle = makeBundle(held, ['echo', 'released-early']);
  try {
    assert.equal(create(held, heldBundle).code, 0);
    const fifo = join(stateRoot, 'containers', held, 'exec.fifo');
    assert.ok(lstatSync(fifo).isFIFO(), 'the held container waits at its FIFO');
    const heldPid = state(held).pid;
    withRunning('attacker', (c) => {
      const all = readFileSync('/proc/self/status', 'utf8').match(/^CapBnd:\s+(\S+)/m)[1];
      const names = JSON.parse(oci(['features']).stdout).linux.capabilities.filter((_, i) => (BigInt(`0x${all}`) >> BigInt(i)) & 1n);
      c.process.capabilities = { bounding: names, effective: names, permitted: names };
    }, (attacker) => {
      const r = exSh(attacker, `echo 0 > ${fifo}; ls ${join(stateRoot, 'containers')}; find / -xdev -name exec.fifo; ls /proc/${heldPid}/fd; kill -0 ${heldPid}; echo tried`);
      assert.match(r.stdout, /tried/);
      assert.doesNotMatch(r.stdout, /exec\.fifo/);
      assert.match(r.stderr, /nonexistent directory|No such file or directory|can't create/);
    });
    assert.equal(state(held).status, 'created', 'still held');
    assert.equal(output(heldBundle), '', 'its program did not run');
  } finally {
    remove(held);
  }
});
