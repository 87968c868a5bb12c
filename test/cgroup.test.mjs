// sc-cgroup end to end: real v1 cgroups on this machine (as root), a fake cgroup2 tree, and the real
// controller-less unified mount. Run: node --test test/cgroup.test.mjs (after build + assemble).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../out/bin');
const CG = '/sys/fs/cgroup';
const V1 = ['memory', 'cpu', 'cpuacct', 'pids', 'devices', 'freezer'];
const UNIFIED = `${CG}/unified`;
const PARENT = `sc-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const PYTHON = '/usr/bin/python3';

let tmp, env;
const children = new Set();

before(() => {
  assert.equal(process.getuid(), 0, 'these tests need root (real cgroups)');
  tmp = mkdtempSync(path.join(tmpdir(), 'sc-cgroup-test-'));
  writeFileSync(path.join(tmp, 'sc.json5'), `{ cgroupParent: "${PARENT}" } // this test's own parent\n`);
  env = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, SC_ROOT: path.join(tmp, 'root'), SC_CONFIG: path.join(tmp, 'sc.json5') };
  delete env.SC_CGROUP_ROOT;
});

after(() => {
  for (const child of children) child.kill('SIGKILL');
  // Anything of ours still in a hierarchy is a failure; remove it anyway so the machine stays clean.
  const leftovers = [...V1.map((c) => `${CG}/${c}/${PARENT}`), `${UNIFIED}/${PARENT}`].filter((d) => existsSync(d));
  for (const dir of leftovers) forceRemove(dir);
  rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(leftovers, [], 'cgroups of the test parent were left behind');
});

function forceRemove(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) forceRemove(path.join(dir, e.name));
  for (let i = 0; i < 50; i++) {
    for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
    try { rmdirSync(dir); return; } catch { spawnSync('sleep', ['0.1']); }
  }
}

const doc = (name, extra = {}) => JSON.stringify({ v: 1, name, spec: {}, ...extra }) + '\n';

/** Run sc-cgroup; returns status, stderr and the documents it wrote. */
function sc(args, input, extraEnv = {}) {
  const r = spawnSync('sc-cgroup', args, { input, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const docs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, docs, doc: docs[0] };
}

const read = (file) => readFileSync(file, 'utf8').trim();
const comm = (pid) => {
  try { return read(`/proc/${pid}/comm`); } catch { return null; } // gone between the listing and the read
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch { return false; }
};

/** Start a shell that joins the given cgroups first, the way the spawner does, then runs SCRIPT. */
function startIn(paths, script) {
  const join = paths.map((p) => `echo $$ > ${p}/cgroup.procs`).join('; ');
  const child = spawn('sh', ['-c', `${join}; ${script}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  return { child, exited };
}

async function waitUntil(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const v1Dir = (c, name) => `${CG}/${c}/${PARENT}/${name}`;
const stats = (name) => sc(['stats'], doc(name)).doc.cgroup.stats;

test('create writes the limits into the v1 knobs and doc.cgroup; re-create rewrites them from spec', () => {
  const r = sc(['create', '--memory', '64M', '--cpus', '1.5', '--pids', '512'], doc('limits'));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.doc.spec, { memory: 64 * 2 ** 20, cpus: 1.5, pids: 512 });
  assert.deepEqual(r.doc.cgroup, { version: 1, paths: V1.map((c) => v1Dir(c, 'limits')) });
  assert.equal(read(`${v1Dir('memory', 'limits')}/memory.limit_in_bytes`), '67108864');
  assert.equal(read(`${v1Dir('memory', 'limits')}/memory.memsw.limit_in_bytes`), '67108864');
  assert.equal(read(`${v1Dir('cpu', 'limits')}/cpu.cfs_period_us`), '100000');
  assert.equal(read(`${v1Dir('cpu', 'limits')}/cpu.cfs_quota_us`), '150000');
  assert.equal(read(`${v1Dir('pids', 'limits')}/pids.max`), '512');

  // How `sc start` re-creates: the saved spec, no flags; a flag still overrides its own value.
  const again = sc(['create', '--memory', '1G'], JSON.stringify(r.doc) + '\n');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(read(`${v1Dir('memory', 'limits')}/memory.limit_in_bytes`), String(2 ** 30));
  assert.equal(read(`${v1Dir('memory', 'limits')}/memory.memsw.limit_in_bytes`), String(2 ** 30));
  assert.equal(read(`${v1Dir('cpu', 'limits')}/cpu.cfs_quota_us`), '150000');
  assert.equal(read(`${v1Dir('pids', 'limits')}/pids.max`), '512');

  const gone = sc(['delete'], JSON.stringify(again.doc) + '\n');
  assert.equal(gone.status, 0, gone.stderr);
  assert.equal(gone.doc.cgroup, undefined);
  for (const c of V1) assert.equal(existsSync(`${CG}/${c}/${PARENT}`), false, `${c}/${PARENT} removed`);
});

test('a memory hog in a 32M cgroup is OOM-killed, its sibling survives, stats count the kill', async () => {
  const { doc: d } = sc(['create', '--memory', '32M'], doc('oom'));
  const sibling = startIn(d.cgroup.paths, 'exec sleep 60');
  await waitUntil('the sibling to join', () => read(`${v1Dir('memory', 'oom')}/cgroup.procs`).split('\n').includes(String(sibling.child.pid)));
  const hog = startIn(d.cgroup.paths, 'x=a; while :; do x=$x$x; done');
  const end = await Promise.race([hog.exited, sleep(15000).then(() => 'timeout')]);
  assert.deepEqual(end, { code: null, signal: 'SIGKILL' }, 'the hog is killed by the OOM killer');
  assert.ok(alive(sibling.child.pid), 'the sibling in the same cgroup carries on');
  const s = stats('oom');
  assert.ok(s.memory.oomKills >= 1, `oomKills = ${s.memory.oomKills}`);
  assert.equal(s.memory.limit, 32 * 2 ** 20);
  assert.ok(s.memory.maxUsage > 16 * 2 ** 20, `maxUsage = ${s.memory.maxUsage}`);
  sibling.child.kill('SIGKILL');
  assert.equal(sc(['delete'], JSON.stringify(d) + '\n').status, 0, 'delete waits for the killed sibling');
});

test('--cpus 0.5 holds two busy loops to about half a core (measured from cpuacct.usage)', async (t) => {
  const { doc: d } = sc(['create', '--cpus', '0.5'], doc('cpu'));
  const usage = () => Number(read(`${v1Dir('cpuacct', 'cpu')}/cpuacct.usage`));
  startIn(d.cgroup.paths, 'while :; do :; done & while :; do :; done');
  await sleep(300); // past the first period, whose quota is fresh
  const [u0, t0] = [usage(), process.hrtime.bigint()];
  await sleep(3000);
  const [u1, t1] = [usage(), process.hrtime.bigint()];
  const cores = (u1 - u0) / Number(t1 - t0);
  t.diagnostic(`measured ${cores.toFixed(3)} cores over ${(Number(t1 - t0) / 1e9).toFixed(2)} s (limit 0.5; unlimited would be ~2)`);
  assert.ok(cores >= 0.35 && cores <= 0.65, `cpu usage ${cores.toFixed(3)} cores is outside 0.35..0.65`);
  for (const pid of read(`${v1Dir('cpu', 'cpu')}/cgroup.procs`).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
  assert.equal(sc(['delete'], JSON.stringify(d) + '\n').status, 0);
});

test('--pids 20 makes fork fail with EAGAIN: at most 20 processes', () => {
  const { doc: d } = sc(['create', '--pids', '20'], doc('pids'));
  assert.equal(read(`${v1Dir('pids', 'pids')}/pids.max`), '20');
  const forker = `
import os, sys, time
for p in sys.argv[1:]: open(p + '/cgroup.procs', 'w').write(str(os.getpid()))
kids, err = [], None
for i in range(40):
    try: pid = os.fork()
    except OSError as e: err = e.errno; break
    if pid == 0: time.sleep(30); os._exit(0)
    kids.append(pid)
print(len(kids), err)
for k in kids: os.kill(k, 9); os.waitpid(k, 0)
`;
  const r = spawnSync(PYTHON, ['-c', forker, ...d.cgroup.paths], { encoding: 'utf8' });
  const [forks, errno] = r.stdout.trim().split(' ');
  assert.equal(errno, '11', `fork fails with EAGAIN (${r.stdout} ${r.stderr})`);
  assert.ok(Number(forks) >= 1 && Number(forks) <= 19, `${forks} forks succeeded: with the forker itself at most 20 processes`);
  assert.equal(sc(['delete'], JSON.stringify(d) + '\n').status, 0);
});

test('v1 devices: only the standard /dev nodes, every device with spec.privileged; re-create keeps the rules', () => {
  const list = (name) => read(`${v1Dir('devices', name)}/devices.list`).split('\n').sort();
  const { doc: d } = sc(['create'], doc('dev'));
  const standard = ['c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm'];
  assert.deepEqual(list('dev'), [...standard].sort());
  // Even root with every capability, once in the cgroup, may use /dev/null but not make a disk's node.
  const probe = spawnSync('sh', ['-c', `echo $$ > ${v1Dir('devices', 'dev')}/cgroup.procs && echo x > /dev/null && mknod ${tmp}/sda b 8 0`], { encoding: 'utf8' });
  assert.notEqual(probe.status, 0);
  assert.match(probe.stderr, /mknod.*Operation not permitted/);
  assert.equal(existsSync(`${tmp}/sda`), false);
  assert.equal(sc(['create'], JSON.stringify(d) + '\n').status, 0);
  assert.deepEqual(list('dev'), [...standard].sort());

  const { doc: p } = sc(['create'], doc('devp', { spec: { privileged: true } }));
  assert.deepEqual(list('devp'), ['a *:* rwm']);
  for (const x of [d, p]) assert.equal(sc(['delete'], JSON.stringify(x) + '\n').status, 0);
});

test('delete is idempotent: never created, and twice', () => {
  const never = sc(['delete'], doc('never', { cgroup: { version: 1, paths: [v1Dir('memory', 'never')] } }));
  assert.equal(never.status, 0, never.stderr);
  assert.equal(never.doc.cgroup, undefined);
  const { doc: d } = sc(['create', '--pids', '5'], doc('twice'));
  assert.ok(existsSync(v1Dir('pids', 'twice')));
  for (let i = 0; i < 2; i++) {
    const r = sc(['delete'], JSON.stringify(d) + '\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(v1Dir('pids', 'twice')), false);
  }
});

test('delete of a document without a cgroup section derives the paths from the name', () => {
  sc(['create', '--memory', '16M'], doc('nosection'));
  assert.ok(existsSync(v1Dir('memory', 'nosection')));
  const r = sc(['delete'], doc('nosection'));
  assert.equal(r.status, 0, r.stderr);
  for (const c of V1) assert.equal(existsSync(v1Dir(c, 'nosection')), false);
});

test('delete waits for a process that exits soon; one that stays makes it fail with EBUSY naming it', async () => {
  const { doc: d } = sc(['create'], doc('wait'));
  startIn(d.cgroup.paths, 'exec sleep 1');
  await waitUntil('the sleeper to join', () => read(`${v1Dir('pids', 'wait')}/cgroup.procs`) !== '');
  const t0 = Date.now();
  const r = sc(['delete'], JSON.stringify(d) + '\n');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 500, 'delete waited for the sleeper');
  for (const c of V1) assert.equal(existsSync(v1Dir(c, 'wait')), false);

  const { doc: d2 } = sc(['create'], doc('stuck'));
  const stuck = startIn(d2.cgroup.paths, 'exec sleep 60');
  await waitUntil('the sleeper to join', () => read(`${v1Dir('pids', 'stuck')}/cgroup.procs`) !== '');
  const busy = sc(['delete'], JSON.stringify(d2) + '\n');
  assert.equal(busy.status, 1);
  assert.equal(busy.doc.error.code, 'EBUSY');
  assert.match(busy.stderr, new RegExp(`${v1Dir('memory', 'stuck')} \\(pids ${stuck.child.pid}\\)`));
  assert.ok(busy.doc.cgroup, 'the cgroup section stays while the cgroup does');
  stuck.child.kill('SIGKILL');
  assert.equal(sc(['delete'], JSON.stringify(d2) + '\n').status, 0);
});

test('stats on a live cgroup: memory in use, CPU time, pids; --table for people', async () => {
  const { doc: d } = sc(['create', '--memory', '64M', '--pids', '10'], doc('live'));
  const p = startIn(d.cgroup.paths, 'x=$(head -c 4000000 /dev/zero | tr "\\0" a); sleep 60 & wait');
  // The shell keeps its 4 MB and waits on a sleeper: two processes, whatever sh does with a last command.
  await waitUntil('memory to be charged and the sleeper to start', () => Number(read(`${v1Dir('memory', 'live')}/memory.usage_in_bytes`)) > 4e6
    && read(`${v1Dir('pids', 'live')}/cgroup.procs`).split('\n').filter(Boolean).some((pid) => comm(pid) === 'sleep'));
  const s = stats('live');
  assert.ok(s.memory.usage > 0, `usage ${s.memory.usage}`);
  assert.equal(s.memory.limit, 64 * 2 ** 20);
  assert.ok(s.cpu.usageNs > 0);
  assert.equal(s.pids.limit, 10);
  assert.ok(s.pids.current >= 2);
  const table = sc(['stats', '--table'], doc('live'));
  assert.equal(table.status, 0);
  assert.match(table.stdout, /^NAME +MEM USAGE \/ LIMIT +CPU TIME +PIDS +OOM KILLS\nlive +\S+ \/ 64MiB +[\d.]+s +\d+ \/ 10 +0\n$/);
  p.child.kill('SIGKILL');
  for (const pid of read(`${v1Dir('pids', 'live')}/cgroup.procs`).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
  assert.equal(sc(['delete'], JSON.stringify(d) + '\n').status, 0);
  const missing = sc(['stats'], doc('live'));
  assert.equal(missing.status, 1);
  assert.equal(missing.doc.error.code, 'ENOENT');
});

test('bad flags exit 2 before anything is made; garbage stdin exits 3', () => {
  for (const flags of [['--memory', 'abc'], ['--cpus', '0'], ['--cpus', '99'], ['--pids=-1'], ['--bogus']]) {
    const r = sc(['create', ...flags], doc('bad'));
    assert.equal(r.status, 2, `${flags}: ${r.stderr}`);
    assert.match(r.stderr, /^sc-cgroup: .+/);
    assert.equal(r.stdout, '');
  }
  assert.match(sc(['create', '--cpus', '99'], doc('bad')).stderr, /more than this host's \d+ CPUs/);
  for (const c of V1) assert.equal(existsSync(`${CG}/${c}/${PARENT}`), false);
  for (const verb of ['create', 'delete', 'stats']) {
    const r = sc([verb], 'not json\n');
    assert.equal(r.status, 3, `${verb}: ${r.stderr}`);
  }
  assert.equal(sc(['create'], doc('badspec', { spec: { memory: 'lots' } })).status, 3);
});

test('v2 on a fake cgroup2 tree: knobs, subtree_control, delete leaves nothing', () => {
  const fake = mkdtempSync(path.join(tmp, 'cgroup2-'));
  writeFileSync(`${fake}/cgroup.controllers`, 'cpu memory pids\n');
  writeFileSync(`${fake}/cgroup.subtree_control`, '');
  writeFileSync(`${fake}/cgroup.procs`, '');
  const r = sc(['create', '--memory', '64M', '--cpus', '0.5', '--pids', '20'], doc('fake'), { SC_CGROUP_ROOT: fake });
  assert.equal(r.status, 0, r.stderr);
  const dir = `${fake}/${PARENT}/fake`;
  assert.deepEqual(r.doc.cgroup, { version: 2, paths: [dir] });
  assert.equal(read(`${dir}/memory.max`), '67108864');
  assert.equal(read(`${dir}/memory.swap.max`), '0');
  assert.equal(read(`${dir}/cpu.max`), '50000 100000');
  assert.equal(read(`${dir}/pids.max`), '20');
  assert.equal(read(`${fake}/cgroup.subtree_control`), '+cpu +memory +pids');
  assert.equal(read(`${fake}/${PARENT}/cgroup.subtree_control`), '+cpu +memory +pids');
  for (let i = 0; i < 2; i++) assert.equal(sc(['delete'], JSON.stringify(r.doc) + '\n', { SC_CGROUP_ROOT: fake }).status, 0);
  assert.deepEqual(readdirSync(fake).sort(), ['cgroup.controllers', 'cgroup.procs', 'cgroup.subtree_control']);
  assert.equal(sc(['create'], doc('x'), { SC_CGROUP_ROOT: tmp }).status, 1, 'a root without cgroup.controllers is refused');
});

test('v2 on the real controller-less unified mount: the cgroup is made, joined and removed; limits are reported not applied', async () => {
  const controllers = read(`${UNIFIED}/cgroup.controllers`).split(/\s+/);
  const subtree = read(`${UNIFIED}/cgroup.subtree_control`);
  const r = sc(['create', '--memory', '64M', '--cpus', '0.5'], doc('uni'), { SC_CGROUP_ROOT: UNIFIED });
  assert.equal(r.status, 0, r.stderr);
  const dir = `${UNIFIED}/${PARENT}/uni`;
  assert.deepEqual(r.doc.cgroup, { version: 2, paths: [dir] });
  if (!controllers.includes('memory')) assert.match(r.stderr, /not applied: memory limit \(no memory\.max\), cpus limit \(no cpu\.max\)/);
  assert.equal(read(`${UNIFIED}/cgroup.subtree_control`), subtree, 'the root subtree_control is untouched');
  const p = startIn([dir], 'exec sleep 60');
  await waitUntil('the process to join', () => read(`${dir}/cgroup.procs`).split('\n').includes(String(p.child.pid)));
  assert.match(readFileSync(`/proc/${p.child.pid}/cgroup`, 'utf8'), new RegExp(`^0::/${PARENT}/uni$`, 'm'));
  p.child.kill('SIGKILL');
  const gone = sc(['delete'], JSON.stringify(r.doc) + '\n', { SC_CGROUP_ROOT: UNIFIED });
  assert.equal(gone.status, 0, gone.stderr);
  assert.equal(existsSync(`${UNIFIED}/${PARENT}`), false);
});
