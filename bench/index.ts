// npm run bench: every benchmark, each with its baseline measured in the same run. Prints figures, asserts nothing.
import { benchExtract } from './extract.js';
import { benchIdleMemory } from './idle-memory.js';
import { benchLatency } from './latency.js';
import { table } from './lib.js';
import { benchParse } from './parse.js';
import { benchPoll } from './poll.js';

const only = process.argv.slice(2);
const benches: Record<string, [string, () => Promise<Array<Record<string, string | number>>>]> = {
  poll: ['1. Poll throughput, 10,000 feeds (95 % 304)', benchPoll],
  parse: ['2. Feed parsing', benchParse],
  extract: ['3. Extraction + summary over the Readability corpus', benchExtract],
  memory: ['4. Idle memory with 10,000 feeds', benchIdleMemory],
  latency: ['5. End-to-end latency', benchLatency],
};
console.log(`Herald benchmarks on ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const [name, [title, run]] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  table(title, await run());
}
