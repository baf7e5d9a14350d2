import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import { StoreRowError } from '../../src/store/rows.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { article } from '../builders.js';
import { waitFor } from '../fakes/http.js';
import { createDatabase } from '../postgres-cluster.js';

const adminUrl = inject('postgresAdminUrl');
if (!adminUrl) console.warn(`PostgreSQL store tests skipped: ${inject('postgresSkipReason')}`);
let databases = 0;

const backends: Array<[string, () => Promise<Store>, boolean]> = [
  ['sqlite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-store-')), 'test.db')), true],
  ['postgres', async () => openPostgresStore(await createDatabase(adminUrl!, `store_${process.pid}_${databases++}`)), adminUrl !== null],
];

/** Deliveries to record, each with options naming its target. */
const to = (...targets: string[]) => targets.map((target) => ({ target, options: { template: `{url} on ${target}` } }));

describe.each(backends)('the %s store', (_name, open, available) => {
  let store: Store;
  afterEach(async () => store?.close());

  it.skipIf(!available)('records an article, its item and one delivery per target, once', async () => {
    store = await open();
    expect(await store.addArticle(article({ id: 'a' }), { key: 'k1', contentHash: 'h' }, to('discord:1', 'x'), 10)).toEqual(['discord:1', 'x']);
    // The same story from another feed: no new deliveries.
    expect(await store.addArticle(article({ id: 'a', feedId: 'other' }), { key: 'k9', contentHash: 'h' }, to('discord:1', 'x'), 11)).toEqual([]);
    // Each delivery keeps the options it was recorded with; there is nothing to fill.
    expect((await store.urlHistory('https://news.example/a')).deliveries.map((d) => [d.target, d.options])).toEqual([['discord:1', { template: '{url} on discord:1' }], ['x', { template: '{url} on x' }]]);
    expect(await store.fillDeliveryOptions(() => ({ template: 'never' }))).toBe(0);
    expect([...(await store.seenItems('news', ['k1', 'k2'])).keys()]).toEqual(['k1']);
    await store.markSeen('news', [{ key: 'k2', url: 'https://news.example/b', contentHash: 'h2' }], 12);
    expect([...(await store.seenItems('news', ['k1', 'k2', 'k3'])).keys()].sort()).toEqual(['k1', 'k2']);
    expect((await store.seenItems('news', ['k1', 'k2'])).get('k1')).toEqual({ contentHash: 'h', articleId: 'a' });
    expect(await store.deliveryCounts()).toMatchObject({ pending: 2, sent: 0 });
  });

  it.skipIf(!available)('records a delivery a filter held back as skipped with its reason, never due', async () => {
    store = await open();
    const options = { template: null, style: { name: 'news', color: 0 }, priority: 0 };
    const deliveries = [{ target: 'discord:1', options, heldBack: 'held back by exclude: words "ad" in title' }, { target: 'x', options }];
    expect(await store.addArticle(article({ id: 'h' }), { key: 'kh', contentHash: 'h' }, deliveries, 10)).toEqual(['x']);
    expect((await store.dueDeliveries(20)).map((job) => job.delivery.target)).toEqual(['x']);
    const history = await store.urlHistory(article({ id: 'h' }).url);
    expect(history.deliveries.map(({ target, status, lastError }) => ({ target, status, lastError }))).toEqual([
      { target: 'discord:1', status: 'skipped', lastError: 'held back by exclude: words "ad" in title' },
      { target: 'x', status: 'pending', lastError: null },
    ]);
  });

  it.skipIf(!available)('holds an article for the first desk among its held deliveries, once, its deliveries queued in the order given', async () => {
    store = await open();
    const options = { template: null };
    const desk = (channel: string, expireMs: number) => ({ channel, expireMs, onExpiry: 'post' as const });
    const deliveries = [
      { target: 'discord:3', options },
      { target: 'discord:1', options, approval: desk('mods-a', 60_000) },
      { target: 'discord:2', options, approval: desk('mods-b', 5_000) },
      { target: 'x', options, heldBack: 'held back by exclude' },
    ];
    expect(await store.addArticle(article({ id: 'd' }), { key: 'kd', contentHash: 'h' }, deliveries, 100)).toEqual(['discord:3']);
    const found = await store.approval('d');
    expect(found?.approval).toMatchObject({ channel: 'mods-a', status: 'held', expiresAt: 60_100, onExpiry: 'post' });
    expect(found?.deliveries.map((d) => [d.target, d.status])).toEqual([
      ['discord:3', 'pending'],
      ['discord:1', 'held'],
      ['discord:2', 'held'],
      ['x', 'skipped'],
    ]);
    // The same story again, from another feed and with another desk first: nothing new, the first desk kept.
    expect(await store.addArticle(article({ id: 'd', feedId: 'other' }), { key: 'ke', contentHash: 'h' }, [{ target: 'discord:4', options, approval: desk('mods-c', 1) }, ...deliveries], 200)).toEqual([]);
    expect((await store.approval('d'))?.approval.channel).toBe('mods-a');
    expect((await store.approval('d'))?.deliveries.map((d) => [d.target, d.status])).toContainEqual(['discord:4', 'held']);
    expect((await store.seenItems('other', ['ke'])).get('ke')).toEqual({ contentHash: 'h', articleId: 'd' });
    // No desk among the deliveries that were new: no approval.
    await store.addArticle(article({ id: 'e' }), { key: 'kf', contentHash: 'h' }, [{ target: 'discord:1', options }], 300);
    expect((await store.approval('e'))?.approval ?? null).toBeNull();
  });

  it.skipIf(!available)('keeps members’ alerts per member and guild, at most `max` each, paused and resumed together, and counts their DMs', async () => {
    store = await open();
    const alice = { guildId: 'g1', memberId: 'alice' };
    const first = await store.addMemberAlert({ ...alice, words: ['heat pump', 'solar'] }, 2, 10);
    expect(first).toEqual({ id: expect.any(Number), number: 1, ...alice, words: ['heat pump', 'solar'], createdAt: 10, pausedAt: null });
    await store.addMemberAlert({ ...alice, words: ['tram'] }, 2, 11);
    expect(await store.addMemberAlert({ ...alice, words: ['bus'] }, 2, 12)).toBeNull();
    await store.addMemberAlert({ guildId: 'g2', memberId: 'alice', words: ['bus'] }, 2, 12);
    await store.addMemberAlert({ guildId: 'g1', memberId: 'bob', words: ['rail'] }, 2, 13);
    expect((await store.memberAlerts('g1', 'alice')).map((a) => a.words)).toEqual([['heat pump', 'solar'], ['tram']]);
    // Numbered per member (in every guild): Bob's first is his #1, whatever Alice made before.
    expect((await store.activeAlerts('all')).map((a) => [a.memberId, a.guildId, a.number])).toEqual([['alice', 'g1', 1], ['alice', 'g1', 2], ['alice', 'g2', 3], ['bob', 'g1', 1]]);
    expect((await store.activeAlerts(['g1'])).map((a) => a.memberId)).toEqual(['alice', 'alice', 'bob']);
    expect(await store.removeMemberAlert('g2', 'alice', 1)).toBe(false);
    expect(await store.removeMemberAlert('g1', 'alice', first!.number)).toBe(true);
    expect((await store.memberAlerts('g1', 'bob')).map((a) => a.number)).toEqual([1]);
    // Closed DMs pause a member everywhere; a new alert starts paused; resuming clears them all.
    expect(await store.setAlertsPaused('alice', 50)).toBe(2);
    expect((await store.activeAlerts(['g1', 'g2'])).map((a) => a.memberId)).toEqual(['bob']);
    expect(await store.addMemberAlert({ guildId: 'g2', memberId: 'alice', words: ['ferry'] }, 2, 51)).toMatchObject({ number: 4, pausedAt: 50 });
    expect(await store.setAlertsPaused('alice', null)).toBe(3);
    expect(await store.activeAlerts([])).toEqual([]);
    expect((await store.activeAlerts('all')).map((a) => [a.guildId, a.memberId])).toEqual([['g1', 'alice'], ['g2', 'alice'], ['g1', 'bob'], ['g2', 'alice']]);
    // DMs counted per member target since a time: sent (or sending), and those dropped by the limit.
    const options = { template: null, style: { name: 'news', color: 0 }, priority: 0 };
    const limits = { dropped: 'alert DM limit', paused: 'alerts paused' };
    for (const id of ['d1', 'd2', 'd3']) await store.addArticle(article({ id }), { key: id, contentHash: null }, [{ target: 'discord:@alice', options }], 100);
    const [one, two, three] = (await store.unfinishedFor('discord:@alice')).map((job) => job.delivery.id);
    await store.markSending(one!, 100);
    await store.markSent(one!, 'm1', 110);
    await store.markSkipped(two!, 'alert DM limit: at most 1 an hour', 120);
    await store.markSkipped(three!, 'held back by a moderator', 120);
    expect(await store.alertDms('discord:@alice', 100, limits)).toEqual({ sent: 1, failed: 0, dropped: 1, paused: 0 });
    expect(await store.alertDms('discord:@alice', 115, limits)).toEqual({ sent: 0, failed: 0, dropped: 1, paused: 0 });
    expect(await store.alertDms('discord:@bob', 0, limits)).toEqual({ sent: 0, failed: 0, dropped: 0, paused: 0 });
    // A DM edited later (the article was revised) still counts from when it was sent.
    await store.markEdited(one!, 2, 4_000_000);
    expect(await store.alertDms('discord:@alice', 3_900_000, limits)).toEqual({ sent: 0, failed: 0, dropped: 0, paused: 0 });
    // One being sent counts at once.
    await store.addArticle(article({ id: 'd4' }), { key: 'd4', contentHash: null }, [{ target: 'discord:@alice', options }], 4_000_000);
    const [four] = (await store.unfinishedFor('discord:@alice')).map((job) => job.delivery.id);
    await store.markSending(four!, 4_000_001);
    expect(await store.alertDms('discord:@alice', 3_900_000, limits)).toEqual({ sent: 1, failed: 0, dropped: 0, paused: 0 });
    // A DM Discord refused counts as tried; matches skipped while paused are counted apart.
    for (const id of ['d5', 'd6']) await store.addArticle(article({ id }), { key: id, contentHash: null }, [{ target: 'discord:@alice', options }], 4_000_002);
    const [, five, six] = (await store.unfinishedFor('discord:@alice')).map((job) => job.delivery.id);
    await store.markFailed(five!, 'Discord 403 50007', 4_000_003);
    await store.markSkipped(six!, 'alerts paused (DMs closed)', 4_000_003);
    expect(await store.alertDms('discord:@alice', 3_900_000, limits)).toEqual({ sent: 1, failed: 1, dropped: 0, paused: 1 });
    expect((await store.alertsOf('alice')).map((a) => a.guildId)).toEqual(['g1', 'g2', 'g2']);
  });

  it.skipIf(!available)('takes a feed with more items than one statement can bind (SQLite 32,766 values, PostgreSQL 65,535)', async () => {
    store = await open();
    const items = Array.from({ length: 12_000 }, (_, i) => ({ key: `i${i}`, url: `https://news.example/${i}`, contentHash: `h${i}` }));
    await store.markSeen('big', items, 7);
    const keys = Array.from({ length: 12_100 }, (_, i) => `i${i}`);
    const seen = await store.seenItems('big', keys);
    expect(seen.size).toBe(12_000);
    expect(seen.get('i11999')).toEqual({ contentHash: 'h11999', articleId: null });
  });

  it.skipIf(!available)('gives each target its queue head in publication order, and tracks attempts', async () => {
    store = await open();
    await store.addArticle(article({ id: 'late', publishedAt: 300 }), { key: 'late', contentHash: null }, to('discord:1'), 10);
    await store.addArticle(article({ id: 'early', publishedAt: 100 }), { key: 'early', contentHash: null }, to('discord:1', 'x'), 10);
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
    // The earliest head: discord:1's late story waits behind its head's retry.
    expect(await store.nextDueAt(['discord:1', 'x'])).toBe(10);
    expect(await store.nextDueAt(['discord:1'])).toBe(50);
    expect(await store.nextDueAt(['other'])).toBeNull();
    expect(await store.nextDueAt([])).toBeNull();
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
    await store.addArticle(article({ id: 'e' }), { key: 'e', contentHash: 'h1' }, to('discord:1'), 10);
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

  it.skipIf(!available)("rewrites an article's delivery options, writing only the rows that change", async () => {
    store = await open();
    await store.addArticle(article({ id: 'r' }), { key: 'r', contentHash: 'h' }, [{ target: 'discord:1', options: { template: null, matches: ['breaking', 'local'] } }, { target: 'discord:2', options: { template: null } }], 10);
    await store.addArticle(article({ id: 'other', url: 'https://news.example/other' }), { key: 'o', contentHash: 'h' }, [{ target: 'discord:1', options: { template: null, matches: ['breaking'] } }], 10);
    const dropBreaking = (options: Readonly<Record<string, unknown>>) => ('matches' in options ? { ...options, matches: (options.matches as string[]).filter((name) => name !== 'breaking') } : options);
    expect(await store.rewriteDeliveryOptions('r', dropBreaking)).toBe(1);
    expect((await store.urlHistory('https://news.example/r')).deliveries.map((d) => [d.target, d.options])).toEqual([['discord:1', { template: null, matches: ['local'] }], ['discord:2', { template: null }]]);
    // Another article's deliveries are left alone; a second pass changes nothing.
    expect((await store.urlHistory('https://news.example/other')).deliveries.map((d) => d.options)).toEqual([{ template: null, matches: ['breaking'] }]);
    expect(await store.rewriteDeliveryOptions('r', dropBreaking)).toBe(0);
  });

  it.skipIf(!available)('searches titles and summaries, best match first, with feed and time filters', async () => {
    store = await open();
    await store.addArticle(article({ id: 'bridge', title: 'New bridge opens', summary: 'The river bridge opened.', sortAt: 0, publishedAt: 500 } as never), { key: 'b', contentHash: null }, [], 10);
    await store.addArticle(article({ id: 'market', title: 'Market moves', summary: 'Stalls move near the bridge.', publishedAt: 900, feedId: 'city' }), { key: 'm', contentHash: null }, [], 10);
    // Unrelated stories, so that "bridge" is a rare word, as in a real archive.
    for (const id of ['rain', 'budget', 'school']) await store.addArticle(article({ id, title: `About ${id}`, summary: `Nothing on crossings.` }), { key: id, contentHash: null }, [], 10);
    expect((await store.searchArticles('bridge', { limit: 10 })).map((a) => a.id)).toEqual(['bridge', 'market']);
    expect((await store.searchArticles('brid', { limit: 10, feedId: 'city' })).map((a) => a.id)).toEqual(['market']);
    expect((await store.searchArticles('bridge', { limit: 10, since: 600 })).map((a) => a.id)).toEqual(['market']);
    expect(await store.searchArticles('"*) OR (', { limit: 10 })).toEqual([]);
    expect((await store.recentArticles(2, 'city', 0)).map((a) => a.id)).toEqual(['market']);
  });

  it.skipIf(!available)('keeps one WebSub subscription per feed, found by feed and by callback', async () => {
    store = await open();
    const subscription = { feedId: 'news', hub: 'https://hub.example/', topic: 'https://news.example/rss', callbackId: 'cb-123456789', secret: 's', state: 'requested' as const, leaseUntil: null, requestedAt: 5, lastPushAt: null, lastError: null };
    await store.savePushSubscription(subscription);
    const verified = { ...subscription, state: 'active' as const, leaseUntil: 9_000_000_000_000, lastPushAt: 7 };
    await store.savePushSubscription(verified);
    expect(await store.pushSubscriptions()).toEqual([verified]);
    expect(await store.pushSubscription('news')).toEqual(verified);
    expect(await store.pushSubscriptionByCallback('cb-123456789')).toEqual(verified);
    expect(await store.pushSubscriptionByCallback('other')).toBeNull();
    await store.deletePushSubscription('news');
    expect(await store.pushSubscription('news')).toBeNull();
  });

  it.skipIf(!available)('explains a URL, keeps Discord feeds, X usage and meta', async () => {
    store = await open();
    await store.addArticle(article({ id: 'w' }), { key: 'w', contentHash: null }, to('x'), 10);
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
    // Posts per platform: sent deliveries of a kind (any address) since a time.
    await store.addArticle(article({ id: 's' }), { key: 's', contentHash: null }, to('telegram:@a', 'telegram:@b', 'telegramx', 'bluesky'), 10);
    const sentIds = (await store.urlHistory('https://news.example/s')).deliveries.map((d) => d.id);
    for (const [n, id] of sentIds.entries()) await store.markSent(id, `r${n}`, 100 + n * 100);
    expect([await store.sentSince('telegram', 0), await store.sentSince('telegram', 150), await store.sentSince('bluesky', 400), await store.sentSince('telegramx', 0), await store.sentSince('x', 0)]).toEqual([2, 1, 1, 1, 0]);
    await store.setMeta('k', 'v');
    expect(await store.getMeta('k')).toBe('v');
  });
});

/** A database as an earlier release left it: schema versions 1-6 and rows, from tests/store/fixtures. */
interface LegacyDatabase {
  open(): Promise<Store>;
  /** Runs SQL on the database behind the store's back (one or more statements, no parameters). */
  run(sql: string): Promise<void>;
  /** schema_migrations as [version, applied_at], by version. */
  versions(): Promise<Array<[number, number]>>;
}

const VERSIONS = 'SELECT version, applied_at FROM schema_migrations ORDER BY version';

const fixture = (dialect: string) => readFileSync(new URL(`fixtures/schema-v6.${dialect}.sql`, import.meta.url), 'utf8');

const legacyBackends: Array<[string, () => Promise<LegacyDatabase>, boolean]> = [
  [
    'sqlite',
    async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'herald-legacy-')), 'old.db');
      const run = async (sql: string) => {
        const db = new Database(path);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      };
      await run(fixture('sqlite'));
      const versions = async () => {
        const db = new Database(path, { readonly: true });
        try {
          return (db.prepare(VERSIONS).all() as Array<{ version: number; applied_at: number }>).map((row): [number, number] => [row.version, row.applied_at]);
        } finally {
          db.close();
        }
      };
      return { open: async () => openSqliteStore(path), run, versions };
    },
    true,
  ],
  [
    'postgres',
    async () => {
      const url = await createDatabase(adminUrl!, `legacy_${process.pid}_${databases++}`);
      const query = async (sql: string) => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query(sql)).rows as Array<Record<string, unknown>>;
        } finally {
          await client.end();
        }
      };
      await query(fixture('postgres'));
      return {
        open: () => openPostgresStore(url),
        run: async (sql) => void (await query(sql)),
        versions: async () => (await query(VERSIONS)).map((row): [number, number] => [Number(row.version), Number(row.applied_at)]),
      };
    },
    adminUrl !== null,
  ],
];

describe.each(legacyBackends)('a %s database created by an earlier release', (_name, create, available) => {
  let store: Store;
  afterEach(async () => store?.close());
  const at = 1_764_000_300_000;

  it.skipIf(!available)('opens without migrating again, reads what was written, and keeps working', async () => {
    const legacy = await create();
    store = await legacy.open();
    expect(await store.feedStates()).toEqual([
      { feedId: 'news', etag: '"e1"', lastModified: 'Tue, 25 Nov 2026 10:00:00 GMT', initialized: true, lastPollAt: 1_764_000_100_000, lastSuccessAt: 1_764_000_100_000, failures: 0, lastError: null, heldUntil: null, readUrl: null, readFor: null },
    ]);
    // The worker that held the feed and the target is gone and its leases ran out.
    expect(await store.claimFeed('news', 'A', at, at + 60_000)).toMatchObject({ etag: '"e1"', initialized: true });
    expect(await store.claimTargets('A', at, at + 60_000, () => true)).toEqual({ held: ['x'], takenOver: ['x'] });
    expect(await store.heartbeat('A', at, at - 60_000)).toEqual(['A']);
    const history = await store.urlHistory('https://news.example/old');
    expect(history.seen).toEqual([{ feedId: 'news', seenAt: 1_764_000_050_000, posted: true }]);
    expect(history.article).toMatchObject({ id: 'old', revision: 2, categories: ['City'], author: 'Ann', publishedAt: 1_764_000_000_000 });
    expect(history.deliveries.map((d) => [d.target, d.status])).toEqual([['discord:1', 'sent'], ['x', 'pending']]);
    expect((await store.queueHeads()).map((job) => job.delivery)).toMatchObject([{ target: 'x', attempts: 1, lastError: 'HTTP 503', unknownOutcome: true, nextAttemptAt: 1_764_000_070_000 }]);
    expect(await store.discordFeeds()).toEqual([{ id: 'added', url: 'https://a.example/rss', everyMs: 600_000, backfill: 3, name: 'A', channelId: '42', paused: true, addedBy: 'u1', createdAt: 1_764_000_000_000 }]);
    expect((await store.xUsage(['month:2026-11'])).get('month:2026-11')).toEqual({ posts: 3, usd: 0.045 });
    expect(await store.getMeta('x.tokens')).toBe('{"accessToken":"t"}');
    expect(await store.seenItems('news', ['old-key'])).toEqual(new Map([['old-key', { contentHash: 'h-old', articleId: 'old' }]]));
    // Its deliveries had no options; they get them once, per feed and target, and keep them.
    expect(history.deliveries.map((d) => d.options)).toEqual([null, null]);
    const asked: string[] = [];
    const optionsOf = (feedId: string, target: string) => (asked.push(`${feedId} ${target}`), { template: `filled for ${target}` });
    expect(await store.fillDeliveryOptions(optionsOf)).toBe(2);
    expect(asked.sort()).toEqual(['news discord:1', 'news x']);
    expect((await store.urlHistory('https://news.example/old')).deliveries.map((d) => d.options)).toEqual([{ template: 'filled for discord:1' }, { template: 'filled for x' }]);
    expect(await store.fillDeliveryOptions(optionsOf)).toBe(0);

    // New rows join the old ones: ids continue, the search index covers both, edits are queued.
    expect(await store.addArticle(article({ id: 'new', title: 'New bridge planned', publishedAt: at }), { key: 'new', contentHash: null }, to('x', 'discord:1'), at)).toEqual(['x', 'discord:1']);
    const queued = await store.unfinishedFor('x');
    expect(queued.map((job) => job.article.id)).toEqual(['old', 'new']);
    expect(queued[1]!.delivery.id).toBeGreaterThan(queued[0]!.delivery.id);
    expect((await store.searchArticles('bridge', { limit: 5 })).map((a) => a.id).sort()).toEqual(['new', 'old']);
    expect(await store.reviseArticle('old', { title: 'Old bridge reopens', summary: 'It reopened on Monday.' })).toBe(true);
    expect((await store.dueEdits(at)).map((job) => [job.delivery.remoteId, job.article.revision])).toEqual([['m-1', 3]]);
    await store.close();

    // The earlier release's versions are kept; the later ones were applied once, at the first open.
    const versions = await legacy.versions();
    store = await legacy.open();
    expect(await legacy.versions()).toEqual(versions);
    expect(versions.slice(0, 6)).toEqual([1, 2, 3, 4, 5, 6].map((version) => [version, 1_764_000_000_000 + version]));
    expect(versions.slice(6).map(([version]) => version)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(await store.pushSubscriptions()).toEqual([]);
  });

  it.skipIf(!available)('numbers the alerts made before schema v13 per member, in the order made', async () => {
    const legacy = await create();
    await (await legacy.open()).close();
    // Back to schema v12, with alerts of two members in two guilds.
    await legacy.run(`DROP INDEX member_alerts_number; ALTER TABLE member_alerts DROP COLUMN number; DELETE FROM schema_migrations WHERE version = 13;
      INSERT INTO member_alerts (guild_id, member_id, words, created_at) VALUES ('g1', 'alice', '["a"]', 1), ('g1', 'bob', '["b"]', 2), ('g2', 'alice', '["c"]', 3), ('g1', 'bob', '["d"]', 4);`);
    store = await legacy.open();
    expect((await store.activeAlerts('all')).map((a) => [a.memberId, a.words[0], a.number])).toEqual([['alice', 'a', 1], ['bob', 'b', 1], ['alice', 'c', 2], ['bob', 'd', 2]]);
    expect(await store.addMemberAlert({ guildId: 'g1', memberId: 'bob', words: ['e'] }, 5, 5)).toMatchObject({ number: 3 });
  });

  it.skipIf(!available)('rejects a row it did not write rather than passing it on', async () => {
    const legacy = await create();
    await legacy.run(`UPDATE deliveries SET status = 'lost' WHERE target = 'x'`);
    store = await legacy.open();
    await expect(store.queueHeads()).resolves.toEqual([]); // not unfinished: never read
    await expect(store.urlHistory('https://news.example/old')).rejects.toThrow(StoreRowError);
    await legacy.run(`UPDATE deliveries SET status = 'pending' WHERE target = 'x'; UPDATE articles SET categories = 'City' WHERE id = 'old'`);
    await expect(store.queueHeads()).rejects.toThrow(/articles row: categories/);
  });
});

describe.skipIf(!adminUrl)('PostgreSQL work sharing', () => {
  it('lets one process hold a feed, a target and the gateway at a time, and hands them over when released or expired', async () => {
    const url = await createDatabase(adminUrl!, `leases_${process.pid}`);
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      expect(await a.claimFeed('news', 'A', 100, 200)).toMatchObject({ feedId: 'news', initialized: false });
      expect(await b.claimFeed('news', 'B', 150, 250)).toBeNull();
      await a.saveFeedState({ feedId: 'news', etag: '"e1"', lastModified: null, initialized: true, lastPollAt: 150, lastSuccessAt: 150, failures: 0, lastError: null, heldUntil: null, readUrl: null, readFor: null });
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

      await a.addArticle(article({ id: 't' }), { key: 't', contentHash: null }, to('discord:1', 'x'), 10);
      const all = () => true;
      expect(await a.claimTargets('A', 100, 200, all)).toEqual({ held: expect.arrayContaining(['discord:1', 'x']), takenOver: expect.arrayContaining(['discord:1', 'x']) });
      expect(await b.claimTargets('B', 150, 250, all)).toEqual({ held: [], takenOver: [] });
      expect((await a.claimTargets('A', 150, 300, all)).takenOver).toEqual([]);
      await a.releaseLeases('A');
      expect((await b.claimTargets('B', 160, 260, all)).takenOver.sort()).toEqual(['discord:1', 'x']);
      await b.releaseLeases('B');
      // A process without X configured leaves X's queue to one that has it.
      expect(await a.claimTargets('A', 170, 270, (target) => target !== 'x')).toEqual({ held: ['discord:1'], takenOver: ['discord:1'] });
      expect(await b.claimTargets('B', 171, 271, all)).toEqual({ held: ['x'], takenOver: ['x'] });
      await a.releaseLeases('A');
      await b.releaseLeases('B');
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
    const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-registry-')), 'test.db'));
    try {
      const config = parseConfig({}, 'test', []);
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
