// Feed change → Discord post at the fake, through the built bot (dist/cli.js) with a 1 s poll interval.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDiscord } from '../tests/fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../tests/fakes/feed-server.js';
import { waitFor } from '../tests/fakes/http.js';
import { CLI, median, percentile, type Sizes } from './lib.js';
import { format, printTable } from './runner.js';

const CHANNEL = '131313131313131313';

/** Runs and prints the latency table: `sizes.latencySamples` stories, one run. */
export async function benchLatency(sizes: Sizes): Promise<void> {
  const discord = new FakeDiscord('bench-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [CHANNEL]);
  const feeds = new FeedServer();
  await Promise.all([discord.start(), feeds.start()]);
  const dir = mkdtempSync(join(tmpdir(), 'herald-latency-'));
  const items: TestItem[] = [];
  feeds.setFeed('/feed.xml', rss('Latency', items));
  writeFileSync(join(dir, 'herald.json'), JSON.stringify({ feeds: [{ id: 'latency', url: feeds.url('/feed.xml'), every: '1s' }], routes: [{ feeds: ['*'], discord: [CHANNEL] }] }));
  const bot = spawn(process.execPath, [CLI, 'run'], {
    env: {
      PATH: process.env.PATH,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      HERALD_CONFIG: join(dir, 'herald.json'),
      DATABASE_URL: `sqlite:${join(dir, 'db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2, 60_000);
    const latencies: number[] = [];
    for (let n = 0; n < sizes.latencySamples; n++) {
      // Changes land at random points of the poll cycle, as real ones do.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      feeds.setPage(`/s/${n}.html`, articlePage(`Latency story ${n}`, [`Story ${n} has a lead sentence.`, 'And a second paragraph.']));
      items.unshift({ guid: `s${n}`, title: `Latency story ${n}`, link: feeds.url(`/s/${n}.html`), pubDate: new Date() });
      const changedAt = Date.now();
      feeds.setFeed('/feed.xml', rss('Latency', items));
      const message = await waitFor(`story ${n} posted`, () => discord.messages.find((m) => m.body.embeds?.[0]?.title === `Latency story ${n}`), 60_000, 5);
      latencies.push(message.at - changedAt);
    }
    console.log(`\n### End-to-end latency: feed change → Discord post (one run)\n`);
    printTable(
      ['what', 'p50 ms', 'p99 ms', 'max ms'],
      [[`herald run (dist/cli.js) polling one feed every 1 s, posting to a fake Discord on 127.0.0.1; ${sizes.latencySamples} stories`, format(median(latencies), 0), format(percentile(latencies, 99), 0), format(Math.max(...latencies), 0)]],
    );
    console.log('\n- goal: p99 < poll interval + 1 s');
  } finally {
    bot.kill('SIGKILL');
    await Promise.all([discord.stop(), feeds.stop()]);
  }
}
