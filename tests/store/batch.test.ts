import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { FeedState, Store } from '../../src/store/store.js';
import { createDatabase } from '../postgres-cluster.js';

// The poll path's feed claims and state writes, gathered into one statement per batch window
// (src/store/batch.ts): every caller still gets its own answer, and a write is committed when it resolves.

const adminUrl = inject('postgresAdminUrl');
let databases = 0;

/** Where a database lives, and how to open a store on it (again: a reopened store sees only what was committed). */
const backends: Array<[string, () => Promise<string>, (where: string) => Promise<Store>, boolean]> = [
  ['sqlite', async () => join(mkdtempSync(join(tmpdir(), 'herald-batch-')), 'test.db'), openSqliteStore, true],
  ['postgres', async () => createDatabase(adminUrl!, `batch_${process.pid}_${databases++}`), openPostgresStore, adminUrl !== null],
];

const state = (feedId: string, etag: string, at: number): FeedState => ({ feedId, etag, lastModified: null, initialized: true, lastPollAt: at, lastSuccessAt: at, failures: 0, lastError: null, heldUntil: null, readUrl: null, readFor: null });

describe.each(backends)('the %s store, polls finishing together', (_name, locate, open, available) => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it.skipIf(!available)('writes every state saved at once, the last save of a feed winning, committed when each save resolves', async () => {
    const where = await locate();
    const store = await open(where);
    stores.push(store);
    // More than one statement takes (500 rows), in one turn of the event loop; news-7 twice.
    const saves = Array.from({ length: 1_200 }, (_, n) => state(`news-${n}`, `"e${n}"`, 1_000 + n));
    // The later save also says until when the feed's host holds it back (a large epoch ms, kept whole).
    const later = { ...state('news-7', '"later"', 9_000), heldUntil: 1_764_000_600_123 };
    saves.push(later);
    await Promise.all(saves.map((saved) => store.saveFeedState(saved)));
    // What a fresh process reads: committed, not only held in the batch.
    const reopened = await open(where);
    stores.push(reopened);
    const states = new Map((await reopened.feedStates()).map((read) => [read.feedId, read]));
    expect(states.size).toBe(1_200);
    expect(states.get('news-7')).toEqual(later);
    expect(states.get('news-1199')).toEqual(state('news-1199', '"e1199"', 2_199));
    // Claims made together each get their own feed's state, a feed never polled a fresh one.
    const claimed = await Promise.all(['news-3', 'news-1100', 'never'].map((feedId) => reopened.claimFeed(feedId, 'A', 10_000, 20_000)));
    expect(claimed.map((claim) => [claim?.feedId, claim?.etag, claim?.initialized])).toEqual([
      ['news-3', '"e3"', true],
      ['news-1100', '"e1100"', true],
      ['never', null, false],
    ]);
  });

  it.skipIf(!available)('writes the states still gathering before it closes', async () => {
    const where = await locate();
    const store = await open(where);
    const saved = store.saveFeedState(state('news', '"e1"', 1_000));
    await store.close(); // in the same turn: the save has not been sent yet
    await saved;
    const reopened = await open(where);
    stores.push(reopened);
    expect(await reopened.feedStates()).toEqual([state('news', '"e1"', 1_000)]);
  });

  it.skipIf(!available)('rejects every save of a batch whose statement fails, and writes the next batch', async () => {
    const store = await open(await locate());
    stores.push(store);
    const unbindable = Symbol('not a number') as unknown as number; // neither driver binds it to an INTEGER column
    const results = await Promise.allSettled([store.saveFeedState(state('a', '"e"', 1)), store.saveFeedState({ ...state('b', '"e"', 1), failures: unbindable })]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await store.saveFeedState(state('c', '"e"', 2));
    expect((await store.feedStates()).map((read) => read.feedId)).toEqual(['c']);
  });
});

describe.skipIf(!adminUrl)('PostgreSQL claims and state writes made together', () => {
  it('go as one statement each: one transaction wrote every row of a batch', async () => {
    const url = await createDatabase(adminUrl!, `batch_xmin_${process.pid}`);
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    /** How many transactions wrote the feed_state rows (rows written by one statement share its xmin). */
    const writers = async () => Number((await client.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM feed_state')).rows[0]!.n);
    try {
      const feeds = Array.from({ length: 100 }, (_, n) => `news-${n}`);
      const claims = await Promise.all(feeds.map((feedId) => a.claimFeed(feedId, 'A', 100, 1_000)));
      expect(claims.every((claim) => claim?.initialized === false)).toBe(true);
      expect(await writers()).toBe(1);
      await Promise.all(feeds.map((feedId) => a.saveFeedState(state(feedId, '"e1"', 150))));
      expect(await writers()).toBe(1);
      // Another owner's claims in one batch: refused while A's leases run, each on its own row.
      expect(await Promise.all(feeds.slice(0, 3).map((feedId) => b.claimFeed(feedId, 'B', 200, 2_000)))).toEqual([null, null, null]);
      // Two owners' claims of one feed in one batch, as if one after the other: the first made wins.
      const [first, second] = await Promise.all([b.claimFeed('fresh', 'B', 200, 2_000), b.claimFeed('fresh', 'C', 200, 2_000)]);
      expect(first).toMatchObject({ feedId: 'fresh', initialized: false });
      expect(second).toBeNull();
      // Past A's leases, B takes them over, keeping their state.
      expect(await Promise.all(feeds.slice(0, 3).map((feedId) => b.claimFeed(feedId, 'B', 1_001, 2_000)))).toMatchObject([{ etag: '"e1"' }, { etag: '"e1"' }, { etag: '"e1"' }]);
    } finally {
      await client.end();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('items marked seen by feeds polled together go as one statement, however many rows', async () => {
    const url = await createDatabase(adminUrl!, `batch_seen_${process.pid}`);
    const store = await openPostgresStore(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // 300 feeds' first polls remembering 40 items each (12,000 rows, 60,000 values), and one item seen twice.
      const feeds = Array.from({ length: 300 }, (_, n) => `news-${n}`);
      const items = Array.from({ length: 40 }, (_, n) => ({ key: `item-${n}`, url: `https://example.com/${n}`, contentHash: `h${n}` }));
      await Promise.all([...feeds.map((feedId) => store.markSeen(feedId, items, 500)), store.markSeen('news-0', [{ key: 'item-0', url: null }], 600)]);
      const { rows } = await client.query<{ rows: string; writers: string }>('SELECT count(*) AS rows, count(DISTINCT xmin::text) AS writers FROM seen_items');
      expect(rows[0]).toEqual({ rows: '12000', writers: '1' });
      expect(await store.seenItems('news-299', ['item-39', 'item-40'])).toEqual(new Map([['item-39', { contentHash: 'h39', articleId: null }]]));
      expect(await store.seenItems('news-0', ['item-0', 'item-40'])).toEqual(new Map([['item-0', { contentHash: 'h0', articleId: null }]]));
    } finally {
      await client.end();
      await store.close();
    }
  });
});
