import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeTelegram } from '../fakes/telegram.js';
import { FakeX } from '../fakes/x.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'durable-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNELS = ['333333333333333333', '444444444444444444'];
const X_CREDENTIALS = { appKey: 'k-123456', appSecret: 's-123456', accessToken: 't-123456', accessSecret: 'a-123456' };
const MASTODON_TOKEN = 'durable-mastodon-token-0123456789';
const TELEGRAM_TOKEN = '123456789:AAH-durable-telegram-token-abcdefgh';
const TELEGRAM_CHAT = '@herald_burst';
const BASE = Date.UTC(2026, 10, 1, 0, 0, 0);

/** Counts how often each title was posted; exactly-once means every count is 1. */
function countsByTitle(titles: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const title of titles) counts.set(title, (counts.get(title) ?? 0) + 1);
  return counts;
}

describe('durable delivery', () => {
  let discord: FakeDiscord;
  let x: FakeX;
  let bluesky: FakeBluesky;
  let mastodon: FakeMastodon;
  let telegram: FakeTelegram;
  let feeds: FeedServer;
  let dir: string;
  const running: HeraldProcess[] = [];

  beforeEach(async () => {
    discord = new FakeDiscord(TOKEN, CHANNELS);
    x = new FakeX(X_CREDENTIALS);
    bluesky = new FakeBluesky('herald.test', 'abcd-efgh-ijkl-mnop');
    mastodon = new FakeMastodon(MASTODON_TOKEN);
    telegram = new FakeTelegram(TELEGRAM_TOKEN, [TELEGRAM_CHAT]);
    feeds = new FeedServer();
    await Promise.all([discord.start(), x.start(), bluesky.start(), mastodon.start(), telegram.start(), feeds.start()]);
    dir = tempDir('durable');
  });

  afterEach(async () => {
    for (const process of running) process.kill('SIGKILL');
    running.length = 0;
    await Promise.all([discord.stop(), x.stop(), bluesky.stop(), mastodon.stop(), telegram.stop(), feeds.stop()]);
  });

  function items(count: number, from = 1): TestItem[] {
    return Array.from({ length: count }, (_, index) => {
      const n = from + index;
      const link = feeds.url(`/burst/${n}.html`);
      feeds.setPage(`/burst/${n}.html`, articlePage(`Burst story ${n}`, [`Burst story ${n} starts here with a lead sentence about event ${n}.`, `More about event ${n} follows in this paragraph.`]));
      return { guid: `burst-${n}`, title: `Burst story ${n}`, link, pubDate: new Date(BASE + n * 60_000) };
    });
  }

  function start(extraConfig: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}): HeraldProcess {
    const config = writeConfig(dir, {
      feeds: [{ id: 'burst', url: feeds.url('/feed.xml'), every: '1s', backfill: 0 }],
      routes: [{ feeds: ['*'], discord: CHANNELS, x: true, bluesky: true, to: [{ mastodon: {} }, { telegram: TELEGRAM_CHAT }] }],
      deliveries: { retryBase: '200ms', retryMax: '1s' },
      ...extraConfig,
    });
    const herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord, x, bluesky, mastodon, telegram }, extraEnv));
    running.push(herald);
    return herald;
  }

  function expectExactlyOnce(titles: string[]): void {
    for (const channel of CHANNELS) {
      const posted = discord.messagesIn(channel).map((m) => m.body.embeds![0]!.title!);
      expect(posted).toEqual(titles); // each once, in publication order
    }
    const tweeted = x.tweets.map((tweet) => tweet.text.split('\n\n')[0]!);
    expect([...countsByTitle(tweeted).values()].every((count) => count === 1)).toBe(true);
    expect(new Set(tweeted)).toEqual(new Set(titles));
    // Bluesky: each once (the record key refuses a second create), in publication order.
    expect(bluesky.posts.map((post) => post.value.text.split('\n\n')[0]!)).toEqual(titles);
  }

  /** Mastodon: every title once, in order (the Idempotency-Key turns a resend into the same status). */
  function expectOnceOnMastodon(titles: string[]): void {
    expect(mastodon.statuses.map((status) => status.text.split('\n\n')[0]!)).toEqual(titles);
  }

  /**
   * Telegram: every title, in order, and a second copy only of a message whose outcome was unknown
   * (interrupted by the kill): `resent` are the articles the restarted process resumed.
   */
  function expectTelegramAtMostOneResend(titles: string[], resent: readonly unknown[]): void {
    const sent = telegram.messagesIn(TELEGRAM_CHAT).map((message) => message.text.split('\n\n')[0]!);
    const counts = countsByTitle(sent);
    expect(new Set(sent)).toEqual(new Set(titles));
    const twice = [...counts].filter(([, count]) => count > 1);
    expect(twice.every(([, count]) => count === 2)).toBe(true);
    expect(twice.length).toBeLessThanOrEqual(resent.length);
    expect(twice.length).toBeLessThanOrEqual(1);
  }

  it('a SIGKILL during a burst of 50 items loses nothing and posts nothing twice (Discord, X, Bluesky, Mastodon; Telegram at most one resend)', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const first = start();
    await first.waitForLog('discord gateway ready');
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);

    const burst = items(50);
    feeds.setFeed('/feed.xml', rss('Burst', [...burst].reverse()));
    await waitFor('some posts of the burst', () => discord.messages.length >= 20, 30_000, 1);
    first.kill('SIGKILL');
    await first.exited;
    const beforeRestart = discord.messages.length + x.tweets.length + bluesky.posts.length + mastodon.statuses.length + telegram.messages.length;
    expect(beforeRestart).toBeLessThan(300);

    const second = start();
    await waitFor(
      'all 300 posts after the restart',
      () =>
        CHANNELS.every((c) => discord.messagesIn(c).length >= 50) &&
        x.tweets.length >= 50 &&
        bluesky.posts.length >= 50 &&
        mastodon.statuses.length >= 50 &&
        telegram.messages.length >= 50,
      90_000,
    );
    // One login for both processes: the second resumed the stored session.
    expect(bluesky.logins).toBe(1);
    // Let a few more cycles pass: nothing more may arrive.
    const polls = feeds.count('/feed.xml');
    await waitFor('three more polls', () => feeds.count('/feed.xml') >= polls + 3);
    const titles = burst.map((item) => item.title);
    expectExactlyOnce(titles);
    expectOnceOnMastodon(titles);
    expectTelegramAtMostOneResend(titles, second.logged('resuming a delivery interrupted by a restart').filter((line) => String(line.target).startsWith('telegram:')));
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('a SIGKILL while a Mastodon status and a Telegram message await their answers: Mastodon posts it once, Telegram at most twice', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const routes = { routes: [{ feeds: ['*'], to: [{ mastodon: {} }, { telegram: TELEGRAM_CHAT }] }] };
    const first = start(routes);
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);
    mastodon.holdAnswers = true;
    telegram.holdAnswers = true;
    const burst = items(5);
    feeds.setFeed('/feed.xml', rss('Burst', [...burst].reverse()));
    // Both have made the first post; neither answer reaches Herald before it dies.
    await waitFor('a status and a message made but unanswered', () => mastodon.held > 0 && telegram.held > 0, 30_000, 5);
    first.kill('SIGKILL');
    await first.exited;
    mastodon.holdAnswers = false;
    telegram.holdAnswers = false;

    const second = start(routes);
    await waitFor('every item on Mastodon and Telegram', () => mastodon.statuses.length >= 5 && new Set(telegram.messages.map((m) => m.text)).size >= 5, 60_000);
    const polls = feeds.count('/feed.xml');
    await waitFor('three more polls', () => feeds.count('/feed.xml') >= polls + 3);
    const titles = burst.map((item) => item.title);
    expectOnceOnMastodon(titles);
    // The resend reached Mastodon and was answered with the status made before the kill.
    expect(mastodon.statusRequests).toBeGreaterThan(mastodon.statuses.length);
    const resumed = second.logged('resuming a delivery interrupted by a restart').filter((line) => String(line.target).startsWith('telegram:'));
    expect(resumed).toHaveLength(1);
    expectTelegramAtMostOneResend(titles, resumed);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('a SIGKILL after Bluesky wrote a post but before it answered: the restart finds the record and posts nothing twice', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const blueskyOnly = { routes: [{ feeds: ['*'], bluesky: true }] };
    const first = start(blueskyOnly);
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);
    bluesky.holdCreateAnswers = true;
    const burst = items(3);
    feeds.setFeed('/feed.xml', rss('Burst', [...burst].reverse()));
    await waitFor('the first post written, its answer held', () => bluesky.posts.length >= 1);
    first.kill('SIGKILL');
    await first.exited;
    bluesky.holdCreateAnswers = false;

    const second = start(blueskyOnly);
    await second.waitForLog('Bluesky post already there');
    await waitFor('all three posts', () => bluesky.posts.length >= 3);
    const polls = feeds.count('/feed.xml');
    await waitFor('three more polls', () => feeds.count('/feed.xml') >= polls + 3);
    expect(bluesky.posts.map((post) => post.value.text.split('\n\n')[0]!)).toEqual(burst.map((item) => item.title));
    expect(bluesky.logins).toBe(1);
  });

  it('an outage of 500s then 429s delays posts but loses none and doubles none', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const herald = start();
    await herald.waitForLog('discord gateway ready');
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);

    // Several seconds of trouble: every message post fails, first with 500s, then with rate limits.
    for (let i = 0; i < 12; i++) discord.injected.push({ status: 500, body: { message: 'Internal Server Error', code: 0 } });
    for (let i = 0; i < 6; i++) {
      discord.injected.push({
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 0.3, global: false },
        headers: { 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.3', 'x-ratelimit-bucket': 'fake-bucket', 'retry-after': '1' },
      });
    }
    x.injected.push({ status: 503 }, { status: 429, headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 2) } });
    bluesky.injected.push(
      { status: 502, body: { error: 'UpstreamFailure', message: 'Upstream Failure' } },
      { status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 2) } },
    );

    const burst = items(5);
    feeds.setFeed('/feed.xml', rss('Burst', [...burst].reverse()));
    await waitFor('all 20 posts after the outage', () => CHANNELS.every((c) => discord.messagesIn(c).length >= 5) && x.tweets.length >= 5 && bluesky.posts.length >= 5, 60_000);
    expect(bluesky.injected).toEqual([]);
    expect(discord.injected).toEqual([]);
    expect(herald.logged('delivery will be retried').length).toBeGreaterThan(0);
    expectExactlyOnce(burst.map((item) => item.title));
  });

  it('a permanent error (unknown channel) fails that delivery with its reason and does not block others', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const herald = start({ routes: [{ feeds: ['*'], discord: [...CHANNELS, '555555555555555555'], x: false }] });
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);
    const burst = items(3);
    feeds.setFeed('/feed.xml', rss('Burst', [...burst].reverse()));
    await waitFor('posts in the known channels', () => CHANNELS.every((c) => discord.messagesIn(c).length >= 3));
    const failures = await waitFor('three failed deliveries', () => {
      const lines = herald.logged('delivery failed');
      return lines.length >= 3 ? lines : null;
    });
    expect(failures.every((line) => line.target === 'discord:555555555555555555' && String(line.reason).includes('10003'))).toBe(true);
  });

  it('a refused bot token pauses Discord with one clear error; after a restart with the right token every post goes out once', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const discordOnly = { routes: [{ feeds: ['*'], discord: CHANNELS, x: false }] };
    const refused = start(discordOnly, { DISCORD_TOKEN: 'a-reset-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ' });
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);
    const burst = items(3);
    feeds.setFeed('/feed.xml', rss('Burst', burst));
    const error =
      'Discord refused the bot token (401): reset it in the Discord Developer Portal (Bot, Reset Token), put it in DISCORD_TOKEN and restart Herald (Discord posts wait until then)';
    await refused.waitForLog(error);
    const polls = feeds.count('/feed.xml');
    await waitFor('more polls', () => feeds.count('/feed.xml') >= polls + 2);
    expect(refused.logged(error)).toHaveLength(1);
    expect(refused.logged('delivery failed')).toEqual([]);
    refused.kill('SIGTERM');
    expect((await refused.exited).code).toBe(0);
    const requestsWhileRefused = discord.messageRequests;
    expect(requestsWhileRefused).toBeLessThanOrEqual(CHANNELS.length);
    start(discordOnly);
    await waitFor('every post in both channels', () => CHANNELS.every((c) => discord.messagesIn(c).length >= 3), 40_000);
    for (const channel of CHANNELS) expect(discord.messagesIn(channel).map((m) => m.body.embeds![0]!.title!)).toEqual(burst.map((item) => item.title));
  }, 120_000);

  it('a refused Bluesky app password pauses Bluesky with one clear error; after a restart with the right one every post goes out once', async () => {
    feeds.setFeed('/feed.xml', rss('Burst', []));
    const blueskyOnly = { routes: [{ feeds: ['*'], bluesky: true }] };
    const refused = start(blueskyOnly, { BLUESKY_APP_PASSWORD: 'wrong-wrong-wrong-wrong' });
    await waitFor('the first poll', () => feeds.count('/feed.xml') >= 2);
    const burst = items(3);
    feeds.setFeed('/feed.xml', rss('Burst', burst));
    const refusal = (line: { msg: string }) => line.msg.startsWith('Bluesky refused the login of herald.test (401 AuthenticationRequired');
    await waitFor('the refusal', () => refused.logs.find(refusal));
    const polls = feeds.count('/feed.xml');
    await waitFor('more polls', () => feeds.count('/feed.xml') >= polls + 2);
    const errors = refused.logs.filter((line) => line.level >= 50);
    expect(errors.map((line) => line.msg)).toEqual([expect.stringContaining('BLUESKY_APP_PASSWORD')]);
    expect(refused.logged('delivery failed')).toEqual([]);
    expect(bluesky.logins).toBe(1);
    refused.kill('SIGTERM');
    expect((await refused.exited).code).toBe(0);

    start(blueskyOnly);
    await waitFor('every post on Bluesky', () => bluesky.posts.length >= 3, 40_000);
    expect(bluesky.posts.map((post) => post.value.text.split('\n\n')[0]!)).toEqual(burst.map((item) => item.title));
    expect(bluesky.refusedAuth).toEqual([]);
  }, 120_000);
});
