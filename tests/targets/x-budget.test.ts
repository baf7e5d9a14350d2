import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryOptions } from '../../src/deliveries/options.js';
import { Outbox } from '../../src/deliveries/outbox.js';
import { createLogger } from '../../src/ops/logger.js';
import { createHttpClient } from '../../src/sources/http.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { oauth1Source } from '../../src/targets/x/auth.js';
import { budgetPolicy } from '../../src/targets/x/budget.js';
import { createXTarget } from '../../src/targets/x/publisher.js';
import { xSettingsSchema } from '../../src/targets/x/settings.js';
import { article } from '../builders.js';
import { FakeX } from '../fakes/x.js';

const CREDENTIALS = { appKey: 'budget-app-key', appSecret: 'budget-app-secret', accessToken: 'budget-access-token', accessSecret: 'budget-access-secret' };
/** 2026-11-25 10:00 UTC, in epoch ms. */
const MORNING = Date.UTC(2026, 10, 25, 10);

/**
 * X's caps as the outbox meets them: the real publisher (twitter-api-v2 against the fake X API),
 * the budget policy, and the usage ledger in an in-memory SQLite store, on a clock the test moves.
 */
describe('the X budget in the outbox', () => {
  const x = new FakeX(CREDENTIALS);
  const log = createLogger({ level: 'silent', secrets: [] });
  const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true });
  const settings = xSettingsSchema.parse({ maxPostsPerDay: 2 });
  let store: Store;
  let clock = MORNING;

  beforeAll(() => x.start());
  afterAll(async () => {
    await http.close();
    await x.stop();
  });
  afterEach(() => store?.close());

  function outbox(): Outbox {
    const now = () => clock;
    const target = createXTarget({ source: oauth1Source(CREDENTIALS, x.apiUrl, log), store, httpFor: () => http, log, settings: () => settings, now });
    return new Outbox({
      store,
      targets: new Map([['x', { target, idempotent: false, canEdit: false, policy: budgetPolicy({ store, settings: () => settings, now }) }]]),
      retry: { maxAttempts: 3, baseMs: 1_000, maxMs: 60_000 },
      log,
      owner: 'test',
      now,
    });
  }

  /** Queues a story for X from a feed of `priority`, published at `publishedAt` (epoch ms). */
  async function queue(id: string, priority: number, publishedAt: number): Promise<void> {
    const options: DeliveryOptions = { template: `{title} {url}`, style: { name: 'News', color: 0 }, priority };
    await store.addArticle(article({ id, title: `Story ${id}`, publishedAt, firstSeenAt: publishedAt }), { key: id, contentHash: null }, [{ target: 'x', options }], clock);
  }

  it('posts what the daily cap allows, the highest priority then the newest, skips the rest, and posts again the next UTC day', async () => {
    store = await openSqliteStore(':memory:');
    clock = MORNING;
    const tweetsBefore = x.tweets.length;
    await queue('old-low', 0, MORNING - 3_000);
    await queue('new-low', 0, MORNING - 1_000);
    await queue('old-high', 5, MORNING - 5_000);
    await queue('older-low', 0, MORNING - 4_000);
    const box = outbox();
    await box.drain();
    const posted = () => x.tweets.slice(tweetsBefore).map((tweet) => tweet.text.split(' ')[1]);
    expect(posted()).toEqual(['old-high', 'new-low']);
    const skipped = (await store.failedDeliveries(10)).filter((job) => job.delivery.status === 'skipped').map((job) => job.article.id);
    expect(skipped.sort()).toEqual(['old-low', 'older-low']);
    expect((await store.xUsage(['day:2026-11-25'])).get('day:2026-11-25')).toMatchObject({ posts: 2 });

    // The cap is reached: a new story waits for the day to end, then goes.
    await queue('late', 0, MORNING + 60_000);
    clock = MORNING + 120_000;
    await box.drain();
    expect(posted()).toEqual(['old-high', 'new-low']);
    expect(await store.nextDueAt(['x'])).toBe(Date.UTC(2026, 10, 26));
    clock = Date.UTC(2026, 10, 26, 0, 1);
    await box.drain();
    expect(posted()).toEqual(['old-high', 'new-low', 'late']);
  });
});
