// A throw-away LAN for the network tests: a "lan" netns holding the gateway address (and dnsmasq as
// DHCP server), joined to the host by a veth pair whose host end is the macvlan parent. Also the
// stand-in "container" (a process in fresh namespaces) and a way to feed documents to sc-net.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BIN = resolve(import.meta.dirname, '../out/bin');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function sh(file, args, opts = {}) {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

export const rand = () => randomBytes(3).toString('hex');

/** A 10.213.N.0/24 that no host route covers (the LAN is isolated anyway: the host end of the veth gets no address). */
function freeSubnet() {
  const routes = JSON.parse(sh('ip', ['-j', '-4', 'route', 'show', 'table', 'all']))
    .map((r) => r.dst).filter((d) => d && d !== 'default');
  for (let i = 0; i < 50; i++) {
    const n = 1 + Math.floor(Math.random() * 250);
    const probe = `10.213.${n}`;
    if (!routes.some((d) => covers(d, `${probe}.0`) || covers(`${probe}.0/24`, d.split('/')[0]))) return probe;
  }
  throw new Error('no free 10.213.N.0/24 test subnet');
}

function covers(cidr, ip) {
  const [net, bits = '32'] = cidr.split('/');
  const toInt = (a) => a.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((toInt(net) & mask) >>> 0) === ((toInt(ip) & mask) >>> 0);
}

/**
 * Build the LAN; with dhcp:false nobody answers DHCP on it. close() always tears everything down.
 * --no-ping by default: dnsmasq otherwise pings each new address for ~3 s before offering it.
 */
export async function createLan({ dhcp = true, dnsmasqArgs = ['--no-ping'] } = {}) {
  const id = rand();
  const lan = {
    ns: `sclan-${id}`, parent: `scv${id}`, peer: `scp${id}`, subnet: freeSubnet(),
    dir: mkdtempSync(join(tmpdir(), 'sclan-')), dnsmasq: undefined,
  };
  lan.gateway = `${lan.subnet}.1`;
  lan.dns = `${lan.subnet}.2`;
  lan.leases = join(lan.dir, 'leases');
  lan.close = () => closeLan(lan);
  try {
    sh('ip', ['netns', 'add', lan.ns]);
    sh('ip', ['link', 'add', lan.parent, 'type', 'veth', 'peer', 'name', lan.peer, 'netns', lan.ns]);
    sh('ip', ['link', 'set', lan.parent, 'up']);
    sh('ip', ['-n', lan.ns, 'link', 'set', lan.peer, 'up']);
    sh('ip', ['-n', lan.ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', lan.ns, 'addr', 'add', `${lan.gateway}/24`, 'dev', lan.peer]);
    lan.dnsmasqArgs = dnsmasqArgs;
    if (dhcp) await startDnsmasq(lan, dnsmasqArgs);
  } catch (err) {
    closeLan(lan);
    throw err;
  }
  return lan;
}

/** Restart the DHCP server handing out another DNS server (its lease file stays). */
export async function changeDns(lan, dns) {
  const old = lan.dnsmasq;
  await new Promise((resolve) => { old.once('exit', resolve); old.kill('SIGTERM'); });
  lan.dns = dns;
  await startDnsmasq(lan, lan.dnsmasqArgs);
}

async function startDnsmasq(lan, extra = []) {
  const log = join(lan.dir, 'dnsmasq.log');
  rmSync(log, { force: true });
  lan.dnsmasq = spawn('ip', ['netns', 'exec', lan.ns, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--user=root',
    '--port=0', `--interface=${lan.peer}`, '--bind-interfaces', `--dhcp-range=${lan.subnet}.100,${lan.subnet}.150,255.255.255.0,1h`,
    `--dhcp-option=3,${lan.gateway}`, `--dhcp-option=6,${lan.dns}`, `--dhcp-leasefile=${lan.leases}`,
    `--pid-file=${join(lan.dir, 'dnsmasq.pid')}`, '--dhcp-authoritative', `--log-facility=${log}`, ...extra], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (existsSync(log) && readFileSync(log, 'utf8').includes('DHCP, sockets bound')) return;
    if (lan.dnsmasq.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`dnsmasq did not start in ${lan.ns}: ${existsSync(log) ? readFileSync(log, 'utf8') : 'no log'}`);
}

/** Lines of dnsmasq's lease file: {expiry, mac, ip, hostname}. */
export function leases(lan) {
  if (!existsSync(lan.leases)) return [];
  return readFileSync(lan.leases, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [expiry, mac, ip, hostname] = l.split(' ');
    return { expiry, mac, ip, hostname };
  });
}

function closeLan(lan) {
  if (lan.dnsmasq && lan.dnsmasq.exitCode === null) lan.dnsmasq.kill('SIGKILL');
  spawnSync('ip', ['link', 'del', lan.parent], { stdio: 'ignore' });
  spawnSync('ip', ['netns', 'delete', lan.ns], { stdio: 'ignore' });
  rmSync(lan.dir, { recursive: true, force: true });
}


/** A container for sc-net to attach: the native spawner's PID 1 on ROOT (a directory); kill() takes it down. */
export async function startStandIn(root) {
  const r = spawnSync(join(BIN, '..', 'libexec', 'sc-init'), ['--root', root, '--hostname', 'standin', '--grace', '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the stand-in container did not start: ${r.stderr}`);
  const pid = JSON.parse(r.stdout).pid;
  const standIn = {
    pid,
    startTime: startTime(pid),
    root,
    kill: async () => {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      for (let i = 0; i < 100 && startTime(pid) === standIn.startTime; i++) await sleep(20);
    },
  };
  return standIn;
}

/** Start time (field 22 of /proc/PID/stat), or undefined when gone or a zombie. */
export function startTime(pid) {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : Number(fields[19]);
}

function readOr(path) {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

/** A temporary SC_ROOT and SC_CONFIG, with out/bin on PATH. */
export function scEnv() {
  const root = mkdtempSync(join(tmpdir(), 'sc-net-test-'));
  const config = join(root, 'sc.json5');
  writeFileSync(config, '{}\n');
  return { root, env: { ...process.env, SC_ROOT: root, SC_CONFIG: config, PATH: `${BIN}:${process.env.PATH}` } };
}

/** Feed documents to `sc-net VERB ARGS`; returns the exit status, stderr and the documents written. */
export function scNet(env, verb, docs, args = []) {
  const input = [docs].flat().map((d) => JSON.stringify(d) + '\n').join('');
  const r = spawnSync(join(BIN, 'sc-net'), [verb, ...args], { input, env, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, docs: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

/** Run a command inside a process's network namespace. */
export function inNet(pid, file, args) {
  return spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, file, ...args], { encoding: 'utf8' });
}
