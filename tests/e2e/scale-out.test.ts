import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { feedOwner } from '../../src/pipeline/sharing.js';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { createDatabase } from '../postgres-cluster.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const adminUrl = inject('postgresAdminUrl');
if (!adminUrl) console.warn(`scale-out test skipped: ${inject('postgresSkipReason')}`);

const FEEDS = 300;
const ITEMS = 1000;
const LATE_ITEMS = 90;
const CHANNEL = '141414141414141414';
const TOKEN = 'scale-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const OAUTH1 = { appKey: 'scale-app-key', appSecret: 'scale-app-secret', accessToken: 'scale-access-token', accessSecret: 'scale-access-secret' };

describe.skipIf(!adminUrl)('three workers on one PostgreSQL database', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  const workers: HeraldProcess[] = [];
  const items = new Map<number, TestItem[]>();
  let startWorker: () => HeraldProcess;
  let databaseUrl = '';

  /** Adds items `from`…`to - 1`, spread over the feeds, newest first in each. */
  function publish(from: number, to: number): void {
    for (let n = from; n < to; n++) {
      const f = n % FEEDS;
      const link = feeds.url(`/p/${n}.html`);
      feeds.setPage(`/p/${n}.html`, `<!doctype html><html><head><title>Item ${n}</title></head><body><article><h1>Item ${n}</h1><p>Item ${n} is news, with a lead sentence.</p></article></body></html>`);
      const list = items.get(f) ?? [];
      list.unshift({ guid: `item-${n}`, title: `Scale item ${n}`, link, pubDate: new Date(Date.UTC(2026, 0, 1) + n * 1000) });
      items.set(f, list);
    }
    for (const [f, list] of items) feeds.setFeed(`/f/${f}.xml`, rss(`Feed ${f}`, list));
  }

  beforeAll(async () => {
    await Promise.all([discord.start(), x.start(), feeds.start()]);
    for (let f = 0; f < FEEDS; f++) feeds.setFeed(`/f/${f}.xml`, rss(`Feed ${f}`, []));
    const dir = tempDir('scale');
    databaseUrl = await createDatabase(adminUrl!, `scale_${process.pid}`);
    const config = writeConfig(dir, {
      feeds: Array.from({ length: FEEDS }, (_, f) => ({ id: `feed-${f}`, url: feeds.url(`/f/${f}.xml`), every: '2s' })),
      routes: [{ feeds: ['*'], discord: [CHANNEL], x: true }],
      deliveries: { retryBase: '500ms', retryMax: '5s' },
    });
    startWorker = () => {
      const worker = new HeraldProcess(['run'], heraldEnv({ dir, config, discord, x }, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' }));
      workers.push(worker);
      return worker;
    };
    for (let w = 0; w < 3; w++) startWorker();
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all([discord.stop(), x.stop(), feeds.stop()]);
  });

  it('shares the polling, elects one gateway holder, delivers every item exactly once per target across a SIGKILL, and gives a late worker its share', async () => {
    await waitFor('every feed polled twice', () => Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).every((n) => n >= 2), 60_000);
    const pollsBefore = Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).reduce((a, b) => a + b, 0);
    // Each feed poll is claimed by one worker: three workers do not poll three times as often.
    expect(pollsBefore).toBeLessThan(FEEDS * 4);
    expect(discord.identifies).toBe(1);

    publish(0, ITEMS);

    await waitFor('a third of the posts', () => discord.messages.length >= ITEMS / 3, 120_000, 5);
    // Kill the worker that is sending the Discord channel's queue: its target must be taken over.
    const victim = workers.find((w) => w.logged('delivered', { target: `discord:${CHANNEL}` }).length > 0)!;
    victim.kill('SIGKILL');
    await victim.exited;

    await waitFor(`all ${ITEMS} posts on Discord and on X`, () => discord.messages.length >= ITEMS && x.tweets.length >= ITEMS, 240_000, 50);
    // A few more cycles: nothing more may arrive.
    const polls = Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).reduce((a, b) => a + b, 0);
    await waitFor('more polls', () => Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).reduce((a, b) => a + b, 0) >= polls + FEEDS * 2, 60_000);

    const titles = discord.messages.map((m) => m.body.embeds![0]!.title!);
    expect(new Set(titles).size).toBe(ITEMS);
    expect(titles).toHaveLength(ITEMS);
    const tweeted = x.tweets.map((t) => t.text.split('\n\n')[0]!);
    expect(new Set(tweeted).size).toBe(ITEMS);
    expect(tweeted).toHaveLength(ITEMS);
    // The work was shared: the live workers split the feeds, so every one turned items into articles.
    const articlesByWorker = workers.map((worker) => worker.logged('new article').length);
    for (const count of articlesByWorker) expect(count).toBeGreaterThan(0);
    // No item was turned into an article by two workers: a feed is never polled by two at once.
    expect(articlesByWorker.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(ITEMS);
    const survivors = workers.filter((w) => w !== victim);
    expect(survivors.some((w) => w.logged('delivered', { target: `discord:${CHANNEL}` }).length > 0)).toBe(true);
    // Claims kept the workers from sending the same delivery: repeated requests are at most the
    // few the killed worker had in flight.
    const burstRequests = { discord: discord.messageRequests, x: x.tweetRequests };
    expect(discord.messageRequests - ITEMS).toBeLessThanOrEqual(5);
    expect(x.tweetRequests - ITEMS).toBeLessThanOrEqual(5);

    // A worker that joins later takes its share of the feeds over from the others.
    const latecomer = startWorker();
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let share: string[] = [];
    try {
      // Its share, by the same hashing the workers use over the live list; held once the others handed it over.
      await waitFor(
        'the newcomer to hold its share of the feeds',
        async () => {
          const live = (await db.query('SELECT owner FROM workers WHERE seen_at > $1', [Date.now() - 20_000])).rows.map((row: { owner: string }) => row.owner);
          const newcomer = live.find((owner) => owner.includes(`:${latecomer.pid}:`));
          if (!newcomer) return false;
          share = Array.from({ length: FEEDS }, (_, f) => `feed-${f}`).filter((feed) => feedOwner(feed, live) === newcomer);
          const held = (await db.query('SELECT count(*)::int AS n FROM feed_state WHERE feed_id = ANY($1) AND lease_owner = $2', [share, newcomer])).rows[0].n as number;
          return share.length > 0 && held === share.length;
        },
        60_000,
        200,
      );
    } finally {
      await db.end();
    }
    expect(share.length).toBeGreaterThan(FEEDS / 5);
    const requests = discord.messageRequests;
    publish(ITEMS, ITEMS + LATE_ITEMS);
    await waitFor(`the ${LATE_ITEMS} later posts`, () => discord.messages.length >= ITEMS + LATE_ITEMS, 120_000, 50);
    const lateInShare = Array.from({ length: LATE_ITEMS }, (_, i) => `feed-${(ITEMS + i) % FEEDS}`).filter((feed) => share.includes(feed)).length;
    expect(latecomer.logged('new article')).toHaveLength(lateInShare);
    expect(new Set(discord.messages.map((m) => m.body.embeds![0]!.title!)).size).toBe(ITEMS + LATE_ITEMS);
    expect(discord.messageRequests - requests).toBe(LATE_ITEMS);

    console.log(
      `scale-out: ${ITEMS} items × 2 targets delivered once; Discord requests ${burstRequests.discord}, X requests ${burstRequests.x}; ` +
        `feed polls before the burst ${pollsBefore}; new articles per worker ${articlesByWorker.join(' / ')}; ` +
        `a 4th worker joining later took ${share.length} of ${FEEDS} feeds and ${lateInShare} of ${LATE_ITEMS} later items`,
    );
  }, 480_000);
});
