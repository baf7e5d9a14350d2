import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from '../fakes/discord.js';
import { articlePage, FeedServer, rss, type TestItem } from '../fakes/feed-server.js';
import { waitFor } from '../fakes/http.js';
import { FakeX } from '../fakes/x.js';
import { heraldEnv, HeraldProcess, tempDir, writeConfig } from './herald-process.js';

const TOKEN = 'fake-bot-token.ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const CHANNELS = ['111111111111111111', '222222222222222222'];
const X_CREDENTIALS = { appKey: 'app-key-123', appSecret: 'app-secret-456', accessToken: 'access-token-789', accessSecret: 'access-secret-012' };

describe('herald run, end to end against fake Discord, fake X and a local feed server', () => {
  const discord = new FakeDiscord(TOKEN, CHANNELS);
  const x = new FakeX(X_CREDENTIALS);
  const feeds = new FeedServer();
  const items: TestItem[] = [];
  let herald: HeraldProcess;
  const base = Date.UTC(2026, 10, 20, 12, 0, 0);

  function publish(): void {
    feeds.setFeed('/feed.xml', rss('Test News', [...items].reverse()));
  }

  function addStory(n: number): TestItem {
    const item: TestItem = {
      guid: `story-${n}`,
      title: `Story number ${n} makes the news`,
      link: feeds.url(`/news/story-${n}.html`),
      pubDate: new Date(base + n * 60_000),
      description: `Feed description of story ${n}.`,
    };
    feeds.setPage(
      `/news/story-${n}.html`,
      articlePage(item.title, [
        `Story ${n} begins with its lead sentence, which says what happened on Jan. 10 in the city.`,
        `The second paragraph of story ${n} adds the details that readers want to know.`,
        `A third paragraph of story ${n} quotes Dr. Reyes, who spoke at 9 a.m. on Monday.`,
        `The fourth paragraph of story ${n} is background that a summary does not need.`,
      ]),
    );
    items.push(item);
    return item;
  }

  beforeAll(async () => {
    await Promise.all([discord.start(), x.start(), feeds.start()]);
    addStory(1);
    addStory(2);
    publish();
    const dir = tempDir('core');
    const config = writeConfig(dir, {
      feeds: [{ id: 'test-news', url: feeds.url('/feed.xml'), every: '1s', backfill: 0, name: 'Test News' }],
      routes: [{ feeds: ['test-news'], discord: CHANNELS, x: true }],
    });
    herald = new HeraldProcess(['run'], heraldEnv({ dir, config, discord, x }));
  });

  afterAll(async () => {
    herald?.kill('SIGKILL');
    await Promise.all([discord.stop(), x.stop(), feeds.stop()]);
  });

  it('connects to the gateway and registers its slash commands', async () => {
    await herald.waitForLog('discord gateway ready');
    await waitFor('command registration', () => discord.commandRegistrations.length > 0);
    const names = (discord.commandRegistrations[0]!.body as Array<{ name: string }>).map((c) => c.name);
    expect(names).toContain('headlines');
  });

  it('posts nothing on first sight with backfill 0', async () => {
    await waitFor('three polls of the feed', () => feeds.count('/feed.xml') >= 3);
    expect(discord.messages).toEqual([]);
    expect(x.tweets).toEqual([]);
  });

  it('delivers each new item exactly once per channel and once on X, with title, link and summary', async () => {
    const added = [addStory(3), addStory(4), addStory(5)];
    publish();

    await waitFor('3 posts in each channel and 3 on X', () => CHANNELS.every((c) => discord.messagesIn(c).length >= 3) && x.tweets.length >= 3);

    for (const channel of CHANNELS) {
      const posted = discord.messagesIn(channel);
      expect(posted.map((m) => m.body.embeds?.[0]?.title)).toEqual(added.map((item) => item.title));
      for (const [index, message] of posted.entries()) {
        const embed = message.body.embeds![0]!;
        expect(embed.url).toBe(added[index]!.link);
        expect(embed.description).toMatch(new RegExp(`^Story ${index + 3} begins with its lead sentence`));
        expect(embed.description).not.toContain('Follow us');
        expect(message.body.allowed_mentions).toEqual({ parse: [] });
        expect(message.body.enforce_nonce).toBe(true);
      }
    }
    for (const [index, tweet] of x.tweets.entries()) {
      expect(tweet.text.startsWith(`${added[index]!.title}\n\n`)).toBe(true);
      expect(tweet.text.endsWith(added[index]!.link)).toBe(true);
    }
    expect(x.rejectedAuth).toEqual([]);
  });

  it('does not post again on later polls, on a changed pubDate or an added tracking parameter', async () => {
    const polls = feeds.count('/feed.xml');
    items[2]!.pubDate = new Date(base + 99 * 60_000);
    items[3]!.link = `${items[3]!.link}?utm_source=rss&utm_medium=feed`;
    publish();
    await waitFor('three more polls', () => feeds.count('/feed.xml') >= polls + 3);
    expect(discord.messages).toHaveLength(6);
    expect(x.tweets).toHaveLength(3);
  });

  it('edits the posted Discord messages when the publisher edits the story, and posts nothing new', async () => {
    items[4]!.title = 'Story number 5 makes the news (updated)';
    publish();
    await waitFor('an edit in each channel', () => CHANNELS.every((channel) => discord.edits.some((edit) => edit.channelId === channel)));
    for (const channel of CHANNELS) {
      const edit = discord.edits.find((e) => e.channelId === channel)!;
      expect(edit.messageId).toBe(discord.messagesIn(channel)[2]!.id);
      expect(edit.body.embeds![0]!.title).toBe('Story number 5 makes the news (updated)');
      expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    }
    const polls = feeds.count('/feed.xml');
    await waitFor('two more polls', () => feeds.count('/feed.xml') >= polls + 2);
    expect(discord.edits).toHaveLength(2);
    expect(discord.messages).toHaveLength(6);
    expect(x.tweets).toHaveLength(3);
  });

  it('answers /headlines with the newest stories, newest first', async () => {
    const answer = await discord.runCommand('headlines', [{ name: 'count', type: 4, value: 2 }]);
    expect(answer.type).toBe(4);
    const description = answer.embeds?.[0]?.description ?? '';
    expect(description.indexOf('Story number 5')).toBeGreaterThanOrEqual(0);
    expect(description.indexOf('Story number 4')).toBeGreaterThan(description.indexOf('Story number 5'));
    expect(description).not.toContain('Story number 3');
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const port = (await herald.waitForLog('health and metrics listening')).port as number;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: true, discord: true } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('herald_deliveries_total{target="discord",outcome="sent"} 6');
    expect(metrics).toContain('herald_deliveries_total{target="x",outcome="sent"} 3');
    expect(metrics).toMatch(/herald_feed_polls_total\{feed="test-news",outcome="(ok|not-modified)"\} \d+/);
    expect(metrics).toContain('herald_new_articles_total{feed="test-news"} 3');
    expect(metrics).toContain('herald_deliveries_pending 0');
    expect(metrics).toMatch(/herald_publish_to_post_seconds_count\{target="discord"\} 6/);
    expect(metrics).toMatch(/^herald_build_info\{version="[^"]+",node="\d+\.\d+\.\d+"\} 1$/m);
    expect(metrics).toContain('herald_feeds_failing 0');
    expect(metrics).toContain('herald_discord_gateway_up 1');
    expect(metrics).toMatch(/^herald_poll_lag_seconds_count [1-9]\d*$/m);
  });

  it('stops cleanly on SIGTERM: exits by itself with code 0 after logging its stop', async () => {
    let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    void herald.exited.then((result) => (ended = result));
    herald.kill('SIGTERM');
    // Generous: a bot that ignored SIGTERM would still be running, and SIGTERM's default would have ended it by signal, not code 0.
    await waitFor('herald to exit after SIGTERM', () => ended, 30_000);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(herald.logged('stopped')).toHaveLength(1);
  });
});
