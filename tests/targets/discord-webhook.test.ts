import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Config } from '../../src/config/config.js';
import type { DeliveryOptions } from '../../src/deliveries/options.js';
import { Outbox } from '../../src/deliveries/outbox.js';
import { createLogger } from '../../src/ops/logger.js';
import { redactUrlSecrets } from '../../src/ops/redact.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Delivery, Store } from '../../src/store/store.js';
import { discordWebhookKind } from '../../src/targets/discord-webhook/kind.js';
import { createWebhookTarget } from '../../src/targets/discord-webhook/publisher.js';
import { discordApiUrl, webhookFromEnv } from '../../src/targets/discord-webhook/env.js';
import { TARGET_KINDS } from '../../src/targets/index.js';
import { article } from '../builders.js';
import { FakeDiscord } from '../fakes/discord.js';

const CHANNEL = '555555555555555555';
const ROLE = '666666666666666666';
/** 2026-11-30 12:00 UTC, in epoch ms: the outbox's clock, which the tests move. */
const NOON = Date.UTC(2026, 10, 30, 12);

/**
 * Discord webhook destinations, in process: the config as loaded with the environment, the real
 * discord.js REST client against the fake Discord's Execute Webhook and Edit Webhook Message, and
 * the outbox over an in-memory SQLite store, on a clock the test moves. Every log line is captured.
 */
describe('Discord webhook destinations', () => {
  const discord = new FakeDiscord('webhook-test-bot-token-never-used', [CHANNEL]);
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', secrets: [], stream: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
  let url: string;
  let environment: Record<string, string>;
  let store: Store;
  let clock = NOON;

  beforeAll(async () => {
    await discord.start();
    url = discord.addWebhook(CHANNEL);
    environment = { NEWS_WEBHOOK: url, DISCORD_API_URL: discord.apiUrl };
  });
  afterAll(() => discord.stop());
  afterEach(() => store?.close());

  const webhookId = () => new URL(url).pathname.split('/')[3]!;
  const token = () => new URL(url).pathname.split('/')[4]!;

  function load(entry: Record<string, unknown>, env: Record<string, string> = environment, filters: Record<string, unknown> = {}): Config {
    return parseConfig({ feeds: [{ id: 'kyiv', url: 'https://news.example/rss', name: 'Kyiv News' }], filters, routes: [{ feeds: ['kyiv'], to: [{ discord_webhook: entry }] }] }, 'herald.yaml', TARGET_KINDS, env);
  }

  /** The route's options for a delivery, as ingest records them. */
  function optionsOf(config: Config, matches: string[] = []): DeliveryOptions {
    return { template: null, style: { name: 'Kyiv News', color: 0x112233 }, priority: 0, kindOptions: config.routes[0]!.to[0]!.kindOptions as Record<string, unknown>, matches };
  }

  function outbox(owner = 'test'): Outbox {
    const now = () => clock;
    const target = createWebhookTarget({ apiUrl: discordApiUrl(environment), credentials: (name) => webhookFromEnv(environment, name, discordApiUrl(environment)), unsealed: () => 'no sealed webhooks here', log, now });
    return new Outbox({
      store,
      targets: new Map([['discord_webhook', { target, idempotent: discordWebhookKind.idempotent, canEdit: discordWebhookKind.canEdit }]]),
      retry: { maxAttempts: 5, baseMs: 1_000, maxMs: 60_000 },
      log,
      owner,
      now,
    });
  }

  async function queue(id: string, options: DeliveryOptions): Promise<void> {
    await store.addArticle(article({ id, title: `Story ${id}`, imageUrl: `https://news.example/${id}.jpg`, publishedAt: NOON - 60_000, firstSeenAt: NOON }), { key: id, contentHash: null }, [{ target: `discord_webhook:${webhookId()}`, options }], clock);
  }

  async function deliveryOf(id: string): Promise<Delivery> {
    return (await store.urlHistory(`https://news.example/${id}`)).deliveries[0]!;
  }

  it('is checked at load: the route names a variable, the webhook id becomes the address, and no error quotes the URL', () => {
    const config = load({ url_env: 'NEWS_WEBHOOK', username: '{feed} wire', avatar: 'https://news.example/logo.png' });
    expect(config.routes[0]!.to).toEqual([
      { kind: 'discord_webhook', address: webhookId(), template: null, kindOptions: { url_env: 'NEWS_WEBHOOK', username: '{feed} wire', avatar: 'https://news.example/logo.png' }, filterNames: [] },
    ]);
    expect(JSON.stringify(config.routes)).not.toContain(token());

    const failure = (entry: Record<string, unknown>, env: Record<string, string>) => {
      try {
        load(entry, env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(failure({ url_env: 'NEWS_WEBHOOK' }, { DISCORD_API_URL: discord.apiUrl })).toMatch(/^herald\.yaml: routes\[0\]\.to\[0\]\.discord_webhook: url_env: NEWS_WEBHOOK is not set/);
    const elsewhere = `https://hooks.example.org/api/webhooks/${webhookId()}/${token()}`;
    const refused = failure({ url_env: 'NEWS_WEBHOOK' }, { NEWS_WEBHOOK: elsewhere });
    expect(refused).toContain('NEWS_WEBHOOK does not hold a Discord webhook URL');
    expect(refused).not.toContain(token());
    expect(failure({ url_env: 'NEWS_WEBHOOK', username: 'Discord News' }, environment)).toContain('username: Discord refuses a webhook name containing "discord"');
    expect(failure({ url_env: 'NEWS_WEBHOOK', avatar: 'logo.png' }, environment)).toContain('avatar: expected an http(s) image URL');
    expect(failure({ url_env: 'NEWS_WEBHOOK', crosspost: true }, environment)).toContain('discord_webhook');
    // Discord's own URLs need no DISCORD_API_URL.
    const real = `https://discord.com/api/webhooks/${webhookId()}/${token()}`;
    expect(load({ url_env: 'REAL_HOOK' }, { REAL_HOOK: real }).routes[0]!.to[0]!.address).toBe(webhookId());
    // Needs no bot: a webhook URL in the environment configures the kind, without DISCORD_TOKEN.
    expect(discordWebhookKind.fromEnv({ REAL_HOOK: real })).not.toBeNull();
    expect(discordWebhookKind.fromEnv(environment)).not.toBeNull();
    expect(discordWebhookKind.fromEnv({ DISCORD_TOKEN: 'bot-token', NEWS_WEBHOOK: elsewhere })).toBeNull();
  });

  it('executes the webhook with wait=true under the route name and avatar, records the message id, pings only the route roles, and edits the message', async () => {
    store = await openSqliteStore(':memory:');
    clock = NOON;
    const config = load(
      { url_env: 'NEWS_WEBHOOK', username: '{feed} wire', avatar: 'https://news.example/logo.png', message: { content: 'New: {title}' }, mention: { roles: [ROLE], when: 'breaking' } },
      environment,
      { breaking: { words: 'breaking' } },
    );
    const before = discord.messages.length;
    await queue('w1', optionsOf(config, ['breaking']));
    const box = outbox();
    expect(await box.drain()).toMatchObject({ attempted: 1, failed: 0, held: [] });

    const posted = discord.messages.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channelId: CHANNEL, webhookId: webhookId() });
    expect(posted[0]!.body).toMatchObject({ username: 'Kyiv News wire', avatar_url: 'https://news.example/logo.png', content: `<@&${ROLE}> New: Story w1`, allowed_mentions: { parse: [], roles: [ROLE] } });
    expect(posted[0]!.body.embeds![0]).toMatchObject({ title: 'Story w1', url: 'https://news.example/w1' });
    expect(posted[0]!.body.nonce).toBeUndefined();
    expect(await deliveryOf('w1')).toMatchObject({ status: 'sent', remoteId: posted[0]!.id, attempts: 1 });

    // The publisher edits the story: the webhook's message follows.
    await store.reviseArticle('w1', { title: 'Story w1 (updated)', summary: 'Now with more.' });
    clock += 1_000;
    await box.drain();
    const edit = discord.edits.find((e) => e.messageId === posted[0]!.id);
    expect(edit?.body).toMatchObject({ content: `<@&${ROLE}> New: Story w1 (updated)`, allowed_mentions: { parse: [], roles: [ROLE] } });
    expect(edit?.body.embeds![0]).toMatchObject({ title: 'Story w1 (updated)', description: 'Now with more.' });
  });

  it("a forum channel's webhook starts a post per article named by its title, and edits the post's message", async () => {
    store = await openSqliteStore(':memory:');
    clock = NOON;
    const forum = '577777777777777777';
    discord.forums.set(forum, { type: 15, name: 'forum', tags: [] });
    const forumUrl = discord.addWebhook(forum);
    environment.FORUM_WEBHOOK = forumUrl;
    const forumWebhook = new URL(forumUrl).pathname.split('/')[3]!;
    const config = load({ url_env: 'FORUM_WEBHOOK' });
    await store.addArticle(article({ id: 'f1', title: `Forum story ${'x'.repeat(120)}`, publishedAt: NOON - 60_000, firstSeenAt: NOON }), { key: 'f1', contentHash: null }, [{ target: `discord_webhook:${forumWebhook}`, options: optionsOf(config) }], clock);
    const box = outbox();
    expect(await box.drain()).toMatchObject({ attempted: 1, failed: 0 });
    const post = discord.forumPosts.find((p) => p.forumId === forum)!;
    expect(post.name).toMatch(/^Forum story x+…$/);
    expect(post.name.length).toBeLessThanOrEqual(100);
    expect(discord.messagesIn(post.id)).toHaveLength(1);
    const sent = (await store.urlHistory('https://news.example/f1')).deliveries[0]!;
    expect(sent).toMatchObject({ status: 'sent', remoteId: `${post.id}/${post.id}` });

    await store.reviseArticle('f1', { title: 'Forum story (updated)', summary: 'Now with more.' });
    clock += 1_000;
    await box.drain();
    expect(discord.edits.find((e) => e.messageId === post.id)?.body.embeds![0]).toMatchObject({ title: 'Forum story (updated)' });
    expect((await store.urlHistory('https://news.example/f1')).deliveries[0]!.status).toBe('sent');
  });

  it('a webhook deleted in Discord (404 Unknown Webhook) holds its deliveries, naming the variable, without spending attempts; logged once', async () => {
    store = await openSqliteStore(':memory:');
    clock = NOON;
    const saved = discord.webhooks.get(webhookId())!;
    discord.webhooks.delete(webhookId());
    try {
      const options = optionsOf(load({ url_env: 'NEWS_WEBHOOK' }));
      await queue('g1', options);
      await queue('g2', options);
      const box = outbox();
      const executes = discord.webhookExecutes;
      const report = await box.drain();
      expect(discord.webhookExecutes).toBe(executes + 1);
      expect(report.held).toEqual([expect.stringContaining('NEWS_WEBHOOK')]);
      const first = await deliveryOf('g1');
      expect(first).toMatchObject({ status: 'pending', attempts: 0 });
      expect(first.lastError).toMatch(/^Discord webhook \d+: Discord no longer knows it \(404 Unknown Webhook.*put a working webhook URL in NEWS_WEBHOOK and restart Herald/);

      // Hours later nothing has been asked of Discord again, and no attempt was spent.
      for (let i = 0; i < 24; i++) {
        clock += 30 * 60_000;
        await box.drain();
      }
      expect(discord.webhookExecutes).toBe(executes + 1);
      expect(await deliveryOf('g1')).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await deliveryOf('g2')).toMatchObject({ status: 'pending', attempts: 0 });
      expect(lines.filter((line) => line.includes('Discord webhook unusable'))).toHaveLength(1);

      // A restart (a new target) with the webhook back sends both.
      discord.webhooks.set(webhookId(), saved);
      clock += 5 * 60_000;
      await outbox().drain();
      expect(await deliveryOf('g1')).toMatchObject({ status: 'sent' });
      expect(await deliveryOf('g2')).toMatchObject({ status: 'sent' });
    } finally {
      discord.webhooks.set(webhookId(), saved);
    }
  });

  it('after a lost answer (connection reset once the message is posted) sends again at most once, and says why it stopped', async () => {
    store = await openSqliteStore(':memory:');
    clock = NOON;
    const options = optionsOf(load({ url_env: 'NEWS_WEBHOOK' }));
    const box = outbox();
    const executes = discord.webhookExecutes;

    // Lost once: one resend, which works (the message shows twice: webhooks have no nonce).
    await queue('l1', options);
    discord.loseWebhookReplies = 1;
    await box.drain();
    expect(await deliveryOf('l1')).toMatchObject({ status: 'pending', unknownOutcome: true, attempts: 1 });
    clock += 60_000;
    await box.drain();
    expect(await deliveryOf('l1')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(discord.webhookExecutes).toBe(executes + 2);

    // Lost twice: failed after the one resend, with the reason.
    await queue('l2', options);
    discord.loseWebhookReplies = 2;
    await box.drain();
    clock += 60_000;
    await box.drain();
    clock += 60_000;
    await box.drain();
    const failed = await deliveryOf('l2');
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toMatch(/^outcome unknown twice; not sent again to avoid a duplicate post/);
    expect(discord.webhookExecutes).toBe(executes + 4);

  });

  it('a send interrupted by a restart after an unknown outcome is not sent again: the delivery fails, saying why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'herald-webhook-')), 'herald.db');
    store = await openSqliteStore(file);
    clock = NOON;
    const executes = discord.webhookExecutes;
    await queue('l3', optionsOf(load({ url_env: 'NEWS_WEBHOOK' })));
    discord.loseWebhookReplies = 1;
    await outbox().drain();
    const lost = await deliveryOf('l3');
    expect(lost).toMatchObject({ status: 'pending', unknownOutcome: true });
    // The process dies while resending: the row stays "sending".
    await store.markSending(lost.id, clock);
    await store.close();

    store = await openSqliteStore(file);
    clock += 60_000;
    await outbox('restarted').drain();
    expect(await deliveryOf('l3')).toMatchObject({ status: 'failed', lastError: 'interrupted twice with an unknown outcome; not sent again to avoid a duplicate post' });
    expect(discord.webhookExecutes).toBe(executes + 1);
  });

  it('a rate limit (429) waits for its reset as for channels; a 5xx is an unknown outcome', async () => {
    store = await openSqliteStore(':memory:');
    clock = NOON;
    await queue('r1', optionsOf(load({ url_env: 'NEWS_WEBHOOK' })));
    discord.injectedWebhook.push({ status: 429, body: { message: 'You are being rate limited.', retry_after: 30, global: false }, headers: { 'retry-after': '30', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '30', 'x-ratelimit-bucket': 'webhook', 'x-ratelimit-scope': 'shared' } });
    await outbox().drain();
    const waiting = await deliveryOf('r1');
    expect(waiting).toMatchObject({ status: 'pending', unknownOutcome: false });
    expect(waiting.lastError).toMatch(/^rate limited/);
    expect(waiting.nextAttemptAt).toBeGreaterThanOrEqual(NOON + 29_000);

    // A 500 may hide a message that was posted: one request (the client does not resend by itself), and an unknown outcome.
    const executes = discord.webhookExecutes;
    discord.injectedWebhook.push({ status: 500, body: { message: '500: Internal Server Error', code: 0 } });
    clock += 60_000;
    await outbox().drain();
    expect(discord.webhookExecutes - executes).toBe(1);
    expect(await deliveryOf('r1')).toMatchObject({ status: 'pending', unknownOutcome: true, attempts: 2 });
  });

  it('never writes the webhook token in a log line, an error or a redacted text', () => {
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).not.toContain(token());
    log.error({ err: new Error(`POST ${url}?wait=true failed`), url }, `request to ${url} failed`);
    expect(lines.at(-1)).toContain(`/webhooks/${webhookId()}/[redacted]`);
    expect(lines.at(-1)).not.toContain(token());
    expect(redactUrlSecrets(`see ${url}`)).toBe(`see ${discord.apiUrl}/webhooks/${webhookId()}/[redacted]`);
  });
});
