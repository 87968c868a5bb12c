import { rmSync } from 'node:fs';
import { dirname, normalize } from 'node:path';
import { StepError, type StreamVerb } from '@sc/core';
import { cgroupsOf, detectHierarchies, removeCgroupDir, waitEmpty } from './hierarchy.js';

const WAIT_MS = 5000;

export const deleteVerb: StreamVerb = {
  kind: 'inverse',
  concurrent: true,
  summary: "remove each container's cgroups once their processes are gone (waits up to 5 s); a missing cgroup is fine",
  reads: 'name spec.cgroupsPath cgroup.paths (derived from the name, or spec.cgroupsPath, when absent)',
  writes: 'cgroup (removed)',
  async each(doc, ctx) {
    const h = detectHierarchies();
    const cg = cgroupsOf(h, ctx.config.cgroupParent, doc);
    const roots = new Set([...Object.values(h.roots), ...(h.systemd ? [h.systemd] : [])]);
    // A document's paths are trusted only where ours would be: <hierarchy root>/<parent>/<name> (with a
    // cgroupsPath, the spec says where they are).
    const fromDoc = (doc.spec.cgroupsPath !== undefined ? [] : doc.cgroup?.paths ?? []).filter((p) => {
      const ours = typeof p === 'string' && normalize(p) === p && p.endsWith(`/${doc.name}`) && roots.has(dirname(dirname(p)));
      if (!ours) ctx.say(`${doc.name}: left ${JSON.stringify(p)} alone: not a cgroup of ours`);
      return ours;
    });
    const paths = [...new Set([...cg.paths, ...(cg.systemd ? [cg.systemd] : []), ...fromDoc])];
    const busy: string[] = [];
    const deadline = Date.now() + WAIT_MS; // one wait for all the container's cgroups, not one each
    for (const p of paths) {
      const left = await waitEmpty(p, deadline - Date.now());
      if (left.length > 0) busy.push(`${p} (pids ${left.join(', ')})`);
      else removeCgroupDir(p, true);
    }
    if (busy.length > 0)
      throw new StepError('EBUSY', `cgroup ${busy.join(', ')} still has processes after ${WAIT_MS / 1000} s; stop them first (sc stop ${doc.name})`);
    // Our shared parent goes when it is empty; another container's cgroup in it keeps it.
    // (Under a cgroupsPath the parents are whoever made them, an orchestrator's: not ours to remove.)
    for (const parent of doc.spec.cgroupsPath !== undefined ? [] : new Set([...cg.parents, ...paths.map((p) => dirname(p))])) {
      try {
        removeCgroupDir(parent);
      } catch (err) {
        if (!['EBUSY', 'ENOTEMPTY'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      }
    }
    rmSync(ctx.layout.cgroupPaths(doc.name), { force: true });
    doc.cgroup = undefined;
  },
};
