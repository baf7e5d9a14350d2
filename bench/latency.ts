// Feed change → Discord post at the fake, through the built bot (dist/cli.js): WebSub push (a fake
// hub, fat pings, a 5-minute safety poll) beside 1 s polling with no push, each in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeDiscord } from '../tests/fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../tests/fakes/feed-server.js';
import { close, createServer, listen, waitFor } from '../tests/fakes/http.js';
import { FakeHub } from '../tests/fakes/websub.js';
import { CLI, median, percentile, type Sizes } from './lib.js';
import { format, printTable } from './runner.js';

const PUSH_CHANNEL = '131313131313131313';
const POLL_CHANNEL = '141414141414141414';

/** One contender: a Herald process watching its own feed, posting to its own channel of the one fake Discord. */
interface Contender {
  label: string;
  path: string;
  channel: string;
  items: TestItem[];
  /** Publishes the feed as it now is: served (and, with push, sent to the hub as a fat ping). */
  publish(xml: string): Promise<void>;
  bot: ChildProcess;
  latencies: number[];
}

/** A port nothing listens on right now, for HTTP_PORT and HERALD_PUBLIC_URL to agree on. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

function startHerald(dir: string, config: unknown, discord: FakeDiscord, extra: Record<string, string>): ChildProcess {
  writeFileSync(join(dir, 'herald.json'), JSON.stringify(config));
  return spawn(process.execPath, [CLI, 'run'], {
    env: {
      PATH: process.env.PATH,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      HERALD_CONFIG: join(dir, 'herald.json'),
      DATABASE_URL: `sqlite:${join(dir, 'db')}`,
      HERALD_ALLOW_PRIVATE_NETWORK: '1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Kills a bot and resolves once it has exited (its folder can then be removed). */
function stopBot(bot: ChildProcess): Promise<void> {
  if (bot.exitCode !== null || bot.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => bot.once('exit', () => resolve()));
  bot.kill('SIGKILL');
  return exited;
}

/** Runs and prints the latency table: `sizes.latencySamples` stories per contender, alternating, one run. */
export async function benchLatency(sizes: Sizes): Promise<void> {
  const discord = new FakeDiscord('bench-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ', [PUSH_CHANNEL, POLL_CHANNEL]);
  const feeds = new FeedServer();
  const hub = new FakeHub();
  await Promise.all([discord.start(), feeds.start(), hub.start()]);
  const topic = feeds.url('/pushed.xml');
  // The pushed feed names its hub and itself, as WordPress, Blogger and Ghost feeds do.
  const pushedXml = (items: TestItem[]) =>
    rss('Pushed', items)
      .replace('<rss version="2.0">', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
      .replace('<channel>', `<channel><atom:link rel="hub" href="${hub.url}"/><atom:link rel="self" href="${topic}"/>`);
  const port = await freePort();
  const pushDir = mkdtempSync(join(tmpdir(), 'herald-latency-push-'));
  const pollDir = mkdtempSync(join(tmpdir(), 'herald-latency-poll-'));
  feeds.setFeed('/pushed.xml', pushedXml([]));
  feeds.setFeed('/polled.xml', rss('Polled', []));
  const pushed: Contender = {
    label: 'WebSub push (fake hub, fat pings), 5 min safety poll',
    path: '/pushed.xml',
    channel: PUSH_CHANNEL,
    items: [],
    async publish(xml) {
      feeds.setFeed('/pushed.xml', xml);
      await hub.publish(topic, xml);
    },
    bot: startHerald(
      pushDir,
      { feeds: [{ id: 'pushed', url: topic, every: '5m' }], routes: [{ feeds: ['*'], discord: [PUSH_CHANNEL] }], push: { safetyEvery: '5m' } },
      discord,
      { HTTP_PORT: String(port), HERALD_PUBLIC_URL: `http://127.0.0.1:${port}` },
    ),
    latencies: [],
  };
  const polled: Contender = {
    label: 'polling every 1 s, no push',
    path: '/polled.xml',
    channel: POLL_CHANNEL,
    items: [],
    async publish(xml) {
      feeds.setFeed('/polled.xml', xml);
    },
    bot: startHerald(pollDir, { feeds: [{ id: 'polled', url: feeds.url('/polled.xml'), every: '1s' }], routes: [{ feeds: ['*'], discord: [POLL_CHANNEL] }] }, discord, {}),
    latencies: [],
  };
  try {
    await waitFor('the push subscription verified', () => hub.subscribersOf(topic).length > 0, 60_000);
    await waitFor('the first polls', () => feeds.count('/polled.xml') >= 2, 60_000);
    for (let n = 0; n < sizes.latencySamples; n++) {
      for (const contender of [pushed, polled]) {
        // Changes land at random points of the poll cycle, as real ones do.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
        const title = `Latency story ${n} (${contender.channel === PUSH_CHANNEL ? 'push' : 'poll'})`;
        const page = `${contender.path.replace('.xml', '')}/${n}.html`;
        feeds.setPage(page, articlePage(title, [`Story ${n} has a lead sentence.`, 'And a second paragraph.']));
        contender.items.unshift({ guid: `${contender.path}-${n}`, title, link: feeds.url(page), pubDate: new Date() });
        const xml = contender === pushed ? pushedXml(contender.items) : rss('Polled', contender.items);
        const changedAt = Date.now();
        await contender.publish(xml);
        const message = await waitFor(`${title} posted`, () => discord.messagesIn(contender.channel).find((m) => m.body.embeds?.[0]?.title === title), 60_000, 5);
        contender.latencies.push(message.at - changedAt);
      }
    }
    console.log(`\n### End-to-end latency: feed change → Discord post (one run)\n`);
    printTable(
      ['herald run (dist/cli.js), one feed, posting to a fake Discord on 127.0.0.1', 'stories', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [pushed, polled].map((c) => [c.label, String(c.latencies.length), format(median(c.latencies), 0), ...[90, 99].map((p) => format(percentile(c.latencies, p), 0)), format(Math.max(...c.latencies), 0)]),
    );
    console.log('\n- goals: p99 < 2 s with push at a 5-minute safety poll; p99 < poll interval + 1 s with polling');
  } finally {
    await Promise.all([stopBot(pushed.bot), stopBot(polled.bot)]);
    await Promise.all([discord.stop(), feeds.stop(), hub.stop()]);
    for (const dir of [pushDir, pollDir]) rmSync(dir, { recursive: true, force: true });
  }
}
