// sc-oci: runc's command line over the sc tools, for containerd's runc shim, Podman's conmon and people.
// Global flags first (--root, --log, --log-format, --systemd-cgroup, --debug), then a command and its own.
import { ensurePrivateRoot, Layout, UsageError, VERSION, writeErr, writeOut } from '@sc/core';
import { flagsHelp, parseFlags, type Flags } from './cli.js';
import type { Command } from './command.js';
import { type Context } from './container.js';
import { ConfigError, OciError } from './errors.js';
import { Log } from './log.js';

/** Where runc keeps its state is /run/runc; ours sits beside it, on tmpfs: a host restart forgets it, as it should. */
export const DEFAULT_ROOT = '/run/sc-oci';

// Each command's code is loaded when it runs: containerd and conmon start sc-oci for every step.
const COMMANDS: Record<string, () => Promise<Command>> = {
  create: async () => (await import('./create.js')).create,
  start: async () => (await import('./start.js')).start,
  state: async () => (await import('./state.js')).state,
  kill: async () => (await import('./kill.js')).kill,
  delete: async () => (await import('./delete.js')).deleteCommand,
  exec: async () => (await import('./exec.js')).exec,
  ps: async () => (await import('./ps.js')).ps,
  update: async () => (await import('./update.js')).update,
  pause: async () => (await import('./pause.js')).pause,
  resume: async () => (await import('./pause.js')).resume,
  features: async () => (await import('./features.js')).features,
  spec: async () => (await import('./spec.js')).spec,
};

const GLOBAL: Flags = {
  root: { type: 'string', value: 'DIR', description: `where containers' records live (default ${DEFAULT_ROOT})` },
  log: { type: 'string', value: 'FILE', description: 'append errors and warnings to FILE too (containerd and conmon read it)' },
  'log-format': { type: 'string', value: 'text|json', description: 'the format of --log (default text)' },
  'systemd-cgroup': { type: 'boolean', description: 'cgroups through systemd: not supported (sc-oci writes cgroupfs itself)' },
  debug: { type: 'boolean', description: 'debug lines in --log' },
  rootless: { type: 'string', value: 'true|false|auto', description: 'rootless mode: only false and auto (as root) are taken' },
  criu: { type: 'string', value: 'PATH', description: 'checkpoint/restore helper: taken and unused (sc-oci has no checkpoint)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
};

async function help(): Promise<string> {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const summaries = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(width)}  ${(await load()).summary}`));
  return [
    "sc-oci — runc's command line over the sc tools, for containerd, Kubernetes and Podman",
    '',
    'Usage: sc-oci [GLOBAL FLAGS] COMMAND [FLAGS] ID [ARGS]',
    '',
    'containerd (a runtime whose BinaryName is sc-oci), Kubernetes (a RuntimeClass naming that runtime) and',
    "Podman (--runtime) drive it as they drive runc. Each container is an sc container whose PID 1 is the",
    "bundle's process: create sets it all up and holds it; start releases it.",
    '',
    'Verbs (runc calls them commands):',
    ...summaries,
    '',
    'Global flags:',
    flagsHelp(GLOBAL),
    '',
    "sc-oci COMMAND --help shows a command's flags. Exit status: 0 done, 1 failed (one line on stderr, and in --log),",
    "2 bad usage; exec returns its process's status.",
  ].join('\n');
}

function commandHelp(name: string, c: Command): string {
  const flags = flagsHelp(c.flags);
  return `Usage: sc-oci ${name} ${c.usage}\n\n${c.summary}\n${flags ? `\nFlags:\n${flags}\n` : ''}`;
}

/** runc's command line: ARGV after the program's name; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let log = new Log(undefined, 'text', false);
  try {
    const global = parseFlags(argv, GLOBAL, 'sc-oci');
    const o = global.options;
    if (o.version) {
      writeOut(`sc-oci version ${VERSION}\nspec: 1.1.0\n`);
      return 0;
    }
    const [name, ...rest] = global.args;
    if (o.help || name === undefined || name === 'help') {
      (name === undefined && !o.help ? writeErr : writeOut)(`${await help()}\n`);
      return name === undefined && !o.help ? 2 : 0;
    }
    const format = String(o['log-format'] ?? 'text');
    if (format !== 'text' && format !== 'json') throw new UsageError(`--log-format ${JSON.stringify(format)}: text or json`);
    log = new Log(o.log === undefined ? undefined : String(o.log), format, o.debug === true);
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name]! : undefined;
    if (!load) {
      const known = ['checkpoint', 'restore', 'events', 'list', 'run'];
      throw new UsageError(`no command ${JSON.stringify(name)}${known.includes(name) ? ': sc-oci does not offer it' : ''} (sc-oci --help lists them)`);
    }
    if (o['systemd-cgroup']) throw new OciError('--systemd-cgroup is not supported: sc-oci manages cgroupfs itself; set SystemdCgroup = false (containerd) or cgroup_manager = "cgroupfs" (Podman)');
    if (o.rootless !== undefined && o.rootless !== 'false' && !(o.rootless === 'auto' && process.getuid?.() === 0))
      throw new OciError('--rootless is not supported: sc-oci runs as root');
    const command = await load();
    const parsed = parseFlags(rest, { ...command.flags, help: { type: 'boolean', short: 'h', description: 'show this help' } }, name);
    if (parsed.options.help) {
      writeOut(commandHelp(name, command));
      return 0;
    }
    const root = String(o.root ?? DEFAULT_ROOT);
    if (!root.startsWith('/')) throw new UsageError(`--root ${JSON.stringify(root)} must be an absolute path`);
    ensurePrivateRoot(root);
    const ctx: Context = { root, layout: new Layout(root), log, env: { ...process.env, SC_ROOT: root } };
    return await command.run(ctx, parsed);
  } catch (err) {
    if (err instanceof UsageError) {
      log.error(err.message);
      return 2;
    }
    if (err instanceof OciError || err instanceof ConfigError) {
      log.error(err.message);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    log.error(e.code && e.message ? e.message : String(err));
    return 1;
  }
}
