// Memory of an idle bot with many feeds, beside the floor: Node itself, idle, nothing loaded.
import { type Sizes } from './lib.js';
import { figures, format, measure, printGroup, startChild, type Group } from './runner.js';

const HERALD = 'Herald bot, idle';

/** Runs and prints the memory group (the bot needs `npm run build`: it runs dist/cli.js). */
export async function benchMemory(sizes: Sizes): Promise<void> {
  const server = startChild('poll-server', []);
  try {
    const port = await server.waitForLine(/^\d+$/);
    const args = (contender: string) => [contender, port, String(sizes.memoryFeeds), String(sizes.idleSeconds)];
    const group: Group = {
      title: `Memory: an idle bot with ${format(sizes.memoryFeeds, 0)} feeds, ${sizes.idleSeconds} s after its first poll of all of them`,
      metric: { key: 'rssMb', label: 'RSS MB', digits: 0 },
      columns: [
        { key: 'heapUsedMb', label: 'V8 heap used MB', digits: 0 },
        { key: 'rssAfterRoundMb', label: 'RSS MB right after the first round', digits: 0 },
        { key: 'firstRoundSeconds', label: 'first round s', digits: 1 },
      ],
      contenders: [
        { name: HERALD, does: `herald run (dist/cli.js, SQLite, X configured as its one target (X_CLIENT_ID; no routes, so nothing is posted), LOG_LEVEL=warn), ${format(sizes.memoryFeeds, 0)} feeds every 1 h that answer 304 after the first poll`, child: 'memory-child', args: args('herald') },
        { name: 'node alone', does: 'the floor: a Node process that loads nothing and waits as long', child: 'memory-child', args: args('node') },
      ],
      notes: (results) => {
        const rss = figures(results, HERALD, 'rssMb');
        const worst = Math.max(...rss);
        return [
          `${HERALD}: worst of ${rss.length} run${rss.length === 1 ? '' : 's'} ${format(worst, 0)} MB RSS (goal < 150 MB, every run): ${worst < 150 ? 'met' : 'NOT met'}; heap at most ${format(Math.max(...figures(results, HERALD, 'heapUsedMb')), 0)} MB; V8 returns memory some seconds after work stops, hence the wait`,
          "the bot's /metrics is scraped every 500 ms until its first round is done (a scrape raises RSS): RSS right after the round is read just before the scrape that found it done; the idle RSS is read with no scrape since then; the V8 heap comes from one scrape after that (the bot's heap can be read only from inside), so the scrape's own garbage may be in it",
        ];
      },
    };
    printGroup(group, await measure(group, sizes.rounds), sizes.rounds);
  } finally {
    server.kill();
  }
}
