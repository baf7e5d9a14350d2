// npm run bench [-- --quick] [-- extract parse memory poll latency] [-- --rounds N --scale-feeds 100000 --scale-processes 1,3 --poll-feeds N --memory-feeds N --idle-seconds S --latency-samples N]
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

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'scale-feeds': { type: 'string' },
    'scale-processes': { type: 'string' },
    'poll-feeds': { type: 'string' },
    'memory-feeds': { type: 'string' },
    'idle-seconds': { type: 'string' },
    'latency-samples': { type: 'string' },
  },
});
const numbers = (text: string) => text.split(',').map((n) => Number(n.replace(/_/g, '')));
const sizes: Sizes = {
  ...(values.quick ? QUICK : FULL),
  ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
  ...(values['scale-feeds'] ? { scaleFeeds: numbers(values['scale-feeds']) } : {}),
  ...(values['scale-processes'] ? { scaleProcesses: numbers(values['scale-processes']) } : {}),
  ...(values['poll-feeds'] ? { pollFeeds: numbers(values['poll-feeds'])[0]! } : {}),
  ...(values['memory-feeds'] ? { memoryFeeds: numbers(values['memory-feeds'])[0]! } : {}),
  ...(values['idle-seconds'] ? { idleSeconds: numbers(values['idle-seconds'])[0]! } : {}),
  ...(values['latency-samples'] ? { latencySamples: numbers(values['latency-samples'])[0]! } : {}),
};
const unknown = positionals.filter((name) => !(name in benches));
if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);

const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');
console.log(`## Herald benchmarks${values.quick ? ' (--quick: tiny sizes, figures meaningless)' : ''}\n`);
console.log(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB; load average at start ${load()}`);
console.log(
  `Every contender runs in a fresh Node process of its own (compiled JS on plain node, as users run it), ${sizes.rounds} interleaved round(s): A B C, A B C, …; figures are medians (min–max) over the rounds; ratios are taken within this run.`,
);
for (const [name, run] of Object.entries(benches)) {
  if (positionals.length === 0 || positionals.includes(name)) await run(sizes);
}
console.log(`\nload average at end ${load()} (a busy machine makes every figure lower and noisier; compare ratios, and re-measure on a quiet one)`);
