// Feed parsing throughput (MB/s of feed bytes): Herald beside rss-parser and feedparser, on the
// shared corpus and on a generated RSS feed.
import { hasCorpus, versionOf, type Sizes } from './lib.js';
import { measure, printAloneCheck, printGroup, printSkipped, ratio, type Group } from './runner.js';

const HERALD = 'Herald';
const RSS_PARSER = 'rss-parser';

function parseGroup(title: string, input: string, sizes: Sizes): Group {
  const args = (contender: string) => [contender, input, String(sizes.seconds)];
  return {
    title,
    metric: { key: 'mbPerSecond', label: 'MB/s', digits: 1 },
    columns: [
      { key: 'mbPerCpuSecond', label: 'MB per CPU-second (median)', digits: 1 },
      { key: 'itemsPerPass', label: 'items found per pass', digits: 0 },
      { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 },
    ],
    contenders: [
      { name: HERALD, does: `bytes → items: charset detection and decoding; plain RSS 2.0, Atom 1.0 and RSS 1.0 read by Herald's readers on htmlparser2 ${versionOf('htmlparser2')}'s tokenizer, everything else (JSON Feed, XHTML Atom, feeds they are unsure of) by feedsmith ${versionOf('feedsmith')}; then Herald's normalising of dates, links and text`, child: 'parse-child', args: args('herald') },
      { name: RSS_PARSER, does: `rss-parser ${versionOf('rss-parser')}: parser.parseString(bytes as UTF-8), as its README shows`, child: 'parse-child', args: args('rss-parser') },
      { name: 'feedparser', does: `feedparser ${versionOf('feedparser')}: the bytes piped through its stream, items read`, child: 'parse-child', args: args('feedparser') },
    ],
    baseline: RSS_PARSER,
    notes: (results) => [
      `${HERALD} ÷ ${RSS_PARSER}: ${ratio(results, HERALD, RSS_PARSER, 'mbPerSecond')} (goal ≥ 1.2×)`,
      `${HERALD} ÷ ${RSS_PARSER} per CPU-second (what each process spent, whatever the machine's load): ${ratio(results, HERALD, RSS_PARSER, 'mbPerCpuSecond')}`,
    ],
  };
}

/** Runs and prints both parsing groups, each followed by the check that rss-parser's figure is its figure alone. */
export async function benchParse(sizes: Sizes): Promise<void> {
  const corpus = parseGroup('Feed parsing: the 30 feeds of shared/corpus/feeds/rss-parser', 'corpus', sizes);
  if (hasCorpus) {
    const results = await measure(corpus, sizes.rounds);
    printGroup(corpus, results, sizes.rounds);
    await printAloneCheck(corpus, results, RSS_PARSER, sizes.rounds);
  } else {
    printSkipped(corpus, 'shared/corpus is absent');
  }
  const generated = parseGroup(`Feed parsing: a generated ${sizes.generatedItems}-item RSS feed`, `generated:${sizes.generatedItems}`, sizes);
  const generatedResults = await measure(generated, sizes.rounds);
  printGroup(generated, generatedResults, sizes.rounds);
  await printAloneCheck(generated, generatedResults, RSS_PARSER, sizes.rounds);
}
