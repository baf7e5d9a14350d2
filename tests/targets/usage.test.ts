import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { freeUsage } from '../../src/targets/usage.js';
import { article } from '../builders.js';

const NOW = Date.UTC(2026, 10, 30, 15, 0, 0);
const HOUR = 3_600_000;

describe('posts counted per platform for the usage page (UsageLedger.sentSince, freeUsage)', () => {
  let store: Store;
  afterEach(async () => store?.close());

  /** One article per send, each to `target`, sent at `at` (or left pending when null). */
  async function sent(target: string, at: number | null, n: number): Promise<void> {
    const id = `${target.replace(/\W/g, '-')}-${at ?? 'pending'}-${n}`;
    await store.addArticle(article({ id }), { key: id, contentHash: null }, [{ target, options: {} }], NOW - 40 * 24 * HOUR);
    if (at === null) return;
    const [delivery] = (await store.urlHistory(`https://news.example/${id}`)).deliveries;
    await store.markSent(delivery!.id, `remote-${id}`, at);
  }

  it('counts the sent posts of one kind in the UTC day and month, whatever the address, and nothing else', async () => {
    store = await openSqliteStore(':memory:');
    await sent('telegram:@one', NOW - HOUR, 1); // today
    await sent('telegram:-1001234567890', NOW - 14 * HOUR, 1); // today, 01:00 UTC
    await sent('telegram:@one', NOW - 16 * HOUR, 1); // yesterday, this month
    await sent('telegram:@one', Date.UTC(2026, 9, 31, 23, 59), 1); // last month
    await sent('telegram:@one', null, 1); // still waiting
    await sent('bluesky', NOW - HOUR, 1);
    await sent('bluesky', NOW - HOUR, 2);
    await sent('x', NOW - HOUR, 1);
    await sent('xanadu', NOW - HOUR, 1); // another kind whose name starts like one
    const limits = (posts: { day: number; month: number }) => ({ postsLeft: { day: 10 - posts.day, month: null }, notes: [`${posts.month} this month`] });
    expect(await freeUsage(store, 'telegram', NOW, limits)).toEqual({ day: { posts: 2, usd: null }, month: { posts: 3, usd: null }, postsLeft: { day: 8, month: null }, notes: ['3 this month'] });
    expect((await freeUsage(store, 'bluesky', NOW, limits)).day.posts).toBe(2);
    expect((await freeUsage(store, 'x', NOW, limits)).month.posts).toBe(1);
    expect((await freeUsage(store, 'mastodon', NOW, limits)).month.posts).toBe(0);
  });
});
