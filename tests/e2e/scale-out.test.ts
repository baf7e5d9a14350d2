import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { createDatabase } from '../postgres-cluster.js';
import { fakeEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const adminUrl = inject('postgresAdminUrl');
if (!adminUrl) console.warn(`scale-out test skipped: ${inject('postgresSkipReason')}`);

const FEEDS = 300;
const ITEMS = 1000;
const CHANNEL = '141414141414141414';
const TOKEN = 'scale-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const OAUTH1 = { appKey: 'scale-app-key', appSecret: 'scale-app-secret', accessToken: 'scale-access-token', accessSecret: 'scale-access-secret' };

describe.skipIf(!adminUrl)('three workers on one PostgreSQL database', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const x = new FakeX(OAUTH1);
  const feeds = new FeedServer();
  const workers: HeraldProcess[] = [];
  const items = new Map<number, TestItem[]>();

  beforeAll(async () => {
    await Promise.all([discord.start(), x.start(), feeds.start()]);
    for (let f = 0; f < FEEDS; f++) feeds.setFeed(`/f/${f}.xml`, rss(`Feed ${f}`, []));
    const dir = tempDir('scale');
    const databaseUrl = await createDatabase(adminUrl!, `scale_${process.pid}`);
    const config = writeConfig(dir, {
      feeds: Array.from({ length: FEEDS }, (_, f) => ({ id: `feed-${f}`, url: feeds.url(`/f/${f}.xml`), every: '2s' })),
      routes: [{ feeds: ['*'], discord: [CHANNEL], x: true }],
      deliveries: { retryBase: '500ms', retryMax: '5s' },
    });
    for (let w = 0; w < 3; w++) {
      workers.push(
        new HeraldProcess(['run'], {
          ...fakeEnv({ discord, x }),
          HERALD_CONFIG: config,
          DATABASE_URL: databaseUrl,
          HERALD_ALLOW_PRIVATE_NETWORK: '1',
          HTTP_PORT: '0',
          LOG_LEVEL: 'info',
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all([discord.stop(), x.stop(), feeds.stop()]);
  });

  it('shares the polling, elects one gateway holder, and after a SIGKILL midway delivers every item exactly once per target', async () => {
    await waitFor('every feed polled twice', () => Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).every((n) => n >= 2), 60_000);
    const pollsBefore = Array.from({ length: FEEDS }, (_, f) => feeds.count(`/f/${f}.xml`)).reduce((a, b) => a + b, 0);
    // Each feed poll is claimed by one worker: three workers do not poll three times as often.
    expect(pollsBefore).toBeLessThan(FEEDS * 4);
    expect(discord.identifies).toBe(1);

    for (let n = 0; n < ITEMS; n++) {
      const f = n % FEEDS;
      const link = feeds.url(`/p/${n}.html`);
      feeds.setPage(`/p/${n}.html`, `<!doctype html><html><head><title>Item ${n}</title></head><body><article><h1>Item ${n}</h1><p>Item ${n} is news, with a lead sentence.</p></article></body></html>`);
      const list = items.get(f) ?? [];
      list.unshift({ guid: `item-${n}`, title: `Scale item ${n}`, link, pubDate: new Date(Date.UTC(2026, 0, 1) + n * 1000) });
      items.set(f, list);
    }
    for (const [f, list] of items) feeds.setFeed(`/f/${f}.xml`, rss(`Feed ${f}`, list));

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
    // The work was shared: every worker turned items into articles.
    for (const worker of workers) expect(worker.logged('new article').length).toBeGreaterThan(0);
    const survivors = workers.filter((w) => w !== victim);
    expect(survivors.some((w) => w.logged('delivered', { target: `discord:${CHANNEL}` }).length > 0)).toBe(true);
    // Claims kept the workers from sending the same delivery: repeated requests are at most the
    // few the killed worker had in flight.
    expect(discord.messageRequests - ITEMS).toBeLessThanOrEqual(5);
    expect(x.tweetRequests - ITEMS).toBeLessThanOrEqual(5);
    console.log(
      `scale-out: ${ITEMS} items × 2 targets delivered once; Discord requests ${discord.messageRequests}, X requests ${x.tweetRequests}; feed polls before the burst ${pollsBefore}`,
    );
  }, 480_000);
});
