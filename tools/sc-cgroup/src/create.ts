import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError, SPEC_OPTIONS, specFromOptions, stepError, writeFileAtomic, type Doc, type StreamVerb } from '@sc/core';
import { cgroupsOf, detectHierarchies, removeCgroupDir, type ContainerCgroups } from './hierarchy.js';
import { applyDeviceRules, applyRules } from './devices.js';
import { knobWrites, subtreeControl, type Limit } from './limits.js';

export const create: StreamVerb = {
  kind: 'forward',
  summary: "make each container's cgroups under our parent (or at spec.cgroupsPath) and write its limits (flags fill spec, else spec's values are used); " +
    'v1: allow only the standard /dev nodes unless spec.privileged, after spec.deviceRules when given',
  reads: 'name spec.memory spec.cpus spec.pids spec.cpuShares spec.memorySwap spec.deviceRules spec.cgroupsPath spec.privileged spec.boot',
  writes: 'spec.memory spec.cpus spec.pids cgroup',
  options: { memory: SPEC_OPTIONS.memory, cpus: SPEC_OPTIONS.cpus, pids: SPEC_OPTIONS.pids },
  check(ctx) {
    specFromOptions(ctx.options);
  },
  each(doc, ctx) {
    Object.assign(doc.spec, specFromOptions(ctx.options));
    checkSpecLimits(doc);
    const cg = cgroupsOf(detectHierarchies(), ctx.config.cgroupParent, doc);
    // A booted systemd tracks its processes in a name=systemd hierarchy of its own (v1; on v2 the unified tree is enough).
    if (doc.spec.boot && cg.systemd) cg.paths.push(cg.systemd);
    const made = cg.paths.filter((p) => !existsSync(p));
    try {
      const skipped = applyLimits(cg, doc);
      if (skipped.size > 0)
        ctx.say(`${doc.name}: not applied: ${[...skipped.entries()].map(([l, f]) => `${l} limit (no ${f})`).join(', ')}: the hierarchy at ${cg.paths.join(', ')} lacks those controllers`);
    } catch (err) {
      // Undo only the cgroups this call made; an existing one (a re-create) keeps running as it was.
      for (const p of [...made, ...cg.parents]) try { removeCgroupDir(p); } catch { /* in use, or reported below */ }
      throw err;
    }
    doc.cgroup = { version: cg.version, paths: cg.paths };
    // For sc exec (bash reads no JSON): beside the record, when there is one.
    if (existsSync(ctx.layout.container(doc.name))) writeFileAtomic(ctx.layout.cgroupPaths(doc.name), cg.paths.map((p) => `${p}\n`).join(''));
    // What a booted init mounts at /sys/fs/cgroup (v1), or an OCI config's cgroup mount binds: each hierarchy the container has a cgroup in.
    if (cg.version === 1 && (doc.spec.boot || doc.spec.cgroupsPath !== undefined))
      doc.cgroup.options = Object.fromEntries(cg.paths.map((p) => [p, cg.options[p] ?? '']));
  },
};

/** Make the directories and write every knob; returns the requested limits that had no knob to write. */
function applyLimits(cg: ContainerCgroups, doc: Doc): Map<Limit, string> {
  if (cg.version === 2) enableControllers(dirname(dirname(cg.paths[0]!)), dirname(cg.paths[0]!));
  const newDevices = cg.dirs.devices !== undefined && !existsSync(cg.dirs.devices);
  for (const p of cg.paths) mkdirSync(p, { recursive: true });
  const skipped = new Map<Limit, string>();
  for (const w of knobWrites(cg.version, doc.spec)) {
    const dir = cg.dirs[w.controller];
    const written = dir !== undefined && writeKnob(join(dir, w.file), w.value, cg.fake);
    if (!written && w.limit && !w.optional) skipped.set(w.limit, dir ? w.file : `${w.controller} controller`);
  }
  // v2 has no devices files (it needs a BPF program, not done): there a container may use any device node it can make.
  if (cg.version === 1 && cg.dirs.devices && doc.spec.deviceRules) {
    if (newDevices) applyRules(cg.dirs.devices, doc.spec.deviceRules);
  } else if (cg.version === 1 && cg.dirs.devices) applyDeviceRules(cg.dirs.devices, doc.spec.privileged === true);
  return skipped;
}

/** v2: a cgroup gets a controller's knobs only when its parent lists it in cgroup.subtree_control. */
function enableControllers(root: string, parent: string): void {
  const wanted = subtreeControl(readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/));
  if (!wanted) return;
  mkdirSync(parent, { recursive: true });
  for (const dir of [root, parent]) {
    const file = join(dir, 'cgroup.subtree_control');
    const current = existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/) : [];
    if (wanted.split(' ').every((c) => current.includes(c.slice(1)) || current.includes(c))) continue;
    try {
      writeFileSync(file, wanted);
    } catch (err) {
      throw stepError(err, `cannot enable ${wanted} in ${file}`);
    }
  }
}

/** Write one knob; false when the file does not exist (on a fake tree the file is created instead). */
function writeKnob(path: string, value: string, fake: boolean): boolean {
  try {
    writeFileSync(path, value, { flag: fake ? 'w' : 'r+' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw stepError(err, `cannot write ${value} to ${path}`);
  }
}

/** Limits that come from a saved document rather than flags are checked here (flags were checked by specFromOptions). */
function checkSpecLimits(doc: Doc): void {
  const { memory, cpus, pids, cpuShares, memorySwap } = doc.spec;
  const bad = (field: string, value: unknown, what: string) =>
    new InputError(`${doc.name}: spec.${field} ${JSON.stringify(value)} must be ${what}`);
  if (memory !== undefined && !(Number.isSafeInteger(memory) && memory > 0)) throw bad('memory', memory, 'a number of bytes');
  if (cpus !== undefined && !(typeof cpus === 'number' && cpus >= 0.01 && Number.isFinite(cpus))) throw bad('cpus', cpus, 'a number of cores of at least 0.01');
  if (pids !== undefined && !(Number.isSafeInteger(pids) && pids >= 1)) throw bad('pids', pids, 'a whole number of at least 1');
  if (cpuShares !== undefined && !(Number.isSafeInteger(cpuShares) && cpuShares >= 2 && cpuShares <= 262144)) throw bad('cpuShares', cpuShares, 'a whole number from 2 to 262144');
  if (memorySwap !== undefined && !(Number.isSafeInteger(memorySwap) && memory !== undefined && memorySwap >= memory))
    throw bad('memorySwap', memorySwap, 'a number of bytes, with spec.memory, at least as large');
}
