// npm run bench [-- --help] [-- --quick] [-- extract parse memory poll latency] [-- --rounds N --scale-feeds 100000 --scale-processes 1,3 --poll-feeds N --memory-feeds N --idle-seconds S --latency-samples N]
// Every contender, Herald and baselines alike, runs in a fresh process of its own, rounds interleaved;
// figures are printed as Markdown tables with median, min–max and the ratio to the baseline. Nothing asserts.
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchExtract } from './extract.js';
import { benchLatency } from './latency.js';
import type { Sizes } from './lib.js';
import { benchMemory } from './memory.js';
import { benchParse } from './parse.js';
import { benchPoll } from './poll.js';

const FULL: Sizes = {
  rounds: 3,
  extractPages: 1000,
  seconds: 3,
  generatedItems: 500,
  memoryFeeds: 10_000,
  idleSeconds: 30,
  pollFeeds: 10_000,
  scaleFeeds: [10_000, 30_000],
  scaleProcesses: [1, 3],
  latencySamples: 40,
};

/** --quick: every row once, tiny sizes, in about a minute; for checking the harness, not for figures. */
const QUICK: Sizes = {
  rounds: 1,
  extractPages: 3,
  seconds: 0.1,
  generatedItems: 50,
  memoryFeeds: 50,
  idleSeconds: 1,
  pollFeeds: 200,
  scaleFeeds: [200],
  scaleProcesses: [1, 3],
  latencySamples: 2,
};

const benches: Record<string, (sizes: Sizes) => Promise<void>> = {
  extract: benchExtract,
  parse: benchParse,
  memory: benchMemory,
  poll: benchPoll,
  latency: benchLatency,
};

/** Every option: its kind, what it sets, and how it is read (positive integers unless said otherwise). */
const OPTIONS = {
  rounds: { what: 'interleaved rounds: fresh processes per contender', default: (d: Sizes) => String(d.rounds) },
  'poll-feeds': { what: 'feeds per poll process', default: (d: Sizes) => String(d.pollFeeds) },
  'scale-feeds': { what: 'scale table feed counts, comma-separated', default: (d: Sizes) => d.scaleFeeds.join(',') },
  'scale-processes': { what: 'scale table process counts, comma-separated', default: (d: Sizes) => d.scaleProcesses.join(',') },
  'memory-feeds': { what: 'feeds of the idle bot', default: (d: Sizes) => String(d.memoryFeeds) },
  'idle-seconds': { what: 'seconds the bot is left idle before its memory is read', default: (d: Sizes) => String(d.idleSeconds) },
  'latency-samples': { what: 'stories per latency contender', default: (d: Sizes) => String(d.latencySamples) },
} as const;
type SizeOption = keyof typeof OPTIONS;

const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--poll-feeds N] [--scale-feeds N,N…] [--scale-processes N,N…] [--memory-feeds N] [--idle-seconds N] [--latency-samples N] [group…]

Runs every contender in a fresh process of its own, rounds interleaved, and prints Markdown tables.
groups (default: all, in this order): ${Object.keys(benches).join(', ')}
options (default of a full run; --quick's in brackets):
  --help               this text
  --quick              every row once with tiny sizes, to check the harness (figures mean nothing)
${(Object.entries(OPTIONS) as Array<[SizeOption, (typeof OPTIONS)[SizeOption]]>)
  .map(([name, option]) => `  --${`${name} N`.padEnd(19)}${option.what} (default ${option.default(FULL)} [${option.default(QUICK)}])`)
  .join('\n')}`;

/** Stops the bench with one line saying what to fix (exit code 2: bad usage). */
function usageError(message: string): never {
  console.error(`bench: ${message}; see npm run bench -- --help`);
  process.exit(2);
}

/** The option's value as positive whole numbers (underscores allowed as separators: 100_000), comma-separated where `list`. */
function positiveIntegers(name: SizeOption, text: string, list: boolean): number[] {
  const parts = text.split(',');
  if (!list && parts.length > 1) usageError(`--${name} takes one number, not a list: ${text}`);
  return parts.map((part) => {
    const n = /^\d[\d_]*$/.test(part.trim()) ? Number(part.trim().replace(/_/g, '')) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) usageError(`--${name} must be ${list ? 'a comma-separated list of whole numbers' : 'a whole number'} of at least 1, not "${text}"`);
    return n;
  });
}

/** The command line, validated once: the groups to run and their sizes. Exits 0 after --help, 2 on a bad argument. */
function readArguments(): { groups: string[]; quick: boolean; sizes: Sizes } {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])),
      },
    });
  } catch (error) {
    usageError((error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const unknown = positionals.filter((name) => !(name in benches));
  if (unknown.length > 0) usageError(`unknown group ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  const given = (name: SizeOption, list = false): number[] | null => {
    const text = (values as Record<string, string | boolean | undefined>)[name];
    return typeof text === 'string' ? positiveIntegers(name, text, list) : null;
  };
  const base = values.quick ? QUICK : FULL;
  const one = (name: SizeOption, fallback: number) => given(name)?.[0] ?? fallback;
  return {
    groups: positionals,
    quick: values.quick === true,
    sizes: {
      ...base,
      rounds: one('rounds', base.rounds),
      pollFeeds: one('poll-feeds', base.pollFeeds),
      scaleFeeds: given('scale-feeds', true) ?? base.scaleFeeds,
      scaleProcesses: given('scale-processes', true) ?? base.scaleProcesses,
      memoryFeeds: one('memory-feeds', base.memoryFeeds),
      idleSeconds: one('idle-seconds', base.idleSeconds),
      latencySamples: one('latency-samples', base.latencySamples),
    },
  };
}

const { groups, quick, sizes } = readArguments();

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
console.log(`## Herald benchmarks${quick ? ' (--quick: tiny sizes, figures meaningless)' : ''}\n`);
console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB; load average at start ${load()}`);
console.log(
  `Every contender runs in a fresh Node process of its own (compiled JS on plain node, as users run it), ${sizes.rounds} interleaved round(s): A B C, A B C, …; figures are medians (min–max) over the rounds; ratios are taken within this run.`,
);
for (const [name, run] of Object.entries(benches)) {
  if (groups.length === 0 || groups.includes(name)) await run(sizes);
}
console.log(`\nload average at end ${load()} (a busy machine makes every figure lower and noisier; compare ratios, and re-measure on a quiet one)`);
