// One feed parser over one input set, alone in a fresh process. Args: contender, input ('corpus' or
// 'generated:<items>'), seconds. Reports MB/s of feed bytes over whole passes (after one untimed
// warm-up pass), MB per CPU-second of this process, items found per pass and peak RSS. Only the chosen contender's library is loaded.
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
const items = await pass(); // warm-up
const { passes, seconds, cpuSeconds } = await timedPasses(pass, Number(secondsText));
report({ mbPerSecond: (passes * bytesPerPass) / 1e6 / seconds, mbPerCpuSecond: (passes * bytesPerPass) / 1e6 / cpuSeconds, itemsPerPass: items, peakRssMb: peakRssMb() });
