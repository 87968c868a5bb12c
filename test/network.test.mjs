// Issue 4 end to end: `sc run` with a macvlan NIC on a LAN built from namespaces (never eth0).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, importBusybox, leftovers, docs, uniqueName } from './helpers.mjs';
import { changeDns, createLan, leases } from './lan.mjs';

const box = makeSandbox('network');
let lan;
before(async () => {
  importBusybox(box);
  lan = await createLan();
});
after(async () => {
  await box.cleanup();
  lan?.close();
  assert.deepEqual(leftovers(box), []);
});

const docOf = (name) => docs(box.sc('ps', '-a', '--json').stdout).find((d) => d.name === name);
const ipOf = (name) => docOf(name).net.address.split('/')[0];

test('static: the container pings the gateway, two containers ping each other; hostname and hosts are set', () => {
  const a = uniqueName('sa');
  const b = uniqueName('sb');
  for (const [name, host] of [[a, 21], [b, 22]]) {
    const r = box.sc('run', '-name', name, '-net', 'static', '-parent', lan.parent, '-ip', `${lan.subnet}.${host}/24`, '-gateway', lan.gateway, 'busybox');
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(box.sc('exec', a, 'ping', '-c', '1', '-W', '2', lan.gateway).code, 0);
  assert.equal(box.sc('exec', a, 'ping', '-c', '1', '-W', '2', `${lan.subnet}.22`).code, 0);
  assert.equal(box.sc('exec', b, 'ping', '-c', '1', '-W', '2', `${lan.subnet}.21`).code, 0);
  assert.match(box.sc('exec', a, 'ip', 'route').stdout, new RegExp(`default via ${lan.gateway.replaceAll('.', '\\.')}`));
  assert.equal(box.sc('exec', a, 'cat', '/etc/hostname').stdout.trim(), a);
  assert.match(box.sc('exec', a, 'cat', '/etc/hosts').stdout, new RegExp(`${lan.subnet.replaceAll('.', '\\.')}\\.21\\s+${a}`));
  // `ip netns exec` sees the container's network while it runs.
  assert.match(box.run('ip', ['netns', 'exec', `sc-${a}`, 'ip', '-o', 'addr']).stdout, new RegExp(`${lan.subnet.replaceAll('.', '\\.')}\\.21/24`));
  for (const n of [a, b]) assert.equal(box.sc('rm', '-f', n).code, 0);
  assert.equal(existsSync(`/run/netns/sc-${a}`), false);
});

test('dhcp: an address from dnsmasq with route and DNS; the same one after stop/start; released on stop', () => {
  const name = uniqueName('dh');
  const r = box.sc('run', '--name', name, '--net', 'dhcp', '--parent', lan.parent, 'busybox');
  assert.equal(r.code, 0, r.stderr);
  const first = ipOf(name);
  assert.match(first, new RegExp(`^${lan.subnet.replaceAll('.', '\\.')}\\.(1[0-4]\\d|150)$`));
  assert.match(box.sc('exec', name, 'cat', '/etc/resolv.conf').stdout, new RegExp(`nameserver ${lan.dns.replaceAll('.', '\\.')}`));
  assert.equal(box.sc('exec', name, 'ping', '-c', '1', '-W', '2', lan.gateway).code, 0);
  assert.ok(leases(lan).some((l) => l.ip === first), 'dnsmasq holds the lease');
  assert.equal(box.sc('stop', name).code, 0);
  assert.ok(!leases(lan).some((l) => l.ip === first), 'the lease is released on stop');
  assert.equal(box.sc('start', name).code, 0);
  assert.equal(ipOf(name), first, 'the MAC, and so the lease, is stable across stop/start');
  assert.equal(box.sc('rm', '-f', name).code, 0);
});

test('a missing parent device fails with one line and the run leaves nothing', () => {
  const name = uniqueName('np');
  const r = box.sc('run', '--name', name, '--net', 'dhcp', '--parent', 'scnosuch0', 'busybox');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^sc-net: .*scnosuch0/);
  assert.equal(docOf(name), undefined);
  assert.equal(existsSync(join(box.data, 'containers', name)), false);
  assert.equal(existsSync(`/run/netns/sc-${name}`), false);
});

test('an address already in use on the LAN is refused and the run rolled back', () => {
  const holder = uniqueName('hold');
  const ip = `${lan.subnet}.31/24`;
  assert.equal(box.sc('run', '--name', holder, '--net', 'static', '--parent', lan.parent, '--ip', ip, '--gateway', lan.gateway, 'busybox').code, 0);
  const name = uniqueName('dup');
  const r = box.sc('run', '--name', name, '--net', 'static', '--parent', lan.parent, '--ip', ip, '--gateway', lan.gateway, 'busybox');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already in use on the LAN/);
  assert.equal(docOf(name), undefined);
  assert.equal(box.sc('exec', holder, 'ping', '-c', '1', '-W', '2', lan.gateway).code, 0, 'the holder is untouched');
  assert.equal(box.sc('rm', '-f', holder).code, 0);
});

test('bad network flags are refused before anything is created', () => {
  for (const args of [['--net', 'static', '--parent', lan.parent, '--gateway', lan.gateway], ['--net', 'static', '--parent', lan.parent, '--ip', '10.0.0.1', '--gateway', lan.gateway], ['--net', 'dhcp'], ['--net', 'wifi']]) {
    const r = box.sc('run', '--name', uniqueName('bad'), ...args, 'busybox');
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.equal(readFileSync('/proc/self/mounts', 'utf8').includes(box.root), false);
});

test('dhcp: a renewal that brings another DNS server updates the container\'s resolv.conf', async () => {
  const name = uniqueName('dns');
  const r = box.sc('run', '--name', name, '--net', 'dhcp', '--parent', lan.parent, 'busybox');
  assert.equal(r.code, 0, r.stderr);
  const before = lan.dns;
  assert.match(box.sc('exec', name, 'cat', '/etc/resolv.conf').stdout, new RegExp(`nameserver ${before.replaceAll('.', '\\.')}`));
  const moved = `${lan.subnet}.3`;
  await changeDns(lan, moved);
  try {
    process.kill(docOf(name).net.dhcpPid, 'SIGUSR1'); // udhcpc: renew now
    let resolv = '';
    for (let i = 0; i < 100 && !resolv.includes(moved); i++) {
      await new Promise((res) => setTimeout(res, 30));
      resolv = box.sc('exec', name, 'cat', '/etc/resolv.conf').stdout;
    }
    assert.equal(resolv, `nameserver ${moved}\n`);
  } finally {
    await changeDns(lan, before);
    assert.equal(box.sc('rm', '-f', name).code, 0);
  }
});

test('dhcp with --userns; the client parsing the LAN\'s packets is an unprivileged host id with only the network capabilities it needs', () => {
  const name = uniqueName('dhu');
  const r = box.sc('run', '--name', name, '--userns', '--net', 'dhcp', '--parent', lan.parent, 'busybox');
  assert.equal(r.code, 0, r.stderr);
  const doc = docOf(name);
  assert.equal(box.sc('exec', name, 'ping', '-c', '1', '-W', '2', lan.gateway).code, 0);
  assert.match(box.sc('exec', name, 'cat', '/etc/resolv.conf').stdout, new RegExp(`nameserver ${lan.dns.replaceAll('.', '\\.')}`));
  // sc-dhcp (root, only reads what the client's script reports) and its child, udhcpc.
  const children = readFileSync(`/proc/${doc.net.dhcpPid}/task/${doc.net.dhcpPid}/children`, 'utf8').trim().split(' ').map(Number);
  assert.equal(children.length, 1);
  const status = readFileSync(`/proc/${children[0]}/status`, 'utf8');
  const field = (k) => new RegExp(`^${k}:\\s+(.*)$`, 'm').exec(status)[1];
  assert.match(readFileSync(`/proc/${children[0]}/cmdline`, 'utf8'), /^busybox\0udhcpc\0/);
  assert.equal(field('Uid').split(/\s+/)[0], String(2_000_000_000 + doc.process.pid), 'an id of its own, not root');
  const NET = (1n << 10n) | (1n << 12n) | (1n << 13n); // NET_BIND_SERVICE, NET_ADMIN, NET_RAW
  for (const set of ['CapEff', 'CapPrm', 'CapBnd']) assert.equal(BigInt(`0x${field(set)}`), NET, set);
  assert.equal(field('NoNewPrivs'), '1');
  const ns = (pid) => statSync(`/proc/${pid}/ns/net`).ino;
  assert.equal(ns(children[0]), ns(doc.process.pid), 'inside the container\'s network namespace');
  assert.equal(box.sc('rm', '-f', name).code, 0);
  assert.ok(!leases(lan).some((l) => l.ip === doc.net.address.split('/')[0]), 'released on rm');
});
