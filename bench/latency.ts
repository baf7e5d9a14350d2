// Feed change → Discord post at the fake, through the real bot process with a 1 s poll interval.
import { join } from 'node:path';
import { FakeDiscord } from '../tests/fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../tests/fakes/feed-server.js';
import { waitFor } from '../tests/fakes/http.js';
import { HeraldProcess, tempDir, writeConfig } from '../tests/e2e/herald-process.js';
import { median, percentile, table } from './lib.js';

const SAMPLES = 40;
const CHANNEL = '131313131313131313';

export async function benchLatency(): Promise<Array<Record<string, string | number>>> {
  const discord = new FakeDiscord('bench-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [CHANNEL]);
  const feeds = new FeedServer();
  await Promise.all([discord.start(), feeds.start()]);
  const dir = tempDir('latency');
  const items: TestItem[] = [];
  feeds.setFeed('/feed.xml', rss('Latency', items));
  const herald = new HeraldProcess(['run'], {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    HERALD_CONFIG: writeConfig(dir, { feeds: [{ id: 'latency', url: feeds.url('/feed.xml'), every: '1s' }], routes: [{ feeds: ['*'], discord: [CHANNEL] }] }),
    DATABASE_URL: `sqlite:${join(dir, 'db')}`,
    HERALD_ALLOW_PRIVATE_NETWORK: '1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  try {
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2, 30_000);
    const latencies: number[] = [];
    for (let n = 0; n < SAMPLES; n++) {
      // Changes land at random points of the poll cycle, as real ones do.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      feeds.setPage(`/s/${n}.html`, articlePage(`Latency story ${n}`, [`Story ${n} has a lead sentence.`, 'And a second paragraph.']));
      items.unshift({ guid: `s${n}`, title: `Latency story ${n}`, link: feeds.url(`/s/${n}.html`), pubDate: new Date() });
      const changedAt = Date.now();
      feeds.setFeed('/feed.xml', rss('Latency', items));
      const message = await waitFor(`story ${n} posted`, () => discord.messages.find((m) => m.body.embeds?.[0]?.title === `Latency story ${n}`), 30_000, 5);
      latencies.push(message.at - changedAt);
    }
    return [{ what: `feed change → Discord post, ${SAMPLES} stories, 1 s poll`, 'p50 ms': median(latencies), 'p99 ms': percentile(latencies, 99), 'max ms': Math.max(...latencies) }];
  } finally {
    herald.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) table('End-to-end latency', await benchLatency());
