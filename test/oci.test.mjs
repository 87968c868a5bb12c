// sc-oci against the real kernel: runc's command line (create, start, state, kill, delete, exec, ps, update,
// pause, resume, features, spec) as orchestrators call it, config.json's fields honoured (each read back from
// inside the container) or refused by name, and attacks from a hostile bundle and from inside a container.
// Every bundle lives in the sandbox, --root is the sandbox's, every cgroupsPath is under its own parent. Run as root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeSandbox, busyboxImage, leftovers, mountsUnder, cgroupDirsOf, processesInCgroup, sandboxProcesses, uniqueName, BIN } from './helpers.mjs';

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

/** A container that runs ARGS (after CHANGE to its config) to the end: what it printed, and its pid. */
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
const exSh = (id, script) => ex(id, 'sh', '-c', script);
/** Fields of /proc/self/status as the process itself reads them. */
const statusFields = (text) => Object.fromEntries([...text.matchAll(/^(\w+):\s+(.*)$/gm)].map((m) => [m[1], m[2].trim()]));
const capMask = (...bits) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0');
const CAP = { CHOWN: 0, KILL: 5, NET_BIND_SERVICE: 10, SYS_ADMIN: 21 };

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

// ---------------------------------------------------------------------------------------------------------
// 2. kill

const TRAPS = ['sh', '-c', 'for s in TERM USR1 USR2 HUP; do trap "echo got-$s" $s; done; echo ready; while :; do sleep 0.05; done'];

test('kill sends SIGTERM by default, named and numeric signals as given; KILL and 9 stop it', () => {
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
  let stoppedId;
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
    stoppedId = id;
    assert.equal(oci(['kill', id, 'KILL']).code, 0);
    waitStatus(id, 'stopped');
    assertRefused(ex(id, 'true'), 1, /cannot exec in container .*: it has stopped/);
  });
  assert.ok(stoppedId);
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
    assert.equal(cmdline(pid), 'sleep 30');
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
