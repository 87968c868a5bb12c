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

// Called by a tool's name (bin/sc-ps, a link to this file), or as `sc-tools TOOL ARGS...`.
let name = basename(process.argv0);
let argv = process.argv.slice(2);
if (!Object.hasOwn(tools, name) && argv[0] !== undefined && Object.hasOwn(tools, argv[0])) [name, argv] = [argv[0], argv.slice(1)];
if (Object.hasOwn(tools, name)) {
  void tools[name]!().then(({ tool }) => runTool(tool, argv));
} else {
  writeErr(`sc-tools: run me by a tool's name (${Object.keys(tools).join(', ')}), or as sc-tools TOOL ARGS...\n`);
  process.exitCode = 2;
}
