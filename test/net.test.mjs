// sc-net end to end, as root, in a LAN of network namespaces built for the run (never the host's eth0).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createLan, inNet, leases, rand, scEnv, scNet, startStandIn, startTime } from './lan.mjs';

const run = rand();
const { root, env } = scEnv();
let lan, deadLan;
const standIns = [];
const docs = new Map(); // name → last document, detached in after()

before(async () => {
  lan = await createLan();
  deadLan = await createLan({ dhcp: false });
});

after(async () => {
  for (const doc of docs.values()) scNet(env, 'detach', doc);
  for (const s of standIns) await s.kill();
  lan?.close();
  deadLan?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A container (the native spawner on a bare rootfs dir holding etc/) and its document. */
async function container(suffix, net, { id = rand() + rand() } = {}) {
  const merged = mkdtempSync(join(root, 'rootfs-'));
  mkdirSync(join(merged, 'etc'));
  const s = await startStandIn(merged);
  standIns.push(s);
  const name = `nt${run}-${suffix}`;
  const doc = { v: 1, name, id, spec: net ? { net } : {}, process: { pid: s.pid, startTime: s.startTime }, rootfs: { merged } };
  docs.set(name, doc);
  return { doc, standIn: s, name, merged };
}

function attach(doc, args) {
  const r = scNet(env, 'attach', doc, args);
  if (r.docs[0]) docs.set(doc.name, r.docs[0]);
  return r;
}

const netnsFile = (name) => `/var/run/netns/sc-${name}`;
const links = (pid) => JSON.parse(inNet(pid, 'ip', ['-j', 'link', 'show']).stdout).map((l) => l.ifname);
const ping = (pid, ip) => inNet(pid, 'busybox', ['ping', '-c', '1', '-W', '1', ip]).status;
const udhcpcOf = (name) =>
  spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('udhcpc') && l.includes(`/${name}/`));

test('no net spec: loopback only, etc files written, netns bound while attached', async () => {
  const { doc, standIn, merged, name } = await container('lo');
  const r = attach(doc);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.docs[0].net, { mode: 'none', netns: netnsFile(name) });
  assert.deepEqual(links(standIn.pid), ['lo']);
  assert.ok(existsSync(netnsFile(name)));
  assert.equal(spawnSync('ip', ['netns', 'exec', `sc-${name}`, 'true']).status, 0);
  assert.equal(readFileSync(join(merged, 'etc/hostname'), 'utf8'), `${name}\n`);
  assert.match(readFileSync(join(merged, 'etc/hosts'), 'utf8'), new RegExp(`^127\\.0\\.1\\.1\\t${name}$`, 'm'));
  assert.equal(readFileSync(join(merged, 'etc/resolv.conf'), 'utf8'), readFileSync('/etc/resolv.conf', 'utf8'));
  const d = scNet(env, 'detach', r.docs[0]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(d.docs[0].net, undefined);
  assert.ok(!existsSync(netnsFile(name)));
});

test('static: containers reach the gateway and each other; an address in use is refused', async () => {
  const a = await container('a', { mode: 'static', parent: lan.parent, address: `${lan.subnet}.10/24`, gateway: lan.gateway, dns: ['10.9.9.9'] });
  // A resolv.conf symlinked out of the rootfs must be replaced, not written through.
  const outside = join(root, 'outside-resolv.conf');
  writeFileSync(outside, 'untouched\n');
  symlinkSync(outside, join(a.merged, 'etc/resolv.conf'));
  const ra = attach(a.doc);
  assert.equal(ra.status, 0, ra.stderr);
  const net = ra.docs[0].net;
  assert.equal(net.address, `${lan.subnet}.10/24`);
  assert.equal(net.gateway, lan.gateway);
  assert.match(net.mac, /^02(:[0-9a-f]{2}){5}$/);
  const eth0 = JSON.parse(inNet(a.standIn.pid, 'ip', ['-j', 'addr', 'show', 'eth0']).stdout)[0];
  assert.equal(eth0.address, net.mac);
  assert.deepEqual(eth0.addr_info.filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`), [net.address]);
  assert.equal(ping(a.standIn.pid, lan.gateway), 0, 'container pings the gateway');
  assert.equal(readFileSync(outside, 'utf8'), 'untouched\n');
  assert.ok(lstatSync(join(a.merged, 'etc/resolv.conf')).isFile());
  assert.equal(readFileSync(join(a.merged, 'etc/resolv.conf'), 'utf8'), 'nameserver 10.9.9.9\n');
  assert.match(readFileSync(join(a.merged, 'etc/hosts'), 'utf8'), new RegExp(`^${lan.subnet}\\.10\\t${a.name}$`, 'm'));

  // Attach is idempotent: the same document again leaves the NIC in place.
  const again = attach(ra.docs[0]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(again.docs[0].net, net);
  assert.equal(ping(a.standIn.pid, lan.gateway), 0);

  const b = await container('b');
  const rb = attach(b.doc, ['--net', 'static', '--parent', lan.parent, '--ip', `${lan.subnet}.11/24`, '--gateway', lan.gateway]);
  assert.equal(rb.status, 0, rb.stderr);
  assert.equal(rb.docs[0].spec.net.address, `${lan.subnet}.11/24`, 'flags fill spec.net');
  assert.notEqual(rb.docs[0].net.mac, net.mac);
  assert.equal(ping(a.standIn.pid, `${lan.subnet}.11`), 0, 'a pings b');
  assert.equal(ping(b.standIn.pid, `${lan.subnet}.10`), 0, 'b pings a');

  const c = await container('c', { mode: 'static', parent: lan.parent, address: `${lan.subnet}.10/24`, gateway: lan.gateway });
  const rc = attach(c.doc);
  assert.equal(rc.status, 1);
  assert.equal(rc.stderr.trim(),
    `sc-net: ${c.name}: ${lan.subnet}.10 is already in use on the LAN (answered from MAC ${net.mac}); pick another --ip`);
  assert.equal(rc.docs[0].error.code, 'EADDRINUSE');
  assert.deepEqual(links(c.standIn.pid), ['lo'], 'no link left');
  assert.ok(!existsSync(netnsFile(c.name)));

  for (const x of [ra, rb]) {
    const d = scNet(env, 'detach', x.docs[0]);
    assert.equal(d.status, 0, d.stderr);
  }
  assert.deepEqual(links(a.standIn.pid), ['lo']);
  assert.ok(!existsSync(netnsFile(a.name)) && !existsSync(netnsFile(b.name)));
});

test('dhcp: lease, route and DNS from dnsmasq; the same address after re-attach; released on detach', async () => {
  const id = rand() + rand();
  const a = await container('d', { mode: 'dhcp', parent: lan.parent }, { id });
  const r = attach(a.doc);
  assert.equal(r.status, 0, r.stderr);
  const net = r.docs[0].net;
  const [ip, prefix] = net.address.split('/');
  assert.equal(prefix, '24');
  assert.ok(Number(ip.split('.')[3]) >= 100 && Number(ip.split('.')[3]) <= 150 && ip.startsWith(`${lan.subnet}.`), net.address);
  assert.equal(net.gateway, lan.gateway);
  assert.deepEqual(net.dns, [lan.dns]);
  assert.equal(readFileSync(join(a.merged, 'etc/resolv.conf'), 'utf8'), `nameserver ${lan.dns}\n`);
  const routes = JSON.parse(inNet(a.standIn.pid, 'ip', ['-j', 'route', 'show', 'default']).stdout);
  assert.equal(routes[0]?.gateway, lan.gateway);
  assert.equal(ping(a.standIn.pid, lan.gateway), 0);
  assert.ok(startTime(net.dhcpPid) === net.dhcpStartTime, 'the client keeps running');
  assert.deepEqual(leases(lan).filter((l) => l.mac === net.mac).map((l) => [l.ip, l.hostname]), [[ip, a.name]]);

  const d = scNet(env, 'detach', r.docs[0]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal(startTime(net.dhcpPid), undefined, 'client stopped');
  // dnsmasq deletes a lease on DHCPRELEASE (lease_prune): the file no longer lists it.
  for (let i = 0; i < 50 && leases(lan).some((l) => l.mac === net.mac); i++) await new Promise((res) => setTimeout(res, 40));
  assert.deepEqual(leases(lan).filter((l) => l.mac === net.mac), [], 'lease released');
  assert.deepEqual(links(a.standIn.pid), ['lo']);
  assert.ok(!existsSync(netnsFile(a.name)));

  // A new process for the same container (same id): same MAC, so the same address.
  await a.standIn.kill();
  const again = await startStandIn(a.merged);
  standIns.push(again);
  const doc2 = { ...d.docs[0], process: { pid: again.pid, startTime: again.startTime } };
  const r2 = attach(doc2);
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(r2.docs[0].net.mac, net.mac);
  assert.equal(r2.docs[0].net.address, net.address);
  const d2 = scNet(env, 'detach', r2.docs[0]);
  assert.equal(d2.status, 0, d2.stderr);
  assert.deepEqual(udhcpcOf(a.name), []);
});

test('a missing parent device fails with one line and leaves nothing behind', async () => {
  const a = await container('p');
  const r = attach(a.doc, ['--net', 'dhcp', '--parent', 'scnope0']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `sc-net: ${a.name}: parent device "scnope0" not found (ip link lists the host's devices; pick one with --parent)`);
  assert.equal(r.docs[0].error.code, 'ENODEV');
  assert.equal(r.docs[0].net, undefined);
  assert.ok(!existsSync(netnsFile(a.name)));
  assert.deepEqual(links(a.standIn.pid), ['lo']);
});

test('no DHCP server: a clear timeout, and no link, client or netns file afterwards', async () => {
  const a = await container('t');
  const started = Date.now();
  const r = attach(a.doc, ['--net', 'dhcp', '--parent', deadLan.parent, '--dhcp-timeout', '2']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(),
    `sc-net: ${a.name}: no DHCP offer on ${deadLan.parent} within 2 s (is a DHCP server on that LAN? --dhcp-timeout waits longer)`);
  assert.ok(Date.now() - started < 8000);
  assert.deepEqual(links(a.standIn.pid), ['lo']);
  assert.deepEqual(udhcpcOf(a.name), []);
  assert.ok(!existsSync(netnsFile(a.name)));
});

test('detach is idempotent and works on documents never attached or whose container died', async () => {
  const a = await container('i', { mode: 'static', parent: lan.parent, address: `${lan.subnet}.20/24`, gateway: lan.gateway });
  const r = attach(a.doc);
  assert.equal(r.status, 0, r.stderr);
  for (let i = 0; i < 2; i++) {
    const d = scNet(env, 'detach', r.docs[0]);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(d.docs[0].net, undefined);
  }
  assert.deepEqual(links(a.standIn.pid), ['lo']);

  const never = await container('n');
  const d = scNet(env, 'detach', never.doc);
  assert.equal(d.status, 0, d.stderr);
  assert.deepEqual(d.docs[0], never.doc);

  // The container dies with its DHCP client still renewing: detach stops the client and frees the netns.
  const dying = await container('x', { mode: 'dhcp', parent: lan.parent });
  const rx = attach(dying.doc);
  assert.equal(rx.status, 0, rx.stderr);
  await dying.standIn.kill();
  const dx = scNet(env, 'detach', rx.docs[0]);
  assert.equal(dx.status, 0, dx.stderr);
  assert.equal(startTime(rx.docs[0].net.dhcpPid), undefined);
  assert.ok(!existsSync(netnsFile(dying.name)));
  assert.equal(scNet(env, 'detach', { v: 1, name: dying.name, spec: {} }).status, 0, 'a bare document');
});

test('attach refuses documents without a process, and bad flags', () => {
  const noPid = scNet(env, 'attach', { v: 1, name: `nt${run}-q`, spec: {} });
  assert.equal(noPid.status, 3);
  assert.match(noPid.stderr, /no "process\.pid"/);
  const bad = scNet(env, 'attach', { v: 1, name: `nt${run}-q`, spec: {} }, ['--net', 'dhcp']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--net dhcp needs --parent DEV/);
  assert.equal(scNet(env, 'attach', { v: 1, name: `nt${run}-q`, spec: {} }, ['--dhcp-timeout', '0']).status, 2);
});
