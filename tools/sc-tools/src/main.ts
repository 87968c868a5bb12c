// One executable for every tool, as busybox is for its applets: a tool starts in about half the time
// of a Bun bundle (bytecode, nothing to parse), and only the tool named is evaluated (lazy imports).
// The tools stay apart: each is its own package, pipes to the others, and imports none of them.
import { basename } from 'node:path';
import { runTool, writeErr, type ToolDefinition } from '@sc/core';

const tools: Record<string, () => Promise<{ tool: ToolDefinition }>> = {
  'sc-image': () => import('@sc/sc-image/tool'),
  'sc-rootfs': () => import('@sc/sc-rootfs/tool'),
  'sc-cgroup': () => import('@sc/sc-cgroup/tool'),
  'sc-net': () => import('@sc/sc-net/tool'),
  'sc-spawn': () => import('@sc/sc-spawn/tool'),
  'sc-ps': () => import('@sc/sc-ps/tool'),
};

// sc-oci, runc's command line for orchestrators, is a front end (like sc), not a tool of the pipeline: it runs
// them. It lives here for the same start-up time, which containerd and conmon pay on every call.
const frontEnds: Record<string, () => Promise<{ main: (argv: readonly string[]) => Promise<number> }>> = {
  'sc-oci': () => import('@sc/sc-oci/front'),
};

// Called by a tool's name (bin/sc-ps, a link to this file), or as `sc-tools TOOL ARGS...`.
let name = basename(process.argv0);
let argv = process.argv.slice(2);
const known = (n: string) => Object.hasOwn(tools, n) || Object.hasOwn(frontEnds, n);
if (!known(name) && argv[0] !== undefined && known(argv[0])) [name, argv] = [argv[0], argv.slice(1)];
if (Object.hasOwn(tools, name)) {
  void tools[name]!().then(({ tool }) => runTool(tool, argv));
} else if (Object.hasOwn(frontEnds, name)) {
  void frontEnds[name]!().then(({ main }) => main(argv)).then((code) => { process.exitCode = code; });
} else {
  writeErr(`sc-tools: run me by a tool's name (${[...Object.keys(tools), ...Object.keys(frontEnds)].join(', ')}), or as sc-tools TOOL ARGS...\n`);
  process.exitCode = 2;
}
