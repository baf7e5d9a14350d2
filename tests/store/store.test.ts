import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store, StoredArticle } from '../../src/store/store.js';
import { waitFor } from '../fakes/http.js';
import { createDatabase } from '../postgres-cluster.js';

const adminUrl = inject('postgresAdminUrl');
if (!adminUrl) console.warn(`PostgreSQL store tests skipped: ${inject('postgresSkipReason')}`);
let databases = 0;

const backends: Array<[string, () => Promise<Store>, boolean]> = [
  ['sqlite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'test.db')), true],
  ['postgres', async () => openPostgresStore(await createDatabase(adminUrl!, `store_${process.pid}_${databases++}`)), adminUrl !== null],
];

function article(id: string, overrides: Partial<StoredArticle> = {}): StoredArticle {
  return {
    id,
    feedId: 'news',
    url: `https://news.example/${id}`,
    title: `Title ${id}`,
    summary: `Summary of ${id}.`,
    author: null,
    siteName: 'News',
    imageUrl: null,
    publishedAt: 1_000,
    firstSeenAt: 2_000,
    categories: ['World'],
    ...overrides,
  };
}

describe.each(backends)('the %s store', (_name, open, available) => {
  let store: Store;
  afterEach(async () => store?.close());

  it.skipIf(!available)('records an article, its item and one delivery per target, once', async () => {
    store = await open();
    expect(await store.addArticle(article('a'), { key: 'k1', contentHash: 'h' }, ['discord:1', 'x'], 10)).toEqual(['discord:1', 'x']);
    // The same story from another feed: no new deliveries.
    expect(await store.addArticle(article('a', { feedId: 'other' }), { key: 'k9', contentHash: 'h' }, ['discord:1', 'x'], 11)).toEqual([]);
    expect(await store.unseenKeys('news', ['k1', 'k2'])).toEqual(['k2']);
    await store.markSeen('news', [{ key: 'k2', url: 'https://news.example/b', contentHash: 'h2' }], 12);
    expect(await store.unseenKeys('news', ['k1', 'k2', 'k3'])).toEqual(['k3']);
    expect((await store.seenItems('news', ['k1', 'k2'])).get('k1')).toEqual({ contentHash: 'h', articleId: 'a' });
    expect(await store.deliveryCounts()).toMatchObject({ pending: 2, sent: 0 });
  });

  it.skipIf(!available)('gives each target its queue head in publication order, and tracks attempts', async () => {
    store = await open();
    await store.addArticle(article('late', { publishedAt: 300 }), { key: 'late', contentHash: null }, ['discord:1'], 10);
    await store.addArticle(article('early', { publishedAt: 100 }), { key: 'early', contentHash: null }, ['discord:1', 'x'], 10);
    let due = await store.dueDeliveries(10);
    expect(due.map((job) => [job.delivery.target, job.article.id]).sort()).toEqual([['discord:1', 'early'], ['x', 'early']]);
    const head = due.find((job) => job.delivery.target === 'discord:1')!;
    await store.markSending(head.delivery.id, 11);
    expect((await store.interruptedDeliveries('discord:1')).map((d) => d.id)).toEqual([head.delivery.id]);
    await store.markRetry(head.delivery.id, 'HTTP 500', 50, false, 12);
    expect(await store.dueDeliveries(20)).toHaveLength(1); // discord:1 waits for its head: order is kept
    const heads = await store.queueHeads();
    expect(heads.map((job) => [job.delivery.target, job.article.id, job.delivery.lastError, job.delivery.nextAttemptAt]).sort()).toEqual([
      ['discord:1', 'early', 'HTTP 500', 50],
      ['x', 'early', null, 10],
    ]);
    expect(await store.nextDueAt()).toBe(10);
    due = await store.dueDeliveries(50);
    const retried = due.find((job) => job.delivery.target === 'discord:1')!;
    expect(retried.delivery).toMatchObject({ attempts: 1, lastError: 'HTTP 500', status: 'pending' });
    await store.markSending(retried.delivery.id, 51);
    await store.markSent(retried.delivery.id, 'm1', 52);
    expect((await store.dueDeliveries(60)).map((job) => job.article.id).sort()).toEqual(['early', 'late']);
    await store.markFailed((await store.dueDeliveries(60)).find((j) => j.delivery.target === 'x')!.delivery.id, 'X 403: forbidden', 61);
    expect(await store.deliveryCounts()).toMatchObject({ pending: 1, sent: 1, failed: 1 });
    expect((await store.failedDeliveries(5))[0]!.delivery.lastError).toBe('X 403: forbidden');
  });

  it.skipIf(!available)('revises edited articles and queues edits of sent messages', async () => {
    store = await open();
    await store.addArticle(article('e'), { key: 'e', contentHash: 'h1' }, ['discord:1'], 10);
    const [job] = await store.dueDeliveries(10);
    await store.markSending(job!.delivery.id, 10);
    await store.markSent(job!.delivery.id, 'msg-1', 11);
    expect(await store.dueEdits(20)).toEqual([]);
    expect(await store.reviseArticle('e', { title: 'Title e', summary: 'Summary of e.' })).toBe(false);
    expect(await store.reviseArticle('e', { title: 'New title', summary: 'Summary of e.' })).toBe(true);
    const [edit] = await store.dueEdits(20);
    expect(edit!.article).toMatchObject({ title: 'New title', revision: 2 });
    await store.markEdited(edit!.delivery.id, 2, 21);
    expect(await store.dueEdits(30)).toEqual([]);
  });

  it.skipIf(!available)('searches titles and summaries, best match first, with feed and time filters', async () => {
    store = await open();
    await store.addArticle(article('bridge', { title: 'New bridge opens', summary: 'The river bridge opened.', sortAt: 0, publishedAt: 500 } as never), { key: 'b', contentHash: null }, [], 10);
    await store.addArticle(article('market', { title: 'Market moves', summary: 'Stalls move near the bridge.', publishedAt: 900, feedId: 'city' }), { key: 'm', contentHash: null }, [], 10);
    // Unrelated stories, so that "bridge" is a rare word, as in a real archive.
    for (const id of ['rain', 'budget', 'school']) await store.addArticle(article(id, { title: `About ${id}`, summary: `Nothing on crossings.` }), { key: id, contentHash: null }, [], 10);
    expect((await store.searchArticles('bridge', { limit: 10 })).map((a) => a.id)).toEqual(['bridge', 'market']);
    expect((await store.searchArticles('brid', { limit: 10, feedId: 'city' })).map((a) => a.id)).toEqual(['market']);
    expect((await store.searchArticles('bridge', { limit: 10, since: 600 })).map((a) => a.id)).toEqual(['market']);
    expect(await store.searchArticles('"*) OR (', { limit: 10 })).toEqual([]);
    expect((await store.recentArticles(2, 'city', 0)).map((a) => a.id)).toEqual(['market']);
  });

  it.skipIf(!available)('explains a URL, keeps Discord feeds, X usage and meta', async () => {
    store = await open();
    await store.addArticle(article('w'), { key: 'w', contentHash: null }, ['x'], 10);
    await store.markSeen('news', [{ key: 'old', url: 'https://news.example/old' }], 5);
    expect((await store.urlHistory('https://news.example/w')).deliveries.map((d) => d.target)).toEqual(['x']);
    expect((await store.urlHistory('https://news.example/old')).seen).toEqual([{ feedId: 'news', seenAt: 5, posted: false }]);
    const feed = { id: 'added', url: 'https://a.example/rss', everyMs: 60_000, backfill: 0, name: 'A', channelId: '1', paused: false, addedBy: 'u', createdAt: 1 };
    expect(await store.addDiscordFeed(feed)).toBe(true);
    expect(await store.addDiscordFeed(feed)).toBe(false);
    expect(await store.setDiscordFeedPaused('added', true)).toBe(true);
    expect(await store.discordFeeds()).toEqual([{ ...feed, paused: true }]);
    expect(await store.removeDiscordFeed('added')).toBe(true);
    await store.recordXUsage(['day:1', 'month:1'], 1, 0.2);
    await store.recordXUsage(['day:1', 'month:1'], 1, 0.015);
    const usage = await store.xUsage(['day:1', 'month:1', 'day:2']);
    expect(usage.get('day:1')!.posts).toBe(2);
    expect(usage.get('month:1')!.usd).toBeCloseTo(0.215);
    expect(usage.get('day:2')).toEqual({ posts: 0, usd: 0 });
    await store.setMeta('k', 'v');
    expect(await store.getMeta('k')).toBe('v');
  });
});

describe.skipIf(!adminUrl)('PostgreSQL work sharing', () => {
  it('lets one process hold a feed, a target and the gateway at a time, and hands them over when released or expired', async () => {
    const url = await createDatabase(adminUrl!, `leases_${process.pid}`);
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      expect(await a.claimFeed('news', 'A', 100, 200)).toMatchObject({ feedId: 'news', initialized: false });
      expect(await b.claimFeed('news', 'B', 150, 250)).toBeNull();
      await a.saveFeedState({ feedId: 'news', etag: '"e1"', lastModified: null, initialized: true, lastPollAt: 150, lastSuccessAt: 150, failures: 0, lastError: null });
      expect(await a.claimFeed('news', 'A', 150, 300)).toMatchObject({ etag: '"e1"', initialized: true });
      expect(await b.claimFeed('news', 'B', 301, 400)).toMatchObject({ etag: '"e1"' }); // A's lease expired
      await a.releaseFeed('news', 'A'); // not A's any more: changes nothing
      expect(await a.claimFeed('news', 'A', 310, 500)).toBeNull();
      await b.releaseFeed('news', 'B'); // handed over at once
      expect(await a.claimFeed('news', 'A', 311, 500)).toMatchObject({ feedId: 'news' });

      expect(await a.heartbeat('A', 1_000, 0)).toEqual(['A']);
      expect(await b.heartbeat('B', 1_005, 0)).toEqual(['A', 'B']);
      expect(await b.heartbeat('B', 30_000, 10_000)).toEqual(['B']); // A went quiet
      expect(await a.heartbeat('A', 30_001, 10_001)).toEqual(['A', 'B']);

      await a.addArticle(article('t'), { key: 't', contentHash: null }, ['discord:1', 'x'], 10);
      expect(await a.claimTargets('A', 100, 200)).toEqual({ held: expect.arrayContaining(['discord:1', 'x']), takenOver: expect.arrayContaining(['discord:1', 'x']) });
      expect(await b.claimTargets('B', 150, 250)).toEqual({ held: [], takenOver: [] });
      expect((await a.claimTargets('A', 150, 300)).takenOver).toEqual([]);
      await a.releaseLeases('A');
      expect((await b.claimTargets('B', 160, 260)).takenOver.sort()).toEqual(['discord:1', 'x']);
      expect(await b.heartbeat('B', 30_002, 10_002)).toEqual(['B']); // a graceful stop leaves the workers at once

      expect(await a.tryGatewayLock()).toBe(true);
      expect(await b.tryGatewayLock()).toBe(false);
      await a.close();
      // The server releases a closed session's advisory lock a moment later.
      await waitFor('the gateway lock to pass to b', () => b.tryGatewayLock(), 10_000, 50);
    } finally {
      await b.close();
    }
  });
});

describe('feeds added from Discord, seen from another process', () => {
  it('reach every registry sharing the database through refresh()', async () => {
    const { FeedRegistry } = await import('../../src/pipeline/registry.js');
    const { parseConfig } = await import('../../src/config/config.js');
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-registry-')), 'test.db'));
    try {
      const config = parseConfig({}, 'test');
      const here = new FeedRegistry(config, store);
      const there = new FeedRegistry(config, store);
      await Promise.all([here.load(), there.load()]);
      const seen: string[] = [];
      there.onChange({ added: (feed) => seen.push(`+${feed.id}`), removed: (id) => seen.push(`-${id}`) });
      await here.add({ id: 'remote', url: 'https://r.example/rss', everyMs: 60_000, backfill: 0, name: 'R', channelId: '1', paused: false, addedBy: null, createdAt: 1 });
      await there.refresh();
      await here.setPaused('remote', true);
      await there.refresh();
      await here.setPaused('remote', false);
      await there.refresh();
      await here.remove('remote');
      await there.refresh();
      expect(seen).toEqual(['+remote', '-remote', '+remote', '-remote']);
      expect(there.targetsFor('remote')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
