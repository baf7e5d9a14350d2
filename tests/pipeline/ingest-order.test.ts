import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article, ArticlePreparer, PreparedArticle } from '../../src/articles/article.js';
import type { FeedConfig } from '../../src/config/config.js';
import { ingestPushed } from '../../src/pipeline/ingest.js';
import type { HttpClient } from '../../src/sources/http.js';
import type { FeedItem, ParsedFeed } from '../../src/sources/feed.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { article } from '../builders.js';

const FEED: FeedConfig = { id: 'news', url: 'https://news.example/feed.xml', everyMs: 60_000, minEveryMs: 60_000, maxEveryMs: 60_000, backfill: 0, name: 'news', siteName: null, color: 0, priority: 0, category: null, privateNetwork: false };

function item(n: number): FeedItem {
  return { id: `s${n}`, title: `Story ${n}`, url: `https://news.example/${n}`, publishedAt: new Date(Date.UTC(2026, 10, 30, 12, n)), updatedAt: null, author: null, summary: `Story ${n}.`, contentHtml: null, imageUrl: null, categories: [] };
}

describe('ingesting several new items of one feed', () => {
  let store: Store;
  beforeEach(async () => (store = await openStore('sqlite::memory:')));
  afterEach(() => store.close());

  /** The real store, but recording what it records; it refuses `addArticle` once for each id in `refuse`, as a full disk does. */
  function recordingStore(recorded: string[], refuse: Set<string>): Store {
    return new Proxy(store, {
      get(target, property) {
        if (property === 'addArticle')
          return async (stored: Article, ...rest: [never, never, never]) => {
            if (refuse.delete(stored.id)) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
            const queued = await target.addArticle(stored, ...rest);
            recorded.push(stored.id);
            return queued;
          };
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  // The oldest story's page is the slowest to come back, the newest the fastest.
  const preparer: ArticlePreparer = {
    loadPage: () => Promise.reject(new Error('not used')),
    async prepare(source): Promise<PreparedArticle> {
      const n = Number(source.item.id!.slice(1));
      await new Promise((resolve) => setTimeout(resolve, (4 - n) * 30));
      return { article: article({ id: source.item.id!, feedId: FEED.id, title: source.item.title!, url: source.item.url!, publishedAt: source.item.publishedAt!.getTime() }), text: '', language: null, pageFailure: null, pageRejected: null };
    },
  };
  const parsed: ParsedFeed = { format: 'rss', title: 'News', link: null, items: [item(3), item(2), item(1)], hints: { ttlMs: null, updateEveryMs: null, skipHours: [], skipDays: [] }, hubs: [], self: null } as unknown as ParsedFeed;
  const ingest = (spied: Store) =>
    ingestPushed(FEED, parsed, {
      store: spied,
      http: {} as HttpClient,
      articles: preparer,
      log: pino({ level: 'silent' }),
      deliveriesFor: () => [{ target: 'discord:1', options: {} }],
      matchedFilters: () => [],
      updates: 'ignore',
      feedLimits: { maxBytes: 1_000_000, timeoutMs: 5_000 },
      addresses: new Map(),
      onNewDeliveries: () => {},
    });

  it("records them in publication order even when a newer item's page comes back first", async () => {
    const recorded: string[] = [];
    expect(await ingest(recordingStore(recorded, new Set()))).toBe(3);
    expect(recorded).toEqual(['s1', 's2', 's3']);
  });

  it('records no newer item when an older one could not be recorded, so the retry keeps publication order', async () => {
    const recorded: string[] = [];
    const spied = recordingStore(recorded, new Set(['s2']));
    await expect(ingest(spied)).rejects.toThrow('database or disk is full');
    expect(recorded).toEqual(['s1']);
    expect(await ingest(spied)).toBe(2);
    expect(recorded).toEqual(['s1', 's2', 's3']);
  });
});
