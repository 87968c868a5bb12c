import { loadConfig, type Config } from './config.js';
import type { Doc } from './document.js';
import { EXIT, InputError, StepError, UsageError, stepError } from './errors.js';
import { Layout } from './layout.js';
import { ensurePrivateRoot } from './data-root.js';
import { readDocuments, writeDocument } from './ndjson.js';
import { stdinIsTerminal, writeErr, writeOut } from './io.js';
import { formatTable } from './table.js';
import { parseFlags, type OptionSpec, type Options } from './args.js';

export const VERSION = '0.1.0';

export interface Context {
  tool: string;
  verb: string;
  options: Options;
  args: string[];
  readonly config: Config;
  readonly layout: Layout;
  /** Write one JSON line on stdout. */
  emit(value: unknown): Promise<void>;
  /** One human line on stderr, prefixed with the tool's name. */
  say(message: string): void;
}

interface VerbBase {
  summary: string;
  /** Positional arguments as shown in --help, e.g. "NAME...". */
  usage?: string;
  options?: Record<string, OptionSpec>;
  /** The document sections a verb reads and writes, for --help. */
  reads?: string;
  writes?: string;
  /** Validate flags and arguments once, before any document is touched; throw UsageError. */
  check?(ctx: Context): void;
}

/** Reads documents on stdin, does its step on each, writes each on stdout, in order. */
export interface StreamVerb extends VerbBase {
  kind: 'forward' | 'inverse';
  /** Check a document carries what the verb needs; throw InputError (exit 3). Forward verbs skip this for documents carrying an error. */
  needs?(doc: Doc): void;
  each(doc: Doc, ctx: Context): Promise<void> | void;
  /** With --table, a table for people (one row per document) instead of the documents. */
  table?: { header: string[]; row(doc: Doc): string[] };
  /**
   * Mostly waiting (on a shutdown, a lease): the runner reads every document first, then works on
   * them side by side (each independent of the others), and writes them on in order.
   */
  concurrent?: boolean;
}

/** Anything else: makes documents from arguments (sc-ps create, get, list) or works on images. */
export interface CommandVerb extends VerbBase {
  kind: 'command';
  run(ctx: Context): Promise<number | void> | number | void;
}

export type Verb = StreamVerb | CommandVerb;

export interface ToolDefinition {
  name: string;
  summary: string;
  verbs: Record<string, Verb>;
  /** One example pipeline for --help. */
  example: string;
}

const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  a document failed (its error rides in the document, one line on stderr)',
  '  2  usage: bad flags or arguments',
  '  3  stdin was not valid container documents',
].join('\n');

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };
const TABLE_OPTION: OptionSpec = { type: 'boolean', description: 'a table for people instead of the documents' };

/** A verb's flags, with --help, and --table for a stream verb that has a table. */
function optionsOf(verb: Verb): Record<string, OptionSpec> {
  const table: Record<string, OptionSpec> = verb.kind !== 'command' && verb.table ? { table: TABLE_OPTION } : {};
  return { ...verb.options, ...table, help: HELP_OPTION };
}

/** The one entry every tool hands its verbs to: argv, stdin, stdout, errors and exit codes. */
export async function runTool(def: ToolDefinition, argv = process.argv.slice(2)): Promise<void> {
  let code: number;
  try {
    code = await dispatch(def, argv);
  } catch (err) {
    code = reportFatal(def.name, err);
  }
  process.exitCode = code;
}

async function dispatch(def: ToolDefinition, argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    writeErr(toolHelp(def));
    return EXIT.USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    writeOut(toolHelp(def));
    return EXIT.OK;
  }
  if (first === '--version' || first === '-V') {
    writeOut(`${def.name} ${VERSION}\n`);
    return EXIT.OK;
  }
  const verb = Object.hasOwn(def.verbs, first) ? def.verbs[first] : undefined;
  if (!verb) throw new UsageError(`unknown verb ${JSON.stringify(first)}; verbs: ${Object.keys(def.verbs).join(', ')} (see ${def.name} --help)`);

  const { options, positionals } = parseFlags(rest, optionsOf(verb));
  if (options.help) {
    writeOut(verbHelp(def, first, verb));
    return EXIT.OK;
  }
  // A stream verb reads the config with its first document: in a pipeline whose first tool failed on a
  // bad config, the tools after it have nothing to do, and the user reads the failure once, not once per tool.
  const { ctx, readConfig } = makeContext(def.name, first, options, positionals);
  if (verb.kind === 'command') await readConfig();
  if (!verb.usage && positionals.length > 0) throw new UsageError(`${first} takes no arguments (got ${JSON.stringify(positionals[0])})`);
  verb.check?.(ctx);
  if (verb.kind === 'command') return (await verb.run(ctx)) ?? EXIT.OK;
  return runStream(def.name, verb, ctx, readConfig);
}

/** How many documents a concurrent verb works on at once. */
const CONCURRENCY = 16;

/** Run `work` on every item, at most `limit` at a time; the first error thrown (usage, input) is thrown. */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function runStream(tool: string, verb: StreamVerb, ctx: Context, readConfig: () => Promise<void>): Promise<number> {
  if (stdinIsTerminal())
    throw new UsageError(`${ctx.verb} reads container documents on stdin, e.g. sc-ps get NAME | ${tool} ${ctx.verb}`);
  let failed = false;
  const rows: string[][] = [];
  const skips = (doc: Doc) => doc.error !== undefined && verb.kind === 'forward';
  const step = async (doc: Doc) => {
    const carried = doc.error !== undefined;
    try {
      await verb.each(doc, ctx);
    } catch (err) {
      if (err instanceof InputError || err instanceof UsageError) throw err;
      const e = stepError(err);
      writeErr(`${tool}: ${doc.name}: ${e.message}\n`);
      // An inverse verb cleaning up after a failure keeps the first cause; its own failure is on stderr.
      if (!carried) doc.error = { tool, code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) };
    }
  };
  const output = (doc: Doc) => {
    if (doc.error !== undefined) failed = true;
    if (verb.table && ctx.options.table) rows.push(verb.table.row(doc));
    else writeDocument(doc);
  };
  if (verb.concurrent) {
    // A verb that mostly waits (a container's shutdown, a DHCP release) takes its documents together:
    // all read and checked first, then done side by side, written on in their order.
    const docs: Doc[] = [];
    for await (const doc of readDocuments()) docs.push(doc);
    if (docs.length > 0) await readConfig();
    for (const doc of docs) if (!skips(doc)) verb.needs?.(doc);
    await inPool(docs.filter((d) => !skips(d)), CONCURRENCY, step);
    docs.forEach(output);
  } else {
    for await (const doc of readDocuments()) {
      await readConfig();
      if (!skips(doc)) {
        verb.needs?.(doc);
        await step(doc);
      }
      output(doc);
    }
  }
  if (verb.table && ctx.options.table) writeOut(formatTable(verb.table.header, rows));
  return failed ? EXIT.FAILED : EXIT.OK;
}

function makeContext(tool: string, verb: string, options: Options, args: string[]): { ctx: Context; readConfig: () => Promise<void> } {
  let layout: Layout | undefined;
  let loaded: Config | undefined;
  const config = (): Config => {
    if (!loaded) throw new Error('the config is read before a verb works (readConfig)');
    return loaded;
  };
  const ctx: Context = {
    tool,
    verb,
    options,
    args,
    get config() {
      return config();
    },
    get layout() {
      // Whoever first works under the data root (as root) makes sure it is closed to other users.
      if (!layout && process.getuid?.() === 0) ensurePrivateRoot(config().root);
      return (layout ??= new Layout(config().root));
    },
    emit: async (value) => writeDocument(value),
    say: (message) => writeErr(`${tool}: ${message}\n`),
  };
  return { ctx, readConfig: async () => { loaded ??= await loadConfig(); } };
}

function reportFatal(tool: string, err: unknown): number {
  if (err instanceof UsageError) {
    writeErr(`${tool}: ${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof InputError) {
    writeErr(`${tool}: ${err.message}\n`);
    return EXIT.BAD_INPUT;
  }
  if (err instanceof StepError) {
    writeErr(`${tool}: ${err.message}\n`);
    return EXIT.FAILED;
  }
  writeErr(`${tool}: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.FAILED;
}

function optionLines(options: Record<string, OptionSpec> = {}): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(28)} ${o.description}${o.multiple ? ' (repeatable)' : ''}`;
  });
}

/** What a verb does with documents, e.g. "forward: reads name image.layers; writes rootfs"; empty when it declares nothing. */
function documentsLine(verb: Verb): string {
  if (verb.kind === 'command' && verb.reads === undefined && verb.writes === undefined) return '';
  return `${verb.kind}: reads ${verb.reads ?? '-'}; writes ${verb.writes ?? '-'}`;
}

export function toolHelp(def: ToolDefinition): string {
  const width = Math.max(...Object.keys(def.verbs).map((v) => v.length));
  // The documents line goes under the summary, in parentheses: it still reads right when a man page joins the two.
  const verbs = Object.entries(def.verbs).flatMap(([name, v]) => {
    const io = documentsLine(v);
    return [`  ${name.padEnd(width)}  ${v.summary}`, ...(io ? [`  ${' '.repeat(width)}  (${io})`] : [])];
  });
  return [
    `${def.name} — ${def.summary}`,
    '',
    `Usage: ${def.name} VERB [FLAGS] [ARGS]`,
    `  or:  ${def.name} VERB --help`,
    '',
    'Verbs (forward: does its step, passes documents carrying an error through; inverse: undoes it,',
    'even after an error; command: works from its arguments, some also from documents on stdin):',
    ...verbs,
    '',
    'Options:',
    '  -h, --help     show this help (after a verb: that verb\'s flags)',
    '  -V, --version  print the version',
    '',
    'Documents: NDJSON, one container document per line, on stdin and stdout, in order. Each tool',
    'writes only its own section; a document that fails gets an "error" and still goes on, so one bad',
    'container never stops a batch.',
    '',
    EXIT_CODES_HELP,
    '',
    'Example:',
    `  ${def.example}`,
    '',
  ].join('\n');
}

export function verbHelp(def: ToolDefinition, name: string, verb: Verb): string {
  const io = documentsLine(verb);
  return [
    `Usage: ${def.name} ${name}${Object.keys(optionsOf(verb)).length > 1 ? ' [FLAGS]' : ''}${verb.usage ? ` ${verb.usage}` : ''}${verb.kind === 'command' ? '' : ' < DOCUMENTS'}`,
    '',
    verb.summary,
    '',
    ...(io ? [`Documents (${io.replace(':', ' verb):')}.`, ''] : []),
    'Flags:',
    ...optionLines(optionsOf(verb)),
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}
