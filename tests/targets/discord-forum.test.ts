import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import type { DeliveryOptions } from '../../src/deliveries/options.js';
import { Outbox } from '../../src/deliveries/outbox.js';
import type { LiveTarget } from '../../src/deliveries/kind.js';
import { createLogger } from '../../src/ops/logger.js';
import { createHttpClient } from '../../src/sources/http.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { discordEntrySchema } from '../../src/targets/discord/destination.js';
import { forumTags } from '../../src/targets/discord/forum.js';
import { discordKind } from '../../src/targets/discord/kind.js';
import { explain } from '../../src/targets/discord/commands/why.js';
import type { TargetDeps } from '../../src/targets/deps.js';
import { article } from '../builders.js';
import { FakeDiscord, GUILD_ID } from '../fakes/discord.js';
import { FeedServer } from '../fakes/feed-server.js';

const TOKEN = 'forum-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TEXT = '411111111111111111';
const ANNOUNCEMENTS = '422222222222222222';
const FORUM = '433333333333333333';
const MEDIA = '444444444444444444';
const TAGGED = '455555555555555555';
const ROLE = '499999999999999999';
const TAGS = { cve: '450000000000000001', news: '450000000000000002', kernel: '450000000000000003' };
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/**
 * Forum and media channels, and edits that follow a post wherever it went: the real Discord
 * target (discord.js REST) against the fake Discord, driven by the outbox over an in-memory store
 * on a clock the test moves.
 */
describe('Discord forum and media channels', () => {
  const discord = new FakeDiscord(TOKEN, [TEXT, ANNOUNCEMENTS]);
  const images = new FeedServer();
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info', secrets: [TOKEN], stream: new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }) });
  const http = createHttpClient({ userAgent: 'test', allowPrivateNetwork: true });
  const configured = discordKind.fromEnv({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: GUILD_ID })!;
  let store: Store;
  let live: LiveTarget;
  let outbox: Outbox;
  let clock = Date.UTC(2026, 10, 30, 9);

  beforeAll(async () => {
    discord.forums.set(FORUM, { type: 15, name: 'news-forum', tags: [{ id: TAGS.cve, name: 'CVE' }, { id: TAGS.news, name: 'News' }, { id: TAGS.kernel, name: 'Kernel' }] });
    discord.forums.set(MEDIA, { type: 16, name: 'gallery', tags: [{ id: TAGS.news, name: 'News' }] });
    discord.forums.set(TAGGED, { type: 15, name: 'tagged', tags: [{ id: TAGS.news, name: 'News' }], requireTag: true });
    await Promise.all([discord.start(), images.start()]);
    images.set('/lead.png', { body: PNG, contentType: 'image/png' });
    // The kind reads DISCORD_API_URL once started: build it after the fake has its port.
    const kind = discordKind.fromEnv({ DISCORD_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: GUILD_ID })!;
    Object.assign(configured, kind);
    store = await openSqliteStore(':memory:');
    const deps = { store, httpFor: () => http, log, config: () => null, metrics: new Registry(), commands: {}, commandCounter: { inc: () => undefined } } as unknown as TargetDeps;
    live = await configured.create(deps);
    outbox = new Outbox({ store, targets: new Map([['discord', { target: live.target, idempotent: true, canEdit: true }]]), retry: { maxAttempts: 5, baseMs: 1_000, maxMs: 60_000 }, log, owner: 'test', now: () => clock });
  });

  afterAll(async () => {
    await live?.close?.();
    store?.close();
    await http.close();
    await Promise.all([discord.stop(), images.stop()]);
  });

  /** Queues `story` for the Discord destination `entry` (a route's `to:` entry, read by the real config schema). */
  async function queue(story: Article, entry: Record<string, unknown>): Promise<void> {
    const destination = discordEntrySchema.parse(entry);
    const options: DeliveryOptions = { template: null, style: { name: 'Tech', color: 0x123456 }, priority: 0, kindOptions: destination.kindOptions, matches: [] };
    await store.addArticle(story, { key: story.id, contentHash: null }, [{ target: `discord:${destination.address}`, options }], clock);
  }

  async function delivery(story: Article) {
    return (await store.urlHistory(story.url)).deliveries[0]!;
  }

  /** Sends what is due now, then moves the clock past any back-off. */
  async function drain(): Promise<void> {
    await outbox.drain();
    clock += 120_000;
  }

  it('posts to a forum channel as a new post: title cut to 100, tags from categories, the message as in a text channel', async () => {
    const story = article({ id: 'kernel', title: `Kernel flaw found ${'🐧'.repeat(60)}`, categories: ['Security', 'linux', 'Gadgets'], author: 'Ada' });
    const before = discord.messageRequests;
    await queue(story, { channel: FORUM, tags: { security: 'CVE', Linux: 'Kernel', Gadgets: 'Hardware', '*': 'News' }, mention: { roles: [ROLE] }, message: { content: 'New: {title}' } });
    await drain();

    expect(discord.forumPosts).toHaveLength(1);
    const [post] = discord.forumPosts;
    expect(post!.forumId).toBe(FORUM);
    expect(post!.name.length).toBeLessThanOrEqual(100);
    expect(post!.name).toMatch(/^Kernel flaw found (🐧)+…$/u);
    expect(post!.appliedTags).toEqual([TAGS.cve, TAGS.kernel, TAGS.news]);
    const first = discord.messages.find((m) => m.id === post!.id)!;
    expect(first.channelId).toBe(post!.id);
    expect(first.body.content).toMatch(new RegExp(`^<@&${ROLE}> New: Kernel flaw found`));
    expect(first.body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    expect(first.body.embeds![0]).toMatchObject({ url: story.url, footer: { text: 'By Ada' } });
    expect(first.body.nonce).toBeUndefined();
    expect(discord.messageRequests).toBe(before);

    const sent = await delivery(story);
    expect(sent).toMatchObject({ status: 'sent', remoteId: `${post!.id}/${post!.id}` });
    const link = `https://discord.com/channels/${GUILD_ID}/${post!.id}/${post!.id}`;
    expect(configured.messageUrl!(FORUM, sent.remoteId!)).toBe(link);
    const why = explain(story.url, await store.urlHistory(story.url), { describeTarget: (target) => `<#${target.slice('discord:'.length)}>`, waitingFor: () => null, messageUrl: (target, remoteId) => configured.messageUrl!(target.slice('discord:'.length), remoteId) });
    expect(why).toContain(`<#${FORUM}>: posted (${link}).`);
    const warning = lines.find((line) => line.tag === 'Hardware');
    expect(warning?.msg).toContain('forum channel news-forum (433333333333333333) has no tag named "Hardware" (its tags: CVE, News, Kernel)');
  });

  it('a forum channel that requires a tag: a post the route gives no tag fails with a reason saying what to add', async () => {
    const story = article({ id: 'untagged', title: 'No tag for me', categories: ['Sports'] });
    const posts = discord.forumPosts.length;
    await queue(story, { channel: TAGGED, tags: { Politics: 'News' } });
    await drain();
    expect(discord.forumPosts.length).toBe(posts);
    const failed = await delivery(story);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toBe('forum channel tagged (455555555555555555) requires a tag on each post, and the route\'s tags give none here: add tags to the destination, such as tags: { "*": "News" } (its tags: News)');
  });

  it('attaches the lead image to a media channel post, and leaves it out of the embed', async () => {
    const story = article({ id: 'photo', title: 'Photo of the day', imageUrl: images.url('/lead.png'), categories: [] });
    await queue(story, { channel: MEDIA, tags: { '*': 'News' } });
    await drain();

    const post = discord.forumPosts.find((p) => p.forumId === MEDIA)!;
    expect(post).toMatchObject({ name: 'Photo of the day', appliedTags: [TAGS.news] });
    const first = discord.messages.find((m) => m.id === post.id)!;
    expect(first.files).toEqual([{ name: 'image.png', type: 'image/png', size: PNG.length }]);
    expect(first.body.embeds![0]!.image).toBeUndefined();
    expect(first.body.embeds![0]!.title).toBe('Photo of the day');
  });

  it('makes a forum post once when the answer to it was lost: the next attempt finds the post instead of making another', async () => {
    const story = article({ id: 'lost', title: 'An answer that never came', categories: [] });
    const posts = discord.forumPosts.length;
    discord.loseForumPostAnswers = 1;
    await queue(story, { channel: FORUM });
    await drain();
    expect(discord.forumPosts.length).toBe(posts + 1);
    expect(await delivery(story)).toMatchObject({ status: 'pending', unknownOutcome: true });

    await drain();
    const post = discord.forumPosts.at(-1)!;
    expect(discord.forumPosts.length).toBe(posts + 1);
    expect(discord.activeThreadLookups).toBe(1);
    expect(await delivery(story)).toMatchObject({ status: 'sent', remoteId: `${post.id}/${post.id}` });
    expect(lines.some((line) => line.msg === 'forum post found from an earlier attempt; not posted again' && line.thread === post.id)).toBe(true);
  });

  it("follows the publisher's edit into the forum post: renamed, out of the archive, first message edited", async () => {
    const story = article({ id: 'archived', title: 'Before the edit', categories: [] });
    await queue(story, { channel: FORUM });
    await drain();
    const post = discord.forumPosts.at(-1)!;
    post.archived = true;

    await store.reviseArticle(story.id, { title: 'After the edit', summary: 'Corrected summary.' });
    await drain();
    expect(discord.threadChanges.filter((change) => change.threadId === post.id)).toEqual([{ threadId: post.id, body: { archived: false, name: 'After the edit' } }]);
    const edit = discord.edits.find((e) => e.messageId === post.id)!;
    expect(edit.channelId).toBe(post.id);
    expect(edit.body.embeds![0]).toMatchObject({ title: 'After the edit', description: 'Corrected summary.' });
    expect(edit.body.nonce).toBeUndefined();
  });

  it("follows the edit into a text channel's message and renames the thread started on it; a crossposted message is edited in place", async () => {
    const story = article({ id: 'text', title: 'Text before', categories: [] });
    await queue(story, { channel: TEXT, thread: true });
    const announced = article({ id: 'announced', title: 'Announced before', categories: [] });
    await queue(announced, { channel: ANNOUNCEMENTS, crosspost: true });
    await drain();
    await drain();
    const message = discord.messagesIn(TEXT).at(-1)!;
    const published = discord.messagesIn(ANNOUNCEMENTS).at(-1)!;
    expect(discord.threads.at(-1)).toMatchObject({ messageId: message.id, name: 'Text before' });
    expect(discord.crossposts).toContainEqual({ channelId: ANNOUNCEMENTS, messageId: published.id });

    await store.reviseArticle(story.id, { title: 'Text after', summary: 'New text.' });
    await store.reviseArticle(announced.id, { title: 'Announced after', summary: 'New text.' });
    await drain();
    await drain();
    expect(discord.edits.find((e) => e.messageId === message.id)).toMatchObject({ channelId: TEXT, body: { embeds: [{ title: 'Text after' }] } });
    expect(discord.threadChanges).toContainEqual({ threadId: message.id, body: { name: 'Text after' } });
    // Discord carries a published message's edit to the following servers' copies.
    expect(discord.edits.find((e) => e.messageId === published.id)).toMatchObject({ channelId: ANNOUNCEMENTS, body: { embeds: [{ title: 'Announced after' }] } });
    expect(discord.refusedMessages).toEqual([]);
  });
});

describe('forumTags', () => {
  const available = ['A', 'B', 'C', 'D', 'E', 'F', 'Café News'].map((name, n) => ({ id: String(n + 1), name }));

  it('maps categories to at most 5 tags (Discord\'s limit), in the article\'s order, matching names regardless of case and accents', () => {
    const mapping = { one: 'a', two: 'B', three: 'c', four: 'D', five: 'e', six: 'F', '*': 'cafe news' };
    expect(forumTags(['six', 'one', 'two', 'three', 'four', 'five'], mapping, available)).toEqual({ ids: ['6', '1', '2', '3', '4'], unknown: [] });
    expect(forumTags(['Unmapped'], mapping, available)).toEqual({ ids: ['7'], unknown: [] });
    expect(forumTags(['one', 'one'], { one: 'A', '*': 'Missing' }, available)).toEqual({ ids: ['1'], unknown: ['Missing'] });
  });
});
