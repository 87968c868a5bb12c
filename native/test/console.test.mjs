// End-to-end tests of sc-console on real ptys: a fixture plays the container's PID 1 on the slave side
// and execs `sc-console keep` on the master; clients attach through the real socket. They run as root.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const nativeDir = path.resolve(import.meta.dirname, '..');
const scConsole = path.join(nativeDir, 'build', 'sc-console');
const busy = 'sc-console: the console is in use by another session\n';
const fixture = path.join(os.tmpdir(), `sc-console-init-${process.pid}`);

before(() => {
  assert.equal(process.getuid(), 0, 'the native tests run as root, like the container runtime');
  execFileSync('make', ['-s'], { cwd: nativeDir, stdio: 'inherit' });
  execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', fixture, path.join(nativeDir, 'test', 'fixtures', 'console-init.c')]);
});

after(() => fs.rmSync(fixture, { force: true }));

// Cleanups run in reverse order, even when the test failed: processes die before their files go.
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

// A zombie counts as gone: the host's PID 1 reaps orphans when it gets to it.
function isGone(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

async function waitFor(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function processesMentioning(text) {
  return fs.readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && !isGone(p) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

// A temp dir for one test; at the end, every process that names it is killed, and it is removed.
function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-console-test-'));
  defer(t, async () => {
    for (const pid of processesMentioning(dir)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    await waitFor(`the processes of ${dir} to go`, () => processesMentioning(dir).length === 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

// Spawned in its own process group, which is killed after the test.
function spawnTracked(t, cmd, args, options = {}) {
  const child = spawn(cmd, args, { detached: true, ...options });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stdout = '', stderr = '';
  child.stdout?.on('data', (d) => { stdout += d; });
  child.stderr?.on('data', (d) => { stderr += d; });
  defer(t, async () => {
    // The group, and the process itself in case it has left the group (the keeper starts a session).
    for (const pid of [-child.pid, child.pid]) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await exited;
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

const streamEnd = (stream) => new Promise((resolve) => stream.on('close', resolve));

// A hang fails with its name rather than the test's timeout.
function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// The fixture's PID 1 on a fresh pty, and `sc-console keep` on its master. Stdout gives the child's pid;
// stdout and stderr reach EOF once the keeper listens (it then holds /dev/null), or has failed.
async function startKeeper(t, { dir = tempDir(t), flood = 0, args = [], socket = path.join(dir, 'console.sock') } = {}) {
  const log = path.join(dir, 'console.log');
  const keeper = spawnTracked(t, fixture, [String(flood), scConsole, '--log', log, '--socket', socket, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  await within(5000, 'the keeper\'s start', Promise.all([streamEnd(keeper.child.stdout), streamEnd(keeper.child.stderr)]));
  const { stdout, stderr } = keeper.output();
  const child = Number(stdout.trim());
  assert.ok(child > 0, `the fixture started PID 1: ${stdout} ${stderr}`);
  defer(t, async () => {
    try { process.kill(child, 'SIGKILL'); } catch { /* gone */ }
    await waitFor(`PID 1 (${child}) to go`, () => isGone(child));
  });
  return { dir, log, socket, child, pid: keeper.child.pid, exited: keeper.exited, stderr };
}

const attach = (socket, input, args = []) =>
  spawnSync(scConsole, ['attach', '--socket', socket, ...args], { input, encoding: 'utf8', timeout: 10_000 });

const readIf = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '');
const logText = (log) => readIf(`${log}.1`) + readIf(log);

test('keep logs the console from its first line, as a daemon: cwd /, stdio /dev/null, log and socket 0600', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  assert.equal(k.stderr, '');
  await waitFor('the boot lines in the log', () => logText(k.log).includes('boot: line 3\r\n'));
  assert.equal(fs.readFileSync(k.log, 'utf8'), 'boot: line 1\r\nboot: line 2\r\nboot: line 3\r\n');
  assert.equal(fs.statSync(k.log).mode & 0o777, 0o600);
  const sock = fs.lstatSync(k.socket);
  assert.ok(sock.isSocket());
  assert.equal(sock.mode & 0o777, 0o600);
  assert.equal(fs.readlinkSync(`/proc/${k.pid}/cwd`), '/');
  for (const fd of [0, 1, 2]) assert.equal(fs.readlinkSync(`/proc/${k.pid}/fd/${fd}`), '/dev/null');
  assert.equal(fs.readFileSync(`/proc/${k.pid}/comm`, 'utf8'), 'sc-console\n');
});

test('attach through pipes: input reaches PID 1 and its answers come back; one session at a time', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  const r = attach(k.socket, 'hello\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^got: hello\r?$/m);
  assert.equal(r.stderr, '');

  // A first session that stays: its input is still open.
  const first = spawnTracked(t, scConsole, ['attach', '--socket', k.socket], { stdio: ['pipe', 'pipe', 'pipe'] });
  first.child.stdin.write('one\n');
  await waitFor('the first session\'s answer', () => /got: one/.test(first.output().stdout));
  const second = attach(k.socket, 'two\n');
  assert.equal(second.status, 1);
  assert.equal(second.stderr, busy);
  assert.equal(second.stdout, '');
  assert.doesNotMatch(logText(k.log), /got: two/, 'the refused session sent nothing');

  first.child.stdin.end();
  assert.deepEqual(await within(5000, 'the first session\'s end', first.exited), { code: 0, signal: null }, 'input ended: it shows the rest, then leaves');
  const third = attach(k.socket, 'three\n');
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /got: three/);
  assert.doesNotMatch(third.stdout, /got: one/, 'a new session sees new output only');
  assert.match(logText(k.log), /got: one\r\n[^]*got: three\r\n/, 'everything was logged, in order');
});

test('the log rotates to FILE.1 at --log-max: both kept, never more than twice the bound', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t, { args: ['--log-max', '4096'] });
  const r = attach(k.socket, 'count 1000\n');
  assert.equal(r.status, 0, r.stderr);
  await waitFor('the last line in the log', () => logText(k.log).includes('count: 1000\r\n'));
  assert.equal(fs.statSync(k.log).size <= 4096, true);
  assert.equal(fs.statSync(`${k.log}.1`).size, 4096, 'the rotated file is exactly the bound');
  assert.equal(fs.statSync(`${k.log}.1`).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(k.dir).sort(), ['console.log', 'console.log.1', 'console.sock']);
  // The two files are the stream's last 4-8 KiB, without a gap or a repeat.
  const numbers = Array.from({ length: 1000 }, (_, i) => `count: ${i + 1}`);
  const stream = ['boot: line 1', 'boot: line 2', 'boot: line 3', 'count 1000', ...numbers].map((l) => `${l}\r\n`).join('');
  assert.ok(stream.endsWith(logText(k.log)), 'FILE.1 then FILE hold the tail of what PID 1 wrote, in order');
  assert.ok(logText(k.log).length > 4096);
});

// script(1) gives attach a terminal, as a person at a shell would; the test types into it.
async function onTerminal(t, k, extra = '') {
  const cmd = `stty -g > ${k.dir}/before; ${scConsole} attach --socket ${k.socket}${extra}; echo rc=$?; stty -g > ${k.dir}/after`;
  return spawnTracked(t, 'script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
}

test('on a terminal: the escape character detaches with 0 and is never sent; the terminal is restored, also on SIGTERM', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  const escapes = [['', '\x1d'], [' --escape ^a', '\x01'], [' --escape q', 'q']];
  for (const [i, [flag, key]] of escapes.entries()) {
    const term = await onTerminal(t, k, flag);
    // Raw mode: Enter is a CR, which the console's own line discipline turns into a newline.
    term.child.stdin.write(`typed${i}\r`);
    await waitFor(`typed${i} in the log`, () => logText(k.log).includes(`got: typed${i}\r\n`));
    term.child.stdin.write(`${key}never${i}\r`);
    assert.deepEqual(await within(5000, 'the detach', term.exited), { code: 0, signal: null });
    const { stdout } = term.output();
    assert.match(stdout, /^rc=0\r?$/m, stdout);
    assert.match(stdout, new RegExp(`got: typed${i}`), 'the session showed the console');
    assert.equal(fs.readFileSync(`${k.dir}/after`, 'utf8'), fs.readFileSync(`${k.dir}/before`, 'utf8'), 'the terminal mode is restored');
  }
  const r = attach(k.socket, 'after\n');
  assert.match(r.stdout, /got: after/);
  assert.doesNotMatch(logText(k.log), /never|\x1d|\x01|\^\]|\^A/, 'neither the escape nor what followed it reached the console');

  const term = await onTerminal(t, k);
  term.child.stdin.write('signalled\r');
  await waitFor('signalled in the log', () => logText(k.log).includes('got: signalled\r\n'));
  const [attached] = processesMentioning(`attach\0--socket\0${k.socket}`);
  process.kill(Number(attached), 'SIGTERM');
  assert.deepEqual(await within(5000, 'the end on SIGTERM', term.exited), { code: 0, signal: null });
  assert.match(term.output().stdout, /^rc=143\r?$/m, 'killed by SIGTERM');
  assert.equal(fs.readFileSync(`${k.dir}/after`, 'utf8'), fs.readFileSync(`${k.dir}/before`, 'utf8'), 'the terminal mode is restored');
});

test('a client that never reads stalls nothing: PID 1 writes 20 MiB within seconds and the keeper logs on', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t, { flood: 20 });
  // A real attach whose stdout nobody reads (sleep never does): it stops reading the socket at once.
  const stuck = spawnTracked(t, 'sh', ['-c', `${scConsole} attach --socket ${k.socket} | sleep 1000`], { stdio: ['pipe', 'ignore', 'pipe'] });
  await waitFor('the stuck session', () => processesMentioning(`attach\0--socket\0${k.socket}`).length === 1);
  const started = Date.now();
  stuck.child.stdin.write('flood\n');
  await waitFor('PID 1 to write 20 MiB', () => logText(k.log).includes('flood: done\r\n'), 10_000);
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 5, `PID 1 was held up for ${seconds} s`);
  assert.ok(!isGone(k.pid), 'the keeper is alive');
  assert.ok(fs.statSync(k.log).size <= 1 << 20, 'the default bound, 1 MiB');
  assert.equal(fs.statSync(`${k.log}.1`).size, 1 << 20);

  // The stuck session still holds the console; once it goes, a new one works.
  assert.equal(attach(k.socket, 'x\n').stderr, busy);
  process.kill(-stuck.child.pid, 'SIGKILL');
  await stuck.exited;
  await waitFor('the stuck session to go', () => processesMentioning(`attach\0--socket\0${k.socket}`).length === 0);
  const r = attach(k.socket, 'still here\n');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /got: still here/);
  assert.ok(logText(k.log).endsWith('got: still here\r\n'));
});

// CPU time (user + system, in clock ticks) a process has used so far.
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

test('PID 1 may close its console and open it again, as systemd does: nothing is lost, and no busy loop', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  const before = cpuTicks(k.pid);
  const r = attach(k.socket, 'reopen\n');
  assert.equal(r.status, 0, r.stderr);
  await waitFor('the reopened console', () => logText(k.log).includes('reopen\r\nclosing\r\nreopened\r\n'));
  const ticks = cpuTicks(k.pid) - before;
  assert.ok(ticks < 20, `the keeper used ${ticks} ticks of CPU while PID 1 held no console for a second`);
  assert.match(attach(k.socket, 'hello\n').stdout, /got: hello/);
});

test('the keeper exits 0 and removes its socket when PID 1 exits, and on SIGTERM', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  const r = attach(k.socket, 'quit\n');
  assert.equal(r.status, 0, 'the keeper closed the session: attach exits 0');
  assert.deepEqual(await within(5000, 'the keeper\'s exit after PID 1\'s', k.exited), { code: 0, signal: null });
  assert.ok(!fs.existsSync(k.socket), 'the socket is gone');
  assert.ok(isGone(k.child));
  assert.match(logText(k.log), /quit\r\n$/);

  const k2 = await startKeeper(t);
  process.kill(k2.pid, 'SIGTERM');
  assert.deepEqual(await within(5000, 'the keeper\'s exit on SIGTERM', k2.exited), { code: 0, signal: null });
  assert.ok(!fs.existsSync(k2.socket));
  const none = attach(k2.socket, '');
  assert.equal(none.status, 1);
  assert.equal(none.stderr, `sc-console: no console at ${k2.socket} (is the container running?)\n`);
});

test('a keeper that died leaves a stale socket: attach says there is no console; the next keeper replaces it', { timeout: 30_000 }, async (t) => {
  const k = await startKeeper(t);
  process.kill(k.pid, 'SIGKILL');
  assert.deepEqual(await k.exited, { code: null, signal: 'SIGKILL' });
  assert.ok(fs.lstatSync(k.socket).isSocket(), 'a stale socket is left behind');
  const stale = attach(k.socket, 'x\n');
  assert.equal(stale.status, 1);
  assert.equal(stale.stderr, `sc-console: no console at ${k.socket} (is the container running?)\n`);
  const k2 = await startKeeper(t, { dir: k.dir });
  assert.equal(k2.stderr, '');
  assert.match(attach(k2.socket, 'again\n').stdout, /got: again/);
});

// `sc-console keep` on the fixture's pty, expected to stop at once: its exit and what it said.
async function keepOnPty(t, args) {
  const k = spawnTracked(t, fixture, ['0', scConsole, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [exit] = await within(5000, `sc-console keep ${args.join(' ')}`, Promise.all([k.exited, streamEnd(k.child.stderr)]));
  return { ...exit, stderr: k.output().stderr };
}

test('bad usage exits 2 with a message; attach to a missing socket exits 1 with one line', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const run = (...args) => spawnSync(scConsole, args, { encoding: 'utf8', timeout: 10_000 });
  const keepArgs = ['--log', `${dir}/log`, '--socket', `${dir}/sock`];
  const usages = [
    [[], /the first argument is keep or attach/],
    [['frob'], /the first argument is keep or attach/],
    [['keep', ...keepArgs], /--pid, --log and --socket are required/],
    [['keep', '--pid', 'x1', ...keepArgs], /--pid wants a process id/],
    [['keep', '--pid', '1', ...keepArgs, '--escape', 'q'], /unknown option/],
    [['keep', '--pid', '1', ...keepArgs], /fd 3 must be the master side of the console's pty/],
    [['attach'], /--socket is required/],
    [['attach', '--socket'], /missing value/],
    [['attach', '--socket', `${dir}/sock`, '--escape', 'ab'], /--escape wants one character, or \^X/],
    [['attach', '--socket', `${dir}/sock`, '--log', `${dir}/log`], /unknown option/],
    [['attach', '--socket', `/${'x'.repeat(200)}`], /too long for a unix socket/],
  ];
  for (const [args, message] of usages) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^sc-console: .+\nusage: sc-console keep .+\n {7}sc-console attach .+\n$/, args.join(' '));
    assert.match(r.stderr.split('\n')[0], message);
  }
  // With a real pty on fd 3, so that only the flag is wrong.
  for (const [args, message] of [[['--log-max', '4095'], /--log-max wants a number of bytes, at least 4096/],
    [['--log-max', '1M'], /--log-max wants a number of bytes/], [['--log', 'relative.log'], /want absolute paths/]]) {
    const r = await keepOnPty(t, [...keepArgs, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing was created');
  const missing = run('attach', '--socket', `${dir}/nothing`);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `sc-console: no console at ${dir}/nothing (is the container running?)\n`);
  assert.equal(missing.stdout, '');
});

test('a file, a link or a FIFO at --socket or --log is refused, left untouched, and nothing is made', { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const elsewhere = path.join(dir, 'elsewhere');
  fs.writeFileSync(elsewhere, 'precious\n');
  const cases = [
    ['--socket', 'file', () => fs.writeFileSync(path.join(dir, 'file'), 'mine\n'), /file exists and is not a socket/],
    ['--socket', 'link', () => fs.symlinkSync(elsewhere, path.join(dir, 'link')), /link exists and is not a socket/],
    ['--log', 'loglink', () => fs.symlinkSync(elsewhere, path.join(dir, 'loglink')), /open the log .*loglink: Too many levels of symbolic links/],
    ['--log', 'fifo', () => execFileSync('mkfifo', [path.join(dir, 'fifo')]), /open the log .*fifo: it is not a regular file/],
  ];
  for (const [flag, name, make, message] of cases) {
    make();
    const before = fs.lstatSync(path.join(dir, name));
    const entries = fs.readdirSync(dir).sort();
    const log = flag === '--log' ? path.join(dir, name) : path.join(dir, 'console.log');
    const socket = flag === '--socket' ? path.join(dir, name) : path.join(dir, 'console.sock');
    const r = await keepOnPty(t, ['--log', log, '--socket', socket]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    const after = fs.lstatSync(path.join(dir, name));
    assert.deepEqual([after.ino, after.mode, after.size, after.mtimeMs], [before.ino, before.mode, before.size, before.mtimeMs], `${name} is untouched`);
    assert.deepEqual(fs.readdirSync(dir).sort(), entries, 'no log or socket was left');
  }
  assert.equal(fs.readFileSync(elsewhere, 'utf8'), 'precious\n');
  assert.equal(fs.readFileSync(path.join(dir, 'file'), 'utf8'), 'mine\n');
});
