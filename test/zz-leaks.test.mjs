// Runs last (files run in name order, one at a time): fails the suite if any test left something
// of ours on the machine — mounts, loop devices, cgroups, processes, network namespaces or links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';

const SANDBOX = `${tmpdir()}/sc-e2e-`;

function livePids() {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p));
}

function cmdline(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return '';
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function statusOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

function cgroupOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
}

test('no test left anything of ours on the machine', () => {
  const found = [];
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    if (line.includes(SANDBOX)) found.push(`mount: ${line}`);
  }
  for (const device of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    try {
      const file = readFileSync(`/sys/block/${device}/loop/backing_file`, 'utf8').trim();
      if (file.startsWith(SANDBOX)) found.push(`loop device: /dev/${device} ${file}`);
    } catch { /* not attached */ }
  }
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', controller);
    if (!statSync(dir).isDirectory()) continue;
    for (const entry of readdirSync(dir)) if (entry.startsWith('sc-test-') || entry.startsWith('sc-bench-')) found.push(`cgroup: ${dir}/${entry}`);
  }
  for (const pid of livePids()) {
    const cmd = cmdline(pid);
    if (cmd.includes(SANDBOX) || /\bsclan-|\budhcpc\b.*sc-e2e|dnsmasq.*sc-e2e/.test(cmd)) found.push(`process ${pid}: ${cmd}`);
    // A DHCP client runs as 2000000000 + its container's pid: a leaked one has no container left.
    else if (/^Uid:\s+20\d{8}\s/m.test(statusOf(pid)) && cmd.includes('udhcpc')) found.push(`process ${pid} (a DHCP client): ${cmd}`);
    // A container's PID 1 names no host path: its cgroup (under a test's parent) gives it away.
    else if (/^\d+:[^:]*:\/sc-(test|bench)-/m.test(cgroupOf(pid))) found.push(`process ${pid} in ${cgroupOf(pid).split('\n')[0]}: ${cmd}`);
  }
  // A netns handle of ours with no process left inside is a leak (a running container's has its PID 1).
  const inUse = new Set();
  for (const pid of livePids()) {
    try { inUse.add(statSync(`/proc/${pid}/ns/net`).ino); } catch { /* gone */ }
  }
  if (existsSync('/run/netns')) {
    for (const ns of readdirSync('/run/netns')) {
      if (ns.startsWith('sclan-')) { found.push(`netns: ${ns}`); continue; }
      if (!ns.startsWith('sc-')) continue;
      try {
        if (!inUse.has(statSync(`/run/netns/${ns}`).ino)) found.push(`netns: ${ns} (no process inside)`);
      } catch { /* removed meanwhile */ }
    }
  }
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  for (const line of links.split('\n')) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (name && /^scv/.test(name)) found.push(`link: ${name}`);
  }
  assert.deepEqual(found, []);
});
