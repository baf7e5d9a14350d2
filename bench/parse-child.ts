// One feed parser over one input set, alone in a fresh process. Args: contender, input ('corpus' or
// 'generated:<items>'), seconds. Reports MB/s of feed bytes over whole passes (after untimed
// warm-up passes worth WARM_UP_CPU_SECONDS of CPU, the same for every contender), MB per CPU-second of this process, items found per pass and peak RSS. Only the chosen contender's library is loaded.
import { Readable } from 'node:stream';
import { articleItems } from './generate.js';
import { corpusFeeds, peakRssMb, report, timedPasses } from './lib.js';

type Parse = (bytes: Buffer) => Promise<number>;

const [contender, input, secondsText] = process.argv.slice(2);

/** Each contender: feed bytes → number of items, the way its users call it. */
const contenders: Record<string, () => Promise<Parse>> = {
  async herald() {
    const parse = await (await import('./herald.js')).loadFeedParser();
    return async (bytes) => parse(bytes);
  },
  async 'rss-parser'() {
    const { default: RssParser } = await import('rss-parser');
    const parser = new RssParser();
    return async (bytes) => (await parser.parseString(bytes.toString('utf8'))).items.length;
  },
  async feedparser() {
    const { default: FeedParser } = await import('feedparser');
    return (bytes) =>
      new Promise((resolve, reject) => {
        const parser = new FeedParser({});
        let count = 0;
        parser.on('error', reject);
        parser.on('readable', () => {
          while (parser.read()) count++;
        });
        parser.on('end', () => resolve(count));
        Readable.from([bytes]).pipe(parser);
      });
  },
};

const load = contenders[contender ?? ''];
if (!load) throw new Error(`parse-child: unknown contender ${contender}; one of ${Object.keys(contenders).join(', ')}`);
const parse = await load();
const inputs = input === 'corpus' ? corpusFeeds() : [Buffer.from(articleItems(Number(input?.replace(/^generated:/, ''))))];
const bytesPerPass = inputs.reduce((sum, bytes) => sum + bytes.length, 0);
/** One pass: every input parsed; a feed the parser rejects counts its bytes and no items. */
async function pass(): Promise<number> {
  let items = 0;
  for (const bytes of inputs) items += await parse(bytes).catch(() => 0);
  return items;
}
/**
 * CPU time spent on untimed warm-up passes before timing, in seconds, whatever the machine's load. A
 * feed parser in a running bot is warm; measured cold, Herald's CPU per corpus pass falls from ~240 to
 * ~100 ms over its first 7 passes (1.5 s of CPU) while V8 optimises its readers, and rss-parser's over 2,
 * so a run on a loaded machine (fewer timed passes) gave ratios from 0.7× to 1.75×.
 */
const WARM_UP_CPU_SECONDS = 2;
const warmUpStarted = process.cpuUsage();
const warmUpCpuSeconds = () => {
  const used = process.cpuUsage(warmUpStarted);
  return (used.user + used.system) / 1e6;
};
let items: number;
do items = await pass();
while (warmUpCpuSeconds() < WARM_UP_CPU_SECONDS);
const { passes, seconds, cpuSeconds } = await timedPasses(pass, Number(secondsText));
report({ mbPerSecond: (passes * bytesPerPass) / 1e6 / seconds, mbPerCpuSecond: (passes * bytesPerPass) / 1e6 / cpuSeconds, itemsPerPass: items, peakRssMb: peakRssMb() });
