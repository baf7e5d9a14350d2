// Feed parsing throughput (MB/s of feed bytes), Herald beside rss-parser and feedparser, interleaved in one run.
import { Readable } from 'node:stream';
import FeedParser from 'feedparser';
import RssParser from 'rss-parser';
import { decodeBytes } from '../src/sources/decode.js';
import { parseFeedText } from '../src/sources/parse.js';
import { articleItems } from './generate.js';
import { corpusFeeds, hasCorpus, median, table } from './lib.js';

type Parse = (bytes: Buffer) => Promise<number>;

const rssParser = new RssParser();
const parsers: Record<string, Parse> = {
  herald: async (bytes) => parseFeedText(decodeBytes(bytes), null).items.length,
  'rss-parser': async (bytes) => (await rssParser.parseString(bytes.toString('utf8'))).items.length,
  feedparser: (bytes) =>
    new Promise((resolve, reject) => {
      const parser = new FeedParser({});
      let count = 0;
      parser.on('error', reject);
      parser.on('readable', () => {
        while (parser.read()) count++;
      });
      parser.on('end', () => resolve(count));
      Readable.from([bytes]).pipe(parser);
    }),
};

async function throughput(parse: Parse, inputs: Buffer[], seconds: number): Promise<number> {
  let bytes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const input of inputs) {
      await parse(input).catch(() => 0);
      bytes += input.length;
    }
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

export async function benchParse(): Promise<Array<Record<string, string | number>>> {
  const generated = Buffer.from(articleItems(500));
  const sets: Record<string, Buffer[]> = { 'generated 500-item RSS': [generated] };
  if (hasCorpus) sets['shared corpus (30 feeds)'] = corpusFeeds().map((feed) => feed.bytes);
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, inputs] of Object.entries(sets)) {
    const runs: Record<string, number[]> = Object.fromEntries(Object.keys(parsers).map((p) => [p, []]));
    for (let round = 0; round < 3; round++) {
      for (const [parser, parse] of Object.entries(parsers)) runs[parser]!.push(await throughput(parse, inputs, 1));
    }
    for (const [parser, values] of Object.entries(runs)) rows.push({ input: name, parser, 'MB/s (median of 3)': Number(median(values).toFixed(1)) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) table('Feed parsing', await benchParse());
