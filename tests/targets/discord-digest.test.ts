import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { Outbox } from '../../src/deliveries/outbox.js';
import { createLogger } from '../../src/ops/logger.js';
import { FeedRegistry } from '../../src/pipeline/registry.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { createDiscord, type DiscordConnection } from '../../src/targets/discord/client.js';
import type { CommandDeps } from '../../src/targets/discord/commands/types.js';
import { explain } from '../../src/targets/discord/commands/why.js';
import { discordKind } from '../../src/targets/discord/kind.js';
import { discordSettings } from '../../src/targets/discord/settings.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { article } from '../builders.js';
import { FakeDiscord, type PostedMessage } from '../fakes/discord.js';

const TOKEN = 'digest-test-token';
const CHANNEL = '222222222222222222';
const FORUM = '233333333333333333';
const MEDIA = '244444444444444444';
const HOUR = 3_600_000;

/**
 * Pace, quiet hours and scheduled digests as the outbox meets them: the real Discord target
 * (discord.js REST) against the fake Discord, an in-memory SQLite store, routes from a parsed config,
 * on a clock the test sets (nothing sleeps).
 */
describe('digests on Discord', () => {
  const discord = new FakeDiscord(TOKEN, [CHANNEL]);
  const log = createLogger({ level: 'silent', secrets: [TOKEN] });
  let store: Store;
  let connection: DiscordConnection | null = null;
  let clock = 0;

  beforeAll(() => discord.start());
  afterAll(() => discord.stop());
  afterEach(async () => {
    await connection?.close();
    await store?.close();
  });

  async function setUp(destination: Record<string, unknown>, feeds: Array<{ id: string; priority?: number }> = [{ id: 'news' }], channel = CHANNEL) {
    store = await openSqliteStore(':memory:');
    const config = parseConfig(
      { feeds: feeds.map((feed) => ({ ...feed, url: `https://${feed.id}.example/rss` })), routes: [{ feeds: ['*'], to: [{ discord: { channel, ...destination } }] }] },
      'herald.yaml',
      TARGET_KINDS,
    );
    const registry = new FeedRegistry(config, store);
    await registry.load();
    // Digests go to a text channel: no lead image is fetched.
    const httpFor = () => {
      throw new Error('digest tests fetch no images');
    };
    connection = createDiscord({ token: TOKEN, apiUrl: discord.apiUrl, guildId: null, store, httpFor, log, commands: {} as CommandDeps, commandCounter: { inc() {} }, alerts: { store, settings: () => discordSettings(config).alerts } });
    const before = discord.messagesIn(channel).length;
    return {
      /** Records an article of `feedId` published (and first seen) at `at`, as ingest would. */
      queue: (id: string, at: number, feedId = 'news') =>
        store.addArticle(article({ id, feedId, url: `https://news.example/${id}`, title: `Story ${id}`, publishedAt: at, firstSeenAt: at }), { key: id, contentHash: null }, registry.deliveriesFor(feedId), at),
      /** A fresh outbox (a restarted process when `owner` changes) on the same store and clock. */
      outbox: (owner = 'herald', on: Store = store) =>
        new Outbox({ store: on, targets: new Map([['discord', { target: connection!.target, idempotent: true, canEdit: true }]]), retry: { maxAttempts: 5, baseMs: 1_000, maxMs: 60_000 }, log, owner, now: () => clock }),
      /** What this test posted to the channel. */
      posted: (): PostedMessage[] => discord.messagesIn(channel).slice(before),
    };
  }

  const digestsIn = (messages: PostedMessage[]) => messages.filter((m) => m.body?.embeds?.[0]?.title && !m.body.embeds[0].url);
  const linksIn = (messages: PostedMessage[]) => messages.flatMap((m) => [...(m.body?.embeds?.[0]?.description ?? '').matchAll(/\]\((https:[^)]+)\)/g)].map((match) => match[1]!));
  const statusOf = async (id: string) => (await store.urlHistory(`https://news.example/${id}`)).deliveries[0]!.status;

  it('a burst over the pace goes out as N single posts and one digest, in several messages, when a post is free', async () => {
    clock = Date.UTC(2026, 10, 30, 12);
    const { queue, outbox, posted } = await setUp({ pace: { posts: 5, per: '1h' } });
    const ids = Array.from({ length: 200 }, (_, i) => `s${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await queue(id, clock - 200_000 + i * 1_000);
    await outbox().drain();
    expect(posted().map((m) => m.body?.embeds?.[0]?.url)).toEqual(ids.slice(0, 5).map((id) => `https://news.example/${id}`));
    expect(await statusOf('s005')).toBe('folded');

    clock += HOUR - 1;
    await outbox().drain();
    expect(posted()).toHaveLength(5);
    clock += 1;
    await outbox().drain();
    const digest = digestsIn(posted());
    // 195 titles take more than one embed of 4,096 characters: numbered parts, each within Discord's limits.
    expect(digest.length).toBeGreaterThan(1);
    expect(digest.map((m) => m.body!.embeds![0]!.title)).toEqual(digest.map((_, i) => `195 more posts in one message (${i + 1}/${digest.length})`));
    expect(linksIn(digest)).toEqual(ids.slice(5).map((id) => `https://news.example/${id}`));
    expect(discord.refusedMessages).toEqual([]);
    expect(posted()).toHaveLength(5 + digest.length);
    for (const id of ids) expect(await statusOf(id)).toBe('sent');

    // The digest counted as one post: the next article goes out alone.
    await queue('late', clock);
    await outbox().drain();
    expect(posted().at(-1)!.body?.embeds?.[0]?.url).toBe('https://news.example/late');
  });

  it('holds what arrives in quiet hours and posts one digest when they end (Europe/Berlin)', async () => {
    // 22:30 in Berlin (CET, UTC+1).
    clock = Date.UTC(2026, 10, 30, 21, 30);
    const { queue, outbox, posted } = await setUp({ quiet: { from: '22:00', to: '07:00', zone: 'Europe/Berlin' } });
    await queue('n1', clock);
    await outbox().drain();
    clock += 3 * HOUR;
    await queue('n2', clock);
    await queue('n3', clock + 1);
    await outbox().drain();
    expect(posted()).toEqual([]);
    const why = async (id: string) => explain(`https://news.example/${id}`, await store.urlHistory(`https://news.example/${id}`), { describeTarget: (target) => target, waitingFor: () => null, messageUrl: () => null });
    expect(await why('n2')).toContain(`discord:${CHANNEL}: waiting in a digest (the destination's pace, quiet hours or schedule): it goes out in the digest, not alone.`);
    // 06:59 in Berlin: still quiet.
    clock = Date.UTC(2026, 11, 1, 5, 59);
    await outbox().drain();
    expect(posted()).toEqual([]);
    clock = Date.UTC(2026, 11, 1, 6, 0);
    await outbox().drain();
    expect(posted()).toHaveLength(1);
    expect(posted()[0]!.body!.embeds![0]!.title).toBe('While it was quiet: 3 posts');
    expect(linksIn(posted())).toEqual(['n1', 'n2', 'n3'].map((id) => `https://news.example/${id}`));
    expect(posted()[0]!.body!.allowed_mentions).toEqual({ parse: [] });
    expect(await why('n2')).toContain(`discord:${CHANNEL}: posted in a digest`);
    // Day again: single posts.
    await queue('d1', clock + 60_000);
    clock += 60_000;
    await outbox().drain();
    expect(posted().at(-1)!.body?.embeds?.[0]?.url).toBe('https://news.example/d1');
  });

  it('posts a daily digest of the top N by priority, reach and recency instead of single posts', async () => {
    const digestAt = Date.UTC(2026, 11, 1, 8);
    clock = digestAt - HOUR;
    const { queue, outbox, posted } = await setUp({ digest: { every: 'daily', at: '08:00', zone: 'UTC', top: 3, only: true } }, [{ id: 'news' }, { id: 'wire', priority: 5 }]);
    await queue('fresh', digestAt - 10 * 60_000);
    await queue('loud-old', digestAt - 23 * HOUR, 'wire');
    await queue('shared', digestAt - 2 * HOUR);
    // The same story from a second feed: it counts as carried by two.
    await queue('shared', digestAt - 2 * HOUR + 5, 'wire');
    await queue('stale', digestAt - 22 * HOUR);
    await queue('recent', digestAt - HOUR);
    await outbox().drain();
    expect(posted()).toEqual([]);
    clock = digestAt;
    await outbox().drain();
    expect(posted()).toHaveLength(1);
    expect(posted()[0]!.body!.embeds![0]!.title).toBe('Daily digest: the top 3');
    // shared: 0 + 5 (two feeds) + ~9.2; fresh: ~9.9; recent: ~9.6; loud-old: 5 + ~0.8; stale: ~1.2.
    expect(linksIn(posted())).toEqual(['shared', 'fresh', 'recent'].map((id) => `https://news.example/${id}`));
    expect(await statusOf('fresh')).toBe('sent');
    const skipped = (await store.urlHistory('https://news.example/stale')).deliveries[0]!;
    expect([skipped.status, skipped.lastError]).toEqual(['skipped', 'not among the top 3 of the daily digest']);
    // The next day's digest covers only what came after this one.
    clock = digestAt + HOUR;
    await queue('tomorrow', clock);
    await outbox().drain();
    expect(posted()).toHaveLength(1);
    clock = digestAt + 24 * HOUR;
    await outbox().drain();
    expect(linksIn(posted().slice(1))).toEqual(['https://news.example/tomorrow']);
  });

  it('a restart between posting a digest and recording it posts it once, and never its items alone', async () => {
    clock = Date.UTC(2026, 10, 30, 12);
    const { queue, outbox, posted } = await setUp({ pace: { posts: 1, per: '1h' } });
    const ids = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await queue(id, clock - 200_000 + i * 1_000);
    await outbox().drain();
    expect(posted()).toHaveLength(1);
    clock += HOUR;
    // The process dies right after Discord took the digest's second message, before it is recorded.
    let parts = 0;
    const dying: Store = Object.create(store, {
      markDigestPart: {
        value: async (id: number, part: number, remoteId: string | null, now: number) => {
          if (++parts === 2) throw new Error('SIGKILL');
          return store.markDigestPart(id, part, remoteId, now);
        },
      },
    }) as Store;
    await expect(outbox('first', dying).drain()).rejects.toThrow('SIGKILL');
    const requestsBefore = discord.messageRequests;
    const afterCrash = posted().length;
    expect(afterCrash).toBe(3);
    for (const id of ids.slice(1)) expect(await statusOf(id)).toBe('folded');

    // The restarted process sends the unrecorded message again: its nonce makes Discord answer with the one it has.
    await outbox('restarted').drain();
    const digest = digestsIn(posted());
    expect(discord.messageRequests - requestsBefore).toBe(digest.length - 1);
    expect(linksIn(digest)).toEqual(ids.slice(1).map((id) => `https://news.example/${id}`));
    expect(new Set(posted().map((m) => m.id)).size).toBe(posted().length);
    for (const id of ids) expect(await statusOf(id)).toBe('sent');
    // Nothing is left to post, alone or again.
    await outbox('restarted').drain();
    expect(posted()).toHaveLength(1 + digest.length);
  });

  it('a digest to a forum channel starts one post, tagged as the channel requires, its other messages in it, once although an answer was lost', async () => {
    discord.forums.set(FORUM, { type: 15, name: 'news-forum', tags: [{ id: '460000000000000001', name: 'News' }, { id: '460000000000000002', name: 'Linux' }], requireTag: true });
    clock = Date.UTC(2026, 10, 30, 12);
    const { queue, outbox } = await setUp({ pace: { posts: 1, per: '1h' }, tags: { '*': 'News' } }, [{ id: 'news' }], FORUM);
    const posts = discord.forumPosts.length;
    const ids = Array.from({ length: 120 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await queue(id, clock - 200_000 + i * 1_000);
    await outbox().drain();
    expect(discord.forumPosts.length).toBe(posts + 1);
    clock += HOUR;
    // Discord makes the digest's post, and the answer is lost: the next attempt finds it.
    discord.loseForumPostAnswers = 1;
    await outbox().drain();
    expect(discord.forumPosts.length).toBe(posts + 2);
    clock += 10 * 60_000;
    await outbox().drain();
    expect(discord.forumPosts.length).toBe(posts + 2);
    const post = discord.forumPosts.at(-1)!;
    expect(post).toMatchObject({ forumId: FORUM, name: '119 more posts in one message', appliedTags: ['460000000000000001'] });
    const inPost = discord.messagesIn(post.id);
    expect(inPost.length).toBeGreaterThan(1);
    expect(inPost.map((m) => m.body!.embeds![0]!.title)).toEqual(inPost.map((_, i) => `119 more posts in one message (${i + 1}/${inPost.length})`));
    expect(linksIn(inPost)).toEqual(ids.slice(1).map((id) => `https://news.example/${id}`));
    expect(discord.refusedMessages).toEqual([]);
    for (const id of ids) expect(await statusOf(id)).toBe('sent');
  });

  it('a digest to a media channel at the end of quiet hours is one post with its list in an embed', async () => {
    discord.forums.set(MEDIA, { type: 16, name: 'gallery', tags: [] });
    clock = Date.UTC(2026, 10, 30, 23);
    const { queue, outbox } = await setUp({ quiet: { from: '22:00', to: '07:00', zone: 'UTC' } }, [{ id: 'news' }], MEDIA);
    await queue('m1', clock);
    await queue('m2', clock + 1);
    await outbox().drain();
    expect(discord.forumPosts.filter((p) => p.forumId === MEDIA)).toEqual([]);
    clock = Date.UTC(2026, 11, 1, 7);
    await outbox().drain();
    const [post] = discord.forumPosts.filter((p) => p.forumId === MEDIA);
    expect(post).toMatchObject({ name: 'While it was quiet: 2 posts', appliedTags: [] });
    expect(linksIn(discord.messagesIn(post!.id))).toEqual(['https://news.example/m1', 'https://news.example/m2']);
    expect(await statusOf('m2')).toBe('sent');
  });

  it('preview and the dry run show a destination’s pace and print digests', async () => {
    const lines: string[] = [];
    const printer = discordKind.printer((text) => lines.push(text), () => null);
    const options = { template: null, style: { name: 'News', color: 0 }, priority: 0, pacing: { pace: { posts: 5, perMs: HOUR } } };
    await printer.send(article(), { address: CHANNEL, unknownOutcome: false, options });
    expect(lines[0]).toContain(`would post to Discord channel ${CHANNEL} (at most 5 posts per 1h, the rest in one digest)`);
    expect(await printer.sendDigest!({ id: 1, cause: 'pace', articles: [article()] }, 0, { address: CHANNEL, unknownOutcome: false, options, firstRemoteId: null })).toEqual({ remoteId: null, parts: 1 });
    expect(lines[1]).toContain('would post a digest to Discord channel');
    expect(lines[1]).toContain('[Title a](https://news.example/a)');
  });
});
